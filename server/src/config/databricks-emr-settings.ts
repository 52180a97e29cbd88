import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { FileSettings, Position, Range, SettingsBlock, SparkSetting, SettingOrigin } from './setting';
import { LineIndex } from './source-text';
import { isPlaceholderValue } from './spark-defaults-settings';
import { readSubmitArguments, type SubmitArgument, type SubmitArgumentSetting } from './spark-submit-flags';

/** argv[0] of a spark-submit run inside an EMR step (`spark-submit`, `/usr/lib/spark/bin/spark-submit`). */
const SUBMIT_PROGRAM = /(?:^|\/)(spark-submit|pyspark|spark-shell)(?:\.sh|\.cmd)?$/;

/**
 * Reads the Spark settings of Databricks and Amazon EMR JSON files (comments and trailing commas allowed,
 * broken input read as far as it goes, with jsonc-parser's `parseTree`, which keeps offsets):
 *
 * - Databricks cluster specs (Clusters API, and Jobs API `new_cluster`, `job_clusters[].new_cluster`,
 *   `tasks[].new_cluster`): every object with a `spark_conf` object or a `new_cluster` value. `spark_conf` entries
 *   with `spark.*` keys are settings (origin `databricks`); `num_workers`, `autoscale.min_workers/max_workers`,
 *   `node_type_id`, `driver_node_type_id` and `spark_version` are not Spark keys and go to the block's `cluster`.
 *   One `spark-conf` block (format `databricks-cluster`) per cluster spec.
 * - EMR configurations (`[{"Classification": "spark-defaults", "Properties": {...}}]`, nested `Configurations`
 *   too): the `spark.*` entries of `spark-defaults` classifications (origin `emr-configuration`); other
 *   classifications (`spark`'s `maximizeResourceAllocation`, `yarn-site`, ...) are not Spark keys. One `spark-conf`
 *   block (format `emr-configuration`) per classification.
 * - EMR steps: an `Args` / `args` array that runs spark-submit (`["spark-submit", "--conf", "k=v", ...]`), or the
 *   `Args` of a `"Type": "Spark"` step (`aws emr add-steps`, which holds the options without the program), read
 *   with the spark-submit rules (`spark-submit-flags.ts`) into a `spark-submit` block (format `emr-step`).
 * - EMR Serverless job runs: a `sparkSubmitParameters` string (`"--conf k=v --conf k2=v2"`); ranges are inside
 *   the string. A `spark-submit` block (format `emr-serverless`) whose application file is the sibling `entryPoint`.
 *
 * Values: strings give their text between the quotes (escapes as written; `raw` is that text too: the quotes
 * belong to JSON, not to the value expression), numbers and booleans their source text (`2`, `true`); a string holding a template (`${executor_cores}`, Databricks `{{secrets/scope/key}}`) and
 * any other JSON value are non-literal.
 *
 * @param text the file.
 * @returns blocks in source order (`languageId` `json`), positions 0-based in UTF-16 code units; never throws.
 */
export function extractDatabricksEmrSettings(text: string): FileSettings {
  const blocks: SettingsBlock[] = [];
  if (!/spark/i.test(text)) return { languageId: 'json', blocks };
  try {
    const root = parseTree(text, [], { allowTrailingComma: true, disallowComments: false });
    if (root) new JsonSettingsReader(text, blocks).visit(root);
  } catch {
    // Keep the blocks read so far.
  }
  blocks.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { languageId: 'json', blocks };
}

class JsonSettingsReader {
  private readonly lines: LineIndex;

  constructor(
    private readonly text: string,
    private readonly blocks: SettingsBlock[],
  ) {
    this.lines = new LineIndex(text);
  }

  visit(node: JsonNode): void {
    if (node.type === 'object') {
      try {
        this.readObject(node);
      } catch {
        // One object the reader does not understand does not spoil the rest of the file.
      }
    }
    for (const child of node.children ?? []) this.visit(child);
  }

