import Parser from 'tree-sitter';
import Bash from 'tree-sitter-bash';
import type { FileSettings, SettingsBlock, SparkSetting } from './setting';
import { LineIndex } from './source-text';
import { readSubmitArguments, type SubmitArgument } from './spark-submit-flags';

type Node = Parser.SyntaxNode;

let parser: Parser | undefined;

/** The one tree-sitter-bash parser of the process, created on first use (creating one is not free). */
function bashParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Bash as unknown as Parser.Language);
  }
  return parser;
}

/** Programs that take spark-submit options: `spark-submit`, `pyspark`, `spark-shell`, also as a path (`$SPARK_HOME/bin/spark-submit`). */
const SUBMIT_PROGRAM = /(?:^|\/)(spark-submit|pyspark|spark-shell)(?:\.sh|\.cmd)?$/;

/** Commands that run the command given in their arguments (`nohup spark-submit ...`). */
const WRAPPERS = new Set(['nohup', 'exec', 'time', 'nice', 'sudo', 'env', 'command', 'timeout', 'stdbuf', 'ionice']);

/** Command names worth a closer look: submit programs, paths or variables that may be one, wrappers, curl. */
const CANDIDATE_COMMAND = new RegExp(`spark-submit|pyspark|spark-shell|\\$|(^|/)(curl|${[...WRAPPERS].join('|')})$`);

/** Node types of shell expansions whose value is only known at run time. */
const EXPANSIONS = new Set(['simple_expansion', 'expansion', 'command_substitution', 'arithmetic_expansion', 'process_substitution']);

/** curl options whose value is the request body. */
const CURL_DATA_FLAGS = new Set(['-d', '--data', '--data-raw', '--data-binary', '--data-ascii', '--json']);

/**
 * Reads the Spark settings of a shell script with tree-sitter-bash.
 *
 * - Every `spark-submit` / `pyspark` / `spark-shell` command (also `$SPARK_HOME/bin/spark-submit`,
 *   `"${SPARK_HOME}"/bin/spark-submit`, a `$VAR` assigned such a path, and behind `nohup`/`exec`/`time`/...)
 *   becomes one `spark-submit` block: `--flag value`, `--flag=value`, `--conf k=v` / `-c k=v` / `--conf=k=v`,
 *   quoted or not, across backslash continuations, and options spliced in from a bash array
 *   (`"${ARGS[@]}"` with `ARGS=(...)` / `ARGS+=(...)` earlier in the script). Reading stops at the
 *   application file (`applicationFile`, quotes removed, expansions as written); what follows it is the
 *   application's own arguments. Flag → key mapping and parsing rules: `spark-submit-flags.ts`.
 * - A `curl` request to Spark's standalone REST submission server (`.../v1/submissions/create`, body a
 *   `CreateSubmissionRequest`) becomes a `spark-submit` block too: its `sparkProperties` entries.
 *
 * Values from expansions (`$EXEC_MEM`, `"${X}"`, `$(cmd)`) have `literal: false`, `value: null` and `raw` as
 * written (with its quotes). When the whole value is one `$X`/`${X}` and the script assigns X exactly once,
 * to a constant, before the command, `value` holds that constant and `resolvedFrom` points at it; `${X:-d}`
 * and anything else with an operator is not resolved. For `--conf k=v` the range covers only `v`; for a quoted
 * value, the text inside the quotes. Keys that do not start with `spark.` are skipped, as spark-submit does.
 *
 * @param text the script (any line endings).
 * @returns blocks in source order with positions in UTF-16 code units; never throws (broken input gives
 *   what could be read).
 */
export function extractShellSettings(text: string): FileSettings {
  const blocks: SettingsBlock[] = [];
  if (!/spark-submit|pyspark|spark-shell|submissions\/create|CreateSubmissionRequest|SPARK_SUBMIT/i.test(text)) {
    return { languageId: 'shellscript', blocks };
  }
  try {
    const tree = bashParser().parse(text);
    new ShellSettingsReader(text, tree.rootNode, blocks).read();
  } catch {
    // A parser failure on half-typed input: keep the blocks read so far.
  }
  return { languageId: 'shellscript', blocks };
}

/** One argument after quote removal, with where each character came from. */
interface ShellWord extends SubmitArgument {
  node: Node;
  /** Source offsets `[srcStart[i], srcEnd[i])` of `text[i]` (an escape `\x` gives two source units for `x`). */
  srcStart: number[];
  srcEnd: number[];
  /** Quoted strings and expansions inside the word, in text coordinates. */
  segments: WordSegment[];
  /** Source offset where the word's content starts (after an opening quote), for empty words. */
  contentStart: number;
}

