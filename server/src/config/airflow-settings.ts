import type Parser from 'tree-sitter';
import { readSubmitParametersSegments } from './databricks-emr-settings';
import { extractPythonSettings } from './python-settings';
import { dictPairs, isBinding, isPlainLiteral, pythonParser, stringParts } from './python-syntax';
import type { FileSettings, Position, Range, SettingsBlock, SparkSetting } from './setting';
import { LineIndex } from './source-text';
import { isPlaceholderValue } from './spark-defaults-settings';

type Node = Parser.SyntaxNode;

/**
 * `SparkSubmitOperator` keywords and the Spark key each sets (Airflow's `SparkSubmitHook._build_spark_submit_command`
 * turns them into `--executor-memory`, `--num-executors`, ... flags; mapping as test/fixtures/configs/README.md lists it).
 */
const OPERATOR_KEYWORDS: ReadonlyMap<string, string> = new Map([
  ['executor_memory', 'spark.executor.memory'],
  ['executor_cores', 'spark.executor.cores'],
  ['num_executors', 'spark.executor.instances'],
  ['driver_memory', 'spark.driver.memory'],
  ['total_executor_cores', 'spark.cores.max'],
  ['name', 'spark.app.name'],
]);

/** Operators that run spark-submit with these keywords (`apache-airflow-providers-apache-spark`). */
const SUBMIT_OPERATOR = /^(SparkSubmitOperator|SparkSubmitHook)$/;

/** Text that only a file this reader has something to say about contains (every other Python file is left to the PySpark reader, unparsed here). */
const AIRFLOW_TEXT = /SparkSubmit|sparkSubmitParameters|["']spark:spark\.|["']spark-defaults["']|["']conf["']\s*:/;

/** A Spark class named between triple quotes: possibly a PySpark script held in a string. */
const EMBEDDED_SCRIPT = /('''|""")(?:(?!\1)[\s\S])*?Spark(?:Session|Conf|Context)/;

/**
 * Reads what an Airflow DAG file configures for the Spark jobs it launches (the PySpark reader reads the rest of
 * the file; `extractSettings` merges both):
 *
 * - `SparkSubmitOperator(...)` calls: `executor_memory`, `executor_cores`, `num_executors` →
 *   `spark.executor.instances`, `driver_memory`, `total_executor_cores` → `spark.cores.max`, `name` →
 *   `spark.app.name`, and the `spark.*` entries of a literal `conf={...}` dict (origin `airflow-operator`). One
 *   `spark-submit` block (format `airflow-spark-submit`) per call, `applicationFile` = `application=`; insertion
 *   into the `conf` dict, or a new `conf={...}` keyword.
 * - EMR Serverless `sparkSubmitParameters` strings in dicts (`"--conf k=v --conf k2=v2"`), read with the
 *   spark-submit rules; ranges inside the string; f-string fields are non-literal.
 * - A dict holding SparkSubmitOperator keyword arguments (a `conf` dict of `spark.*` keys next to `executor_memory`,
 *   `num_executors`, ...; e.g. what a helper function returns for `SparkSubmitOperator(**kwargs)`): read like the call.
 * - Dataproc cluster properties: dict entries whose key is `spark:spark.*` give `spark.*` (origin `dataproc`,
 *   one `spark-conf` block of format `dataproc` per dict).
 * - PySpark scripts embedded as multi-line string literals (a DAG that uploads its job's code): the PySpark
 *   reader runs on the string's text and its blocks are placed at the string's position.
 *
 * Values: a string literal's text without quotes, other literals their source text, anything else non-literal
 * with `raw` = the expression; a string holding a template (`{{ params.x }}`, `${X}`) is non-literal. A name the
 * module binds exactly once, at top level, to a literal (`MEM = "8g"`) gives that value with `resolvedFrom` (as the
 * PySpark reader does); `conf=SPARK_CONF` with such a module-level dict reads the dict's entries where they are
 * written (once, however many operators share it).
 *
 * @param text the DAG file.
 * @returns blocks in source order (`languageId` `python`); never throws.
 */
export function extractAirflowSettings(text: string, tree?: Parser.Tree): FileSettings {
  const blocks: SettingsBlock[] = [];
  if (!AIRFLOW_TEXT.test(text) && !EMBEDDED_SCRIPT.test(text)) return { languageId: 'python', blocks };
  try {
    const root = (tree ?? pythonParser().parse(text)).rootNode;
    const reader = new AirflowReader(text, blocks, root);
    // Only the node types the file's text can make useful: node objects for every call, dict and string of a large
    // file cost seconds and hundreds of MiB.
    const types: string[] = [];
    if (/SparkSubmit/.test(text)) types.push('call', 'ERROR');
    if (AIRFLOW_TEXT.test(text)) types.push('dictionary');
    const nodes = types.length > 0 ? root.descendantsOfType(types) : [];
    // Triple-quoted strings holding a Spark program, found in the text: a node is made for those only.
    for (const [start, end] of embeddedScripts(text)) {
      let n: Node | null = root.descendantForIndex(start, end);
      if (n && n.type !== 'string' && n.parent?.type === 'string') n = n.parent;
      if (n?.type === 'string') nodes.push(n);
    }
    nodes.sort((a, b) => a.startIndex - b.startIndex);
    for (const node of nodes) {
      try {
        reader.visit(node);
      } catch {
        // One construct the reader does not understand does not spoil the rest of the file.
      }
    }
  } catch {
    // A parser failure on half-typed input: keep the blocks read so far.
  }
  blocks.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { languageId: 'python', blocks };
}

/**
 * `[start, end)` of each triple-quoted string (quotes included) whose content spans lines and names a Spark class,
 * pairing `'''` and `"""` in text order (a triple quote inside another kind of string or a comment can mislead the
 * pairing; the node found at the range then is not a string and is skipped).
 */
function embeddedScripts(text: string): [number, number][] {
  const out: [number, number][] = [];
  if (!EMBEDDED_SCRIPT.test(text)) return out;
  let open: { quote: string; at: number } | undefined;
  for (const m of text.matchAll(/'''|"""/g)) {
    if (!open) open = { quote: m[0], at: m.index };
    else if (m[0] === open.quote) {
      const content = text.slice(open.at + 3, m.index);
      if (/[\r\n]/.test(content) && /SparkSession|SparkConf|SparkContext/.test(content))
        out.push([open.at, m.index + 3]);
      open = undefined;
    }
  }
  return out;
}

