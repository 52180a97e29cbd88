import type { FileSettings, SettingOrigin, SettingsBlock, SparkSetting } from './setting';
import {
  type Chain, type Link, type Node, callArguments, comparePositions, flatten, isBinding, isChainTop, isName,
  isPlainLiteral, keyOf, literalPairs, looksLikeSession, normalize, pythonParser, stringParts, unwrapParens,
} from './python-syntax';
import { LineIndex } from './source-text';
import { flagForSparkKey, readSubmitArguments, type SubmitArgument } from './spark-submit-flags';

/**
 * Reads the Spark settings of a PySpark file with tree-sitter-python.
 *
 * - `SparkSession.builder` chains (one `spark-session-builder` block each): `.config("k", "v")`,
 *   `.config(key=..., value=...)`, `.config(map={...})` with a literal dict, `.master()` → `spark.master`,
 *   `.appName()` → `spark.app.name`, `.remote()` → `spark.remote`; other builder calls
 *   (`.enableHiveSupport()`, ...) are stepped over; `.config(conf=...)` records nothing. Chains may be split
 *   with backslashes or wrapped in parentheses, and may continue through a variable
 *   (`b = SparkSession.builder.appName("x")` then `b.master(...)`, `b.getOrCreate()`).
 * - `SparkConf()` chains and variables (`spark-conf` blocks): `.set`, `.setIfMissing`, `.setAll([(k, v), ...])`,
 *   `.setAppName`, `.setMaster`, `.setSparkHome` → `spark.home`, `.setExecutorEnv(k, v)` → `spark.executorEnv.k`,
 *   also on a `conf = SparkConf()` variable later (`conf.set(...)`, `conf = conf.setAll(...)`).
 *   `SparkContext(master, appName)` (positional or keywords) gives a `spark-conf` block too, without insertion.
 * - `<session>.conf.set(k, v)` (`runtime-conf` blocks, one per session expression) where the session is a
 *   variable assigned from `getOrCreate()`, or is named like one (`spark`, `self.spark`, `session`).
 *   Keys that size executors or the driver, or drive dynamic allocation, get `ineffective`: they are read
 *   when the SparkContext starts.
 * - argv lists that run spark-submit (`["spark-submit", "--master", "yarn", ..., "job.py"]`), read with the
 *   spark-submit rules (`spark-submit-flags.ts`) into `spark-submit` blocks.
 *
 * Values: a string literal gives its text without quotes (escapes as written); other literals keep their
 * source text (`4`, `True`, `-1`). Anything else has `literal: false`, `value: null`, `raw` = the expression
 * text, unless it is a name the module assigns exactly once, at top level, to such a constant: then `value` is
 * that constant and `resolvedFrom` says where it is. Keys that are not literal (or such a constant) and keys
 * that do not start with `spark.` are not recorded.
 *
 * @param text the file (any line endings).
 * @returns blocks in source order with positions in UTF-16 code units; never throws (broken input gives
 *   what could be read).
 */
export function extractPythonSettings(text: string): FileSettings {
  const blocks: SettingsBlock[] = [];
  if (!/Spark|conf|spark-submit|pyspark/.test(text)) return { languageId: 'python', blocks };
  let reader: PythonSettingsReader | undefined;
  try {
    const tree = pythonParser().parse(text);
    reader = new PythonSettingsReader(text, tree.rootNode, blocks);
    reader.read();
  } catch {
    // A parser failure on half-typed input: keep the blocks read so far.
  }
  try {
    reader?.finish();
  } catch {
    // Insertion points are a convenience; the settings stand without them.
  }
  blocks.sort((a, b) => comparePositions(a.range.start, b.range.start));
  return { languageId: 'python', blocks };
}

