import { CodeAction, CodeActionKind, TextEdit } from 'vscode-languageserver';
import type { Range, SparkSetting } from '../config/setting';
import { IGNORE_MARKER, type DocumentAnalysis, type SiteAnalysis } from '../language-service';
import type { PlannedSetting } from '../recommend/engine';
import { commandOf } from '../../../shared/src/commands';

/** The command that tells the server a fix was applied (feedback loop); VS Code runs it after applying the edit. */
function rememberCommand(
  doc: DocumentAnalysis,
  sa: SiteAnalysis,
  recs: PlannedSetting[],
): ReturnType<typeof commandOf<'recordAppliedFix'>> {
  const fixes = recs.map((r) => ({
    uri: doc.uri,
    key: r.key,
    oldValue: r.currentValue,
    newValue: r.recommendedValue,
    appName: sa.workload?.appName ?? null,
  }));
  return commandOf('Remember the applied change', 'recordAppliedFix', fixes);
}

/**
 * Quick fixes: one per recommendation that touches `range` (rewrite the value in place, or insert the
 * missing setting into its session/spark-submit call) with a "Dismiss recommendation…" next to it (the client asks why
 * and records a `rejected` feedback: the recommendation is then not shown while the plan recommends the same value), one
 * per check finding with a safe fix, plus one
 * "apply all" per application when it has more than one recommendation. Non-literal values are never rewritten at the
 * site; one the file defines in one safe place (`resolvedFrom.safeToEdit`) is rewritten there.
 * @param doc the document's analysis.
 * @param range the range the editor asks about (cursor or selection).
 */
export function onCodeActions(doc: DocumentAnalysis, range: Range): CodeAction[] {
  const out: CodeAction[] = [];
  for (const sa of doc.sites) {
    const edits: { rec: PlannedSetting; edit: TextEdit }[] = [];
    for (const rec of sa.recommendations) {
      const edit = editFor(sa, rec);
      if (edit) edits.push({ rec, edit });
    }
    for (const { rec, edit } of edits) {
      const at = sa.site.effective.get(rec.key)?.range ?? sa.site.range;
      if (!overlaps(at, range)) continue;
      out.push({
        title: titleFor(sa, rec),
        kind: CodeActionKind.QuickFix,
        isPreferred: true,
        edit: { changes: { [doc.uri]: [edit] } },
        command: rememberCommand(doc, sa, [rec]),
      });
    }
    for (const rec of sa.recommendations) {
      const at = sa.site.effective.get(rec.key)?.range ?? sa.site.range;
      if (sa.plan === null || !overlaps(at, range)) continue;
      out.push({
        title: `Dismiss recommendation for ${rec.key}=${rec.recommendedValue}…`,
        kind: CodeActionKind.QuickFix,
        command: commandOf(`Dismiss recommendation for ${rec.key}`, 'dismissRecommendation', {
          verdict: 'rejected',
          uri: doc.uri,
          appName: sa.plan.appName,
          key: rec.key,
          recommendedValue: rec.recommendedValue,
          previousValue: rec.currentValue,
        }),
      });
    }
    for (const rec of sa.recommendations) {
      const s = sa.site.effective.get(rec.key);
      if (!s || !overlaps(s.range, range)) continue;
      const mark = intendedMark(doc, s.range.start.line);
      if (mark)
        out.push({
          title: `Keep ${rec.key}=${rec.currentValue} (mark as intended)`,
          kind: CodeActionKind.QuickFix,
          edit: { changes: { [doc.uri]: [mark] } },
        });
    }
    for (const c of sa.checks) {
      if (!c.fix || !(overlaps(c.range, range) || overlaps(c.fix.range, range))) continue;
      out.push({
        title: c.fix.title,
        kind: CodeActionKind.QuickFix,
        isPreferred: true,
        edit: { changes: { [doc.uri]: [TextEdit.replace(c.fix.range, c.fix.newText)] } },
      });
    }
    if (edits.length > 1 && overlaps(sa.site.range, range)) {
      out.push({
        title: `Apply all ${edits.length} Spark recommendations${sa.workload ? ` for ${sa.workload.appName}` : ''}`,
        kind: CodeActionKind.QuickFix,
        edit: { changes: { [doc.uri]: planTextEdits(sa) } },
        command: rememberCommand(
          doc,
          sa,
          edits.map((e) => e.rec),
        ),
      });
    }
  }
  return out;
}