class AirflowReader {
  private readonly lines: LineIndex;
  /** Names the module binds exactly once, at top level, to a string or number literal or to a dict literal. */
  private readonly constants = new Map<string, Node>();
  /** How many times each module constant is read (a constant read in several places is not safe to edit for one). */
  private readonly reads = new Map<string, number>();
  /** Start offsets of strings that are parts of an implicit concatenation (`"a" "b"`), computed on first need. */
  private concatenated?: Set<number>;
  /** Module-level `conf` dicts already read (an operator that reuses one does not list its entries again). */
  private readonly readDicts = new Set<number>();

  constructor(
    private readonly text: string,
    private readonly blocks: SettingsBlock[],
    private readonly root: Node,
  ) {
    this.lines = new LineIndex(text);
    const candidates = new Map<string, Node | null>();
    for (const stmt of root.namedChildren) {
      const a = stmt.type === 'expression_statement' ? stmt.firstNamedChild : null;
      const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
      const right = a?.type === 'assignment' ? a.childForFieldName('right') : null;
      if (!left || left.type !== 'identifier' || !right) continue;
      const s = stringContent(right);
      const constant =
        (s && !s.interpolated) || (isPlainLiteral(right) && right.type !== 'none') || right.type === 'dictionary';
      candidates.set(left.text, candidates.has(left.text) || !constant ? null : right);
    }
    if (![...candidates.values()].some((c) => c)) return;
    const bindings = new Map<string, number>();
    for (const id of root.descendantsOfType('identifier')) {
      if (!candidates.get(id.text)) continue;
      if (isBinding(id)) bindings.set(id.text, (bindings.get(id.text) ?? 0) + 1);
      else this.reads.set(id.text, (this.reads.get(id.text) ?? 0) + 1);
    }
    for (const [name, node] of candidates) if (node && bindings.get(name) === 1) this.constants.set(name, node);
  }

  private concatenatedParts(): Set<number> {
    if (!this.concatenated) {
      this.concatenated = new Set();
      for (const c of this.root.descendantsOfType('concatenated_string'))
        for (const p of c.namedChildren) this.concatenated.add(p.startIndex);
    }
    return this.concatenated;
  }

  visit(node: Node): void {
    if (node.type === 'call') this.readCall(node);
    else if (node.type === 'ERROR') this.readOpenCall(node);
    else if (node.type === 'dictionary') this.readDictionary(node);
    else if (node.type === 'string') this.readEmbeddedScript(node);
  }