/** Keys read once, when the SparkContext (or its executors) start: setting them on a live session does nothing. */
const STARTUP_KEYS = new Set([
  'spark.executor.memory',
  'spark.executor.cores',
  'spark.executor.instances',
  'spark.executor.memoryOverhead',
  'spark.executor.memoryOverheadFactor',
  'spark.executor.minMemoryOverhead',
  'spark.executor.pyspark.memory',
  'spark.driver.memory',
  'spark.driver.cores',
  'spark.driver.memoryOverhead',
  'spark.driver.memoryOverheadFactor',
  'spark.driver.minMemoryOverhead',
  'spark.driver.maxResultSize',
  'spark.memory.offHeap.enabled',
  'spark.memory.offHeap.size',
  'spark.memory.fraction',
  'spark.memory.storageFraction',
  'spark.cores.max',
  'spark.task.cpus',
  'spark.yarn.executor.memoryOverhead',
  'spark.yarn.driver.memoryOverhead',
  'spark.yarn.am.memory',
  'spark.yarn.am.cores',
  'spark.kubernetes.executor.request.cores',
  'spark.kubernetes.executor.limit.cores',
  'spark.kubernetes.driver.request.cores',
  'spark.kubernetes.driver.limit.cores',
]);

/**
 * Why `spark.conf.set(key, ...)` on a running session has no effect, or undefined when it can.
 * Source: `RuntimeConfig.requireNonStaticConf` (sql/core, Spark 3.0+) rejects registered core configs when
 * `spark.sql.legacy.setCommandRejectsSparkCoreConfs` is true (the default); before 3.0 the value was stored
 * but never read, since executors and the driver are sized when the SparkContext starts.
 */
function runtimeIneffectiveReason(key: string): string | undefined {
  if (!STARTUP_KEYS.has(key) && !key.startsWith('spark.dynamicAllocation.')) return undefined;
  const flag = flagForSparkKey(key);
  return (
    `No effect once the session exists: ${key} is read when the SparkContext starts, and Spark 3.0+ rejects ` +
    `spark.conf.set() on it ("Cannot modify the value of a Spark config"). Set it before the session is created, ` +
    `with SparkSession.builder.config("${key}", value) before getOrCreate() or spark-submit ${flag ? `${flag} value` : `--conf ${key}=value`}.`
  );
}

/** A builder or SparkConf being configured, and the chain that created it (where new settings go). */
interface ConfigTarget {
  block: SettingsBlock;
  method: 'config' | 'set';
  chain: Chain;
  /** First link that applies to the object (after `.builder`), and the last one that did. */
  firstLink: number;
  lastLink: number;
  origin: SettingOrigin;
}

type PyObject =
  | { kind: 'builder'; target: ConfigTarget }
  | { kind: 'conf'; target: ConfigTarget }
  | { kind: 'session' | 'runtime'; receiver: string; simple: boolean };

interface PyValue {
  value: string | null;
  raw: string;
  literal: boolean;
  start: number;
  end: number;
  resolvedFrom?: { name: string; start: number; end: number };
}


/** Statements that hold no other statements: the reader skips those whose text fails {@link RELEVANT_TEXT}. */
const SIMPLE_STATEMENTS = new Set([
  'expression_statement',
  'return_statement',
  'assert_statement',
  'raise_statement',
  'delete_statement',
  'print_statement',
  'exec_statement',
  'global_statement',
  'nonlocal_statement',
  'import_statement',
  'import_from_statement',
  'future_import_statement',
  'pass_statement',
  'break_statement',
  'continue_statement',
  'type_alias_statement',
]);

/** Text without any of these cannot configure Spark (a tracked variable's name is checked separately). */
const RELEVANT_TEXT = /Spark(?:Session|Conf|Context)|\bconf\b|spark|session|submit/i;

/** argv[0] of a spark-submit run (`spark-submit`, `/opt/spark/bin/spark-submit`, `pyspark`). */
const SUBMIT_PROGRAM = /(?:^|\/)(spark-submit|pyspark|spark-shell)(?:\.sh|\.cmd)?$/;

class PythonSettingsReader {
  private readonly lines: LineIndex;
  /** What a name (or `self.x`) refers to at this point of the file, in document order. */
  private readonly objects = new Map<string, PyObject>();
  private readonly targets: ConfigTarget[] = [];
  private readonly runtime = new Map<string, { block: SettingsBlock; last: Node; simple: boolean }>();
  private readonly evaluated = new Set<string>();
  private readonly argvBlocks: { block: SettingsBlock; list: Node; appIndex?: number; elements: Node[] }[] = [];
  private constants?: Map<string, { value: string; start: number; end: number }>;