interface WordSegment {
  kind: 'quoted' | 'expansion';
  textStart: number;
  textEnd: number;
  /** Source range of the whole segment, quotes included. */
  srcStart: number;
  srcEnd: number;
  /** For a quoted segment: source offset right after the opening quote. */
  contentStart: number;
  /** For `$X` / `${X}` without operators: X. */
  variable?: string;
}

/** A shell variable's assignments, to resolve `$X` when it is assigned a constant exactly once. */
interface ShellVariable {
  /** How many times the script binds the name (assignments, `for`, `read`, `unset`, `local`, ...). */
  bindings: number;
  /** Set when one binding is `X=constant`: its value and where it is written. */
  constant?: { value: string; start: number; end: number; at: number };
  /** Texts of the values assigned (for `$SPARK_SUBMIT` used as a command name). */
  valueTexts: string[];
  /** Array assignments `X=(...)` / `X+=(...)`, in source order. */
  arrays: { node: Node; append: boolean; at: number }[];
}

class ShellSettingsReader {
  private readonly lines: LineIndex;
  private variables?: Map<string, ShellVariable>;
  private nodes?: Map<string, Node[]>;

  constructor(
    private readonly text: string,
    private readonly root: Node,
    private readonly blocks: SettingsBlock[],
  ) {
    this.lines = new LineIndex(text);
  }

  /** The nodes the reader needs, fetched in one pass over the tree (each `descendantsOfType` walks it all). */
  private nodesOfType(type: string): Node[] {
    if (!this.nodes) {
      this.nodes = new Map();
      const types = ['command', 'variable_assignment', 'for_statement', 'unset_command', 'declaration_command'];
      for (const t of types) this.nodes.set(t, []);
      for (const n of this.root.descendantsOfType(types)) this.nodes.get(n.type)?.push(n);
    }
    return this.nodes.get(type) ?? [];
  }

  read(): void {
    for (const command of this.nodesOfType('command')) {
      try {
        this.readCommand(command);
      } catch {
        // Skip a command the reader does not understand; the others still count.
      }
    }
  }

  private readCommand(command: Node): void {
    const nameNode = command.childForFieldName('name');
    if (!nameNode) return;
    // Cheap test first: most commands of a script (echo, mkdir, ...) cannot start a submission.
    if (!CANDIDATE_COMMAND.test(nameNode.text)) return;
    const args = command.childrenForFieldName('argument');
    const name = this.word(nameNode.firstNamedChild ?? nameNode);
    if (this.isSubmitProgram(name)) {
      this.readSubmit(command, args);
      return;
    }
    const base = name.text.slice(name.text.lastIndexOf('/') + 1);
    if (WRAPPERS.has(base)) {
      for (let j = 0; j < Math.min(args.length, 8); j++) {
        if (this.isSubmitProgram(this.word(args[j]))) {
          this.readSubmit(command, args.slice(j + 1));
          return;
        }
      }
      return;
    }
    if (base === 'curl') this.readRestSubmission(command, args);
  }

  /** True for `spark-submit`-like program words, also `$X` where every value assigned to X is such a path. */
  private isSubmitProgram(w: ShellWord): boolean {
    if (SUBMIT_PROGRAM.test(w.text)) return true;
    const only = w.segments.length === 1 && w.segments[0].kind === 'expansion' ? w.segments[0] : undefined;
    if (!only?.variable || only.textStart !== 0 || only.textEnd !== w.text.length) return false;
    const v = this.variableTable().get(only.variable);
    return !!v && v.arrays.length === 0 && v.valueTexts.length > 0 && v.valueTexts.every((t) => SUBMIT_PROGRAM.test(t));
  }

  private readSubmit(command: Node, argNodes: Node[]): void {
    const args: { word: ShellWord; own: boolean }[] = [];
    for (const n of argNodes) {
      const spliced = this.arrayElements(n);
      if (spliced) for (const e of spliced) args.push({ word: this.word(e), own: false });
      else args.push({ word: this.word(n), own: true });
    }
    const words = args.map((a) => a.word);
    const reading = readSubmitArguments(words);
    const settings = reading.settings.map((s) => {
      const setting = this.setting(words[s.argIndex], s.valueStart, s.valueEnd, s.key, s.sourceKey, command.startIndex);
      if (s.keyStart !== undefined && s.keyEnd !== undefined) this.addKeyRange(setting, words[s.argIndex], s.keyStart, s.keyEnd);
      return setting;
    });
    const block: SettingsBlock = {
      kind: 'spark-submit',
      range: this.lines.range(command.startIndex, command.endIndex),
      settings,
    };
    if (reading.applicationFileIndex !== undefined) block.applicationFile = words[reading.applicationFileIndex].text;
    const insertion = this.submitInsertion(command, args, reading.applicationFileIndex);
    if (insertion) block.insertion = insertion;
    this.blocks.push(block);
  }

