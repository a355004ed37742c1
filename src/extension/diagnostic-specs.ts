// Findings (and the simulation's consequences) -> plain diagnostic descriptions. The vscode
// layer copies these into vscode.Diagnostic one to one; everything that decides what a user
// reads is here, in plain Node, so it is unit-tested without VS Code.
import type { ConsequenceLike, Finding, Severity } from './engine-types';
import { type PlainRange, toPlainRange } from './positions';

/** VS Code's DiagnosticSeverity numbers (Error=0, Warning=1, Information=2, Hint=3). */
export const PlainSeverity = { Error: 0, Warning: 1, Information: 2, Hint: 3 } as const;
export type PlainSeverity = (typeof PlainSeverity)[keyof typeof PlainSeverity];

export interface DiagnosticSpec {
  range: PlainRange;
  severity: PlainSeverity;
  message: string;
  source: 'mmlens';
  /** Rule id and where its page lives (a URI string the vscode layer parses). */
  code: { value: string; target: string };
  related: Array<{ range: PlainRange; message: string }>;
  /** The consequences that back this finding (their summaries are in the message too). */
  consequences: ConsequenceLike[];
  /** The finding it came from, for hovers and code actions on the same range. */
  finding: Finding;
}

export function toPlainSeverity(s: Severity | string): PlainSeverity {
  switch (s) {
    case 'error':
      return PlainSeverity.Error;
    case 'warning':
      return PlainSeverity.Warning;
    case 'info':
      return PlainSeverity.Information;
    default:
      return PlainSeverity.Hint;
  }
}

/** Consequences whose document lines fall inside the finding's lines. */
export function consequencesForFinding(finding: Finding, consequences: readonly ConsequenceLike[]): ConsequenceLike[] {
  const first = finding.line;
  const last = Math.max(finding.line, finding.endLine ?? finding.line);
  return consequences.filter((c) => Array.isArray(c.lines) && c.lines.some((l) => l >= first && l <= last));
}

const SEVERITY_RANK: Record<string, number> = { error: 0, warning: 1, info: 2 };

/** Most severe first, then by scenario name, so the message is stable. */
export function orderConsequences(cs: readonly ConsequenceLike[]): ConsequenceLike[] {
  return [...cs].sort((a, b) => (SEVERITY_RANK[a.severity] ?? 3) - (SEVERITY_RANK[b.severity] ?? 3) || a.scenario.localeCompare(b.scenario));
}

export function toDiagnosticSpecs(
  findings: readonly Finding[],
  consequences: readonly ConsequenceLike[],
  ruleTarget: (ruleId: string) => string,
): DiagnosticSpec[] {
  return findings.map((f) => {
    const backing = orderConsequences(consequencesForFinding(f, consequences));
    let message = f.message;
    if (backing.length > 0) {
      const top = backing[0];
      const more = backing.length > 1 ? ` (+${backing.length - 1} more scenario${backing.length > 2 ? 's' : ''})` : '';
      message += `\nSimulation, ${top.scenario}: ${top.summary}${more}`;
    }
    return {
      range: toPlainRange(f.line, f.column, f.endLine, f.endColumn),
      severity: toPlainSeverity(f.severity),
      message,
      source: 'mmlens',
      code: { value: f.rule, target: ruleTarget(f.rule) },
      related: (f.related ?? []).map((r) => ({ range: toPlainRange(r.line, r.column, r.endLine, r.endColumn), message: r.message })),
      consequences: backing,
      finding: f,
    };
  });
}
