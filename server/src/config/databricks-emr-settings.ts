import { parseTree, visit, type Node as JsonNode } from 'jsonc-parser';
import type { FileSettings, Position, Range, SettingsBlock, SparkSetting, SettingOrigin } from './setting';
import { LineIndex, type TextMap } from './source-text';
import { isPlaceholderValue } from './spark-defaults-settings';
import { readSubmitArguments, type SubmitArgument, type SubmitArgumentSetting } from './spark-submit-flags';

/** argv[0] of a spark-submit run inside an EMR step (`spark-submit`, `/usr/lib/spark/bin/spark-submit`). */
const SUBMIT_PROGRAM = /(?:^|\/)(spark-submit|pyspark|spark-shell)(?:\.sh|\.cmd)?$/;

/** Property names that make the object holding them (or, for `new_cluster`, its value) something this reader reads. */
const RELEVANT_PROPERTIES = new Set([
  'spark_conf',
  'Classification',
  'classification',
  'Args',
  'args',
  'sparkSubmitParameters',
]);

/**
 * JSON that a reader takes its settings from: the document itself, or JSON written inside another file (the body of an
 * `aws emr-containers start-job-run --job-driver '{...}'` argument in a shell script), whose characters the caller maps
 * back to the document.
 */
export interface JsonSource {
  /** The text that holds the JSON (the document, or the text the caller extracted, e.g. a shell word after quote removal). */
  text: string;
  /** Where `text`'s characters are in the document. */
  map: TextMap;
  /** The document's line index when `text` is the document: insertion points are offered only then. */
  layout?: LineIndex;
  /** False when `text[start, end)` holds characters the file does not write literally (a spliced shell variable). */
  literal?: (start: number, end: number) => boolean;
  /**
   * The value a non-literal `text[start, end)` takes where the file defines it (a shell variable assigned a constant
   * earlier in the script), or undefined.
   */
  resolve?: (start: number, end: number) => Pick<SparkSetting, 'value' | 'resolvedFrom'> | undefined;
}

/**
 * Reads the Spark settings of Databricks and Amazon EMR JSON files (comments and trailing commas allowed,
 * broken input read as far as it goes):
 *
 * - Databricks cluster specs (Clusters API, and Jobs API `new_cluster`, `job_clusters[].new_cluster`,
 *   `tasks[].new_cluster`): every object with a `spark_conf` object or a `new_cluster` value. `spark_conf` entries
 *   with `spark.*` keys are settings (origin `databricks`); `num_workers`, `autoscale.min_workers/max_workers`,
 *   `node_type_id`, `driver_node_type_id` and `spark_version` are not Spark keys and go to the block's `cluster`.
 *   One `spark-conf` block (format `databricks-cluster`) per cluster spec.
 * - EMR configurations (`[{"Classification": "spark-defaults", "Properties": {...}}]`, nested `Configurations`
 *   too, and EMR on EKS `applicationConfiguration` with lower-case `classification`/`properties`): the `spark.*`
 *   entries of `spark-defaults` classifications (origin `emr-configuration`); other classifications (`spark`'s
 *   `maximizeResourceAllocation`, `yarn-site`, ...) are not Spark keys. One `spark-conf` block (format
 *   `emr-configuration`) per classification.
 * - EMR steps: an `Args` / `args` array that runs spark-submit (`["spark-submit", "--conf", "k=v", ...]`), or the
 *   `Args` of a `"Type": "Spark"` step (`aws emr add-steps`, which holds the options without the program), read
 *   with the spark-submit rules (`spark-submit-flags.ts`) into a `spark-submit` block (format `emr-step`).
 * - EMR Serverless and EMR on EKS job drivers: a `sparkSubmitParameters` string (`"--conf k=v --conf k2=v2"`);
 *   ranges are inside the string. A `spark-submit` block (format `emr-serverless`) whose application file is the
 *   sibling `entryPoint`.
 *
 * Values: strings give their text between the quotes (escapes as written; `raw` is that text too: the quotes
 * belong to JSON, not to the value expression), numbers and booleans their source text (`2`, `true`); a string
 * holding a template (`${executor_cores}`, Databricks `{{secrets/scope/key}}`) and any other JSON value are
 * non-literal.
 *
 * Memory stays bounded by the largest relevant object, not the file: a streaming pass (jsonc-parser's `visit`)
 * finds the objects above, and only those are parsed into trees. Time is linear in the file's length.
 *
 * @param text the file.
 * @returns blocks in source order (`languageId` `json`), positions 0-based in UTF-16 code units; never throws.
 */