  private readObject(obj: JsonNode): void {
    const sparkConf = property(obj, 'spark_conf');
    const isNewCluster = obj.parent?.type === 'property' && obj.parent.children?.[0]?.value === 'new_cluster';
    if (sparkConf?.type === 'object' || isNewCluster) this.readCluster(obj, sparkConf);
    const classification = property(obj, 'Classification') ?? property(obj, 'classification');
    if (classification?.value === 'spark-defaults') {
      const props = property(obj, 'Properties') ?? property(obj, 'properties');
      if (props?.type === 'object') this.readConfObject(obj, props, 'emr-configuration', 'emr-configuration', (k) => k);
    }
    const args = property(obj, 'Args') ?? property(obj, 'args');
    if (args?.type === 'array') this.readStepArgs(obj, args);
    const params = property(obj, 'sparkSubmitParameters');
    if (params?.type === 'string') {
      const entry = property(obj, 'entryPoint');
      const [start, end] = stringContent(params, this.text);
      const block = readSubmitParametersString(this.text, start, end, this.lines);
      block.range = this.lines.range(obj.offset, obj.offset + obj.length);
      if (entry?.type === 'string') block.applicationFile = String(entry.value);
      this.blocks.push(block);
    }
  }

  private readCluster(obj: JsonNode, sparkConf: JsonNode | undefined): void {
    const cluster: NonNullable<SettingsBlock['cluster']> = {};
    const num = (n: JsonNode | undefined) => (n?.type === 'number' ? Number(n.value) : undefined);
    const str = (n: JsonNode | undefined) => (n?.type === 'string' ? String(n.value) : undefined);
    const autoscale = property(obj, 'autoscale');
    const facts: [keyof typeof cluster, number | string | undefined][] = [
      ['numWorkers', num(property(obj, 'num_workers'))],
      ['minWorkers', autoscale ? num(property(autoscale, 'min_workers')) : undefined],
      ['maxWorkers', autoscale ? num(property(autoscale, 'max_workers')) : undefined],
      ['nodeTypeId', str(property(obj, 'node_type_id'))],
      ['driverNodeTypeId', str(property(obj, 'driver_node_type_id'))],
      ['sparkVersion', str(property(obj, 'spark_version'))],
    ];
    for (const [k, v] of facts) if (v !== undefined) (cluster as Record<string, number | string>)[k] = v;
    let block: SettingsBlock;
    if (sparkConf?.type === 'object') {
      block = this.readConfObject(obj, sparkConf, 'databricks-cluster', 'databricks', (k) => k);
    } else {
      block = { kind: 'spark-conf', format: 'databricks-cluster', range: this.lines.range(obj.offset, obj.offset + obj.length), settings: [] };
      const insertion = this.propertyInsertion(obj, `"spark_conf": {"{key}": "{value}"}`);
      if (insertion) block.insertion = insertion;
      this.blocks.push(block);
    }
    block.cluster = cluster;
  }

