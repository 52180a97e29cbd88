/**
 * What a Python expression of a PySpark or Airflow file evaluates to, when the file itself says: literals, names bound
 * once (at module level, or once in the enclosing function), dict lookups (`PROFILES[name]["memory"]`), `str(x)`,
 * `dict(x)`, and `os.environ.get(k, default)` / `os.getenv(k, default)` (the default, which the environment may
 * override). Binding sites are found from the syntax of the statements that bind (assignments, loops, parameters,
 * imports, `global`, `del`, ...), never by climbing parents, so the cost is linear in the file.
 */
import { type Node, dictPairs, isPlainLiteral, stringParts, unwrapParens } from './python-syntax';

/** A value as the readers record it: offsets are UTF-16 offsets into the file. */
export interface PyValue {
  /** The value as written (string content without quotes, other literals' source text), or the resolved constant. */
  value: string | null;
  /** The expression's source text. */
  raw: string;
  literal: boolean;
  /** Offsets of the text a quick fix replaces at the site. */
  start: number;
  end: number;
  /** Where a resolved value is written, when it is written in one place (see `SparkSetting.resolvedFrom`). */
  resolvedFrom?: { name: string; start: number; end: number; safeToEdit: boolean };
}

/** Node types whose statements bind names. */
const BINDERS = [
  'assignment',
  'augmented_assignment',
  'for_statement',
  'for_in_clause',
  'named_expression',
  'function_definition',
  'class_definition',
  'parameters',
  'lambda_parameters',
  'import_statement',
  'import_from_statement',
  'global_statement',
  'nonlocal_statement',
  'delete_statement',
  'as_pattern',
];

/** Longest chain of names/lookups followed before giving up (also stops cycles such as `a = b; b = a`). */
const MAX_DEPTH = 8;

interface Bindings {
  /** Name → how many times it is bound. */
  count: Map<string, number>;
  /** Name → the right side of its `name = ...` assignment (the last one seen). */
  right: Map<string, Node>;
}

/** Resolves values of one parsed file; create one per parse. */
export class PythonValues {
  private module?: Bindings;
  private topLevel?: Set<string>;
  private readonly locals = new Map<number, Bindings>();
  private identifierCounts?: Map<string, number>;

  constructor(private readonly root: Node) {}

  /**
   * The value of `node` as a reader records it.
   * @param scope the function the expression is in (its locals shadow module names), or undefined at module level.
   */
  valueOf(node: Node, scope?: Node): PyValue {
    const raw = node.text;
    const inner = unwrapParens(node);
    const lit = literalOf(inner);
    if (lit) return { value: lit.value, raw, literal: true, start: lit.start, end: lit.end };
    const out: PyValue = { value: null, raw, literal: false, start: node.startIndex, end: node.endIndex };
    const r = this.resolve(inner, scope);
    if (r) {
      out.value = r.value;
      if (r.from) out.resolvedFrom = r.from;
    }
    return out;
  }

  /**
   * The dict literal(s) an expression stands for (`CONF`, `dict(CONF)`, `PROFILES[name]`), when the file says.
   * @returns the `dictionary` nodes, or undefined.
   */
  dictionariesOf(node: Node, scope?: Node): Node[] | undefined {
    const c = this.candidates(unwrapParens(node), scope, 0, { env: false, names: [] });
    return c && c.every((n) => n.type === 'dictionary') ? c : undefined;
  }

  private resolve(node: Node, scope: Node | undefined): { value: string; from?: PyValue['resolvedFrom'] } | undefined {
    const ctx = { env: false, names: [] as string[] };
    const candidates = this.candidates(node, scope, 0, ctx);
    if (!candidates || candidates.length === 0) return undefined;
    const literals = candidates.map(literalOf);
    if (literals.some((l) => !l)) return undefined;
    const value = literals[0]!.value;
    if (literals.some((l) => l!.value !== value)) return undefined;
    if (literals.length > 1) return { value };
    const l = literals[0]!;
    const safe = !ctx.env && ctx.names.length > 0 && ctx.names.every((n) => this.reads(n) <= 1);
    const name = ctx.names[0] ?? (ctx.env ? 'environment' : node.text);
    return { value, from: { name, start: l.start, end: l.end, safeToEdit: safe } };
  }