export function extractDatabricksEmrSettings(text: string): FileSettings {
  const blocks: SettingsBlock[] = [];
  if (!/spark/i.test(text)) return { languageId: 'json', blocks };
  const lines = new LineIndex(text);
  blocks.push(...readJsonSettings({ text, map: lines, layout: lines }, 0, text.length));
  return { languageId: 'json', blocks };
}

/**
 * The settings blocks of the JSON in `source.text[start, end)` (the rules of {@link extractDatabricksEmrSettings}).
 * @returns blocks in source order; never throws (broken JSON gives what could be read).
 */
export function readJsonSettings(source: JsonSource, start: number, end: number): SettingsBlock[] {
  const blocks: SettingsBlock[] = [];
  try {
    const json = source.text.slice(start, end);
    const reader = new JsonSettingsReader(source, blocks);
    for (const region of relevantRegions(json)) {
      const root = parseTree(json.slice(region.start, region.end), [], {
        allowTrailingComma: true,
        disallowComments: false,
      });
      if (!root) continue;
      shift(root, start + region.start);
      reader.visit(root, region.parentKey);
    }
  } catch {
    // Keep the blocks read so far.
  }
  blocks.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return blocks;
}

/**
 * The outermost objects of `json` that the reader has something to read in (an object with a property of
 * {@link RELEVANT_PROPERTIES}, or the value of `new_cluster`), found in one streaming pass without building a tree.
 * @returns `[start, end)` offsets into `json`, in order, none inside another, with the property name the object is
 *   the value of.
 */
function relevantRegions(json: string): { start: number; end: number; parentKey?: string }[] {
  const regions: { start: number; end: number; parentKey?: string }[] = [];
  const stack: { object: boolean; start: number; relevant: boolean; lastKey?: string; parentKey?: string }[] = [];
  visit(
    json,
    {
      onObjectBegin: (offset) => {
        const top = stack[stack.length - 1];
        const parentKey = top?.object ? top.lastKey : undefined;
        stack.push({ object: true, start: offset, relevant: parentKey === 'new_cluster', parentKey });
      },
      onObjectProperty: (property) => {
        const top = stack[stack.length - 1];
        if (!top) return;
        top.lastKey = property;
        if (RELEVANT_PROPERTIES.has(property)) top.relevant = true;
      },
      onObjectEnd: (offset, length) => {
        const frame = stack.pop();
        if (!frame?.relevant) return;
        while (regions.length > 0 && regions[regions.length - 1].start >= frame.start) regions.pop();
        regions.push({ start: frame.start, end: offset + length, parentKey: frame.parentKey });
      },
      onArrayBegin: (offset) => {
        stack.push({ object: false, start: offset, relevant: false });
      },
      onArrayEnd: () => {
        stack.pop();
      },
    },
    { allowTrailingComma: true, disallowComments: false },
  );
  // Objects left open by broken input: read them up to the end of the text.
  for (const frame of stack) {
    if (!frame.relevant || regions.some((r) => r.start <= frame.start && frame.start < r.end)) continue;
    while (regions.length > 0 && regions[regions.length - 1].start >= frame.start) regions.pop();
    regions.push({ start: frame.start, end: json.length, parentKey: frame.parentKey });
    break;
  }
  return regions;
}

/** Adds `delta` to the offsets of a tree parsed from a slice. */
function shift(node: JsonNode, delta: number): void {
  const pending: JsonNode[] = [node];
  for (let n = pending.pop(); n; n = pending.pop()) {
    (n as { offset: number }).offset += delta;
    if (n.children) pending.push(...n.children);
  }
}

class JsonSettingsReader {
  private readonly text: string;
  private readonly map: TextMap;

  constructor(
    private readonly source: JsonSource,
    private readonly blocks: SettingsBlock[],
  ) {
    this.text = source.text;
    this.map = source.map;
  }