  constructor(
    private readonly text: string,
    private readonly root: Node,
    private readonly blocks: SettingsBlock[],
  ) {
    this.lines = new LineIndex(text);
  }

  /** Walks the tree once, in document order, so variables are bound before they are used. */
  read(): void {
    const cursor = this.root.walk();
    for (;;) {
      const type = cursor.nodeType;
      // Most statements of a PySpark file have nothing to do with its configuration: skip those whose text
      // names nothing the reader looks for, without visiting their nodes (this keeps a 3,000-line file fast).
      const skip = SIMPLE_STATEMENTS.has(type) && !this.mayConfigure(cursor.startIndex, cursor.endIndex);
      if (!skip && (type === 'assignment' || type === 'call' || type === 'attribute' || type === 'list')) {
        try {
          this.visit(cursor.currentNode);
        } catch {
          // One construct the reader does not understand does not spoil the rest of the file.
        }
      }
      if (!skip && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return;
    }
  }

  /** Whether the text `[start, end)` mentions a Spark class, a conf, spark-submit, or a tracked variable. */
  private mayConfigure(start: number, end: number): boolean {
    const text = this.text.slice(start, end);
    if (RELEVANT_TEXT.test(text)) return true;
    for (const name of this.objects.keys()) if (text.includes(name.slice(name.lastIndexOf('.') + 1))) return true;
    return false;
  }

  /** Adds insertion points, once every setting is known. */
  finish(): void {
    for (const t of this.targets) {
      t.block.settings.sort((a, b) => comparePositions(a.range.start, b.range.start));
      const insertion = this.chainInsertion(t);
      if (insertion) t.block.insertion = insertion;
    }
    for (const [receiver, r] of this.runtime) {
      const insertion = r.simple ? this.statementInsertion(r.last, `${receiver}.conf.set`) : undefined;
      if (insertion) r.block.insertion = insertion;
    }
    for (const a of this.argvBlocks) {
      const insertion = this.argvInsertion(a.elements, a.appIndex);
      if (insertion) a.block.insertion = insertion;
    }
  }

  private visit(node: Node): void {
    if (node.type === 'assignment') {
      const right = node.childForFieldName('right');
      const left = node.childForFieldName('left');
      let value: PyObject | undefined;
      if (right) {
        const top = unwrapParens(right);
        if (isChainTop(top) && !this.evaluated.has(keyOf(top))) value = this.evaluate(top);
      }
      if (left?.type === 'identifier' || left?.type === 'attribute') {
        const name = normalize(left.text);
        if (value?.kind === 'session' || value?.kind === 'runtime') value = { kind: value.kind, receiver: name, simple: true };
        if (value) this.objects.set(name, value);
        else this.objects.delete(normalize(left.text));
      } else if (left) {
        for (const id of left.descendantsOfType('identifier')) this.objects.delete(id.text);
      }
      return;
    }
    if (node.type === 'list') {
      this.readArgv(node);
      return;
    }
    if (isChainTop(node) && !this.evaluated.has(keyOf(node))) this.evaluate(node);
  }

  /** Applies a chain's steps to what its root is; returns the object the chain evaluates to, if tracked. */
  private evaluate(top: Node): PyObject | undefined {
    this.evaluated.add(keyOf(top));
    const chain = flatten(top, (text) => this.objects.has(text));
    const { root, links } = chain;
    const rootKey = root.type === 'identifier' || root.type === 'attribute' ? normalize(root.text) : undefined;
    let obj: PyObject | undefined;
    let i = 0;
    if (rootKey && this.objects.has(rootKey)) {
      obj = this.objects.get(rootKey);
    } else if (root.type === 'call') {
      const fn = root.childForFieldName('function');
      if (isName(fn, 'SparkConf')) obj = { kind: 'conf', target: this.newTarget('spark-conf', chain, 0) };
      else if (isName(fn, 'SparkContext')) this.readSparkContext(root);
    } else if (root.type === 'identifier') {
      // Walk the dotted name in front of the first call: `pyspark.sql.SparkSession.builder`,
      // `pyspark.SparkConf()`, `self.spark.conf.set(...)`.
      for (let k = 0; k <= links.length; k++) {
        const head = k === 0 ? root.text : links[k - 1].name;
        const headText = normalize(this.text.slice(root.startIndex, k === 0 ? root.endIndex : links[k - 1].node.endIndex));
        const next = links[k] as Link | undefined;
        if (!next) break;
        if (head === 'SparkSession') {
          if (next.name === 'builder' && !next.args) {
            obj = { kind: 'builder', target: this.newTarget('spark-session-builder', chain, k + 1) };
            i = k + 1;
          } else if (next.args && (next.name === 'getActiveSession' || next.name === 'active')) {
            obj = { kind: 'session', receiver: this.text.slice(root.startIndex, next.node.endIndex), simple: false };
            i = k + 1;
          }
          break;
        }
        if (next.args && next.name === 'SparkConf') {
          obj = { kind: 'conf', target: this.newTarget('spark-conf', chain, k + 1) };
          i = k + 1;
          break;
        }
        if (next.args && next.name === 'SparkContext') {
          this.readSparkContext(next.node);
          break;
        }
        if (!next.args && next.name === 'conf' && looksLikeSession(head)) {
          obj = { kind: 'session', receiver: headText, simple: true };
          i = k;
          break;
        }
        if (next.args) break;
      }
    }
    for (; i < links.length && obj; i++) obj = this.step(obj, chain, i);
    return obj;
  }

  private newTarget(kind: 'spark-session-builder' | 'spark-conf', chain: Chain, firstLink: number): ConfigTarget {
    const block: SettingsBlock = { kind, range: this.lines.range(chain.top.startIndex, chain.top.endIndex), settings: [] };
    this.blocks.push(block);
    const target: ConfigTarget = {
      block,
      method: kind === 'spark-conf' ? 'set' : 'config',
      chain,
      firstLink,
      lastLink: firstLink - 1,
      origin: kind,
    };
    this.targets.push(target);
    return target;
  }

  /** One chain step applied to `obj`; returns what the step evaluates to (undefined once untracked). */
  private step(obj: PyObject, chain: Chain, i: number): PyObject | undefined {
    const link = chain.links[i];
    const args = link.args ? callArguments(link.args) : undefined;
    if (obj.kind === 'builder') {
      if (!args) return undefined;
      const t = obj.target;
      if (t.chain === chain) t.lastLink = i;
      const one = (keyword: string) => args.positional[0] ?? args.keywords.get(keyword);
      switch (link.name) {
        case 'config': {
          const key = args.positional[0] ?? args.keywords.get('key');
          const value = args.positional[1] ?? args.keywords.get('value');
          if (key && value) this.record(t, key, value, '.config()');
          const map = args.keywords.get('map');
          if (map && unwrapParens(map).type === 'dictionary') {
            for (const pair of unwrapParens(map).namedChildren) {
              const k = pair.type === 'pair' ? pair.childForFieldName('key') : null;
              const v = pair.type === 'pair' ? pair.childForFieldName('value') : null;
              if (k && v) this.record(t, k, v, '.config(map=)');
            }
          }
          return obj;
        }
        case 'master':
          if (one('master')) this.recordKey(t, 'spark.master', one('master')!, '.master()');
          return obj;
        case 'appName':
          if (one('name')) this.recordKey(t, 'spark.app.name', one('name')!, '.appName()');
          return obj;
        case 'remote':
          if (one('url')) this.recordKey(t, 'spark.remote', one('url')!, '.remote()');
          return obj;
        case 'getOrCreate':
        case 'create':
          if (t.chain === chain) t.lastLink = i - 1;
          return { kind: 'session', receiver: this.text.slice(chain.root.startIndex, link.node.endIndex), simple: false };
        default:
          return obj;
      }
    }
    if (obj.kind === 'conf') {
      if (!args) return undefined;
      const t = obj.target;
      const key = args.positional[0] ?? args.keywords.get('key');
      const value = args.positional[1] ?? args.keywords.get('value');
      const one = args.positional[0] ?? args.keywords.get('value');
      switch (link.name) {
        case 'set':
        case 'setIfMissing':
          if (key && value) this.record(t, key, value, `.${link.name}()`);
          break;
        case 'setAll': {
          const pairs = args.positional[0] ?? args.keywords.get('pairs');
          for (const [k, v] of pairs ? literalPairs(pairs) : []) this.record(t, k, v, '.setAll()');
          break;
        }
        case 'setAppName':
          if (one) this.recordKey(t, 'spark.app.name', one, '.setAppName()');
          break;
        case 'setMaster':
          if (one) this.recordKey(t, 'spark.master', one, '.setMaster()');
          break;
        case 'setSparkHome':
          if (one) this.recordKey(t, 'spark.home', one, '.setSparkHome()');
          break;
        case 'setExecutorEnv': {
          const pairs = args.positional[2] ?? args.keywords.get('pairs');
          const env: [Node, Node][] = key && value ? [[key, value]] : [];
          if (pairs) env.push(...literalPairs(pairs));
          for (const [k, v] of env) {
            const name = this.keyText(k);
            if (name !== undefined) this.recordKey(t, `spark.executorEnv.${name}`, v, '.setExecutorEnv()');
          }
          break;
        }
        default:
          return undefined;
      }
      if (t.chain === chain) t.lastLink = i;
      return obj;
    }
    if (obj.kind === 'session') {
      return !args && link.name === 'conf' ? { kind: 'runtime', receiver: obj.receiver, simple: obj.simple } : undefined;
    }
    if (args && link.name === 'set') {
      const key = args.positional[0] ?? args.keywords.get('key');
      const value = args.positional[1] ?? args.keywords.get('value');
      if (key && value) this.recordRuntime(obj.receiver, obj.simple, link.node, key, value);
    }
    return undefined;
  }

  /** `SparkContext(master, appName, sparkHome, ...)`, positional or by keyword. */
  private readSparkContext(call: Node): void {
    const argList = call.childForFieldName('arguments');
    if (!argList || argList.type !== 'argument_list') return;
    const args = callArguments(argList);
    const found: [string, Node, string][] = [];
    const names: [string, string][] = [['master', 'spark.master'], ['appName', 'spark.app.name'], ['sparkHome', 'spark.home']];
    names.forEach(([param, key], i) => {
      const v = args.positional[i] ?? args.keywords.get(param);
      if (v) found.push([key, v, `SparkContext(${param})`]);
    });
    if (found.length === 0) return;
    const block: SettingsBlock = { kind: 'spark-conf', range: this.lines.range(call.startIndex, call.endIndex), settings: [] };
    for (const [key, v, sourceKey] of found) block.settings.push(this.makeSetting(key, v, sourceKey, 'spark-conf'));
    this.blocks.push(block);
  }

  private record(t: ConfigTarget, keyNode: Node, valueNode: Node, sourceKey: string): void {
    const key = this.keyText(keyNode);
    if (key !== undefined) this.recordKey(t, key, valueNode, sourceKey, keyNode);
  }

  /** @param keyNode the node that spells the key, when the key is an argument or dict key (not implied by the method). */
  private recordKey(t: ConfigTarget, key: string, valueNode: Node, sourceKey: string, keyNode?: Node): void {
    if (!key.startsWith('spark.')) return;
    const setting = this.makeSetting(key, valueNode, sourceKey, t.origin);
    this.addKeyRange(setting, keyNode);
    t.block.settings.push(setting);
  }

  /**
   * Sets `setting.keyRange` to the text inside the quotes of `keyNode` when it is a plain string literal that
   * spells the key exactly (not a module constant, an f-string or a concatenation).
   */
  private addKeyRange(setting: SparkSetting, keyNode: Node | undefined): void {
    const str = keyNode ? stringParts(unwrapParens(keyNode)) : undefined;
    if (!str || str.interpolations.length > 0 || this.text.slice(str.start, str.end) !== setting.key) return;
    setting.keyRange = this.lines.range(str.start, str.end);
  }

  private recordRuntime(receiver: string, simple: boolean, call: Node, keyNode: Node, valueNode: Node): void {
    const key = this.keyText(keyNode);
    if (key === undefined || !key.startsWith('spark.')) return;
    let r = this.runtime.get(receiver);
    if (!r) {
      r = { block: { kind: 'runtime-conf', range: this.lines.range(call.startIndex, call.endIndex), settings: [] }, last: call, simple };
      this.runtime.set(receiver, r);
      this.blocks.push(r.block);
    }
    r.last = call;
    r.block.range = { start: r.block.range.start, end: this.lines.position(call.endIndex) };
    const setting = this.makeSetting(key, valueNode, `${receiver}.conf.set()`, 'runtime-conf');
    this.addKeyRange(setting, keyNode);
    const reason = runtimeIneffectiveReason(key);
    if (reason) setting.ineffective = reason;
    r.block.settings.push(setting);
  }

  private makeSetting(key: string, valueNode: Node, sourceKey: string, origin: SettingOrigin): SparkSetting {
    const v = this.valueOf(valueNode);
    const setting: SparkSetting = {
      key,
      sourceKey,
      value: v.value,
      raw: v.raw,
      literal: v.literal,
      range: this.lines.range(v.start, v.end),
      origin,
    };
    if (v.resolvedFrom) {
      setting.resolvedFrom = { name: v.resolvedFrom.name, range: this.lines.range(v.resolvedFrom.start, v.resolvedFrom.end) };
    }
    return setting;
  }

  /** The text of a key: a string literal without interpolation, or a module constant string. */
  private keyText(node: Node): string | undefined {
    const v = this.valueOf(node);
    return v.value !== null && (v.literal || v.resolvedFrom) && /^["']|^[A-Za-z_]/.test(v.raw) ? v.value : undefined;
  }

  private valueOf(node: Node): PyValue {
    const raw = node.text;
    const inner = unwrapParens(node);
    const str = stringParts(inner);
    if (str && str.interpolations.length === 0) {
      return { value: this.text.slice(str.start, str.end), raw, literal: true, start: str.start, end: str.end };
    }
    if (isPlainLiteral(inner)) return { value: inner.text, raw, literal: true, start: inner.startIndex, end: inner.endIndex };
    const out: PyValue = { value: null, raw, literal: false, start: node.startIndex, end: node.endIndex };
    if (inner.type === 'identifier') {
      const c = this.moduleConstant(inner.text);
      if (c) {
        out.value = c.value;
        out.resolvedFrom = { name: inner.text, start: c.start, end: c.end };
      }
    }
    return out;
  }

  /**
   * A name the module binds exactly once, at top level, to a constant (`EXEC_MEM = "8g"`): its value and
   * where it is written. Bindings are counted over the whole file (assignments, parameters, loop targets,
   * imports, `global`, `del`, ...) so a name shadowed anywhere is not resolved.
   */
  private moduleConstant(name: string): { value: string; start: number; end: number } | undefined {
    if (!this.constants) {
      const candidates = new Map<string, { value: string; start: number; end: number } | null>();
      for (const stmt of this.root.namedChildren) {
        const a = stmt.type === 'expression_statement' ? stmt.firstNamedChild : null;
        const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
        const right = a?.type === 'assignment' ? a.childForFieldName('right') : null;
        if (!left || left.type !== 'identifier' || !right) continue;
        const str = stringParts(right);
        let c: { value: string; start: number; end: number } | null = null;
        if (str && str.interpolations.length === 0) c = { value: this.text.slice(str.start, str.end), start: str.start, end: str.end };
        else if (isPlainLiteral(right) && right.type !== 'none') c = { value: right.text, start: right.startIndex, end: right.endIndex };
        candidates.set(left.text, candidates.has(left.text) ? null : c);
      }
      const bindings = new Map<string, number>();
      if ([...candidates.values()].some((c) => c)) {
        for (const id of this.root.descendantsOfType('identifier')) {
          if (candidates.get(id.text) && isBinding(id)) bindings.set(id.text, (bindings.get(id.text) ?? 0) + 1);
        }
      }
      this.constants = new Map();
      for (const [n, c] of candidates) if (c && bindings.get(n) === 1) this.constants.set(n, c);
    }
    return this.constants.get(name);
  }

  /** `["spark-submit", "--master", "yarn", ..., "job.py", ...]`: a spark-submit block. */
  private readArgv(list: Node): void {
    const elements = list.namedChildren.filter((c) => c.type !== 'comment');
    const program = elements.length > 0 ? stringParts(elements[0]) : undefined;
    if (!program || program.interpolations.length > 0 || !SUBMIT_PROGRAM.test(this.text.slice(program.start, program.end))) return;
    const argNodes: Node[] = [];
    for (const e of elements.slice(1)) {
      if (e.type === 'list_splat' || e.type === 'dictionary_splat') break;
      argNodes.push(e);
    }
    const args = argNodes.map((n) => this.argument(n));
    const reading = readSubmitArguments(args);
    const block: SettingsBlock = { kind: 'spark-submit', range: this.lines.range(list.startIndex, list.endIndex), settings: [] };
    for (const s of reading.settings) {
      const a = args[s.argIndex];
      const whole = s.valueStart === 0 && s.valueEnd === a.text.length;
      if (whole) {
        block.settings.push(this.makeSetting(s.key, a.node, s.sourceKey, 'spark-submit'));
        continue;
      }
      let literal = true;
      for (let i = s.valueStart; i < s.valueEnd; i++) literal &&= a.literal[i];
      const start = a.srcStart[s.valueStart] ?? a.contentEnd;
      const end = s.valueEnd > s.valueStart ? a.srcStart[s.valueEnd - 1] + 1 : start;
      const setting: SparkSetting = {
        key: s.key,
        sourceKey: s.sourceKey,
        value: literal ? a.text.slice(s.valueStart, s.valueEnd) : null,
        raw: this.text.slice(start, end),
        literal,
        range: this.lines.range(start, end),
        origin: 'spark-submit',
      };
      if (s.keyStart !== undefined && s.keyEnd !== undefined && s.keyEnd > s.keyStart) {
        const keyStart = a.srcStart[s.keyStart];
        const keyEnd = a.srcStart[s.keyEnd - 1] + 1;
        if (this.text.slice(keyStart, keyEnd) === s.key) setting.keyRange = this.lines.range(keyStart, keyEnd);
      }
      block.settings.push(setting);
    }
    if (reading.applicationFileIndex !== undefined) block.applicationFile = args[reading.applicationFileIndex].text;
    this.blocks.push(block);
    this.argvBlocks.push({ block, list, appIndex: reading.applicationFileIndex, elements: argNodes });
  }

  /** One argv element as spark-submit receives it: a string's text (f-string fields non-literal) or an expression. */
  private argument(node: Node): SubmitArgument & { node: Node; srcStart: number[]; contentEnd: number } {
    const str = stringParts(node);
    const arg = { node, text: '', literal: [] as boolean[], srcStart: [] as number[], contentEnd: node.endIndex };
    if (!str) {
      arg.text = node.text;
      for (let i = 0; i < node.text.length; i++) {
        arg.literal.push(false);
        arg.srcStart.push(node.startIndex + i);
      }
      return arg;
    }
    arg.contentEnd = str.end;
    for (let i = str.start; i < str.end; i++) {
      arg.text += this.text[i];
      arg.literal.push(!str.interpolations.some((n) => n.startIndex <= i && i < n.endIndex));
      arg.srcStart.push(i);
    }
    return arg;
  }

  /**
   * A new `.config("{key}", "{value}")` (builder) or `.set(...)` (SparkConf) in the creating chain: on its own
   * line before `.getOrCreate()` when the chain is one call per line (same indentation, backslash kept if the
   * chain uses them), inline before `.getOrCreate()` otherwise; after the chain's last call when there is no
   * `.getOrCreate()` in it. Quoted like the chain's first string.
   */
  private chainInsertion(t: ConfigTarget): SettingsBlock['insertion'] {
    const { links } = t.chain;
    const quoted = t.block.settings.find((s) => /^['"]/.test(s.raw));
    const firstString = t.chain.top.descendantsOfType('string')[0];
    const q = quoted ? quoted.raw[0] : firstString && stringParts(firstString) ? this.text[stringParts(firstString)!.start - 1] : '"';
    const call = `.${t.method}(${q}{key}${q}, ${q}{value}${q})`;
    const eol = this.lines.eol();
    const anchor = links.findIndex((l, i) => i >= t.firstLink && !!l.args && (l.name === 'getOrCreate' || l.name === 'create'));
    const continued = (l: Link) => !!l.dot && this.lines.isFirstOnLine(l.dot.startIndex);
    const backslash = (l: Link) => !!l.dot && this.text.slice(l.objectEnd, l.dot.startIndex).includes('\\');
    if (t.block.kind === 'spark-session-builder' && anchor >= 0) {
      const a = links[anchor];
      if (!a.dot) return undefined;
      if (!continued(a)) return { position: this.lines.position(a.dot.startIndex), template: call };
      let indent = this.lines.indentationOf(a.dot.startIndex);
      for (let i = anchor - 1; i >= t.firstLink; i--) {
        if (continued(links[i])) {
          indent = this.lines.indentationOf(links[i].dot!.startIndex);
          break;
        }
      }
      return {
        position: this.lines.position(this.lines.lineStartOf(a.dot.startIndex)),
        template: `${indent}${call}${backslash(a) ? ' \\' : ''}${eol}`,
      };
    }
    const last = t.lastLink >= 0 ? links[t.lastLink] : undefined;
    const end = last ? last.node.endIndex : t.firstLink > 0 ? links[t.firstLink - 1].node.endIndex : t.chain.root.endIndex;
    if (last && t.lastLink >= t.firstLink && continued(last)) {
      const indent = this.lines.indentationOf(last.dot!.startIndex);
      return { position: this.lines.position(end), template: `${backslash(last) ? ' \\' : ''}${eol}${indent}${call}` };
    }
    return { position: this.lines.position(end), template: call };
  }

  /** A new `<receiver>.conf.set("{key}", "{value}")` statement after `call`'s statement, same indentation. */
  private statementInsertion(call: Node, method: string): SettingsBlock['insertion'] {
    const stmt = call.parent;
    if (stmt?.type !== 'expression_statement' || !this.lines.isFirstOnLine(stmt.startIndex)) return undefined;
    const firstString = call.descendantsOfType('string')[0];
    const q = firstString && stringParts(firstString) ? this.text[stringParts(firstString)!.start - 1] : '"';
    return {
      position: this.lines.position(stmt.endIndex),
      template: `${this.lines.eol()}${this.lines.indentationOf(stmt.startIndex)}${method}(${q}{key}${q}, ${q}{value}${q})`,
    };
  }

  /** `"--conf", "{key}={value}",` before the application file element (or after the last element). */
  private argvInsertion(elements: Node[], appIndex: number | undefined): SettingsBlock['insertion'] {
    if (elements.length === 0) return undefined;
    const firstString = elements.find((e) => stringParts(e));
    const q = firstString ? this.text[stringParts(firstString)!.start - 1] : '"';
    const pair = `${q}--conf${q}, ${q}{key}={value}${q}`;
    if (appIndex === undefined) {
      return { position: this.lines.position(elements[elements.length - 1].endIndex), template: `, ${pair}` };
    }
    const app = elements[appIndex];
    if (!this.lines.isFirstOnLine(app.startIndex)) return { position: this.lines.position(app.startIndex), template: `${pair}, ` };
    return {
      position: this.lines.position(this.lines.lineStartOf(app.startIndex)),
      template: `${this.lines.indentationOf(app.startIndex)}${pair},${this.lines.eol()}`,
    };
  }
}