  /** The literal or dict nodes `node` may evaluate to, or undefined when the file does not say. */
  private candidates(
    node: Node,
    scope: Node | undefined,
    depth: number,
    ctx: { env: boolean; names: string[] },
  ): Node[] | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const n = unwrapParens(node);
    if (literalOf(n) || n.type === 'dictionary') return [n];
    if (n.type === 'identifier') {
      const b = this.lookup(n.text, scope);
      if (!b) return undefined;
      ctx.names.push(n.text);
      return this.candidates(b.right, b.scope, depth + 1, ctx);
    }
    if (n.type === 'subscript') {
      const base = n.childForFieldName('value');
      const index = n.childForFieldName('subscript');
      if (!base || !index) return undefined;
      const dicts = this.candidates(base, scope, depth + 1, ctx);
      if (!dicts || dicts.some((d) => d.type !== 'dictionary')) return undefined;
      const key = literalOf(unwrapParens(index));
      const out: Node[] = [];
      for (const d of dicts) {
        for (const [k, v] of dictPairs(d)) {
          if (key) {
            if (literalOf(unwrapParens(k))?.value !== key.value) continue;
          }
          const c = this.candidates(v, scope, depth + 1, ctx);
          if (!c) return undefined;
          out.push(...c);
        }
      }
      return out.length > 0 ? out : undefined;
    }
    if (n.type === 'call') {
      const fn = n.childForFieldName('function');
      const argList = n.childForFieldName('arguments');
      if (!fn || !argList || argList.type !== 'argument_list') return undefined;
      const args = argList.namedChildren.filter((c) => c.type !== 'comment');
      const name = fn.text.replace(/\s+/g, '');
      if ((name === 'str' || name === 'dict') && args.length === 1 && args[0].type !== 'keyword_argument') {
        return this.candidates(args[0], scope, depth + 1, ctx);
      }
      if (/^(os\.)?(environ\.get|getenv)$/.test(name) && args.length === 2 && args[1].type !== 'keyword_argument') {
        ctx.env = true;
        return this.candidates(args[1], scope, depth + 1, ctx);
      }
    }
    return undefined;
  }

  /** The single assignment that binds `name` in `scope` (or at module level), with the scope its right side is in. */
  private lookup(name: string, scope: Node | undefined): { right: Node; scope: Node | undefined } | undefined {
    if (scope) {
      const local = this.localBindings(scope);
      const count = local.count.get(name) ?? 0;
      if (count > 0) {
        const right = local.right.get(name);
        return count === 1 && right ? { right, scope } : undefined;
      }
    }
    const module = this.moduleBindings();
    const right = module.right.get(name);
    return module.count.get(name) === 1 && right && this.topLevelNames().has(name)
      ? { right, scope: undefined }
      : undefined;
  }

  /** How many times `name` is read in the file (identifier occurrences that do not bind it). */
  private reads(name: string): number {
    if (!this.identifierCounts) {
      this.identifierCounts = new Map();
      for (const id of this.root.descendantsOfType('identifier'))
        this.identifierCounts.set(id.text, (this.identifierCounts.get(id.text) ?? 0) + 1);
    }
    return (this.identifierCounts.get(name) ?? 0) - (this.moduleBindings().count.get(name) ?? 0);
  }

  /** Names assigned by a top-level `name = ...` statement. */
  private topLevelNames(): Set<string> {
    if (!this.topLevel) {
      this.topLevel = new Set();
      for (const stmt of this.root.namedChildren) {
        const a = stmt.type === 'expression_statement' ? stmt.firstNamedChild : null;
        const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
        if (left?.type === 'identifier') this.topLevel.add(left.text);
      }
    }
    return this.topLevel;
  }

  /** Bindings over the whole file: a module name counts as a constant only when the whole file binds it once. */
  private moduleBindings(): Bindings {
    this.module ??= collectBindings(this.root);
    return this.module;
  }

  private localBindings(scope: Node): Bindings {
    let b = this.locals.get(scope.startIndex);
    if (!b) {
      b = collectBindings(scope);
      // A function's parameters bind names too, without a known value.
      this.locals.set(scope.startIndex, b);
    }
    return b;
  }
}

/** Every binding site under `node` (its own parameters and nested functions included). */
function collectBindings(node: Node): Bindings {
  const count = new Map<string, number>();
  const right = new Map<string, Node>();
  const bind = (id: Node | null | undefined) => {
    if (id?.type === 'identifier') count.set(id.text, (count.get(id.text) ?? 0) + 1);
  };
  const bindTarget = (target: Node | null) => {
    if (!target) return;
    if (target.type === 'identifier') return bind(target);
    if (target.type === 'attribute' || target.type === 'subscript') return;
    for (const c of target.namedChildren) bindTarget(c);
  };
  for (const n of node.descendantsOfType(BINDERS)) {
    switch (n.type) {
      case 'assignment': {
        const left = n.childForFieldName('left');
        bindTarget(left);
        const r = n.childForFieldName('right');
        if (left?.type === 'identifier' && r) right.set(left.text, r);
        break;
      }
      case 'augmented_assignment':
      case 'for_statement':
      case 'for_in_clause':
        bindTarget(n.childForFieldName('left'));
        break;
      case 'named_expression':
      case 'function_definition':
      case 'class_definition':
        bind(n.childForFieldName('name'));
        break;
      case 'as_pattern':
        bindTarget(n.childForFieldName('alias'));
        break;
      case 'parameters':
      case 'lambda_parameters':
        for (const p of n.namedChildren) {
          if (p.type === 'identifier') bind(p);
          else if (p.type === 'default_parameter' || p.type === 'typed_default_parameter')
            bind(p.childForFieldName('name'));
          else bindTarget(p.firstNamedChild);
        }
        break;
      case 'import_statement':
      case 'import_from_statement':
        for (const c of n.namedChildren) {
          if (c.type === 'aliased_import') bind(c.childForFieldName('alias'));
          else if (
            c.type === 'dotted_name' &&
            !(n.type === 'import_from_statement' && c.startIndex === n.childForFieldName('module_name')?.startIndex)
          ) {
            bind(n.type === 'import_statement' ? c.firstNamedChild : c.lastNamedChild);
          }
        }
        break;
      default:
        // global / nonlocal / del: the name can change anywhere.
        for (const c of n.namedChildren) bindTarget(c);
    }
  }
  return { count, right };
}

/** A string literal without f-string fields (its content and offsets), or another plain literal (not `None`). */
export function literalOf(node: Node): { value: string; start: number; end: number } | undefined {
  const str = stringParts(node);
  if (str && str.interpolations.length === 0)
    return {
      value: node.text.slice(str.start - node.startIndex, str.end - node.startIndex),
      start: str.start,
      end: str.end,
    };
  if (isPlainLiteral(node) && node.type !== 'none')
    return { value: node.text, start: node.startIndex, end: node.endIndex };
  return undefined;
}