  /** @param parentKey the property `node` is the value of, when its parent is outside the parsed tree. */
  visit(node: JsonNode, parentKey?: string): void {
    const pending: { node: JsonNode; parentKey?: string }[] = [{ node, parentKey }];
    for (let item = pending.pop(); item; item = pending.pop()) {
      const n = item.node;
      if (n.type === 'object') {
        try {
          this.readObject(n, item.parentKey);
        } catch {
          // One object the reader does not understand does not spoil the rest of the file.
        }
      }
      const children = n.children ?? [];
      for (let i = children.length - 1; i >= 0; i--) pending.push({ node: children[i] });
    }
  }

  private readObject(obj: JsonNode, parentKey: string | undefined): void {
    const sparkConf = property(obj, 'spark_conf');
    // jsonc-parser types a node's value as any: a property's name node holds a string.
    const name: unknown = obj.parent?.type === 'property' ? obj.parent.children?.[0]?.value : undefined;
    const key = obj.parent?.type === 'property' ? (typeof name === 'string' ? name : undefined) : parentKey;
    if (sparkConf?.type === 'object' || key === 'new_cluster') this.readCluster(obj, sparkConf);
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
      const nonLiteral: [number, number][] = [];
      if (this.source.literal) {
        for (let i = start; i < end; i++) {
          if (this.source.literal(i, i + 1)) continue;
          const last = nonLiteral[nonLiteral.length - 1];
          if (last && last[1] === i) last[1] = i + 1;
          else nonLiteral.push([i, i + 1]);
        }
      }
      const block = readSubmitParametersString(
        this.text,
        start,
        end,
        this.map,
        nonLiteral,
        this.source.layout !== undefined,
        this.source.resolve,
      );
      block.range = this.map.range(obj.offset, obj.offset + obj.length);
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
      block = {
        kind: 'spark-conf',
        format: 'databricks-cluster',
        range: this.map.range(obj.offset, obj.offset + obj.length),
        settings: [],
      };
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
      if (this.text.slice(ks, ke) === setting.key && this.isLiteral(ks, ke)) setting.keyRange = this.map.range(ks, ke);
      settings.push(setting);
    }
    const block: SettingsBlock = {
      kind: 'spark-conf',
      format,
      range: this.map.range(owner.offset, owner.offset + owner.length),
      settings,
    };
    const insertion = this.propertyInsertion(conf, `"{key}": "{value}"`);
    if (insertion) block.insertion = insertion;
    this.blocks.push(block);
    return block;
  }

  private isLiteral(start: number, end: number): boolean {
    return this.source.literal ? this.source.literal(start, end) : true;
  }

  private setting(key: string, sourceKey: string, v: JsonNode, origin: SettingOrigin): SparkSetting {
    const raw = this.text.slice(v.offset, v.offset + v.length);
    if (v.type === 'string') {
      const [start, end] = stringContent(v, this.text);
      const value = this.text.slice(start, end);
      const literal = !isPlaceholderValue(value) && this.isLiteral(start, end);
      const setting: SparkSetting = {
        key,
        sourceKey,
        value: literal ? value : null,
        raw: value,
        literal,
        range: this.map.range(start, end),
        origin,
      };
      if (!literal) Object.assign(setting, this.source.resolve?.(start, end));
      return setting;
    }
    const literal = v.type === 'number' || v.type === 'boolean';
    return {
      key,
      sourceKey,
      value: literal ? raw : null,
      raw,
      literal,
      range: this.map.range(v.offset, v.offset + v.length),
      origin,
    };
  }

  /** An EMR step's `Args` that run spark-submit. */
  private readStepArgs(obj: JsonNode, args: JsonNode): void {
    const elements = args.children ?? [];
    // `aws emr add-steps` / `create-cluster --steps` JSON: `"Type": "Spark"` steps hold the spark-submit options without the program.
    const type = property(obj, 'Type') ?? property(obj, 'type');
    const sparkStep = type?.type === 'string' && String(type.value).toLowerCase() === 'spark';
    const program = sparkStep
      ? -1
      : elements.findIndex((e) => e.type === 'string' && SUBMIT_PROGRAM.test(String(e.value)));
    if (program < 0 && !sparkStep) return;
    const words: SubmitWord[] = [];
    for (const e of elements.slice(program + 1)) {
      if (e.type === 'string') {
        const [start, end] = stringContent(e, this.text);
        const t = this.text.slice(start, end);
        const mask = literalMask(t);
        if (this.source.literal)
          for (let i = 0; i < t.length; i++) mask[i] &&= this.source.literal(start + i, start + i + 1);
        words.push({ start, arg: { text: t, literal: mask } });
      } else {
        const t = this.text.slice(e.offset, e.offset + e.length);
        words.push({ start: e.offset, arg: { text: t, literal: t.split('').map(() => e.type === 'number') } });
      }
    }
    const { reading, settings } = submitWordsSettings(this.text, words, this.map);
    const block: SettingsBlock = {
      kind: 'spark-submit',
      format: 'emr-step',
      range: this.map.range(obj.offset, obj.offset + obj.length),
      settings,
    };
    const app = reading.applicationFileIndex !== undefined ? words[reading.applicationFileIndex] : undefined;
    if (app) block.applicationFile = app.arg.text;
    if (this.source.layout) {
      if (app) {
        const node = elements[program + 1 + (reading.applicationFileIndex ?? 0)];
        block.insertion = { position: this.map.position(node.offset), template: `"--conf", "{key}={value}", ` };
      } else if (elements.length > 0) {
        const last = elements[elements.length - 1];
        block.insertion = {
          position: this.map.position(last.offset + last.length),
          template: `, "--conf", "{key}={value}"`,
        };
      }
    }
    this.blocks.push(block);
  }

  /** Where to add a property to an object: after its last property, on a new line with the same indentation. */
  private propertyInsertion(obj: JsonNode, property: string): { position: Position; template: string } | undefined {
    const layout = this.source.layout;
    if (!layout) return undefined;
    const props = obj.children ?? [];
    const close = obj.offset + obj.length - 1;
    if (props.length === 0) {
      if (this.text[close] !== '}') return undefined;
      return { position: layout.position(close), template: property };
    }
    const first = props[0];
    const last = props[props.length - 1];
    const lastEnd = last.offset + last.length;
    if (!layout.isFirstOnLine(first.offset)) return { position: layout.position(lastEnd), template: `, ${property}` };
    return {
      position: layout.position(lastEnd),
      template: `,${layout.eol()}${layout.indentationOf(first.offset)}${property}`,
    };
  }
}

