import Parser from 'tree-sitter';
import Bash from 'tree-sitter-bash';
import { readJsonSettings } from './databricks-emr-settings';
import type { FileSettings, Position, Range, SettingsBlock, SparkSetting } from './setting';
import { LineIndex, type TextMap } from './source-text';
import {
  readSubmitArguments,
  SPARK_SUBMIT_OPTIONS_WITH_VALUE,
  SPARK_SUBMIT_SWITCHES,
  type SubmitArgument,
} from './spark-submit-flags';

type Node = Parser.SyntaxNode;

let parser: Parser | undefined;

/** The one tree-sitter-bash parser of the process, created on first use (creating one is not free). */
function bashParser(): Parser {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Bash);
  }
  return parser;
}

/** Programs that take spark-submit options: `spark-submit`, `pyspark`, `spark-shell`, also as a path (`$SPARK_HOME/bin/spark-submit`). */
const SUBMIT_PROGRAM = /(?:^|\/)(spark-submit|pyspark|spark-shell)(?:\.sh|\.cmd)?$/;

/** Commands that run the command given in their arguments (`nohup spark-submit ...`). */
const WRAPPERS = new Set(['nohup', 'exec', 'time', 'nice', 'sudo', 'env', 'command', 'timeout', 'stdbuf', 'ionice']);

/** Command names worth a closer look: submit programs, paths or variables that may be one, wrappers, curl, aws. */
const CANDIDATE_COMMAND = new RegExp(
  `spark-submit|pyspark|spark-shell|\\$|(^|/)(curl|aws|${[...WRAPPERS].join('|')})$`,
);

/** Node types of shell expansions whose value is only known at run time. */
const EXPANSIONS = new Set([
  'simple_expansion',
  'expansion',
  'command_substitution',
  'arithmetic_expansion',
  'process_substitution',
]);

/** curl options whose value is the request body. */
const CURL_DATA_FLAGS = new Set(['-d', '--data', '--data-raw', '--data-binary', '--data-ascii', '--json']);

/** `aws emr` subcommands whose `--steps` take steps in the AWS CLI shorthand (`Type=Spark,Name=...,Args=[...]`). */
const EMR_STEP_COMMANDS = new Set(['add-steps', 'create-cluster']);

