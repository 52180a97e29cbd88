import type Parser from 'tree-sitter';
import type { FileSettings, SettingOrigin, SettingsBlock, SparkSetting } from './setting';
import { readSubmitParametersString } from './databricks-emr-settings';
import {
  type Chain,
  type Link,
  type Node,
  callArguments,
  comparePositions,
  dictPairs,
  flatten,
  isName,
  keyOf,
  literalPairs,
  looksLikeSession,
  normalize,
  pythonParser,
  sameNode,
  stringParts,
  unwrapParens,
} from './python-syntax';
import { PythonValues } from './python-values';
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
export function extractPythonSettings(text: string, tree?: Parser.Tree): FileSettings {
  const blocks: SettingsBlock[] = [];
  if (!/Spark|conf|spark/.test(text)) return { languageId: 'python', blocks };
  let reader: PythonSettingsReader | undefined;
  try {
    const root = (tree ?? pythonParser().parse(text)).rootNode;
    reader = new PythonSettingsReader(text, root, blocks);
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

/** Adds `delta` to a name's count, dropping names that reach 0. */
function count(counts: Map<string, number>, name: string, delta: number): void {
  const n = (counts.get(name) ?? 0) + delta;
  if (n > 0) counts.set(name, n);
  else counts.delete(name);
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

/** The nodes on the path from the root to the node being visited, by depth (arrays reused: no allocation per node). */
interface Frames {
  type: string[];
  /** The node's field name in its parent (`object`, `function`, ...), empty when it has none. */
  field: string[];
  /** Offsets, read only for statements (-1 otherwise). */
  start: number[];
  end: number[];
}

/** An argv list that runs spark-submit, with what later statements append to it. */
interface ArgvBlock {
  block: SettingsBlock;
  list: Node;
  /** The list's own elements after the program. */
  elements: Node[];
  /** Elements added by `+=`, `.append()`, `.extend()`, in order. */
  appended: Node[];
  /** Index of the application file among `elements`, once read. */
  appIndex?: number;
  /** The function the list is built in. */
  scope: Node | undefined;
}

/** Node types the walk hands to `visit`. */
const VISITED = new Set(['assignment', 'augmented_assignment', 'call', 'attribute', 'list', 'tuple', 'dictionary']);

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
  private readonly values: PythonValues;
  /** What a name (or `self.x`) refers to at this point of the file, in document order. */
  private readonly objects = new Map<string, PyObject>();
  /** Last segments of the names in `objects` (`self.conf` → `conf`), with how many names end in each. */
  private readonly trackedNames = new Map<string, number>();
  /** First segments of the names in `objects` (`self.conf` → `self`), with how many names start with each. */
  private readonly trackedRoots = new Map<string, number>();
  private readonly targets: ConfigTarget[] = [];
  private readonly runtime = new Map<
    string,
    { block: SettingsBlock; last: Node; simple: boolean; statement?: { start: number; end: number } }
  >();
  private readonly evaluated = new Set<string>();
  private readonly argvBlocks: ArgvBlock[] = [];
  /** argv lists assigned to a name (`cmd = ["spark-submit", ...]`) that later `cmd += [...]` / `cmd.append(x)` extend, by scope and name. */
  private readonly argvNames = new Map<string, ArgvBlock>();
  /** The names of `argvNames`, for the statement filter. */
  private readonly argvWords = new Set<string>();
  /** Start offsets of dict, list and tuple literals another rule already read (`.config(map=)`, `setAll`), so the generic rules skip them. */
  private readonly consumed = new Set<number>();
  /** `X["spark.k"] = v` blocks, by receiver. */
  private readonly subscripts = new Map<string, SettingsBlock>();
  /** The syntax nodes from the root to the node being visited, by depth: type, field name in the parent, offsets (-1: not read). */
  private readonly frames: Frames = { type: [], field: [], start: [], end: [] };
  /** Depth of the node being visited. */
  private depth = 0;
  private readonly typeNames: string[] = [];
  private readonly fieldNames: string[] = [];
  /** Offsets of every `spark` (any case) in the text, computed on first need. */
  private sparkAt?: number[];
  /** The function the node being visited is in (its locals shadow module names), if any. */
  private scope: Node | undefined;
  /** The chain top being evaluated. */
  private visiting: Node | undefined;

  constructor(
    private readonly text: string,
    private readonly root: Node,
    private readonly blocks: SettingsBlock[],
  ) {
    this.lines = new LineIndex(text);
    this.values = new PythonValues(root);
  }

  /**
   * Walks the tree once, in document order, so variables are bound before they are used. The walk keeps the path from
   * the root itself, as numbers (node type and field ids, offsets): tree-sitter's `parent` costs a walk from the root on
   * every call (which made long method chains quadratic), and every node object or type-name string the binding hands
   * out is garbage to collect. A node object is made only for what `visit` reads: chain tops, assignments, and
   * dict/list/tuple literals whose text mentions Spark.
   */
  read(): void {
    const cursor = this.root.walk();
    const f = this.frames;
    const scopes: (Node | undefined)[] = [undefined];
    let depth = 0;
    const enter = () => {
      f.type[depth] = this.typeName(cursor.nodeTypeId, cursor);
      f.field[depth] = this.fieldName(cursor.currentFieldId, cursor);
      f.start[depth] = -1;
      f.end[depth] = -1;
    };
    enter();
    for (;;) {
      const type = f.type[depth];
      let skip = false;
      if (SIMPLE_STATEMENTS.has(type)) {
        // Most statements of a PySpark file have nothing to do with its configuration: skip those whose text
        // names nothing the reader looks for, without visiting their nodes.
        f.start[depth] = cursor.startIndex;
        f.end[depth] = cursor.endIndex;
        skip = !this.mayConfigure(f.start[depth], f.end[depth]);
      }
      let scope = scopes[depth];
      if (type === 'function_definition') scope = cursor.currentNode;
      if (!skip && VISITED.has(type) && this.worthVisiting(type, depth, cursor)) {
        this.scope = scope;
        this.depth = depth;
        try {
          this.visit(cursor.currentNode);
        } catch {
          // One construct the reader does not understand does not spoil the rest of the file.
        }
      }
      if (!skip && cursor.gotoFirstChild()) {
        depth++;
        scopes[depth] = scope;
        enter();
        continue;
      }
      for (;;) {
        if (cursor.gotoNextSibling()) {
          enter();
          break;
        }
        if (!cursor.gotoParent()) return;
        depth--;
      }
    }
  }

  /** Whether a node of a visited type can hold anything the reader reads (decided without making the node object). */
  private worthVisiting(type: string, depth: number, cursor: Parser.TreeCursor): boolean {
    if (type === 'call' || type === 'attribute')
      return this.isChainTopAt(depth) && this.rootMayMatter(cursor.startIndex);
    if (type === 'augmented_assignment') return this.argvNames.size > 0;
    if (type === 'list' || type === 'tuple' || type === 'dictionary')
      return this.mentionsSpark(cursor.startIndex, cursor.endIndex);
    return true;
  }

  /**
   * Whether a chain starting at `start` can configure Spark, from the dotted name it starts with: a Spark class or
   * module, a name like a session or a conf, or a name the reader tracks (a builder, a conf, an argv list). Chains on
   * anything else (`F.col(...)`, `df.select(...)`, `os.path.join(...)`) are not flattened: every node the binding
   * hands out stays in its cache until the walk ends.
   */
  private rootMayMatter(start: number): boolean {
    const head = /^[\s(]*([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)/.exec(this.text.slice(start, start + 200));
    if (!head) return true;
    if (/spark|session|conf|submit/i.test(head[1])) return true;
    const root = /^[A-Za-z_]\w*/.exec(head[1])![0];
    return this.trackedRoots.has(root) || this.argvWords.has(root);
  }

  /** Type name of a node type id, cached (the binding makes a new string on every `nodeType`). */
  private typeName(id: number, cursor: Parser.TreeCursor): string {
    let name = this.typeNames[id];
    if (name === undefined) name = this.typeNames[id] = cursor.nodeType;
    return name;
  }

  /** Field name of a field id (0: none), cached. */
  private fieldName(id: number, cursor: Parser.TreeCursor): string {
    if (id === 0) return '';
    let name = this.fieldNames[id];
    if (name === undefined) name = this.fieldNames[id] = cursor.currentFieldName ?? '';
    return name;
  }

  /** Whether `spark` (any case) occurs in the text `[start, end)`, by binary search over its occurrences. */
  private mentionsSpark(start: number, end: number): boolean {
    if (!this.sparkAt) {
      this.sparkAt = [];
      for (const m of this.text.matchAll(/spark/gi)) this.sparkAt.push(m.index);
    }
    const at = this.sparkAt;
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    return lo < at.length && at[lo] + 5 <= end;
  }

  /** Whether the text `[start, end)` mentions a Spark class, a conf, spark-submit, or a tracked variable. */
  private mayConfigure(start: number, end: number): boolean {
    const text = this.text.slice(start, end);
    if (RELEVANT_TEXT.test(text)) return true;
    if (this.trackedNames.size === 0 && this.argvNames.size === 0) return false;
    for (const m of text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g))
      if (this.trackedNames.has(m[0]) || this.argvWords.has(m[0])) return true;
    return false;
  }

  private setObject(name: string, value: PyObject): void {
    if (!this.objects.has(name)) {
      count(this.trackedNames, name.slice(name.lastIndexOf('.') + 1), 1);
      count(this.trackedRoots, name.split('.')[0], 1);
    }
    this.objects.set(name, value);
  }

  private deleteObject(name: string): void {
    if (!this.objects.delete(name)) return;
    count(this.trackedNames, name.slice(name.lastIndexOf('.') + 1), -1);
    count(this.trackedRoots, name.split('.')[0], -1);
  }

  /** True when the node at `depth` of the walk is the outermost node of a chain (not the object of `.x` nor the function of a call). */
  private isChainTopAt(depth: number): boolean {
    const f = this.frames;
    let j = depth;
    while (j > 0 && f.type[j - 1] === 'parenthesized_expression') j--;
    if (j === 0) return true;
    const parent = f.type[j - 1];
    const field = f.field[j];
    return !((parent === 'attribute' && field === 'object') || (parent === 'call' && field === 'function'));
  }

  /** The statement the visited node is the whole expression of, if any. */
  private visitedStatement(): { start: number; end: number } | undefined {
    const f = this.frames;
    const p = this.depth - 1;
    return p >= 0 && f.type[p] === 'expression_statement' && f.start[p] >= 0
      ? { start: f.start[p], end: f.end[p] }
      : undefined;
  }

  /** Adds insertion points and the argv lists' settings, once every setting is known. */
  finish(): void {
    for (const a of this.argvBlocks) this.readArgvSettings(a);
    for (const t of this.targets) {
      t.block.settings.sort((a, b) => comparePositions(a.range.start, b.range.start));
      const insertion = this.chainInsertion(t);
      if (insertion) t.block.insertion = insertion;
    }
    for (const [receiver, r] of this.runtime) {
      const insertion =
        r.simple && r.statement ? this.statementInsertion(r.last, r.statement, `${receiver}.conf.set`) : undefined;
      if (insertion) r.block.insertion = insertion;
    }
    for (const a of this.argvBlocks) {
      const insertion = a.appended.length === 0 ? this.argvInsertion(a.elements, a.appIndex) : undefined;
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
        if ((top.type === 'call' || top.type === 'attribute') && !this.evaluated.has(keyOf(top)))
          value = this.evaluate(top);
        if (top.type === 'list' && left?.type === 'identifier') this.readArgv(top, left.text);
      }
      if (left?.type === 'subscript' && right) this.readSubscriptAssignment(left, right);
      if (left?.type === 'identifier' || left?.type === 'attribute') {
        const name = normalize(left.text);
        if (value?.kind === 'session' || value?.kind === 'runtime')
          value = { kind: value.kind, receiver: name, simple: true };
        if (value) this.setObject(name, value);
        else this.deleteObject(name);
      } else if (left) {
        for (const id of left.descendantsOfType('identifier')) this.deleteObject(id.text);
      }
      return;
    }
    if (node.type === 'augmented_assignment') {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const op = node.childForFieldName('operator')?.text ?? node.children[1]?.text;
      if (left?.type === 'identifier' && right && op === '+=') this.extendArgv(left.text, right);
      return;
    }
    if (node.type === 'list' || node.type === 'tuple') {
      if (node.type === 'list' && !this.consumed.has(node.startIndex)) this.readArgv(node);
      if (!this.consumed.has(node.startIndex)) this.readPairList(node);
      return;
    }
    if (node.type === 'dictionary') {
      if (!this.consumed.has(node.startIndex)) this.readDict(node);
      return;
    }
    if (node.type === 'call') this.readArgvCall(node);
    this.visiting = node;
    if ((node.type === 'call' || node.type === 'attribute') && !this.evaluated.has(keyOf(node))) this.evaluate(node);
  }
  /** Applies a chain's steps to what its root is; returns the object the chain evaluates to, if tracked. */
  private evaluate(top: Node): PyObject | undefined {
    this.evaluated.add(keyOf(top));
    const chain = flatten(top, (text) => this.objects.has(text), this.text);
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
        const headText = normalize(
          this.text.slice(root.startIndex, k === 0 ? root.endIndex : links[k - 1].node.endIndex),
        );
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
    const block: SettingsBlock = {
      kind,
      range: this.lines.range(chain.top.startIndex, chain.top.endIndex),
      settings: [],
    };
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
            this.consumed.add(unwrapParens(map).startIndex);
            for (const pair of unwrapParens(map).namedChildren) {
              const k = pair.type === 'pair' ? pair.childForFieldName('key') : null;
              const v = pair.type === 'pair' ? pair.childForFieldName('value') : null;
              if (k && v) this.record(t, k, v, '.config(map=)');
            }
          }
          return obj;
        }
        case 'master':
          if (one('master')) this.recordKey(t, 'spark.master', one('master'), '.master()');
          return obj;
        case 'appName':
          if (one('name')) this.recordKey(t, 'spark.app.name', one('name'), '.appName()');
          return obj;
        case 'remote':
          if (one('url')) this.recordKey(t, 'spark.remote', one('url'), '.remote()');
          return obj;
        case 'getOrCreate':
        case 'create':
          if (t.chain === chain) t.lastLink = i - 1;
          return {
            kind: 'session',
            receiver: this.text.slice(chain.root.startIndex, link.node.endIndex),
            simple: false,
          };
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
          if (pairs) this.consumed.add(unwrapParens(pairs).startIndex);
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
          if (pairs) {
            this.consumed.add(unwrapParens(pairs).startIndex);
            env.push(...literalPairs(pairs));
          }
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
      return !args && link.name === 'conf'
        ? { kind: 'runtime', receiver: obj.receiver, simple: obj.simple }
        : undefined;
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
    const names: [string, string][] = [
      ['master', 'spark.master'],
      ['appName', 'spark.app.name'],
      ['sparkHome', 'spark.home'],
    ];
    names.forEach(([param, key], i) => {
      const v = args.positional[i] ?? args.keywords.get(param);
      if (v) found.push([key, v, `SparkContext(${param})`]);
    });
    if (found.length === 0) return;
    const block: SettingsBlock = {
      kind: 'spark-conf',
      range: this.lines.range(call.startIndex, call.endIndex),
      settings: [],
    };
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
      r = {
        block: { kind: 'runtime-conf', range: this.lines.range(call.startIndex, call.endIndex), settings: [] },
        last: call,
        simple,
      };
      this.runtime.set(receiver, r);
      this.blocks.push(r.block);
    }
    r.last = call;
    r.statement = this.visiting && sameNode(this.visiting, call) ? this.visitedStatement() : undefined;
    r.block.range = { start: r.block.range.start, end: this.lines.position(call.endIndex) };
    const setting = this.makeSetting(key, valueNode, `${receiver}.conf.set()`, 'runtime-conf');
    this.addKeyRange(setting, keyNode);
    const reason = runtimeIneffectiveReason(key);
    if (reason) setting.ineffective = reason;
    r.block.settings.push(setting);
  }

  private makeSetting(key: string, valueNode: Node, sourceKey: string, origin: SettingOrigin): SparkSetting {
    const v = this.values.valueOf(valueNode, this.scope);
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
      const f = v.resolvedFrom;
      setting.resolvedFrom = { name: f.name, range: this.lines.range(f.start, f.end), safeToEdit: f.safeToEdit };
    }
    return setting;
  }

  /** The text of a key: a string literal without interpolation, or a constant string the file defines in one place. */
  private keyText(node: Node): string | undefined {
    const v = this.values.valueOf(node, this.scope);
    return v.value !== null && (v.literal || v.resolvedFrom) && /^["']|^[A-Za-z_]/.test(v.raw) ? v.value : undefined;
  }

  /**
   * A dict literal whose string keys name Spark settings (`SPARK_CONF = {"spark.executor.memory": "4g", ...}`, a
   * `{"conf": {...}}` returned by a helper, a dict passed to `spark_conf.update(...)`): the file merges it into a
   * configuration at run time, however it gets there. One `spark-conf` block per dict; keys and values may be on
   * separate lines; values are resolved like any other (module constants, lookups in other dicts, environment
   * defaults). EMR `properties` of a `spark-defaults` classification count as EMR configuration.
   */
  private readDict(dict: Node): void {
    const settings = this.pairSettings(dictPairs(dict));
    if (settings.length === 0) return;
    const block: SettingsBlock = {
      kind: 'spark-conf',
      range: this.lines.range(dict.startIndex, dict.endIndex),
      settings,
    };
    const insertion = this.dictInsertion(dict);
    if (insertion) block.insertion = insertion;
    this.blocks.push(block);
  }

  /**
   * `X["spark.k"] = v`: a setting written into a dict or conf that the file merges at run time. One `spark-conf`
   * block per receiver `X`. `os.environ["PYSPARK_SUBMIT_ARGS"] = "--master ... pyspark-shell"` sets the spark-submit
   * options PySpark starts its JVM with (`pyspark/java_gateway.py`): read with the spark-submit rules.
   */
  private readSubscriptAssignment(left: Node, right: Node): void {
    const receiver = left.childForFieldName('value');
    const index = left.childForFieldName('subscript');
    if (!receiver || !index) return;
    const key = this.keyText(index);
    if (key === 'PYSPARK_SUBMIT_ARGS' && /(^|\.)environ$/.test(normalize(receiver.text))) {
      const str = stringParts(unwrapParens(right));
      if (!str) return;
      const fields = str.interpolations.map((i): [number, number] => [i.startIndex, i.endIndex]);
      const block = readSubmitParametersString(this.text, str.start, str.end, this.lines, fields);
      delete block.format;
      this.blocks.push(block);
      return;
    }
    if (key === undefined || !key.startsWith('spark.')) return;
    const name = normalize(receiver.text);
    let block = this.subscripts.get(name);
    if (!block) {
      block = { kind: 'spark-conf', range: this.lines.range(left.startIndex, right.endIndex), settings: [] };
      this.subscripts.set(name, block);
      this.blocks.push(block);
    }
    block.range = { start: block.range.start, end: this.lines.position(right.endIndex) };
    const setting = this.makeSetting(key, right, `${name}[]`, 'spark-conf');
    this.addKeyRange(setting, index);
    block.settings.push(setting);
  }

  /**
   * A list or tuple of `(key, value)` pairs whose keys name Spark settings, outside `SparkConf.setAll` (which reads
   * its own): `for k, v in [("spark.driver.extraJavaOptions", opts), ...]: conf[k] = v`.
   */
  private readPairList(list: Node): void {
    const settings = this.pairSettings(literalPairs(list));
    if (settings.length === 0) return;
    for (const item of list.namedChildren) this.consumed.add(unwrapParens(item).startIndex);
    this.blocks.push({ kind: 'spark-conf', range: this.lines.range(list.startIndex, list.endIndex), settings });
  }

  /** The settings of `(key, value)` pairs whose key names a Spark setting (origin `spark-conf`). */
  private pairSettings(pairs: [Node, Node][]): SparkSetting[] {
    const settings: SparkSetting[] = [];
    for (const [k, v] of pairs) {
      const key = this.keyText(k);
      if (key === undefined || !key.startsWith('spark.')) continue;
      const setting = this.makeSetting(key, v, key, 'spark-conf');
      this.addKeyRange(setting, k);
      settings.push(setting);
    }
    return settings;
  }

  /** A new `"{key}": "{value}",` entry after the last entry of a dict, in its layout and quotes. */
  private dictInsertion(dict: Node): SettingsBlock['insertion'] {
    const entries = dict.namedChildren.filter((c) => c.type !== 'comment');
    const close = dict.lastChild;
    if (!close || close.type !== '}' || entries.length === 0) return undefined;
    const firstKey = entries[0].type === 'pair' ? entries[0].childForFieldName('key') : null;
    const q = firstKey && stringParts(firstKey) ? this.text[stringParts(firstKey)!.start - 1] : '"';
    const item = `${q}{key}${q}: ${q}{value}${q}`;
    const last = entries[entries.length - 1];
    const next = last.nextSibling;
    const trailingComma = !!next && next.type === ',' && next.startIndex < close.startIndex;
    const end = trailingComma ? next.endIndex : last.endIndex;
    const comma = trailingComma ? '' : ',';
    if (this.lines.isFirstOnLine(entries[0].startIndex) && this.lines.isFirstOnLine(last.startIndex)) {
      const indent = this.lines.indentationOf(entries[0].startIndex);
      return {
        position: this.lines.position(end),
        template: `${comma}${this.lines.eol()}${indent}${item}${trailingComma ? ',' : ''}`,
      };
    }
    return { position: this.lines.position(end), template: `${comma} ${item}` };
  }

  /**
   * `["spark-submit", "--master", "yarn", ..., "job.py", ...]`: a spark-submit block. The program may be a path built
   * by a call (`os.path.join(spark_home, "bin", "spark-submit")`). When the list is assigned to a name, later
   * `name += [...]`, `name.append(x)` and `name.extend([...])` in the same scope add arguments (a command built step by
   * step); the settings are read once every step is known (in `finish`), so arguments after the application file stay
   * the application's (a `--name` there is not `spark.app.name`).
   */
  private readArgv(list: Node, name?: string): void {
    if (this.consumed.has(list.startIndex)) return;
    const elements = list.namedChildren.filter((c) => c.type !== 'comment');
    if (elements.length === 0 || !this.isSubmitProgram(elements[0])) return;
    this.consumed.add(list.startIndex);
    const argNodes: Node[] = [];
    for (const e of elements.slice(1)) {
      if (e.type === 'list_splat' || e.type === 'dictionary_splat') break;
      argNodes.push(e);
    }
    const block: SettingsBlock = {
      kind: 'spark-submit',
      range: this.lines.range(list.startIndex, list.endIndex),
      settings: [],
    };
    this.blocks.push(block);
    const argv: ArgvBlock = { block, list, elements: argNodes, appended: [], scope: this.scope };
    this.argvBlocks.push(argv);
    if (name) {
      this.argvNames.set(`${this.scope?.startIndex ?? -1}:${name}`, argv);
      this.argvWords.add(name);
    }
  }

  /** argv[0] of a spark-submit run: a string naming the program, or a call with such a string argument (`os.path.join(..., "spark-submit")`). */
  private isSubmitProgram(node: Node): boolean {
    const str = stringParts(node);
    if (str) return str.interpolations.length === 0 && SUBMIT_PROGRAM.test(this.text.slice(str.start, str.end));
    if (node.type !== 'call') return false;
    const args = node.childForFieldName('arguments');
    const last = args?.namedChildren.filter((c) => c.type !== 'comment').pop();
    const s = last ? stringParts(last) : undefined;
    return !!s && s.interpolations.length === 0 && SUBMIT_PROGRAM.test(this.text.slice(s.start, s.end));
  }

  /** `cmd += [...]` on an argv list assigned earlier in the same scope. */
  private extendArgv(name: string, right: Node): void {
    const argv = this.argvNames.get(`${this.scope?.startIndex ?? -1}:${name}`);
    const list = unwrapParens(right);
    if (!argv || list.type !== 'list') return;
    this.consumed.add(list.startIndex);
    argv.appended.push(...list.namedChildren.filter((c) => c.type !== 'comment'));
    argv.block.range = { start: argv.block.range.start, end: this.lines.position(right.endIndex) };
  }

  /** `cmd.append(x)` / `cmd.extend([...])` on an argv list assigned earlier in the same scope. */
  private readArgvCall(call: Node): void {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') return;
    const object = fn.childForFieldName('object');
    const method = fn.childForFieldName('attribute')?.text;
    if (object?.type !== 'identifier' || (method !== 'append' && method !== 'extend')) return;
    const argv = this.argvNames.get(`${this.scope?.startIndex ?? -1}:${object.text}`);
    const args = call.childForFieldName('arguments')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    if (!argv || args.length !== 1) return;
    if (method === 'append') argv.appended.push(args[0]);
    else {
      const list = unwrapParens(args[0]);
      if (list.type !== 'list') return;
      this.consumed.add(list.startIndex);
      argv.appended.push(...list.namedChildren.filter((c) => c.type !== 'comment'));
    }
    argv.block.range = { start: argv.block.range.start, end: this.lines.position(call.endIndex) };
  }

  /** The settings of an argv list and everything appended to it, read with the spark-submit rules. */
  private readArgvSettings(a: ArgvBlock): void {
    const argNodes = [...a.elements, ...a.appended];
    const args = argNodes.map((n) => this.argument(n));
    const reading = readSubmitArguments(args);
    const block = a.block;
    this.scope = a.scope;
    for (const s of reading.settings) {
      const arg = args[s.argIndex];
      const whole = s.valueStart === 0 && s.valueEnd === arg.text.length;
      if (whole) {
        block.settings.push(this.makeSetting(s.key, arg.node, s.sourceKey, 'spark-submit'));
        continue;
      }
      let literal = true;
      for (let i = s.valueStart; i < s.valueEnd; i++) literal &&= arg.literal[i];
      const start = arg.srcStart[s.valueStart] ?? arg.contentEnd;
      const end = s.valueEnd > s.valueStart ? arg.srcStart[s.valueEnd - 1] + 1 : start;
      const setting: SparkSetting = {
        key: s.key,
        sourceKey: s.sourceKey,
        value: literal ? arg.text.slice(s.valueStart, s.valueEnd) : null,
        raw: this.text.slice(start, end),
        literal,
        range: this.lines.range(start, end),
        origin: 'spark-submit',
      };
      if (s.keyStart !== undefined && s.keyEnd !== undefined && s.keyEnd > s.keyStart) {
        const keyStart = arg.srcStart[s.keyStart];
        const keyEnd = arg.srcStart[s.keyEnd - 1] + 1;
        if (this.text.slice(keyStart, keyEnd) === s.key) setting.keyRange = this.lines.range(keyStart, keyEnd);
      }
      block.settings.push(setting);
    }
    if (reading.applicationFileIndex !== undefined) {
      block.applicationFile = args[reading.applicationFileIndex].text;
      if (reading.applicationFileIndex < a.elements.length) a.appIndex = reading.applicationFileIndex;
    }
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
    // The chain's first string says the quote style when no setting does (looked up only then: it makes a node per string).
    const firstString = quoted ? undefined : t.chain.top.descendantsOfType('string')[0];
    const q = quoted
      ? quoted.raw[0]
      : firstString && stringParts(firstString)
        ? this.text[stringParts(firstString)!.start - 1]
        : '"';
    const call = `.${t.method}(${q}{key}${q}, ${q}{value}${q})`;
    const eol = this.lines.eol();
    const anchor = links.findIndex(
      (l, i) => i >= t.firstLink && !!l.args && (l.name === 'getOrCreate' || l.name === 'create'),
    );
    const continued = (l: Link) => l.dot !== null && this.lines.isFirstOnLine(l.dot);
    const backslash = (l: Link) => l.dot !== null && this.text.slice(l.objectEnd, l.dot).includes('\\');
    if (t.block.kind === 'spark-session-builder' && anchor >= 0) {
      const a = links[anchor];
      if (a.dot === null) return undefined;
      if (!continued(a)) return { position: this.lines.position(a.dot), template: call };
      let indent = this.lines.indentationOf(a.dot);
      for (let i = anchor - 1; i >= t.firstLink; i--) {
        if (continued(links[i])) {
          indent = this.lines.indentationOf(links[i].dot!);
          break;
        }
      }
      return {
        position: this.lines.position(this.lines.lineStartOf(a.dot)),
        template: `${indent}${call}${backslash(a) ? ' \\' : ''}${eol}`,
      };
    }
    const last = t.lastLink >= 0 ? links[t.lastLink] : undefined;
    const end = last
      ? last.node.endIndex
      : t.firstLink > 0
        ? links[t.firstLink - 1].node.endIndex
        : t.chain.root.endIndex;
    if (last && t.lastLink >= t.firstLink && continued(last)) {
      const indent = this.lines.indentationOf(last.dot!);
      return { position: this.lines.position(end), template: `${backslash(last) ? ' \\' : ''}${eol}${indent}${call}` };
    }
    return { position: this.lines.position(end), template: call };
  }

  /** A new `<receiver>.conf.set("{key}", "{value}")` statement after `call`'s statement, same indentation. */
  private statementInsertion(
    call: Node,
    stmt: { start: number; end: number },
    method: string,
  ): SettingsBlock['insertion'] {
    if (!this.lines.isFirstOnLine(stmt.start)) return undefined;
    const firstString = call.descendantsOfType('string')[0];
    const q = firstString && stringParts(firstString) ? this.text[stringParts(firstString)!.start - 1] : '"';
    return {
      position: this.lines.position(stmt.end),
      template: `${this.lines.eol()}${this.lines.indentationOf(stmt.start)}${method}(${q}{key}${q}, ${q}{value}${q})`,
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
    if (!this.lines.isFirstOnLine(app.startIndex))
      return { position: this.lines.position(app.startIndex), template: `${pair}, ` };
    return {
      position: this.lines.position(this.lines.lineStartOf(app.startIndex)),
      template: `${this.lines.indentationOf(app.startIndex)}${pair},${this.lines.eol()}`,
    };
  }
}