  /**
   * Where a new `--conf` goes: on its own line before the application file when the command is one option
   * per line (indented like the option lines), inline before it otherwise; after the last argument when
   * there is no application file. Quoted like the command's existing `--conf` pairs.
   */
  private submitInsertion(
    command: Node,
    args: { word: ShellWord; own: boolean }[],
    appIndex: number | undefined,
  ): SettingsBlock['insertion'] {
    let quote = '';
    for (let i = 0; i + 1 < args.length; i++) {
      if (args[i].own && (args[i].word.text === '--conf' || args[i].word.text === '-c') && args[i + 1].own) {
        const t = args[i + 1].word.node.type;
        quote = t === 'string' ? '"' : t === 'raw_string' ? "'" : '';
        break;
      }
    }
    const conf = `--conf ${quote}{key}={value}${quote}`;
    const eol = this.lines.eol();
    if (appIndex !== undefined) {
      const app = args[appIndex];
      if (!app.own) return undefined;
      const at = app.word.node.startIndex;
      if (!this.lines.isFirstOnLine(at)) return { position: this.lines.position(at), template: `${conf} ` };
      let indent = this.lines.indentationOf(at);
      for (let i = appIndex - 1; i >= 0; i--) {
        if (!args[i].own) continue;
        const start = args[i].word.node.startIndex;
        if (this.lines.isFirstOnLine(start)) indent = this.lines.indentationOf(start);
        break;
      }
      return { position: this.lines.position(this.lines.lineStartOf(at)), template: `${indent}${conf} \\${eol}` };
    }
    const own = args.filter((a) => a.own);
    const last = own.length > 0 ? own[own.length - 1].word.node : command.childForFieldName('name');
    if (!last) return undefined;
    const multiLine = this.lines.position(last.startIndex).line > this.lines.position(command.startIndex).line;
    const template = multiLine ? ` \\${eol}${this.lines.indentationOf(last.startIndex)}${conf}` : ` ${conf}`;
    return { position: this.lines.position(last.endIndex), template };
  }

  /** Elements of `"${NAME[@]}"` when NAME is an array assigned earlier in the script; undefined otherwise. */
  private arrayElements(arg: Node): Node[] | undefined {
    const m = /^"?\$\{([A-Za-z_][A-Za-z0-9_]*)\[[@*]\]\}"?$/.exec(arg.text);
    if (!m) return undefined;
    const v = this.variableTable().get(m[1]);
    const before = (v?.arrays ?? []).filter((a) => a.at < arg.startIndex);
    let from = -1;
    for (let i = before.length - 1; i >= 0; i--) {
      if (!before[i].append) {
        from = i;
        break;
      }
    }
    if (before.length === 0) return undefined;
    return before.slice(Math.max(from, 0)).flatMap((a) => a.node.namedChildren.filter((c) => c.type !== 'comment'));
  }