/** One spark-submit argument found in a text, `start` being the offset of its first character. */
export interface SubmitWord {
  start: number;
  arg: SubmitArgument;
  /**
   * Offsets of each character of `arg.text` in the text (`start + i` when absent); used when the argument is not a
   * contiguous piece of the text (a word running across Python's implicitly concatenated strings).
   */
  offsets?: number[];
}

/**
 * Settings of spark-submit words found in a text: `readSubmitArguments` over the words, each value's range
 * mapped back to the document, values that are placeholders or hold non-literal characters marked non-literal.
 */
export function submitWordsSettings(
  text: string,
  words: readonly SubmitWord[],
  map: TextMap,
  resolve?: JsonSource['resolve'],
): { reading: ReturnType<typeof readSubmitArguments>; settings: SparkSetting[] } {
  const reading = readSubmitArguments(words.map((w) => w.arg));
  const settings = reading.settings.map((s): SparkSetting => {
    const w = words[s.argIndex];
    const at = (i: number) =>
      w.offsets ? (w.offsets[i] ?? (w.offsets[w.offsets.length - 1] ?? w.start) + 1) : w.start + i;
    const value = w.arg.text.slice(s.valueStart, s.valueEnd);
    const literal = w.arg.literal.slice(s.valueStart, s.valueEnd).every(Boolean) && !isPlaceholderValue(value);
    const end = s.valueEnd > s.valueStart ? at(s.valueEnd - 1) + 1 : at(s.valueStart);
    const setting: SparkSetting = {
      key: s.key,
      sourceKey: s.sourceKey,
      value: literal ? value : null,
      raw: value,
      literal,
      range: map.range(at(s.valueStart), end),
      origin: 'spark-submit',
    };
    const keyRange = submitKeyRange(text, w, s, map);
    if (keyRange) setting.keyRange = keyRange;
    // A value spliced in from where the file defines it (`--conf spark.executor.instances='$N'` in a shell script).
    if (!literal && resolve && end - at(s.valueStart) === s.valueEnd - s.valueStart)
      Object.assign(setting, resolve(at(s.valueStart), end));
    return setting;
  });
  return { reading, settings };
}

