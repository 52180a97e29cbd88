/**
 * tree-sitter-python helpers of the PySpark and Airflow readers: the shared parser, method-chain flattening,
 * call arguments, literals and binding occurrences. Positions are UTF-16 offsets into the parsed text.
 */
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';

export type Node = Parser.SyntaxNode;

let parser: Parser | undefined;

/**
 * The one tree-sitter-python parser of the process, created on first use (creating one is not free);
 * shared by the PySpark and Airflow readers.
 */
export function pythonParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python);
  }
  return parser;
}

/** One step of a method chain: `.name` or `.name(args)`. */
export interface Link {
  name: string;
  /** The call's argument list, null for a plain attribute. */
  args: Node | null;
  /** The attribute or call node that ends with this step. */
  node: Node;
  /** Offset of the `.` before `name`, or null. */
  dot: number | null;
  /** End offset of the expression the step applies to (text between it and `dot` is layout). */
  objectEnd: number;
}

/** `a.b(...).c` flattened: the innermost expression and the steps applied to it, in order. */
export interface Chain {
  top: Node;
  root: Node;
  links: Link[];
}

/** Literal node types whose source text is their value. */
const PLAIN_LITERALS = new Set(['integer', 'float', 'true', 'false', 'none']);

/** Orders LSP-style positions: line, then character. */
export function comparePositions(
  a: { line: number; character: number },
  b: { line: number; character: number },
): number {
  return a.line - b.line || a.character - b.character;
}

/** A map key for a syntax node (tree-sitter gives a new wrapper object on each access): offsets and type. */
export function keyOf(node: Node): string {
  return `${node.startIndex}:${node.endIndex}:${node.type}`;
}

