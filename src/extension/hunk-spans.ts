// Hunks of a PatchSet as document line spans, for CodeLenses above hunks with consequences.
import type { PatchSet } from '../patch/types';
import type { HunkSpan } from './lens-specs';

export function hunkSpans(patchSet: PatchSet): HunkSpan[] {
  const out: HunkSpan[] = [];
  for (const p of patchSet.patches) for (const f of p.files) for (const h of f.hunks) out.push({ headerLine: h.line, lines: h.lines.map((l) => l.line) });
  return out;
}