/**
 * Reads a spark-submit parameter string (EMR Serverless `sparkSubmitParameters`: `--conf k=v --conf k2=v2`) whose
 * text lies at `[start, end)` of `text` (between the quotes of a JSON or Python string, escapes as written). Words
 * are split at whitespace; parts inside templates (`${x}`, `{{ x }}`) are non-literal.
 * @param nonLiteral offset spans `[start, end)` of `text` whose characters are not literal (f-string fields).
 * @param insertion whether to offer an insertion point (only when `text` is the document itself).
 * @param resolve the value of a non-literal `text[start, end)` where the file defines it, when the caller knows.
 * @returns a `spark-submit` block (format `emr-serverless`) whose range is the string content; its insertion
 *   appends ` --conf {key}={value}` at the end of the string. Never throws.
 */
export function readSubmitParametersString(
  text: string,
  start: number,
  end: number,
  map: TextMap,
  nonLiteral: readonly [number, number][] = [],
  insertion = true,
  resolve?: JsonSource['resolve'],
): SettingsBlock {
  return readSubmitParametersSegments(text, [[start, end]], map, nonLiteral, insertion, resolve);
}

/**
 * {@link readSubmitParametersString} over pieces of text that form one string when joined (Python's implicitly
 * concatenated literals `"--conf a=1 " "--conf b=2"`): a word may run across pieces.
 * @param segments `[start, end)` offsets of each piece's content, in order.
 */
export function readSubmitParametersSegments(
  text: string,
  segments: readonly [number, number][],
  map: TextMap,
  nonLiteral: readonly [number, number][] = [],
  insertion = true,
  resolve?: JsonSource['resolve'],
): SettingsBlock {
  const blocked = (o: number) => nonLiteral.some(([s, e]) => o >= s && o < e);
  const words: SubmitWord[] = [];
  let current: { text: string; offsets: number[] } | undefined;
  const flush = () => {
    if (!current) return;
    const mask = literalMask(current.text).map((ok, i) => ok && !blocked(current!.offsets[i]));
    words.push({ start: current.offsets[0], arg: { text: current.text, literal: mask }, offsets: current.offsets });
    current = undefined;
  };
  for (const [s, e] of segments) {
    for (let i = s; i < e; i++) {
      if (/\s/.test(text[i])) {
        flush();
        continue;
      }
      current ??= { text: '', offsets: [] };
      current.text += text[i];
      current.offsets.push(i);
    }
  }
  flush();
  const { settings } = submitWordsSettings(text, words, map, resolve);
  const first = segments[0] ?? [0, 0];
  const last = segments[segments.length - 1] ?? first;
  const content = text.slice(last[0], last[1]);
  const trimmedEnd = last[0] + content.trimEnd().length;
  const block: SettingsBlock = {
    kind: 'spark-submit',
    format: 'emr-serverless',
    range: map.range(first[0], last[1]),
    settings,
  };
  if (insertion) {
    const empty = segments.every(([s, e]) => text.slice(s, e).trim() === '');
    block.insertion = {
      position: map.position(trimmedEnd),
      template: empty ? '--conf {key}={value}' : ' --conf {key}={value}',
    };
  }
  return block;
}

/**
 * The range of a `--conf k=v` key `k` in the document, when the text at the word spells the key exactly without
 * escapes (contiguously); undefined for options that imply their key.
 */
function submitKeyRange(text: string, w: SubmitWord, s: SubmitArgumentSetting, map: TextMap): Range | undefined {
  if (s.keyStart === undefined || s.keyEnd === undefined || s.keyEnd <= s.keyStart) return undefined;
  const start = w.offsets ? w.offsets[s.keyStart] : w.start + s.keyStart;
  const last = w.offsets ? w.offsets[s.keyEnd - 1] : w.start + s.keyEnd - 1;
  if (last - start !== s.keyEnd - s.keyStart - 1) return undefined;
  if (!w.arg.literal.slice(s.keyStart, s.keyEnd).every(Boolean)) return undefined;
  return text.slice(start, last + 1) === s.key ? map.range(start, last + 1) : undefined;
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
