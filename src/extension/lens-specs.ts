// CodeLens above each hunk whose lines carry consequences: "⚠ 2 consequences: <summary>".
import type { ConsequenceLike } from './engine-types';
import { orderConsequences } from './diagnostic-specs';

export interface HunkSpan {
  /** 1-based document line of the `@@` header. */
  headerLine: number;
  /** 1-based document lines of the hunk's body lines. */
  lines: number[];
}

export interface LensSpec {
  /** 0-based line the lens sits above. */
  line: number;
  title: string;
  consequences: ConsequenceLike[];
}

const ICON: Record<string, string> = { error: '$(error)', warning: '$(warning)', info: '$(info)' };

export function lensSpecs(hunks: readonly HunkSpan[], consequences: readonly ConsequenceLike[]): LensSpec[] {
  const out: LensSpec[] = [];
  for (const h of hunks) {
    const lines = new Set(h.lines);
    lines.add(h.headerLine);
    const hits = orderConsequences(consequences.filter((c) => (c.lines ?? []).some((l) => lines.has(l))));
    if (hits.length === 0) continue;
    const top = hits[0];
    const summary = top.summary.length > 90 ? top.summary.slice(0, 89) + '…' : top.summary;
    const count = hits.length === 1 ? '1 consequence' : `${hits.length} consequences`;
    out.push({ line: h.headerLine - 1, title: `${ICON[top.severity] ?? ''} ${count}: ${summary}`.trim(), consequences: hits });
  }
  return out;
}