  private readCall(call: Node): void {
    const fn = call.childForFieldName('function');
    const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
    if (!name || !SUBMIT_OPERATOR.test(name)) return;
    const args = call.childForFieldName('arguments');
    if (!args || args.type !== 'argument_list') return;
    const keywords: [string, Node][] = [];
    for (const kw of args.namedChildren) {
      if (kw.type !== 'keyword_argument') continue;
      const k = kw.childForFieldName('name')?.text;
      const v = kw.childForFieldName('value');
      if (k && v) keywords.push([k, v]);
    }
    const confNode = keywords.find(([k]) => k === 'conf')?.[1];
    let conf = confNode?.type === 'dictionary' ? confNode : undefined;
    let sharedConf = false;
    if (confNode?.type === 'identifier') {
      // `conf=SPARK_CONF` with `SPARK_CONF = {...}` once at module level: the entries are written there.
      const dict = this.constants.get(confNode.text);
      if (dict?.type === 'dictionary') {
        sharedConf = this.readDicts.has(dict.startIndex);
        this.readDicts.add(dict.startIndex);
        conf = dict;
      }
    }
    const block = this.operatorBlock(
      call.startIndex,
      call.endIndex,
      keywords,
      conf && !sharedConf ? dictPairs(conf) : [],
    );
    const insertion = conf
      ? this.dictInsertion(conf, '"{key}": "{value}"')
      : confNode
        ? undefined
        : this.keywordInsertion(args, 'conf={"{key}": "{value}"}');
    if (insertion) block.insertion = insertion;
  }

  /**
   * An operator call that tree-sitter could not close (the user is typing inside it): its keywords and the pairs of
   * an open `conf={` are siblings in an ERROR node. Read them; no insertion point until the call is whole again.
   */
  private readOpenCall(error: Node): void {
    const children = error.children;
    const at = children.findIndex((c, i) => {
      const name =
        c.type === 'attribute' ? c.childForFieldName('attribute')?.text : c.type === 'identifier' ? c.text : undefined;
      return !!name && SUBMIT_OPERATOR.test(name) && children[i + 1]?.type === '(';
    });
    if (at < 0) return;
    const keywords: [string, Node][] = [];
    const confPairs: [Node, Node][] = [];
    let inConf = false;
    for (let i = at + 2; i < children.length; i++) {
      const c = children[i];
      if (c.type === ')') break;
      if (c.type === 'keyword_argument') {
        const k = c.childForFieldName('name')?.text;
        const v = c.childForFieldName('value');
        if (k && v) keywords.push([k, v]);
        if (k === 'conf' && v?.type === 'dictionary') confPairs.push(...dictPairs(v));
      } else if (
        c.type === 'identifier' &&
        c.text === 'conf' &&
        children[i + 1]?.type === '=' &&
        children[i + 2]?.type === '{'
      ) {
        inConf = true;
        i += 2;
      } else if (inConf && c.type === 'pair') {
        const k = c.childForFieldName('key');
        const v = c.childForFieldName('value');
        if (k && v) confPairs.push([k, v]);
      } else if (c.type === '}') inConf = false;
    }
    this.operatorBlock(children[at].startIndex, error.endIndex, keywords, confPairs);
  }

  /** The `spark-submit` block of one SparkSubmitOperator call, from its keywords and `conf` pairs. */
  private operatorBlock(
    start: number,
    end: number,
    keywords: [string, Node][],
    confPairs: [Node, Node][],
  ): SettingsBlock {
    const block: SettingsBlock = {
      kind: 'spark-submit',
      format: 'airflow-spark-submit',
      range: this.lines.range(start, end),
      settings: [],
    };
    for (const [k, v] of keywords) {
      const key = OPERATOR_KEYWORDS.get(k);
      if (key) block.settings.push(this.setting(key, k, v, 'airflow-operator'));
      else if (k === 'application') {
        const s = stringContent(v);
        if (s && !s.interpolated) block.applicationFile = this.text.slice(s.start, s.end);
      }
    }
    for (const [kn, vn] of confPairs) {
      const key = literalString(kn, this.text);
      if (!key?.startsWith('spark.')) continue;
      const setting = this.setting(key, key, vn, 'airflow-operator');
      const s = stringContent(kn);
      if (s) setting.keyRange = this.lines.range(s.start, s.end);
      block.settings.push(setting);
    }
    block.settings.sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
    this.blocks.push(block);
    return block;
  }

