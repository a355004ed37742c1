// Markdown for hovers, built as plain strings so tests read exactly what the user reads.
// Command links are `command:` URIs; the vscode layer marks only these commands as trusted.
import type { ConsequenceLike, Finding, OutcomeLike, RuleMeta, StepLike } from './engine-types';
import { orderConsequences } from './diagnostic-specs';

export const TRUSTED_COMMANDS = ['mmlens.simulatePatch', 'mmlens.explainRule', 'mmlens.revealLine'] as const;

export function commandLink(title: string, command: (typeof TRUSTED_COMMANDS)[number], args: unknown[]): string {
  return `[${escapeMarkdown(title)}](command:${command}?${encodeURIComponent(JSON.stringify(args))})`;
}

export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => '\\' + c);
}

function code(s: string): string {
  // Inline code cannot hold a backtick run; fall back to escaped text.
  return s.includes('`') ? escapeMarkdown(s) : '`' + s + '`';
}

export function describeResult(step: StepLike | undefined): string {
  if (!step) return 'not run';
  const r = step.result;
  if (!r) return 'no result';
  if (r.ok) return r.value !== undefined ? `ok, reads ${r.value}` : 'ok';
  if (r.errno) return `fails with ${r.errno}`;
  if (r.signal) return `killed by ${r.signal}`;
  return 'fails';
}

/** The first step whose result differs between the two runs, with both results. */
export function firstDifference(base: OutcomeLike, patched: OutcomeLike): { step: StepLike; before: string; after: string } | null {
  const bs = base.steps ?? [];
  const ps = patched.steps ?? [];
  const n = Math.max(bs.length, ps.length);
  for (let i = 0; i < n; i++) {
    const before = describeResult(bs[i]);
    const after = describeResult(ps[i]);
    if (before !== after) return { step: (ps[i] ?? bs[i])!, before, after };
  }
  return null;
}

export function stepLabel(step: StepLike): string {
  return step.text ?? `${step.op}${step.proc ? ` (${step.proc})` : ''}`;
}

/** Events that happen in one run and not in the other, as `kind: detail`. */
export function eventDifference(base: OutcomeLike, patched: OutcomeLike): { onlyBase: string[]; onlyPatched: string[] } {
  const key = (e: { kind: string; detail?: string }) => `${e.kind}${e.detail ? `: ${e.detail}` : ''}`;
  const b = new Set((base.events ?? []).map(key));
  const p = new Set((patched.events ?? []).map(key));
  return { onlyBase: [...b].filter((x) => !p.has(x)), onlyPatched: [...p].filter((x) => !b.has(x)) };
}

export function consequenceMarkdown(c: ConsequenceLike): string {
  const lines = [`**${escapeMarkdown(c.scenario)}** (${c.severity}): ${escapeMarkdown(c.summary)}`];
  const diff = firstDifference(c.base, c.patched);
  if (diff) lines.push(`- step ${diff.step.index}, ${code(stepLabel(diff.step))}: before the patch ${escapeMarkdown(diff.before)}; after it ${escapeMarkdown(diff.after)}`);
  const ev = eventDifference(c.base, c.patched);
  for (const e of ev.onlyPatched.slice(0, 3)) lines.push(`- after the patch: ${escapeMarkdown(e)}`);
  for (const e of ev.onlyBase.slice(0, 2)) lines.push(`- no longer happens: ${escapeMarkdown(e)}`);
  return lines.join('\n');
}

export interface FindingHoverInput {
  finding: Finding;
  meta?: Pick<RuleMeta, 'id' | 'name' | 'shortDescription' | 'fullDescription'>;
  consequences: readonly ConsequenceLike[];
  /** The document the finding is in (argument of the Simulate command link). */
  documentUri: string;
}

export function findingHoverMarkdown(input: FindingHoverInput): string {
  const { finding: f, meta } = input;
  const parts: string[] = [];
  parts.push(`**${f.rule}**${meta ? ` ${escapeMarkdown(meta.name)}` : ''} (${f.severity})`);
  // VS Code already shows the diagnostic's message right above this hover: not repeated here.
  if (meta?.shortDescription) parts.push(escapeMarkdown(meta.shortDescription));
  const cs = orderConsequences(input.consequences);
  if (cs.length > 0) {
    parts.push('**Simulation, before and after the patch**');
    parts.push(cs.slice(0, 3).map(consequenceMarkdown).join('\n\n'));
    if (cs.length > 3) parts.push(`and ${cs.length - 3} more in the simulation view`);
  }
  if (f.fix) parts.push(`Quick fix available: ${escapeMarkdown(f.fix.description)}`);
  parts.push(
    [commandLink('Simulate This Patch', 'mmlens.simulatePatch', [input.documentUri]), commandLink(`Explain ${f.rule}`, 'mmlens.explainRule', [f.rule])].join(' · '),
  );
  // The rule's long explanation last: the finding, what the simulation saw and the links are
  // what a reviewer reads first without scrolling the hover.
  if (meta?.fullDescription) parts.push('---', escapeMarkdown(meta.fullDescription));
  return parts.join('\n\n');
}