/** `Set k to v`, `Set k to v (where MEM is assigned, line 3)` for a value written elsewhere, or `Add k=v`. */
function titleFor(sa: SiteAnalysis, rec: PlannedSetting): string {
  const s = sa.site.effective.get(rec.key);
  if (!s) return `Add ${rec.key}=${rec.recommendedValue}`;
  const from =
    !s.literal && s.resolvedFrom
      ? ` (where ${s.resolvedFrom.name} is assigned, line ${s.resolvedFrom.range.start.line + 1})`
      : '';
  return `Set ${rec.key} to ${rec.recommendedValue}${from}`;
}

/**
 * The edits that write the whole plan of an application (every change the engine proposes, less lines marked as
 * intended) into its file, insertions at one place merged in order: what "Apply all" writes, and what the evaluation
 * applies to score the plan exactly as the editor writes it. Changes on non-literal values are left out.
 */
export function planTextEdits(sa: SiteAnalysis): TextEdit[] {
  return mergeInsertions(sa.recommendations.map((r) => editFor(sa, r)).filter((e): e is TextEdit => e !== null));
}

/**
 * The edit that applies one recommendation: replace the literal value's text; for a value the file defines elsewhere
 * (`--executor-memory $MEM` with `MEM=2g` assigned once), replace it where it is written when that is safe
 * (`resolvedFrom.safeToEdit`: nothing else uses it and the environment cannot override it); or insert the block's
 * insertion template. Null when the value is not safely editable (an expression, an environment default, a variable
 * used elsewhere) or the block has no safe insertion point.
 */
export function editFor(sa: SiteAnalysis, rec: Pick<PlannedSetting, 'key' | 'recommendedValue'>): TextEdit | null {
  const setting: SparkSetting | undefined = sa.site.effective.get(rec.key);
  if (setting) {
    if (setting.literal) return TextEdit.replace(setting.range, rec.recommendedValue);
    return setting.resolvedFrom?.safeToEdit ? TextEdit.replace(setting.resolvedFrom.range, rec.recommendedValue) : null;
  }
  const ins = sa.site.primary.insertion;
  if (!ins) return null;
  return TextEdit.insert(
    ins.position,
    ins.template.split('{key}').join(rec.key).split('{value}').join(rec.recommendedValue),
  );
}

/** Languages whose line comments start with `#`. */
const HASH_COMMENTS = new Set(['python', 'shellscript', 'spark-defaults', 'yaml']);

/**
 * The edit that marks a line's setting as intended: `  # spark-optimizer: ignore` at the end of the line.
 * Null where a comment cannot go at the line's end: JSON, a shell line continued with `\`, a line that opens or
 * closes a triple-quoted string. (A line wholly inside a multi-line string, such as a PySpark script embedded in an
 * Airflow DAG, is not detected: the marker would become part of that string.)
 */
export function intendedMark(doc: DocumentAnalysis, line: number): TextEdit | null {
  const text = doc.lines[line];
  if (text === undefined || !HASH_COMMENTS.has(doc.languageId) || /\\\s*$/.test(text) || text.includes(IGNORE_MARKER))
    return null;
  if ((text.match(/'''|"""/g) ?? []).length % 2 === 1) return null;
  return TextEdit.insert({ line, character: text.length }, `  # ${IGNORE_MARKER}`);
}

/** Several insertions at one position must become one edit, in order (LSP leaves same-position order undefined). */
function mergeInsertions(edits: TextEdit[]): TextEdit[] {
  const out: TextEdit[] = [];
  for (const e of edits) {
    const same = out.find(
      (o) =>
        o.range.start.line === o.range.end.line &&
        o.range.start.character === o.range.end.character &&
        e.range.start.line === e.range.end.line &&
        e.range.start.character === e.range.end.character &&
        o.range.start.line === e.range.start.line &&
        o.range.start.character === e.range.start.character,
    );
    if (same) same.newText += e.newText;
    else out.push({ range: e.range, newText: e.newText });
  }
  return out;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}