/**
 * Reads the Spark settings of a shell script with tree-sitter-bash.
 *
 * - Every `spark-submit` / `pyspark` / `spark-shell` command (also `$SPARK_HOME/bin/spark-submit`,
 *   `"${SPARK_HOME}"/bin/spark-submit`, a `$VAR` assigned such a path, and behind `nohup`/`exec`/`time`/...)
 *   becomes one `spark-submit` block: `--flag value`, `--flag=value`, `--conf k=v` / `-c k=v` / `--conf=k=v`,
 *   quoted or not, across backslash continuations, and options spliced in from a bash array
 *   (`"${ARGS[@]}"` with `ARGS=(...)` / `ARGS+=(...)` earlier in the script) or from a string variable expanded
 *   unquoted (`spark-submit $OPTS app.py` with `OPTS="--master yarn \ ..."`; word splitting keeps any quote characters
 *   the string holds). Reading stops at the application file (`applicationFile`, quotes removed, expansions as
 *   written); what follows it is the application's own arguments. Flag → key mapping and parsing rules:
 *   `spark-submit-flags.ts`.
 * - Options kept for later: a bash array, or a string whose words are spark-submit options (every word before the
 *   application file that starts with `-` is an option spark-submit knows), that no spark-submit of the script
 *   expands (it is expanded by another script that sources this one, e.g. `SPARK_CONF=("--conf" "k=v" ...)` or
 *   `export SPARK_OPTS="--master local[4] ..."`), becomes a `spark-submit` block of its own at the assignment.
 * - `aws emr add-steps` / `aws emr create-cluster` steps in the AWS CLI shorthand
 *   (`--steps Type=Spark,Name=x,Args=[--executor-memory,$MEM,...]`, or `Type=CUSTOM_JAR` with
 *   `Args=[spark-submit,...]`): a `spark-submit` block (format `emr-step`) per step.
 * - JSON written as a command argument (`aws emr-containers start-job-run --job-driver '{...}'
 *   --configuration-overrides '{...}'`, `aws emr-serverless start-job-run`, `aws emr create-cluster --configurations
 *   '[...]'`): read with the JSON reader (`sparkSubmitParameters`, `spark-defaults` classifications, Databricks
 *   `spark_conf`, EMR step `Args`), including shell variables spliced into single-quoted JSON (`'"$X"'`, `'$X'`).
 *   Other options of those commands (`--name` is the job-run name) are not Spark settings.
 * - A `curl` request to Spark's standalone REST submission server (`.../v1/submissions/create`, body a
 *   `CreateSubmissionRequest`) becomes a `spark-submit` block too: its `sparkProperties` entries.
 *
 * Values from expansions (`$EXEC_MEM`, `"${X}"`, `$(cmd)`) have `literal: false` and `raw` as written (with its
 * quotes). They are resolved where the script defines them: when the whole value is one `$X` / `${X}` and the script
 * binds X exactly once, before the use, to a constant (also through another such variable, `A=$B`), `value` holds
 * that constant and `resolvedFrom` points at it; `${X:-d}` (also `${X-d}`, `${X:=d}`, `${X=d}`, and `X=${X:-d}`
 * assigned once) resolves to its default `d` when the script does not assign X before, with
 * `resolvedFrom.safeToEdit` false since the environment may override it. Anything else (values computed by commands,
 * variables from other files) stays `value: null`. For `--conf k=v` the range covers only `v`; for a quoted value,
 * the text inside the quotes. Keys that do not start with `spark.` are skipped, as spark-submit does.
 *
 * @param text the script (any line endings).
 * @returns blocks in source order with positions in UTF-16 code units; never throws (broken input gives
 *   what could be read).
 */
export function extractShellSettings(text: string): FileSettings {
  const blocks: SettingsBlock[] = [];
  if (!/spark|SPARK|submissions\/create/i.test(text)) return { languageId: 'shellscript', blocks };
  try {
    const tree = bashParser().parse(text);
    new ShellSettingsReader(text, tree.rootNode, blocks).read();
  } catch {
    // A parser failure on half-typed input: keep the blocks read so far.
  }
  blocks.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
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
  /** For `$X` / `${X}` without operators, and for `${X:-d}` style defaults: X. */
  variable?: string;
  /** For `${X:-d}` (also `-`, `:=`, `=`): the default as written and its source offsets. */
  fallback?: { value: string; start: number; end: number };
}

/** What one binding of a variable gives it, when the reader can tell. */
type Binding =
  | { kind: 'constant'; value: string; start: number; end: number }
  /** `X=$Y` / `X="${Y:-d}"`: the value of another variable, or its default. */
  | { kind: 'reference'; variable: string; fallback?: { value: string; start: number; end: number } };

/** A shell variable's assignments, to resolve `$X` when it is assigned a constant exactly once. */
interface ShellVariable {
  /** How many times the script binds the name (assignments, `for`, `read`, `unset`, `local`, ...). */
  bindings: number;
  /** Set when one binding is `X=constant` or `X=$Y`: what it gives and where the assignment starts. */
  binding?: { value: Binding; at: number };
  /** Texts of the values assigned (for `$SPARK_SUBMIT` used as a command name). */
  valueTexts: string[];
  /** Array assignments `X=(...)` / `X+=(...)`, in source order. */
  arrays: { node: Node; assignment: Node; append: boolean; at: number }[];
  /** String assignments whose words are spark-submit options (`X="--master yarn ..."`), in source order. */
  optionStrings: { word: ShellWord; assignment: Node; at: number }[];
}

/** A value found where the script defines it. */
interface Resolution {
  value: string;
  resolvedFrom: NonNullable<SparkSetting['resolvedFrom']>;
}

