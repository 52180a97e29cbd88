import { isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import type { FileSettings, SettingsBlock, SparkSetting } from './setting';
import { LineIndex } from './source-text';
import { isPlaceholderValue } from './spark-defaults-settings';

/**
 * Fields of a `SparkApplication` spec of the Kubernetes Spark operator (`sparkoperator.k8s.io`, kubeflow/spark-operator)
 * and the Spark key each becomes, as the operator's `submission.go` passes them to spark-submit.
 * `{role}` is `driver` or `executor`.
 */
const ROLE_FIELDS: ReadonlyMap<string, string> = new Map([
  ['cores', 'spark.{role}.cores'],
  ['coreRequest', 'spark.kubernetes.{role}.request.cores'],
  ['coreLimit', 'spark.kubernetes.{role}.limit.cores'],
  ['memory', 'spark.{role}.memory'],
  ['memoryOverhead', 'spark.{role}.memoryOverhead'],
  ['javaOptions', 'spark.{role}.extraJavaOptions'],
]);

/** Fields only `spec.executor` has. */
const EXECUTOR_FIELDS: ReadonlyMap<string, string> = new Map([
  ['instances', 'spark.executor.instances'],
  ['deleteOnTermination', 'spark.kubernetes.executor.deleteOnTermination'],
]);

/** `spec.dynamicAllocation` fields (all become `spark.dynamicAllocation.<field>`). */
const DYNAMIC_ALLOCATION_FIELDS: ReadonlySet<string> = new Set([
  'enabled',
  'initialExecutors',
  'minExecutors',
  'maxExecutors',
  'shuffleTrackingEnabled',
  'shuffleTrackingTimeout',
]);

/**
 * Reads the Spark settings of Kubernetes Spark operator manifests, in every YAML document of the file (`---`).
 *
 * A document counts when its `kind` is `SparkApplication` or `ScheduledSparkApplication` (whose spec is
 * `spec.template`). For `apiVersion: spark.apache.org/...` (apache/spark-kubernetes-operator) only
 * `spec.sparkConf` is read; otherwise (`sparkoperator.k8s.io/...`, or no apiVersion yet) also: `spec.hadoopConf.k`
 * → `spark.hadoop.k`; `spec.{driver,executor}.{cores,coreRequest,coreLimit,memory,memoryOverhead,javaOptions}`;
 * `spec.executor.{instances,deleteOnTermination}`; `spec.dynamicAllocation.*` → `spark.dynamicAllocation.*`;
 * `spec.memoryOverheadFactor` → `spark.kubernetes.memoryOverheadFactor` (mapping of the operator's
 * `pkg/controller/sparkapplication/submission.go`, as test/fixtures/configs/README.md lists it).
 *
 * Values: a plain scalar keeps its source text (`1`, `true`, `512m`), a quoted one its text between the quotes
 * (escapes as written); the range covers exactly that text, and so does `raw` (the quotes belong to YAML). A
 * scalar folded over several lines, or a block scalar (`|`, `>`), has the value YAML gives it. A value that is not a scalar (Helm's `{{ .Values.x }}`
 * parses as a flow mapping), an alias, or a string holding a template (`"{{ .Values.x }}"`, `${X}`) is non-literal.
 * Empty values (`memory:` still being typed) are not recorded.
 *
 * One `spark-submit` block (format `spark-application`) per application, with `applicationFile` =
 * `spec.mainApplicationFile`, `sparkVersion` = `spec.sparkVersion` and `resourceName` = `metadata.name`. Its
 * insertion adds a `key: "value"` line at the end of `sparkConf:` with that mapping's indentation, or a new
 * `sparkConf:` mapping as the first field of the spec.
 *
 * @param text the file.
 * @returns blocks in document order, positions 0-based in UTF-16 code units; never throws.
 */
export function extractK8sSettings(text: string): FileSettings {
  const blocks: SettingsBlock[] = [];
  if (!/SparkApplication/.test(text)) return { languageId: 'yaml', blocks };
  const lines = new LineIndex(text);
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(maskTemplates(text), { keepSourceTokens: false });
  } catch {
    return { languageId: 'yaml', blocks };
  }
  if (!Array.isArray(documents)) return { languageId: 'yaml', blocks };
  for (const doc of documents) {
    try {
      const block = new ApplicationReader(text, lines).read(doc.contents, doc.range ?? [0, text.length, text.length]);
      if (block) blocks.push(block);
    } catch {
      // A document the reader does not understand does not spoil the others.
    }
  }
  return { languageId: 'yaml', blocks };
}