  private readDictionary(dict: Node): void {
    const dataproc: SparkSetting[] = [];
    let entryPoint: string | undefined;
    let params: Node | undefined;
    let classification: string | undefined;
    let properties: Node | undefined;
    const keywords: [string, Node][] = [];
    let conf: Node | undefined;
    for (const [kn, vn] of dictPairs(dict)) {
      const k = literalString(kn, this.text);
      if (k === undefined) continue;
      keywords.push([k, vn]);
      if (k === 'conf' && vn.type === 'dictionary') conf = vn;
      if (k === 'sparkSubmitParameters' && (vn.type === 'string' || vn.type === 'concatenated_string')) params = vn;
      else if (k === 'entryPoint') entryPoint = literalString(vn, this.text);
      else if (k === 'classification' || k === 'Classification') classification = literalString(vn, this.text);
      else if ((k === 'properties' || k === 'Properties') && vn.type === 'dictionary') properties = vn;
      else if (k.startsWith('spark:spark.')) {
        // The Spark key is written after the `spark:` prefix: renaming it means replacing just that part.
        const setting = this.setting(k.slice('spark:'.length), k, vn, 'dataproc');
        const s = stringContent(kn);
        if (s) setting.keyRange = this.lines.range(s.start + 'spark:'.length, s.end);
        dataproc.push(setting);
      }
    }
    if (conf && dictPairs(conf).some(([k]) => literalString(k, this.text)?.startsWith('spark.'))) {
      // The keyword arguments of a SparkSubmitOperator (or a Livy batch) kept in a dict, e.g. returned by a helper
      // (`return {"conf": {...}, "executor_memory": "4g", ...}` then `SparkSubmitOperator(**helper())`).
      const block = this.operatorBlock(dict.startIndex, dict.endIndex, keywords, dictPairs(conf));
      const insertion = this.dictInsertion(conf, '"{key}": "{value}"');
      if (insertion) block.insertion = insertion;
    }
    if (params) {
      // Implicitly concatenated literals (`"--conf a=1 " "--conf b=2"`) are one string; f-string fields are
      // expressions, so what they produce is not written here.
      const parts =
        params.type === 'concatenated_string' ? params.namedChildren.filter((c) => c.type === 'string') : [params];
      const contents = parts.map((p) => stringContent(p));
      if (contents.length > 0 && contents.every((c) => c)) {
        const segments = contents.map((c): [number, number] => [c!.start, c!.end]);
        const fields = contents.flatMap((c) =>
          c!.interpolations.map((i): [number, number] => [i.startIndex, i.endIndex]),
        );
        const block = readSubmitParametersSegments(this.text, segments, this.lines, fields, parts.length === 1);
        if (entryPoint !== undefined) block.applicationFile = entryPoint;
        this.blocks.push(block);
      }
    }
    if (classification === 'spark-defaults' && properties) {
      // An EMR configuration written as Python (an EmrContainerOperator's configuration_overrides, boto3 calls).
      const settings: SparkSetting[] = [];
      for (const [kn, vn] of dictPairs(properties)) {
        const key = literalString(kn, this.text);
        if (!key?.startsWith('spark.')) continue;
        const setting = this.setting(key, key, vn, 'emr-configuration');
        const c = stringContent(kn);
        if (c) setting.keyRange = this.lines.range(c.start, c.end);
        settings.push(setting);
      }
      const block: SettingsBlock = {
        kind: 'spark-conf',
        format: 'emr-configuration',
        range: this.lines.range(dict.startIndex, dict.endIndex),
        settings,
      };
      const insertion = this.dictInsertion(properties, '"{key}": "{value}"');
      if (insertion) block.insertion = insertion;
      this.blocks.push(block);
    }
    if (dataproc.length > 0) {
      const block: SettingsBlock = {
        kind: 'spark-conf',
        format: 'dataproc',
        range: this.lines.range(dict.startIndex, dict.endIndex),
        settings: dataproc,
      };
      const insertion = this.dictInsertion(dict, '"spark:{key}": "{value}"');
      if (insertion) block.insertion = insertion;
      this.blocks.push(block);
    }
  }