class ShellSettingsReader {
  private readonly lines: LineIndex;
  private variables?: Map<string, ShellVariable>;
  private nodes?: Map<string, Node[]>;
  /** How many times each variable is expanded in the script (`$X`, `${X}`, `${X:-d}`, `"${X[@]}"`), by name. */
  private references?: Map<string, number>;
  /** Option holders (array or string assignments, by start offset) that a spark-submit of the script expands. */
  private readonly spliced = new Set<number>();

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
    try {
      this.readUnsplicedHolders();
    } catch {
      // Option holders are a bonus over the commands; keep what was read.
    }
  }

  private readCommand(command: Node): void {
    const nameNode = command.childForFieldName('name');
    if (!nameNode) return;
    const args = command.childrenForFieldName('argument');
    // Cheap test first: most commands of a script (echo, mkdir, ...) cannot start a submission.
    if (!CANDIDATE_COMMAND.test(nameNode.text)) {
      this.readJsonArguments(args);
      return;
    }
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
    else if (base === 'aws') this.readAws(command, args);
    else this.readJsonArguments(args);
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
      const spliced = this.splicedWords(n);
      if (spliced) for (const w of spliced) args.push({ word: w, own: false });
      else args.push({ word: this.word(n), own: true });
    }
    const words = args.map((a) => a.word);
    const reading = readSubmitArguments(words);
    const settings = reading.settings.map((s) => {
      const setting = this.setting(words[s.argIndex], s.valueStart, s.valueEnd, s.key, s.sourceKey, command.startIndex);
      if (s.keyStart !== undefined && s.keyEnd !== undefined)
        this.addKeyRange(setting, words[s.argIndex], s.keyStart, s.keyEnd);
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

  /**
   * The words an argument stands for when it expands options held in a variable: `"${NAME[@]}"` (an array assigned
   * earlier), or an unquoted `$NAME` / `${NAME}` (a string of spark-submit options assigned earlier, split at
   * whitespace as bash does). Undefined for any other argument.
   */
  private splicedWords(arg: Node): ShellWord[] | undefined {
    const array = /^"?\$\{([A-Za-z_][A-Za-z0-9_]*)\[[@*]\]\}"?$/.exec(arg.text);
    if (array) {
      const v = this.variableTable().get(array[1]);
      const before = (v?.arrays ?? []).filter((a) => a.at < arg.startIndex);
      if (before.length === 0) return undefined;
      let from = 0;
      for (let i = before.length - 1; i >= 0; i--) {
        if (!before[i].append) {
          from = i;
          break;
        }
      }
      const used = before.slice(from);
      for (const a of used) this.spliced.add(a.assignment.startIndex);
      return used.flatMap((a) => a.node.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.word(c)));
    }
    const plain =
      arg.type === 'simple_expansion' || arg.type === 'expansion'
        ? /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(arg.text)
        : null;
    if (!plain) return undefined;
    const v = this.variableTable().get(plain[1]);
    const before = (v?.optionStrings ?? []).filter((s) => s.at < arg.startIndex);
    if (!v || before.length === 0 || v.bindings !== before.length) return undefined;
    const last = before[before.length - 1];
    this.spliced.add(last.assignment.startIndex);
    return splitWord(last.word);
  }

  /**
   * Arrays and option strings that no spark-submit of the script expands: each is read as the spark-submit options
   * it holds, into a block of its own at the assignment (another script sources this one and expands them).
   */
  private readUnsplicedHolders(): void {
    for (const v of this.variableTable().values()) {
      for (const a of v.arrays) {
        if (this.spliced.has(a.assignment.startIndex)) continue;
        const words = a.node.namedChildren.filter((c) => c.type !== 'comment').map((c) => this.word(c));
        if (!looksLikeSubmitOptions(words)) continue;
        const block = this.holderBlock(a.assignment, words);
        if (block && !a.append) {
          const insertion = this.arrayInsertion(a.node, words);
          if (insertion) block.insertion = insertion;
        }
      }
      for (const s of v.optionStrings) {
        if (this.spliced.has(s.assignment.startIndex)) continue;
        this.holderBlock(s.assignment, splitWord(s.word));
      }
    }
  }

  /** The `spark-submit` block of options held by an assignment; undefined (and nothing added) when it sets nothing. */
  private holderBlock(assignment: Node, words: ShellWord[]): SettingsBlock | undefined {
    const reading = readSubmitArguments(words);
    if (reading.settings.length === 0) return undefined;
    const settings = reading.settings.map((s) => {
      const setting = this.setting(
        words[s.argIndex],
        s.valueStart,
        s.valueEnd,
        s.key,
        s.sourceKey,
        assignment.startIndex,
      );
      if (s.keyStart !== undefined && s.keyEnd !== undefined)
        this.addKeyRange(setting, words[s.argIndex], s.keyStart, s.keyEnd);
      return setting;
    });
    const block: SettingsBlock = {
      kind: 'spark-submit',
      range: this.lines.range(assignment.startIndex, assignment.endIndex),
      settings,
    };
    if (reading.applicationFileIndex !== undefined) block.applicationFile = words[reading.applicationFileIndex].text;
    this.blocks.push(block);
    return block;
  }

  /** A new `--conf` pair before the closing `)` of an array, quoted like its `--conf` elements, on its own line when the array has one pair per line. */
  private arrayInsertion(array: Node, words: ShellWord[]): SettingsBlock['insertion'] {
    const close = array.lastChild;
    if (!close || close.type !== ')' || words.length === 0) return undefined;
    const conf = words.find((w) => w.text === '--conf');
    const q = conf?.node.type === 'string' ? '"' : conf?.node.type === 'raw_string' ? "'" : '';
    const pair = `${q}--conf${q} ${q}{key}={value}${q}`;
    const last = words[words.length - 1].node;
    const first = words[0].node;
    if (this.lines.position(last.startIndex).line > this.lines.position(first.startIndex).line) {
      // One pair per line: a new line indented like the last element, before the `)` that ends it.
      return {
        position: this.lines.position(last.endIndex),
        template: `${this.lines.eol()}${this.lines.indentationOf(last.startIndex)}${pair}`,
      };
    }
    return { position: this.lines.position(last.endIndex), template: ` ${pair}` };
  }

  /**
   * Words of arguments with nothing between them joined into one (tree-sitter-bash splits a shorthand word such as
   * `Args=[--x,$A,--y]` at the `[` and at `$`: for the shell it is one word), and a `$NAME` left as plain text by
   * that split marked as the expansion it is.
   */
  private joinedWords(argNodes: Node[]): { words: ShellWord[]; nodes: Node[] } {
    const words: ShellWord[] = [];
    const nodes: Node[] = [];
    let end = -1;
    for (const n of argNodes) {
      const w = this.word(n);
      const prev = words[words.length - 1];
      if (prev && n.startIndex === end) {
        const shift = prev.text.length;
        prev.text += w.text;
        prev.literal.push(...w.literal);
        prev.srcStart.push(...w.srcStart);
        prev.srcEnd.push(...w.srcEnd);
        for (const g of w.segments)
          prev.segments.push({ ...g, textStart: g.textStart + shift, textEnd: g.textEnd + shift });
      } else {
        words.push(w);
        nodes.push(n);
      }
      end = n.endIndex;
    }
    for (const w of words) {
      for (let i = 0; i < w.text.length; i++) {
        if (w.text[i] !== '$' || w.srcEnd[i] - w.srcStart[i] !== 1) continue;
        if (w.segments.some((g) => g.textStart <= i && i < g.textEnd)) continue;
        const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}|^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(w.text.slice(i));
        if (!m) continue;
        const e = i + m[0].length;
        for (let k = i; k < e; k++) w.literal[k] = false;
        w.segments.push({
          kind: 'expansion',
          textStart: i,
          textEnd: e,
          srcStart: w.srcStart[i],
          srcEnd: w.srcEnd[e - 1],
          contentStart: w.srcStart[i],
          variable: m[1] ?? m[2],
        });
        i = e - 1;
      }
    }
    return { words, nodes };
  }

  /** `aws emr add-steps --steps <shorthand>...` steps, and JSON arguments of any `aws` command. */
  private readAws(command: Node, argNodes: Node[]): void {
    const joined = this.joinedWords(argNodes);
    const words = joined.words;
    argNodes = joined.nodes;
    if (words[0]?.text === 'emr' && EMR_STEP_COMMANDS.has(words[1]?.text ?? '')) {
      const steps = words.findIndex((w) => w.text === '--steps');
      for (let i = steps + 1; steps >= 0 && i < words.length && !words[i].text.startsWith('--'); i++)
        this.readShorthandStep(command, words[i]);
    }
    this.readJsonArguments(argNodes, words);
  }

  /**
   * One step in the AWS CLI shorthand (`Type=Spark,Name=x,ActionOnFailure=CONTINUE,Args=[--deploy-mode,cluster,...]`):
   * its `Args` list, split at commas, read with the spark-submit rules. `Type=Spark` steps hold the options without
   * the program (EMR runs spark-submit); other types count when their first argument is spark-submit.
   */
  private readShorthandStep(command: Node, word: ShellWord): void {
    const open = word.text.indexOf('Args=[');
    if (open < 0) return;
    const close = word.text.indexOf(']', open);
    const end = close < 0 ? word.text.length : close;
    const type = /(?:^|,)Type=([^,\]]*)/i.exec(word.text.slice(0, open) + word.text.slice(end))?.[1] ?? '';
    const elements: ShellWord[] = [];
    let from = open + 'Args=['.length;
    for (let i = from; i <= end; i++) {
      if (i === end || word.text[i] === ',') {
        elements.push(subWord(word, from, i));
        from = i + 1;
      }
    }
    let args = elements;
    if (type.toLowerCase() !== 'spark') {
      if (elements.length === 0 || !SUBMIT_PROGRAM.test(elements[0].text)) return;
      args = elements.slice(1);
    }
    const reading = readSubmitArguments(args);
    const settings = reading.settings.map((s) => {
      const setting = this.setting(args[s.argIndex], s.valueStart, s.valueEnd, s.key, s.sourceKey, command.startIndex);
      if (s.keyStart !== undefined && s.keyEnd !== undefined)
        this.addKeyRange(setting, args[s.argIndex], s.keyStart, s.keyEnd);
      return setting;
    });
    const block: SettingsBlock = {
      kind: 'spark-submit',
      format: 'emr-step',
      range: this.lines.range(
        word.srcStart[0] ?? word.node.startIndex,
        word.srcEnd[word.text.length - 1] ?? word.node.endIndex,
      ),
      settings,
    };
    if (reading.applicationFileIndex !== undefined) {
      const app = args[reading.applicationFileIndex];
      block.applicationFile = app.text;
      // `,--conf,k=v` before the application file, when the Args list is written without quoting tricks there.
      if (allLiteral(app, 0, app.text.length) && app.text.length > 0) {
        block.insertion = { position: this.lines.position(app.srcStart[0]), template: '--conf,{key}={value},' };
      }
    }
    this.blocks.push(block);
  }

  /** Arguments that hold JSON (`'{...}'`, `'[...]'`) with something Spark in them, read with the JSON reader. */
  private readJsonArguments(argNodes: Node[], words?: ShellWord[]): void {
    argNodes.forEach((n, i) => {
      const raw = n.text;
      if (!/[[{]/.test(raw) || !/spark/i.test(raw)) return;
      const w = words?.[i] ?? this.word(n);
      const trimmed = w.text.trimStart();
      if (trimmed[0] !== '{' && trimmed[0] !== '[') return;
      const at = n.startIndex;
      const source = {
        text: w.text,
        map: this.wordMap(w),
        literal: (s: number, e: number) => allLiteral(w, s, e),
        resolve: (s: number, e: number) => this.resolveSpan(w, s, e, at),
      };
      for (const block of readJsonSettings(source, w.text.length - trimmed.length, w.text.length))
        this.blocks.push(block);
    });
  }

  /** Maps offsets of a word's text (after quote removal) back to the document. */
  private wordMap(w: ShellWord): TextMap {
    const source = (o: number, end: boolean): number => {
      if (w.text.length === 0) return w.contentStart;
      if (end) return o <= 0 ? w.srcStart[0] : w.srcEnd[Math.min(o, w.text.length) - 1];
      return o >= w.text.length ? w.srcEnd[w.text.length - 1] : w.srcStart[Math.max(0, o)];
    };
    return {
      range: (s: number, e: number): Range =>
        e > s
          ? this.lines.range(source(s, false), source(e, true))
          : this.lines.range(source(s, false), source(s, false)),
      position: (o: number): Position => this.lines.position(source(o, false)),
    };
  }

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
      if (action && body.text.slice(action.start + 1, action.end - 1) === 'CreateSubmissionRequest')
        toSubmission = true;
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
      const block: SettingsBlock = {
        kind: 'spark-submit',
        range: this.lines.range(command.startIndex, command.endIndex),
        settings,
      };
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
      const r = this.resolveSpan(word, s, e, at);
      if (r) {
        setting.value = r.value;
        if (r.resolvedFrom) setting.resolvedFrom = r.resolvedFrom;
      }
    }
    return setting;
  }

  /**
   * The value of `word.text[s, e)` where the script defines it: one expansion that resolves (with where to edit it),
   * or literal text and expansions that all resolve (the joined value; no single place to edit). Undefined when any
   * part is only known at run time.
   * @param at offset of the command or assignment that uses the value (bindings after it do not count).
   */
  private resolveSpan(
    word: ShellWord,
    s: number,
    e: number,
    at: number,
  ): { value: string; resolvedFrom?: Resolution['resolvedFrom'] } | undefined {
    const inside = word.segments.filter((g) => g.kind === 'expansion' && g.textStart < e && g.textEnd > s);
    if (inside.length === 0 || inside.some((g) => g.textStart < s || g.textEnd > e)) return undefined;
    if (inside.length === 1 && inside[0].textStart === s && inside[0].textEnd === e)
      return this.resolveSegment(inside[0], at);
    let value = '';
    let i = s;
    for (const g of inside) {
      if (!allLiteral(word, i, g.textStart)) return undefined;
      const r = this.resolveSegment(g, at);
      if (!r) return undefined;
      value += word.text.slice(i, g.textStart) + r.value;
      i = g.textEnd;
    }
    if (!allLiteral(word, i, e)) return undefined;
    return { value: value + word.text.slice(i, e) };
  }

  /** The value of one `$X` / `${X}` / `${X:-d}` expansion used at offset `at`, where the script defines it. */
  private resolveSegment(seg: WordSegment, at: number): Resolution | undefined {
    const name = seg.variable;
    if (!name) return undefined;
    const resolved = this.resolveVariable(name, at, 0);
    if (resolved) return resolved;
    const v = this.variableTable().get(name);
    const unbound = !v || v.bindings === 0 || (v.bindings === 1 && v.binding !== undefined && v.binding.at >= at);
    if (seg.fallback && unbound) {
      return {
        value: seg.fallback.value,
        resolvedFrom: { name, range: this.lines.range(seg.fallback.start, seg.fallback.end), safeToEdit: false },
      };
    }
    return undefined;
  }

  /**
   * The value of variable `name` at offset `at` when the script binds it exactly once before, to a constant, to another
   * such variable (`A=$B`), or to its own default (`X=${X:-d}`: the default, which the environment may override).
   * `safeToEdit` is false when the environment may override the value or the variable is expanded more than once.
   */
  private resolveVariable(name: string, at: number, depth: number): Resolution | undefined {
    const v = this.variableTable().get(name);
    if (!v || v.bindings !== 1 || !v.binding || v.binding.at >= at || depth > 8) return undefined;
    const b = v.binding.value;
    const once = (this.referenceCounts().get(name) ?? 0) <= 1;
    if (b.kind === 'constant')
      return { value: b.value, resolvedFrom: { name, range: this.lines.range(b.start, b.end), safeToEdit: once } };
    const fallback = (): Resolution | undefined =>
      b.fallback
        ? {
            value: b.fallback.value,
            resolvedFrom: { name, range: this.lines.range(b.fallback.start, b.fallback.end), safeToEdit: false },
          }
        : undefined;
    if (b.variable === name) return fallback();
    const inner = this.resolveVariable(b.variable, v.binding.at, depth + 1);
    if (inner)
      return {
        value: inner.value,
        resolvedFrom: { ...inner.resolvedFrom, safeToEdit: inner.resolvedFrom.safeToEdit && once },
      };
    const other = this.variableTable().get(b.variable);
    return !other || other.bindings === 0 ? fallback() : undefined;
  }

  /**
   * How many times each variable is expanded in the script, counted once per file on first need. Counted on the text
   * (`$X`, `${X...}` anywhere, also in comments and single quotes): an over-count only makes an edit look less safe,
   * and tree-sitter-bash does not always parse `$X` as an expansion (inside `Args=[...]`).
   */
  private referenceCounts(): Map<string, number> {
    if (this.references) return this.references;
    const counts = new Map<string, number>();
    for (const m of this.text.matchAll(/\$\{?[#!]?([A-Za-z_][A-Za-z0-9_]*)/g))
      counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    this.references = counts;
    return counts;
  }

  /** Every variable binding of the script, computed once per file on first need. */
  private variableTable(): Map<string, ShellVariable> {
    if (this.variables) return this.variables;
    const vars = new Map<string, ShellVariable>();
    const get = (name: string): ShellVariable => {
      let v = vars.get(name);
      if (!v) vars.set(name, (v = { bindings: 0, valueTexts: [], arrays: [], optionStrings: [] }));
      return v;
    };
    // `X=1 cmd` sets X for that command only.
    const prefixes = new Set<number>();
    for (const c of this.nodesOfType('command')) {
      for (const child of c.namedChildren) if (child.type === 'variable_assignment') prefixes.add(child.startIndex);
    }
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
        v.arrays.push({ node: value, assignment: a, append, at: a.startIndex });
        continue;
      }
      const w = value ? this.word(value) : undefined;
      if (w) v.valueTexts.push(w.text);
      if (append || prefixes.has(a.startIndex)) continue;
      if (w && /\s/.test(w.text) && looksLikeSubmitOptions(splitWord(w)))
        v.optionStrings.push({ word: w, assignment: a, at: a.startIndex });
      if (!w || w.text.length === 0) {
        const end = value ? (w?.contentStart ?? value.endIndex) : a.endIndex;
        v.binding = { value: { kind: 'constant', value: '', start: end, end }, at: a.startIndex };
      } else if (allLiteral(w, 0, w.text.length)) {
        v.binding = {
          value: { kind: 'constant', value: w.text, start: w.srcStart[0], end: w.srcEnd[w.text.length - 1] },
          at: a.startIndex,
        };
      } else {
        const only = w.segments.length >= 1 ? w.segments.find((g) => g.kind === 'expansion') : undefined;
        if (only?.variable && only.textStart === 0 && only.textEnd === w.text.length) {
          v.binding = {
            value: { kind: 'reference', variable: only.variable, fallback: only.fallback },
            at: a.startIndex,
          };
        }
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
      const binders = [
        'read',
        'getopts',
        'mapfile',
        'readarray',
        'let',
        'printf',
        'export',
        'declare',
        'local',
        'readonly',
        'typeset',
      ];
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
    const w: ShellWord = {
      node,
      text: '',
      literal: [],
      srcStart: [],
      srcEnd: [],
      segments: [],
      contentStart: node.startIndex,
    };
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
      // `${X:-d}`, `${X-d}`, `${X:=d}`, `${X=d}` with a default written without quotes, expansions or escapes.
      const d = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-=])([^$`"'\\{}]*)\}$/.exec(n.text);
      if (d) {
        seg.variable = d[1];
        const start = n.startIndex + 2 + d[1].length + d[2].length;
        seg.fallback = { value: d[3], start, end: start + d[3].length };
      }
      w.segments.push(seg);
    };
    const quoted = (n: Node, open: number, fill: (from: number, to: number) => void) => {
      const textStart = w.text.length;
      const contentStart = Math.min(n.startIndex + open, n.endIndex);
      const closed = n.endIndex - contentStart >= 1 && t[n.endIndex - 1] === t[n.startIndex + open - 1];
      fill(contentStart, closed ? n.endIndex - 1 : n.endIndex);
      w.segments.push({
        kind: 'quoted',
        textStart,
        textEnd: w.text.length,
        srcStart: n.startIndex,
        srcEnd: n.endIndex,
        contentStart,
      });
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
          v.members!.push({
            key: text.slice(k.start + 1, k.end - 1),
            keyStart: k.start + 1,
            keyEnd: k.end - 1,
            value: val,
          });
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

/** `w.text[a, b)` as a word of its own (source offsets kept; quoted segments and expansions only when wholly inside). */
function subWord(w: ShellWord, a: number, b: number): ShellWord {
  const segments: WordSegment[] = [];
  for (const g of w.segments) {
    if (g.textStart < a || g.textEnd > b) continue;
    segments.push({ ...g, textStart: g.textStart - a, textEnd: g.textEnd - a });
  }
  return {
    node: w.node,
    text: w.text.slice(a, b),
    literal: w.literal.slice(a, b),
    srcStart: w.srcStart.slice(a, b),
    srcEnd: w.srcEnd.slice(a, b),
    segments,
    contentStart: a < w.srcStart.length ? w.srcStart[a] : w.contentStart,
  };
}

/** A word split at whitespace, as bash splits an unquoted `$X` (quote characters inside stay part of the words). */
function splitWord(w: ShellWord): ShellWord[] {
  const words: ShellWord[] = [];
  let from = -1;
  for (let i = 0; i <= w.text.length; i++) {
    const space = i === w.text.length || /\s/.test(w.text[i]);
    if (space && from >= 0) {
      words.push(subWord(w, from, i));
      from = -1;
    } else if (!space && from < 0) from = i;
  }
  return words;
}

/**
 * True when `words` read as spark-submit options: every word before the application file that starts with `-` is an
 * option spark-submit knows (`SparkSubmitOptionParser`), the first word is one, and at least one sets a Spark key.
 * Keeps other programs' flags (`--name job --release-label x` of `aws emr-containers`) from passing for Spark's.
 */
function looksLikeSubmitOptions(words: readonly SubmitArgument[]): boolean {
  if (words.length === 0 || !words[0].text.startsWith('-')) return false;
  const reading = readSubmitArguments(words);
  if (reading.settings.length === 0) return false;
  const end = reading.applicationFileIndex ?? words.length;
  for (let i = 0; i < end; i++) {
    const t = words[i].text;
    const eq = t.indexOf('=');
    const flag = t.startsWith('--') && eq > 0 ? t.slice(0, eq) : t;
    if (!allLiteral(words[i], 0, flag.length)) return false;
    if (SPARK_SUBMIT_OPTIONS_WITH_VALUE.has(flag)) {
      if (flag === t) i++;
      continue;
    }
    if (!SPARK_SUBMIT_SWITCHES.has(flag)) return false;
  }
  return true;
}
