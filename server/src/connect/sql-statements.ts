/**
 * Where the SQL is in a document, for "Spark: Run Query" and its code lenses:
 * - in a `.sql` file, each statement between semicolons (semicolons inside quotes, backticks and comments do not
 *   count; Spark SQL's string, identifier and comment syntax: '...', "...", `...`, -- and nested /* *\/);
 * - in Python, the first argument of every `<anything>.sql("...")` call (also `sqlQuery="..."`), a plain or
 *   triple-quoted, raw or normal string literal without f-string interpolation (PySpark's
 *   `SparkSession.sql(sqlQuery, args=None, **kwargs)`).
 * Offsets are UTF-16 code units (JS string indices) into the document text.
 */
import type Parser from 'tree-sitter';
import { pythonParser } from '../config/python-syntax';
import type { SqlStatement } from '../../../shared/src/protocol';

/** Statements of a `.sql` document (empty statements skipped). */
export function sqlStatementsInSql(text: string): SqlStatement[] {
  const out: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  let depth = 0; // nested /* */ comments
  const push = (end: number) => {
    const raw = text.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const sql = raw.trim();
    if (sql && !isOnlyComments(sql)) {
      const s = start + lead;
      out.push({
        sql,
        start: s,
        end: s + sql.length,
        offsets: Array.from({ length: sql.length }, (_, k) => s + k),
        anchor: s,
      });
    }
  };
  while (i < text.length) {
    const c = text[i];
    if (depth > 0) {
      if (c === '*' && text[i + 1] === '/') {
        depth--;
        i += 2;
      } else if (c === '/' && text[i + 1] === '*') {
        depth++;
        i += 2;
      } else i++;
    } else if (c === '-' && text[i + 1] === '-') {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      depth = 1;
      i += 2;
    } else if (c === "'" || c === '"' || c === '`') {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' && c !== '`' ? 2 : 1;
      i++;
    } else if (c === ';') {
      push(i);
      i++;
      start = i;
    } else i++;
  }
  push(text.length);
  return out;
}

function isOnlyComments(sql: string): boolean {
  return (
    sql
      .replace(/--[^\n]*/g, '')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .trim() === ''
  );
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '' };

/** `spark.sql("...")` strings of a Python document. */
export function sqlStatementsInPython(text: string): SqlStatement[] {
  const tree = pythonParser().parse(text);
  const out: SqlStatement[] = [];
  const visit = (n: Parser.SyntaxNode) => {
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'sql') {
        const args = n.childForFieldName('arguments');
        const first = args?.namedChildren.find((a) => a.type !== 'comment');
        const str =
          first?.type === 'string'
            ? first
            : args?.namedChildren
                .find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'sqlQuery')
                ?.childForFieldName('value');
        const s = str?.type === 'string' ? stringStatement(text, str, n.startIndex) : undefined;
        if (s) out.push(s);
      }
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(tree.rootNode);
  return out;
}

/** The SQL of one Python string literal node, or undefined for f-strings with interpolations. */
function stringStatement(text: string, node: Parser.SyntaxNode, anchorIndex: number): SqlStatement | undefined {
  if (node.namedChildren.some((c) => c.type === 'interpolation')) return undefined;
  const start = node.namedChildren.find((c) => c.type === 'string_start');
  const end = node.namedChildren.find((c) => c.type === 'string_end');
  if (!start || !end) return undefined;
  // node-tree-sitter reports indices of a JS string in UTF-16 code units (as config/python-settings.ts uses them).
  const prefix = start.text.toLowerCase();
  const raw = prefix.includes('r');
  const from = start.endIndex;
  const to = end.startIndex;
  const chars: string[] = [];
  const offsets: number[] = [];
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (!raw && c === '\\' && i + 1 < to) {
      const e = SIMPLE_ESCAPES[text[i + 1]];
      if (e !== undefined) {
        if (e) {
          chars.push(e);
          offsets.push(i);
        }
        i++;
        continue;
      }
    }
    chars.push(c);
    offsets.push(i);
  }
  const decoded = chars.join('');
  const lead = decoded.length - decoded.trimStart().length;
  const sql = decoded.trim();
  if (!sql) return undefined;
  return { sql, start: from, end: to, offsets: offsets.slice(lead, lead + sql.length), anchor: anchorIndex };
}

/**
 * The statement under `offset` (inside its text, or on its call/line for Python), or undefined.
 */
export function statementAt(statements: SqlStatement[], offset: number): SqlStatement | undefined {
  return statements.find((s) => offset >= Math.min(s.anchor, s.start) && offset <= s.end + 1);
}

/** Whether `sql` names the view `name` (a plain identifier, matched as a whole word, any case, or in backquotes). */
export function sqlNamesView(sql: string, name: string): boolean {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return false;
  return new RegExp(`(^|[^A-Za-z0-9_])${name}($|[^A-Za-z0-9_])`, 'i').test(sql);
}