/** Whether two (possibly null) wrappers stand for the same syntax node. */
export function sameNode(a: Node | null, b: Node | null): boolean {
  return !!a && !!b && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

/** Source text without whitespace, backslash continuations or comments-free layout: `self . conf` → `self.conf`. */
export function normalize(text: string): string {
  return text.replace(/\\\r?\n|\s+/g, '');
}

/** `((x))` → `x`: steps into parentheses that hold exactly one expression (comments aside). */
export function unwrapParens(node: Node): Node {
  let n = node;
  while (n.type === 'parenthesized_expression') {
    const inner = n.namedChildren.filter((c) => c.type !== 'comment');
    if (inner.length !== 1) break;
    n = inner[0];
  }
  return n;
}

/** Names a session usually has when the file does not show where it comes from: `spark`, `self.spark`, `session`. */
export function looksLikeSession(name: string): boolean {
  return /spark|session/i.test(name) && !/^Spark(Session|Conf|Context)$/.test(name);
}

/** `X` or `anything.X`. */
export function isName(node: Node | null, name: string): boolean {
  if (!node) return false;
  if (node.type === 'identifier') return node.text === name;
  return node.type === 'attribute' && node.childForFieldName('attribute')?.text === name;
}

/** True for a call or attribute that is not itself the object of a further step (the outermost node of a chain). */
export function isChainTop(node: Node): boolean {
  if (node.type !== 'call' && node.type !== 'attribute') return false;
  let child = node;
  let p = node.parent;
  while (p && p.type === 'parenthesized_expression') {
    child = p;
    p = p.parent;
  }
  if (!p) return true;
  if (p.type === 'attribute' && sameNode(p.childForFieldName('object'), child)) return false;
  if (p.type === 'call' && sameNode(p.childForFieldName('function'), child)) return false;
  return true;
}

/**
 * Flattens `a.b(x).c` into root `a` and steps `.b(x)`, `.c`; stops early at a tracked name such as `self.conf`.
 * @param source the parsed text (to find each step's `.` without making a node for it).
 */
export function flatten(top: Node, tracked: (text: string) => boolean, source: string): Chain {
  const links: Link[] = [];
  let cur = unwrapParens(top);
  for (;;) {
    let attr: Node;
    let call: Node | null = null;
    if (cur.type === 'call') {
      const fn = cur.childForFieldName('function');
      if (!fn || unwrapParens(fn).type !== 'attribute') break;
      attr = unwrapParens(fn);
      call = cur;
    } else if (cur.type === 'attribute') {
      // Tracked names are short (`self.conf`): a long attribute chain is not one (and its text is not read).
      if (cur.endIndex - cur.startIndex < 256 && tracked(normalize(cur.text))) break;
      attr = cur;
    } else break;
    const object = attr.childForFieldName('object');
    const name = attr.childForFieldName('attribute');
    if (!object || !name) break;
    links.push({
      name: name.text,
      args: call ? call.childForFieldName('arguments') : null,
      node: call ?? attr,
      dot: dotOffset(source, object.endIndex, name.startIndex),
      objectEnd: object.endIndex,
    });
    cur = unwrapParens(object);
  }
  links.reverse();
  return { top, root: cur, links };
}

/**
 * Offset of the `.` between an attribute's object and its name, found in the text between them (blanks, backslash
 * continuations and comments may surround it), so no node is made for it.
 */
function dotOffset(source: string, objectEnd: number, nameStart: number): number | null {
  const between = source.slice(objectEnd, nameStart);
  let inComment = false;
  for (let i = 0; i < between.length; i++) {
    const c = between[i];
    if (inComment) {
      if (c === '\n' || c === '\r') inComment = false;
    } else if (c === '#') inComment = true;
    else if (c === '.') return objectEnd + i;
  }
  return null;
}

/** Positional and keyword arguments of an `argument_list` (splats end the positional ones). */
export function callArguments(argList: Node): { positional: Node[]; keywords: Map<string, Node> } {
  const positional: Node[] = [];
  const keywords = new Map<string, Node>();
  let splat = false;
  if (argList.type !== 'argument_list') return { positional, keywords };
  for (const c of argList.namedChildren) {
    if (c.type === 'comment') continue;
    if (c.type === 'keyword_argument') {
      const n = c.childForFieldName('name');
      const v = c.childForFieldName('value');
      if (n && v) keywords.set(n.text, v);
    } else if (c.type === 'list_splat' || c.type === 'dictionary_splat') splat = true;
    else if (!splat) positional.push(c);
  }
  return { positional, keywords };
}

/** `(key, value)` nodes of a dict literal's pairs. */
export function dictPairs(dict: Node): [Node, Node][] {
  const out: [Node, Node][] = [];
  for (const p of dict.namedChildren) {
    if (p.type !== 'pair') continue;
    const k = p.childForFieldName('key');
    const v = p.childForFieldName('value');
    if (k && v) out.push([k, v]);
  }
  return out;
}

/** `[(k, v), ...]` / `((k, v), ...)` / `[[k, v], ...]`: the pairs written out. */
export function literalPairs(node: Node): [Node, Node][] {
  const list = unwrapParens(node);
  if (list.type !== 'list' && list.type !== 'tuple') return [];
  const pairs: [Node, Node][] = [];
  for (const item of list.namedChildren) {
    const pair = unwrapParens(item);
    if (pair.type !== 'tuple' && pair.type !== 'list') continue;
    const kv = pair.namedChildren.filter((c) => c.type !== 'comment');
    if (kv.length === 2) pairs.push([kv[0], kv[1]]);
  }
  return pairs;
}

/** A string literal's content range (between its quotes and prefix) and its f-string fields. */
export function stringParts(node: Node): { start: number; end: number; interpolations: Node[] } | undefined {
  if (node.type !== 'string') return undefined;
  // Without an `f` prefix there are no fields: the offsets follow from the text, with no child node made.
  const text = node.text;
  const prefix = /^[A-Za-z]*/.exec(text)![0];
  if (!/f/i.test(prefix)) {
    const q = text.slice(prefix.length, prefix.length + 3);
    const quote = q === '"""' || q === "'''" ? q : text[prefix.length];
    if (quote !== '"' && quote !== "'" && quote !== '"""' && quote !== "'''") return undefined;
    const start = node.startIndex + prefix.length + quote.length;
    const closed = text.length >= prefix.length + 2 * quote.length && text.endsWith(quote);
    return { start, end: closed ? node.endIndex - quote.length : node.endIndex, interpolations: [] };
  }
  const open = node.firstChild;
  const close = node.lastChild;
  if (!open || open.type !== 'string_start') return undefined;
  const end =
    close && close.type === 'string_end' && close.startIndex >= open.endIndex ? close.startIndex : node.endIndex;
  return { start: open.endIndex, end, interpolations: node.namedChildren.filter((c) => c.type === 'interpolation') };
}

/** `4`, `0.5`, `True`, `None`, `-1`. */
export function isPlainLiteral(node: Node): boolean {
  if (PLAIN_LITERALS.has(node.type)) return true;
  if (node.type !== 'unary_operator') return false;
  const arg = node.childForFieldName('argument');
  return !!arg && (arg.type === 'integer' || arg.type === 'float');
}

/** Node types an assignment target may be nested in. */
const TARGET_WRAPPERS = new Set([
  'pattern_list',
  'tuple_pattern',
  'list_pattern',
  'list_splat_pattern',
  'dictionary_splat_pattern',
  'tuple',
  'list',
  'parenthesized_expression',
  'as_pattern_target',
  'expression_list',
]);

/** True when this identifier occurrence (re)binds its name rather than reading it. */
export function isBinding(id: Node): boolean {
  let cur = id;
  let p = id.parent;
  while (p && TARGET_WRAPPERS.has(p.type)) {
    cur = p;
    p = p.parent;
  }
  if (!p) return false;
  switch (p.type) {
    case 'assignment':
    case 'augmented_assignment':
    case 'for_statement':
    case 'for_in_clause':
      return sameNode(p.childForFieldName('left'), cur);
    case 'as_pattern':
      return sameNode(p.childForFieldName('alias'), cur);
    case 'named_expression':
    case 'function_definition':
    case 'class_definition':
    case 'default_parameter':
    case 'typed_default_parameter':
      return sameNode(p.childForFieldName('name'), cur);
    case 'typed_parameter':
      return sameNode(p.firstNamedChild, cur);
    case 'parameters':
    case 'lambda_parameters':
    case 'global_statement':
    case 'nonlocal_statement':
    case 'delete_statement':
      return true;
    case 'aliased_import':
      return sameNode(p.childForFieldName('alias'), cur);
    case 'dotted_name': {
      const g = p.parent;
      if (!g || (g.type !== 'import_statement' && g.type !== 'import_from_statement')) return false;
      return !sameNode(g.childForFieldName('module_name'), p) && sameNode(p.firstNamedChild, cur);
    }
    default:
      return false;
  }
}