  /** The request body of a `curl` POST to Spark's REST submission server: its `sparkProperties`. */
  private readRestSubmission(command: Node, argNodes: Node[]): void {
    const words = argNodes.map((n) => this.word(n));
    let toSubmission = words.some((w) => w.text.includes('/v1/submissions/create'));
    for (let i = 0; i < words.length; i++) {
      let body: ShellWord | undefined;
      let offset = 0;
      if (CURL_DATA_FLAGS.has(words[i].text) && i + 1 < words.length) body = words[++i];
      else if (/^-d\s*\{/.test(words[i].text)) {
        body = words[i];
        offset = 2;
      }
      if (!body) continue;
      const json = parseJson(body.text, offset);
      if (json?.kind !== 'object') continue;
      const action = memberOf(json, 'action');
      if (action && body.text.slice(action.start + 1, action.end - 1) === 'CreateSubmissionRequest') toSubmission = true;
      const props = memberOf(json, 'sparkProperties');
      if (!toSubmission || props?.kind !== 'object') continue;
      const settings: SparkSetting[] = [];
      for (const m of props.members ?? []) {
        if (!m.key.startsWith('spark.') || !allLiteral(body, m.keyStart, m.keyEnd)) continue;
        const [s, e] = m.value.kind === 'string' ? [m.value.start + 1, m.value.end - 1] : [m.value.start, m.value.end];
        const setting = this.setting(body, s, e, m.key, 'sparkProperties', command.startIndex);
        this.addKeyRange(setting, body, m.keyStart, m.keyEnd);
        settings.push(setting);
      }
      const block: SettingsBlock = { kind: 'spark-submit', range: this.lines.range(command.startIndex, command.endIndex), settings };
      const resource = memberOf(json, 'appResource');
      if (resource?.kind === 'string' && resource.end - resource.start > 2) {
        block.applicationFile = body.text.slice(resource.start + 1, resource.end - 1);
      }
      const insertion = this.restInsertion(body, props);
      if (insertion) block.insertion = insertion;
      this.blocks.push(block);
    }
  }

  /** A new `"key": "value",` line before the first property; only inside a single-quoted body, where `"` needs no escaping. */
  private restInsertion(body: ShellWord, props: JsonValue): SettingsBlock['insertion'] {
    if (body.node.type !== 'raw_string') return undefined;
    const entry = '"{key}": "{value}"';
    const first = props.members?.[0];
    if (!first) return { position: this.lines.position(body.srcEnd[props.start]), template: entry };
    const at = body.srcStart[first.keyStart - 1];
    if (!this.lines.isFirstOnLine(at)) return { position: this.lines.position(at), template: `${entry}, ` };
    return {
      position: this.lines.position(this.lines.lineStartOf(at)),
      template: `${this.lines.indentationOf(at)}${entry},${this.lines.eol()}`,
    };
  }

  /**
   * Sets `setting.keyRange` to the source of `word.text[s, e)` when that source is the key exactly as written
   * (no escape, quote or continuation inside it), so that replacing the range renames the key.
   */
  private addKeyRange(setting: SparkSetting, word: ShellWord, s: number, e: number): void {
    if (e <= s || !allLiteral(word, s, e)) return;
    const start = word.srcStart[s];
    const end = word.srcEnd[e - 1];
    if (this.text.slice(start, end) === setting.key) setting.keyRange = this.lines.range(start, end);
  }

  /** The setting whose value is `word.text[s, e)`. */
  private setting(word: ShellWord, s: number, e: number, key: string, sourceKey: string, at: number): SparkSetting {
    const literal = allLiteral(word, s, e);
    let rangeStart: number;
    let rangeEnd: number;
    if (e > s) {
      rangeStart = word.srcStart[s];
      rangeEnd = word.srcEnd[e - 1];
    } else {
      const q = word.segments.find((g) => g.kind === 'quoted' && g.textStart === s);
      rangeStart = rangeEnd = q ? q.contentStart : s > 0 ? word.srcEnd[s - 1] : word.contentStart;
    }
    let rawStart = rangeStart;
    let rawEnd = rangeEnd;
    for (const g of word.segments) {
      if (g.kind !== 'quoted' || g.textStart < s || g.textEnd > e) continue;
      if (g.textStart === s) rawStart = Math.min(rawStart, g.srcStart);
      if (g.textEnd === e) rawEnd = Math.max(rawEnd, g.srcEnd);
    }
    const setting: SparkSetting = {
      key,
      sourceKey,
      value: literal ? word.text.slice(s, e) : null,
      raw: this.text.slice(rawStart, rawEnd),
      literal,
      range: this.lines.range(rangeStart, rangeEnd),
      origin: 'spark-submit',
    };
    if (!literal) {
      const only = word.segments.filter((g) => g.kind === 'expansion' && g.textStart < e && g.textEnd > s);
      const g = only.length === 1 && only[0].textStart === s && only[0].textEnd === e ? only[0] : undefined;
      const v = g?.variable ? this.variableTable().get(g.variable) : undefined;
      if (g?.variable && v && v.bindings === 1 && v.constant && v.constant.at < at) {
        setting.value = v.constant.value;
        setting.resolvedFrom = { name: g.variable, range: this.lines.range(v.constant.start, v.constant.end) };
      }
    }
    return setting;
  }

  /** Every variable binding of the script, computed once per file on first need. */
  private variableTable(): Map<string, ShellVariable> {
    if (this.variables) return this.variables;
    const vars = new Map<string, ShellVariable>();
    const get = (name: string): ShellVariable => {
      let v = vars.get(name);
      if (!v) vars.set(name, (v = { bindings: 0, valueTexts: [], arrays: [] }));
      return v;
    };
    for (const a of this.nodesOfType('variable_assignment')) {
      const nameNode = a.childForFieldName('name');
      if (!nameNode) continue;
      if (nameNode.type === 'subscript') {
        const n = nameNode.childForFieldName('name');
        if (n) get(n.text).bindings++;
        continue;
      }
      const v = get(nameNode.text);
      v.bindings++;
      const append = a.children.some((c) => c.type === '+=');
      const value = a.childForFieldName('value');
      if (value?.type === 'array') {
        v.arrays.push({ node: value, append, at: a.startIndex });
        continue;
      }
      const w = value ? this.word(value) : undefined;
      if (w) v.valueTexts.push(w.text);
      const prefixOfCommand = a.parent?.type === 'command';
      if (append || prefixOfCommand || (w && !allLiteral(w, 0, w.text.length))) continue;
      if (!w || w.text.length === 0) {
        const end = value ? (w?.contentStart ?? value.endIndex) : a.endIndex;
        v.constant = { value: '', start: end, end, at: a.startIndex };
      } else {
        v.constant = { value: w.text, start: w.srcStart[0], end: w.srcEnd[w.text.length - 1], at: a.startIndex };
      }
    }
    for (const f of this.nodesOfType('for_statement')) {
      const n = f.childForFieldName('variable');
      if (n) get(n.text).bindings++;
    }
    for (const u of [...this.nodesOfType('unset_command'), ...this.nodesOfType('declaration_command')]) {
      // `export X` / `readonly X` keep X's value; `unset X`, `local X`, `declare X` change it.
      const keyword = u.child(0)?.type ?? '';
      if (keyword === 'export' || keyword === 'readonly') continue;
      for (const c of u.namedChildren) if (c.type === 'variable_name' || c.type === 'word') get(c.text).bindings++;
    }
    for (const c of this.nodesOfType('command')) {
      const name = c.childForFieldName('name')?.text ?? '';
      const binders = ['read', 'getopts', 'mapfile', 'readarray', 'let', 'printf', 'export', 'declare', 'local', 'readonly', 'typeset'];
      if (!binders.includes(name)) continue;
      for (const a of c.childrenForFieldName('argument')) {
        const m = /^([A-Za-z_][A-Za-z0-9_]*)(=|$)/.exec(a.text);
        if (m && (m[2] === '=' || !['export', 'readonly', 'declare', 'typeset'].includes(name))) get(m[1]).bindings++;
      }
    }
    this.variables = vars;
    return vars;
  }

  /** Quote removal of one argument node, keeping where each character came from. */
  private word(node: Node): ShellWord {
    const w: ShellWord = { node, text: '', literal: [], srcStart: [], srcEnd: [], segments: [], contentStart: node.startIndex };
    if (node.type === 'string' || node.type === 'raw_string') w.contentStart = node.startIndex + 1;
    else if (node.type === 'ansi_c_string') w.contentStart = node.startIndex + 2;
    this.append(w, node);
    return w;
  }

  private append(w: ShellWord, node: Node): void {
    const t = this.text;
    const push = (ch: string, start: number, end: number, literal: boolean) => {
      w.text += ch;
      w.literal.push(literal);
      w.srcStart.push(start);
      w.srcEnd.push(end);
    };
    /** Unquoted text: `\x` is x, `\<newline>` disappears. */
    const unquoted = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        if (t[i] === '\\' && i + 1 < to) {
          if (t[i + 1] !== '\n' && t[i + 1] !== '\r') push(t[i + 1], i, i + 2, true);
          i++;
        } else push(t[i], i, i + 1, true);
      }
    };
    /** Inside double quotes: `\` escapes only `$`, `` ` ``, `"`, `\` and newline. */
    const doubleQuoted = (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        if (t[i] === '\\' && i + 1 < to && '$`"\\\n'.includes(t[i + 1])) {
          if (t[i + 1] !== '\n') push(t[i + 1], i, i + 2, true);
          i++;
        } else push(t[i], i, i + 1, true);
      }
    };
    const verbatim = (from: number, to: number, literal: boolean) => {
      for (let i = from; i < to; i++) push(t[i], i, i + 1, literal);
    };
    const expansion = (n: Node) => {
      const textStart = w.text.length;
      verbatim(n.startIndex, n.endIndex, false);
      const seg: WordSegment = {
        kind: 'expansion',
        textStart,
        textEnd: w.text.length,
        srcStart: n.startIndex,
        srcEnd: n.endIndex,
        contentStart: n.startIndex,
      };
      const m = /^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$/.exec(n.text);
      if (m) seg.variable = m[1] ?? m[2];
      w.segments.push(seg);
    };
    const quoted = (n: Node, open: number, fill: (from: number, to: number) => void) => {
      const textStart = w.text.length;
      const contentStart = Math.min(n.startIndex + open, n.endIndex);
      const closed = n.endIndex - contentStart >= 1 && t[n.endIndex - 1] === t[n.startIndex + open - 1];
      fill(contentStart, closed ? n.endIndex - 1 : n.endIndex);
      w.segments.push({ kind: 'quoted', textStart, textEnd: w.text.length, srcStart: n.startIndex, srcEnd: n.endIndex, contentStart });
    };
    switch (node.type) {
      case 'word':
      case 'number':
        unquoted(node.startIndex, node.endIndex);
        return;
      case 'raw_string':
        quoted(node, 1, (a, b) => verbatim(a, b, true));
        return;
      case 'ansi_c_string':
        quoted(node, 2, (a, b) => verbatim(a, b, true));
        return;
      case 'string':
        quoted(node, 1, (from, to) => {
          let at = from;
          for (const c of node.namedChildren) {
            if (!EXPANSIONS.has(c.type) || c.startIndex < from || c.endIndex > to) continue;
            doubleQuoted(at, c.startIndex);
            expansion(c);
            at = c.endIndex;
          }
          doubleQuoted(at, to);
        });
        return;
      case 'concatenation': {
        let at = node.startIndex;
        for (const c of node.children) {
          if (c.startIndex > at) unquoted(at, c.startIndex);
          this.append(w, c);
          at = c.endIndex;
        }
        if (at < node.endIndex) unquoted(at, node.endIndex);
        return;
      }
      default:
        if (EXPANSIONS.has(node.type)) expansion(node);
        else verbatim(node.startIndex, node.endIndex, false);
    }
  }
}