/** Go/Helm/Jinja template actions that control which lines a template renders rather than producing a value. */
const CONTROL_ACTION = /^\{\{-?\s*(?:if|else|end|range|with|define|block|template|include|\/\*)\b|^\{%|^\{#/;

/**
 * The text with template syntax made YAML-neutral, every offset kept: a line holding only template actions
 * (`{{- if .Values.x }}`, `{{- end }}`, `{% if ... %}`) and control actions inside a line become spaces; value
 * actions (`{{ .Values.memory }}`, `{{ params.cores }}`) become `x`s, a plain scalar whose text the reader then takes
 * from the original (where `isPlaceholderValue` sees the template). Lets a Helm chart, a KUDO operator template or an
 * Airflow `SparkKubernetesOperator` template be read before it is rendered.
 * @param text the file.
 * @returns a string of the same length, line breaks in place.
 */
export function maskTemplates(text: string): string {
  if (!/\{\{|\{%|\{#/.test(text)) return text;
  return text.replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g, (action, offset: number) => {
    const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
    const before = text.slice(lineStart, offset);
    const blank = (s: string) => s.replace(/[^\r\n]/g, ' ');
    if (CONTROL_ACTION.test(action)) return blank(action);
    // A value action: keep line breaks, fill the rest (an action right after `key: ` or inside quotes is a value).
    return /\S/.test(before) ? action.replace(/[^\r\n]/g, 'x') : blank(action);
  });
}

class ApplicationReader {
  private readonly settings: SparkSetting[] = [];

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
  ) {}

  read(root: YamlNode | null, range: [number, number, number]): SettingsBlock | undefined {
    if (!isMap(root)) return undefined;
    const kind = scalarText(get(root, 'kind'));
    if (kind !== 'SparkApplication' && kind !== 'ScheduledSparkApplication') return undefined;
    const apiVersion = scalarText(get(root, 'apiVersion')) ?? '';
    const apacheOperator = apiVersion.startsWith('spark.apache.org/');
    let spec = get(root, 'spec');
    if (kind === 'ScheduledSparkApplication' && isMap(spec)) spec = get(spec, 'template');
    const specPath = kind === 'ScheduledSparkApplication' ? 'spec.template' : 'spec';
    const block: SettingsBlock = {
      kind: 'spark-submit',
      format: 'spark-application',
      range: this.lines.range(range[0], range[1]),
      settings: this.settings,
    };
    const name = scalarText(get(get(root, 'metadata'), 'name'));
    if (name !== undefined) block.resourceName = name;
    if (!isMap(spec)) return block;
    const mainFile = scalarText(get(spec, 'mainApplicationFile'));
    if (mainFile !== undefined) block.applicationFile = mainFile;
    const version = get(spec, 'sparkVersion');
    if (isScalar(version) && version.value !== null) block.sparkVersion = this.valueText(version);
    for (const pair of spec.items) {
      const field = scalarText(pair.key as YamlNode);
      if (field === undefined) continue;
      const value = pair.value as YamlNode | null;
      if (field === 'sparkConf') {
        this.readMap(value, `${specPath}.sparkConf`, (k) => (k.startsWith('spark.') ? k : undefined), false);
        continue;
      }
      if (apacheOperator) continue;
      if (field === 'hadoopConf') this.readMap(value, `${specPath}.hadoopConf`, (k) => `spark.hadoop.${k}`, true);
      else if (field === 'driver' || field === 'executor') {
        this.readMap(
          value,
          `${specPath}.${field}`,
          (k) => {
            const pattern = ROLE_FIELDS.get(k) ?? (field === 'executor' ? EXECUTOR_FIELDS.get(k) : undefined);
            return pattern?.replace('{role}', field);
          },
          true,
        );
      } else if (field === 'dynamicAllocation') {
        this.readMap(
          value,
          `${specPath}.dynamicAllocation`,
          (k) => (DYNAMIC_ALLOCATION_FIELDS.has(k) ? `spark.dynamicAllocation.${k}` : undefined),
          true,
        );
      } else if (field === 'memoryOverheadFactor') {
        this.add('spark.kubernetes.memoryOverheadFactor', `${specPath}.memoryOverheadFactor`, value);
      }
    }
    this.settings.sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    );
    const insertion = this.insertion(spec);
    if (insertion) block.insertion = insertion;
    return block;
  }

  /** Records the pairs of a mapping whose key `keyOf` maps to a Spark key; `pathSourceKey` spells sourceKey as the field path. */
  private readMap(
    node: YamlNode | null,
    path: string,
    keyOf: (k: string) => string | undefined,
    pathSourceKey: boolean,
  ): void {
    if (!isMap(node)) return;
    for (const pair of node.items) {
      const k = scalarText(pair.key as YamlNode);
      if (k === undefined) continue;
      const key = keyOf(k);
      if (key)
        this.add(
          key,
          pathSourceKey ? `${path}.${k}` : k,
          pair.value as YamlNode | null,
          key === k ? (pair.key as YamlNode) : undefined,
        );
    }
  }

  /** @param keyNode the scalar that spells `key` itself (a `sparkConf` entry), for `keyRange`; absent for mapped fields. */
  private add(key: string, sourceKey: string, node: YamlNode | null, keyNode?: YamlNode): void {
    const count = this.settings.length;
    this.addValue(key, sourceKey, node);
    if (this.settings.length === count || !isScalar(keyNode) || !keyNode.range) return;
    const [start, end] = contentOffsets(keyNode, this.text);
    if (this.text.slice(start, end) === key) this.settings[count].keyRange = this.lines.range(start, end);
  }

  private addValue(key: string, sourceKey: string, node: YamlNode | null): void {
    if (!node || !node.range) return;
    if (isScalar(node)) {
      if (node.value === null && node.source === undefined) return;
      const [start, end] = contentOffsets(node, this.text);
      if (start >= end && node.value === null) return;
      const written = this.text.slice(start, end);
      // A scalar folded over lines or a block scalar (`|`, `>`) means what YAML makes of it, not its layout.
      const multiLine = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED' || /[\r\n]/.test(written);
      const value = multiLine ? (scalarText(node) ?? written) : written;
      const placeholder = isPlaceholderValue(value);
      this.settings.push({
        key,
        sourceKey,
        value: placeholder ? null : value,
        raw: written,
        literal: !placeholder,
        range: this.lines.range(start, end),
        origin: 'spark-operator',
      });
      return;
    }
    const [start, end] = [node.range[0], node.range[1]];
    this.settings.push({
      key,
      sourceKey,
      value: null,
      raw: this.text.slice(start, end),
      literal: false,
      range: this.lines.range(start, end),
      origin: 'spark-operator',
    });
  }

  private valueText(node: YamlNode): string {
    const [start, end] = contentOffsets(node, this.text);
    return this.text.slice(start, end);
  }

  /** Where a quick fix adds `key: "value"`: the end of `sparkConf:`, or a new `sparkConf:` first in the spec. */
  private insertion(spec: YAMLMap): SettingsBlock['insertion'] {
    const eol = this.lines.eol();
    const confPair = spec.items.find((p) => scalarText(p.key as YamlNode) === 'sparkConf');
    const conf = confPair?.value as YamlNode | null | undefined;
    if (isMap(conf) && conf.range) {
      const firstKey = conf.items[0]?.key as YamlNode | undefined;
      const quote =
        isScalar(firstKey) && firstKey.type === 'QUOTE_DOUBLE'
          ? '"'
          : isScalar(firstKey) && firstKey.type === 'QUOTE_SINGLE'
            ? "'"
            : '';
      const pair = `${quote}{key}${quote}: "{value}"`;
      if (conf.flow) {
        const close = this.text.lastIndexOf('}', conf.range[1]);
        if (close < conf.range[0]) return undefined;
        return { position: this.lines.position(close), template: conf.items.length > 0 ? `, ${pair}` : pair };
      }
      if (!firstKey?.range) return undefined;
      const indent = this.lines.indentationOf(firstKey.range[0]);
      return this.afterLineOf(lastEnd(conf.items[conf.items.length - 1]), `${indent}${pair}`, eol);
    }
    if (confPair || spec.flow || spec.items.length === 0) return undefined;
    const firstKey = spec.items[0].key as YamlNode;
    if (!firstKey?.range || !this.lines.isFirstOnLine(firstKey.range[0])) return undefined;
    const indent = this.lines.indentationOf(firstKey.range[0]);
    const step = indent.includes('\t') ? '\t' : '  ';
    return {
      position: this.lines.position(this.lines.lineStartOf(firstKey.range[0])),
      template: `${indent}sparkConf:${eol}${indent}${step}{key}: "{value}"${eol}`,
    };
  }

  /** Insertion of a whole `line` on the line after the one holding `offset`. */
  private afterLineOf(offset: number, line: string, eol: string): SettingsBlock['insertion'] {
    const m = /\r\n|\n|\r/.exec(this.text.slice(offset));
    if (!m) return { position: this.lines.position(this.text.length), template: `${eol}${line}` };
    return { position: this.lines.position(offset + m.index + m[0].length), template: `${line}${eol}` };
  }
}

/** The value of `key` in a mapping, if the node is a mapping. */
function get(node: YamlNode | null | undefined, key: string): YamlNode | null | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => scalarText(p.key as YamlNode) === key);
  return pair?.value as YamlNode | null | undefined;
}

/**
 * A scalar's value as a string (`1` → `"1"`, `true` → `"true"`), undefined for other nodes, null, or a value of a
 * custom tag that is no string, number or boolean (YAML 1.2's core schema, which parseAllDocuments uses, makes none).
 */
function scalarText(node: YamlNode | null | undefined): string | undefined {
  if (!isScalar(node)) return undefined;
  const value: unknown = node.value;
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? String(value)
    : undefined;
}

/** Source offsets of a scalar's text without its quotes (block scalars: from after the header line). */
function contentOffsets(node: YamlNode, text: string): [number, number] {
  const [start, end] = node.range ?? [0, 0];
  if (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) {
    const q = text[start];
    const closed = end - start >= 2 && text[end - 1] === q;
    return [start + 1, closed ? end - 1 : end];
  }
  let e = end;
  while (e > start && /\s/.test(text[e - 1])) e--;
  return [start, e];
}

/** End offset of a pair's value (or key, when the value is empty). */
function lastEnd(pair: Pair | undefined): number {
  const v = pair?.value as YamlNode | null | undefined;
  if (v?.range) return isSeq(v) || isMap(v) ? Math.max(v.range[0], v.range[1] - 1) : v.range[1];
  const k = pair?.key as YamlNode | undefined;
  return k?.range ? k.range[1] : 0;
}