  /** One block for the `spark.*` entries of a conf object (`spark_conf`, `Properties`). */
  private readConfObject(
    owner: JsonNode,
    conf: JsonNode,
    format: NonNullable<SettingsBlock['format']>,
    origin: SettingOrigin,
    keyOf: (k: string) => string,
  ): SettingsBlock {
    const settings: SparkSetting[] = [];
    for (const prop of conf.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k?.type !== 'string' || !v) continue;
      const written = String(k.value);
      if (!written.startsWith('spark.')) continue;
      const setting = this.setting(keyOf(written), written, v, origin);
      const [ks, ke] = stringContent(k, this.text);
      if (this.text.slice(ks, ke) === setting.key) setting.keyRange = this.lines.range(ks, ke);
      settings.push(setting);
    }
    const block: SettingsBlock = { kind: 'spark-conf', format, range: this.lines.range(owner.offset, owner.offset + owner.length), settings };
    const insertion = this.propertyInsertion(conf, `"{key}": "{value}"`);
    if (insertion) block.insertion = insertion;
    this.blocks.push(block);
    return block;
  }

  private setting(key: string, sourceKey: string, v: JsonNode, origin: SettingOrigin): SparkSetting {
    const raw = this.text.slice(v.offset, v.offset + v.length);
    if (v.type === 'string') {
      const [start, end] = stringContent(v, this.text);
      const value = this.text.slice(start, end);
      const placeholder = isPlaceholderValue(value);
      return { key, sourceKey, value: placeholder ? null : value, raw: value, literal: !placeholder, range: this.lines.range(start, end), origin };
    }
    const literal = v.type === 'number' || v.type === 'boolean';
    return { key, sourceKey, value: literal ? raw : null, raw, literal, range: this.lines.range(v.offset, v.offset + v.length), origin };
  }

  /** An EMR step's `Args` that run spark-submit. */
  private readStepArgs(obj: JsonNode, args: JsonNode): void {
    const elements = args.children ?? [];
    // `aws emr add-steps` / `create-cluster --steps` JSON: `"Type": "Spark"` steps hold the spark-submit options without the program.
    const type = property(obj, 'Type') ?? property(obj, 'type');
    const sparkStep = type?.type === 'string' && String(type.value).toLowerCase() === 'spark';
    const program = sparkStep ? -1 : elements.findIndex((e) => e.type === 'string' && SUBMIT_PROGRAM.test(String(e.value)));
    if (program < 0 && !sparkStep) return;
    const words: { node: JsonNode; start: number; arg: SubmitArgument }[] = [];
    for (const e of elements.slice(program + 1)) {
      if (e.type === 'string') {
        const [start, end] = stringContent(e, this.text);
        const t = this.text.slice(start, end);
        words.push({ node: e, start, arg: { text: t, literal: literalMask(t) } });
      } else {
        const t = this.text.slice(e.offset, e.offset + e.length);
        words.push({ node: e, start: e.offset, arg: { text: t, literal: t.split('').map(() => e.type === 'number') } });
      }
    }
    const { reading, settings } = submitWordsSettings(this.text, words, this.lines);
    const block: SettingsBlock = { kind: 'spark-submit', format: 'emr-step', range: this.lines.range(obj.offset, obj.offset + obj.length), settings };
    const app = reading.applicationFileIndex !== undefined ? words[reading.applicationFileIndex] : undefined;
    if (app) {
      block.applicationFile = app.arg.text;
      block.insertion = { position: this.lines.position(app.node.offset), template: `"--conf", "{key}={value}", ` };
    } else {
      const last = elements[elements.length - 1];
      block.insertion = { position: this.lines.position(last.offset + last.length), template: `, "--conf", "{key}={value}"` };
    }
    this.blocks.push(block);
  }

  /** Where to add a property to an object: after its last property, on a new line with the same indentation. */
  private propertyInsertion(obj: JsonNode, property: string): { position: Position; template: string } | undefined {
    const props = obj.children ?? [];
    const close = obj.offset + obj.length - 1;
    if (props.length === 0) {
      if (this.text[close] !== '}') return undefined;
      return { position: this.lines.position(close), template: property };
    }
    const first = props[0];
    const last = props[props.length - 1];
    const lastEnd = last.offset + last.length;
    if (!this.lines.isFirstOnLine(first.offset)) return { position: this.lines.position(lastEnd), template: `, ${property}` };
    return { position: this.lines.position(lastEnd), template: `,${this.lines.eol()}${this.lines.indentationOf(first.offset)}${property}` };
  }
}

/**
 * Settings of spark-submit words found in a JSON file: `readSubmitArguments` over the words, each value's range
 * mapped back to the file (`start` = where the word's text begins in `text`), values that are placeholders or hold
 * non-literal characters marked non-literal.
 */
