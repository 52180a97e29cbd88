/**
 * "Dismiss recommendation for KEY…" (the `dismissRecommendation` command the server's code actions carry): asks why
 * (a quick pick of common reasons, "Other…" for the user's own words, "No reason"), then the server records a
 * `rejected` feedback (shared/src/protocol.ts RecordFeedbackRequest) and stops showing the recommendation while the
 * plan recommends the same value. Escape at either step cancels: nothing is recorded. "Spark: Show Dismissed
 * Recommendations" lists the dismissed ones of the open files and shows the one picked again.
 */
import * as vscode from 'vscode';
import type { CommandArgs } from '../../shared/src/commands';
import type { DismissedRecommendationInfo } from '../../shared/src/protocol';

/** The reasons offered first: why Spark engineers keep a setting the history says to change. */
export const DISMISS_REASONS: readonly string[] = [
  "The job's input will grow",
  'Cluster limits (queue, quota or node size)',
  'Measured otherwise',
];

const OTHER = 'Other…';
const NONE = 'No reason';

/**
 * Asks the user why they dismiss `rec`.
 * @returns the reason, null for "No reason", undefined when the user cancelled (Escape).
 */
export async function askDismissReason(
  rec: CommandArgs['dismissRecommendation'][0],
): Promise<string | null | undefined> {
  const pick = await vscode.window.showQuickPick([...DISMISS_REASONS, OTHER, NONE], {
    title: `Dismiss ${rec.key}=${rec.recommendedValue} for ${rec.appName}`,
    placeHolder: 'Why? (it is shown again when the recommendation changes; Escape cancels)',
  });
  if (pick === undefined) return undefined;
  if (pick === NONE) return null;
  if (pick !== OTHER) return pick;
  const own = await vscode.window.showInputBox({
    title: `Dismiss ${rec.key}=${rec.recommendedValue} for ${rec.appName}`,
    prompt: 'Why is this recommendation not right for this workload?',
    validateInput: (v) => (v.trim() === '' ? 'Say why, or press Escape to cancel.' : null),
  });
  return own === undefined ? undefined : own.trim();
}

/** The label of "Show it again" for one dismissed recommendation. */
function restoreItem(d: DismissedRecommendationInfo): vscode.QuickPickItem & { item: DismissedRecommendationInfo } {
  return {
    label: `${d.key}=${d.recommendedValue}`,
    description: d.appName,
    detail: `Dismissed on ${new Date(d.dismissedAtMs).toISOString().slice(0, 10)}: ${d.reason ?? 'no reason given'}`,
    item: d,
  };
}

/**
 * "Spark: Show Dismissed Recommendations": the dismissed recommendations of the open documents that the plan still
 * makes; the one picked is to be shown again.
 * @returns the recommendation to restore, or undefined (none, or Escape).
 */
export async function pickDismissedToRestore(
  dismissed: DismissedRecommendationInfo[],
): Promise<DismissedRecommendationInfo | undefined> {
  if (dismissed.length === 0) {
    void vscode.window.showInformationMessage('No recommendation is dismissed in the open Spark files.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(dismissed.map(restoreItem), {
    title: 'Dismissed Spark recommendations',
    placeHolder: 'Pick one to show it again',
  });
  return pick?.item;
}