function allLiteral(w: SubmitArgument, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!w.literal[i]) return false;
  return true;
}

/** A JSON value located in a text: `[start, end)` (strings include their quotes). */
interface JsonValue {
  kind: 'object' | 'array' | 'string' | 'other';
  start: number;
  end: number;
  /** Object members; `[keyStart, keyEnd)` is the key without its quotes. */
  members?: { key: string; keyStart: number; keyEnd: number; value: JsonValue }[];
}

function memberOf(v: JsonValue, key: string): JsonValue | undefined {
  return v.members?.find((m) => m.key === key)?.value;
}

/**
 * A tolerant JSON reader that keeps offsets (JSON.parse loses them). Stops at the first syntax error and
 * returns what it read; string escapes are kept as written.
 * @param text the text holding the JSON; @param from offset of its first character (whitespace allowed).
 */
function parseJson(text: string, from: number): JsonValue | undefined {
  let i = from;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const str = (): JsonValue | undefined => {
    if (text[i] !== '"') return undefined;
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) return undefined;
    return { kind: 'string', start, end: ++i };
  };
  const value = (depth: number): JsonValue | undefined => {
    ws();
    if (depth > 64 || i >= text.length) return undefined;
    const c = text[i];
    if (c === '"') return str();
    if (c === '{' || c === '[') {
      const v: JsonValue = { kind: c === '{' ? 'object' : 'array', start: i++, end: text.length };
      if (c === '{') v.members = [];
      for (;;) {
        ws();
        if (text[i] === (c === '{' ? '}' : ']')) {
          v.end = ++i;
          return v;
        }
        if (c === '{') {
          const k = str();
          if (!k) return v;
          ws();
          if (text[i] !== ':') return v;
          i++;
          const val = value(depth + 1);
          if (!val) return v;
          v.members!.push({ key: text.slice(k.start + 1, k.end - 1), keyStart: k.start + 1, keyEnd: k.end - 1, value: val });
        } else if (!value(depth + 1)) return v;
        ws();
        if (text[i] === ',') i++;
      }
    }
    const m = /^[^\s,\]}]+/.exec(text.slice(i, i + 64));
    if (!m) return undefined;
    const v: JsonValue = { kind: 'other', start: i, end: i + m[0].length };
    i = v.end;
    return v;
  };
  return value(0);
}