function submitWordsSettings(
  text: string,
  words: readonly { start: number; arg: SubmitArgument }[],
  lines: LineIndex,
): { reading: ReturnType<typeof readSubmitArguments>; settings: SparkSetting[] } {
  const reading = readSubmitArguments(words.map((w) => w.arg));
  const settings = reading.settings.map((s): SparkSetting => {
    const w = words[s.argIndex];
    const value = w.arg.text.slice(s.valueStart, s.valueEnd);
    const literal = w.arg.literal.slice(s.valueStart, s.valueEnd).every(Boolean) && !isPlaceholderValue(value);
    const setting: SparkSetting = {
      key: s.key,
      sourceKey: s.sourceKey,
      value: literal ? value : null,
      raw: value,
      literal,
      range: lines.range(w.start + s.valueStart, w.start + s.valueEnd),
      origin: 'spark-submit',
    };
    const keyRange = submitKeyRange(text, w.start, s, lines);
    if (keyRange) setting.keyRange = keyRange;
    return setting;
  });
  return { reading, settings };
}

/**
 * Reads a spark-submit parameter string (EMR Serverless `sparkSubmitParameters`: `--conf k=v --conf k2=v2`) whose
 * text lies at `[start, end)` of `text` (between the quotes of a JSON or Python string, escapes as written). Words
 * are split at whitespace; parts inside templates (`${x}`, `{{ x }}`) are non-literal.
 * @param nonLiteral offset spans `[start, end)` of `text` whose characters are not literal (f-string fields).
 * @returns a `spark-submit` block (format `emr-serverless`) whose range is the string content; its insertion
 *   appends ` --conf {key}={value}` at the end of the string. Never throws.
 */
export function readSubmitParametersString(
  text: string,
  start: number,
  end: number,
  lines: LineIndex,
  nonLiteral: readonly [number, number][] = [],
): SettingsBlock {
  const content = text.slice(start, end);
  const words: { start: number; arg: SubmitArgument }[] = [];
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(content))) {
    const wordStart = start + m.index;
    const literal = literalMask(m[0]).map((ok, i) => ok && !nonLiteral.some(([s, e]) => wordStart + i >= s && wordStart + i < e));
    words.push({ start: wordStart, arg: { text: m[0], literal } });
  }
  const { settings } = submitWordsSettings(text, words, lines);
  const trimmedEnd = start + content.trimEnd().length;
  return {
    kind: 'spark-submit',
    format: 'emr-serverless',
    range: lines.range(start, end),
    settings,
    insertion: { position: lines.position(trimmedEnd), template: trimmedEnd > start ? ' --conf {key}={value}' : '--conf {key}={value}' },
  };
}

/**
 * The range of a `--conf k=v` key `k` in the file, for a word whose text is the source text starting at `wordStart`
 * (a JSON string's content, escapes as written); undefined for options that imply their key, or when the source
 * does not spell the key exactly.
 */
function submitKeyRange(text: string, wordStart: number, s: SubmitArgumentSetting, lines: LineIndex): Range | undefined {
  if (s.keyStart === undefined || s.keyEnd === undefined) return undefined;
  const start = wordStart + s.keyStart;
  const end = wordStart + s.keyEnd;
  return text.slice(start, end) === s.key ? lines.range(start, end) : undefined;
}

/** Per character: false inside `${...}` / `{{...}}` / `$VAR` templates, true elsewhere. */
function literalMask(word: string): boolean[] {
  const mask = word.split('').map(() => true);
  const re = /\$\{[^}]*\}?|\{\{.*?(?:\}\}|$)|\$[A-Za-z_][A-Za-z0-9_]*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(word))) for (let i = m.index; i < m.index + m[0].length; i++) mask[i] = false;
  return mask;
}

/** The value node of `key` in an object node. */
function property(obj: JsonNode, key: string): JsonNode | undefined {
  if (obj.type !== 'object') return undefined;
  for (const p of obj.children ?? []) {
    const [k, v] = p.children ?? [];
    if (k?.value === key) return v;
  }
  return undefined;
}

/** Offsets of a string node's text between its quotes (an unterminated string: to its end). */
function stringContent(node: JsonNode, text: string): [number, number] {
  const start = node.offset + 1;
  const end = node.offset + node.length;
  const closed = node.length >= 2 && text[end - 1] === '"';
  return [start, closed ? end - 1 : end];
}