  /** A multi-line string that holds a PySpark program: its settings, at their place in this file. */
  private readEmbeddedScript(node: Node): void {
    // Cheap text tests first: most strings of a file are not multi-line Spark programs.
    const text = this.text.slice(node.startIndex, node.endIndex);
    if (!/[\r\n]/.test(text) || !/SparkSession|SparkConf|SparkContext/.test(text)) return;
    if (this.concatenatedParts().has(node.startIndex)) return;
    const s = stringContent(node);
    if (!s || s.interpolated) return;
    const content = this.text.slice(s.start, s.end);
    if (!/[\r\n]/.test(content) || !/SparkSession|SparkConf|SparkContext/.test(content)) return;
    const origin = this.lines.position(s.start);
    const shift = (p: Position): Position =>
      p.line === 0
        ? { line: origin.line, character: origin.character + p.character }
        : { line: origin.line + p.line, character: p.character };
    const shiftRange = (r: Range): Range => ({ start: shift(r.start), end: shift(r.end) });
    for (const b of extractPythonSettings(content).blocks) {
      b.range = shiftRange(b.range);
      for (const setting of b.settings) {
        setting.range = shiftRange(setting.range);
        if (setting.keyRange) setting.keyRange = shiftRange(setting.keyRange);
        if (setting.resolvedFrom) setting.resolvedFrom.range = shiftRange(setting.resolvedFrom.range);
      }
      if (b.insertion) b.insertion = { ...b.insertion, position: shift(b.insertion.position) };
      this.blocks.push(b);
    }
  }

  private setting(key: string, sourceKey: string, v: Node, origin: SparkSetting['origin']): SparkSetting {
    const raw = v.text;
    const s = stringContent(v);
    if (s && !s.interpolated) {
      const value = this.text.slice(s.start, s.end);
      const placeholder = isPlaceholderValue(value);
      return {
        key,
        sourceKey,
        value: placeholder ? null : value,
        raw,
        literal: !placeholder,
        range: this.lines.range(s.start, s.end),
        origin,
      };
    }
    const plain = isPlainLiteral(v);
    const setting: SparkSetting = {
      key,
      sourceKey,
      value: plain ? raw : null,
      raw,
      literal: plain,
      range: this.lines.range(v.startIndex, v.endIndex),
      origin,
    };
    const constant = v.type === 'identifier' ? this.constants.get(v.text) : undefined;
    if (constant && constant.type !== 'dictionary') {
      const c = stringContent(constant);
      const [start, end] = c ? [c.start, c.end] : [constant.startIndex, constant.endIndex];
      setting.value = this.text.slice(start, end);
      setting.resolvedFrom = {
        name: v.text,
        range: this.lines.range(start, end),
        safeToEdit: (this.reads.get(v.text) ?? 0) <= 1,
      };
    }
    return setting;
  }

  /** Insertion of a new `pair` after the last entry of a dict literal, in its layout. */
  private dictInsertion(dict: Node, pair: string): SettingsBlock['insertion'] {
    const entries = dict.namedChildren.filter((c) => c.type !== 'comment');
    const close = dict.lastChild;
    if (!close || close.type !== '}') return undefined;
    if (entries.length === 0) return { position: this.lines.position(close.startIndex), template: pair };
    return this.after(entries, close, pair);
  }

  /** Insertion of a new keyword argument after the last argument of a call. */
  private keywordInsertion(args: Node, keyword: string): SettingsBlock['insertion'] {
    const entries = args.namedChildren.filter((c) => c.type !== 'comment');
    const close = args.lastChild;
    if (!close || close.type !== ')') return undefined;
    if (entries.length === 0) return { position: this.lines.position(close.startIndex), template: keyword };
    return this.after(entries, close, keyword);
  }

  /** After the last of `entries` (one per line: a new line with their indentation; else inline), before `close`. */
  private after(entries: Node[], close: Node, item: string): SettingsBlock['insertion'] {
    const first = entries[0];
    const last = entries[entries.length - 1];
    const next = last.nextSibling;
    const trailingComma = !!next && next.type === ',' && next.startIndex < close.startIndex;
    const end = trailingComma ? next.endIndex : last.endIndex;
    const comma = trailingComma ? '' : ',';
    if (this.lines.isFirstOnLine(first.startIndex) && this.lines.isFirstOnLine(last.startIndex)) {
      const indent = this.lines.indentationOf(first.startIndex);
      return {
        position: this.lines.position(end),
        template: `${comma}${this.lines.eol()}${indent}${item}${trailingComma ? ',' : ''}`,
      };
    }
    return { position: this.lines.position(end), template: `${comma} ${item}` };
  }
}

/** A string literal's content offsets (between prefix and quotes) and its f-string fields, if it is a string. */
function stringContent(
  node: Node,
): { start: number; end: number; interpolated: boolean; interpolations: Node[] } | undefined {
  const s = stringParts(node);
  return s && { ...s, interpolated: s.interpolations.length > 0 };
}

/** A plain string literal's text (no f-string fields), else undefined. */
function literalString(node: Node, text: string): string | undefined {
  const s = stringContent(node);
  return s && !s.interpolated ? text.slice(s.start, s.end) : undefined;
}
