// What a rule sees: the document, its PatchSet, the chosen kernel, and the shared analyses
// (parsed hunks, #define changes, symbol tables, hook changes) computed once per document and
// only when a rule asks for them, so turning rules off also skips their analyses.
import type { PatchSet, Hunk, HunkLine, FileDiff, Patch } from '../patch/types';
import type { ArchId } from '../kernel/model';
import type { Finding, KernelChoice, RelatedLocation, Fix, RuleMeta } from './types';

/** One hunk with the file and patch it belongs to. */
export interface HunkRef {
  patch: Patch;
  file: FileDiff;
  hunk: Hunk;
  /** Path of the file the hunk changes (new path, or old path for a deletion), or null for
   *  a quoted fragment with no file header. */
  path: string | null;
}

export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export class RuleContext {
  private memo = new Map<string, unknown>();

  constructor(
    readonly text: string,
    readonly path: string | null,
    readonly patchSet: PatchSet,
    readonly kernel: KernelChoice,
    readonly arch: ArchId | 'all',
  ) {}

  /** Computes `make()` once per document; analyses shared by several rules go through here. */
  shared<T>(key: string, make: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as T;
  }

  /** The raw document line `n` (1-based), without its line ending; '' past the end. */
  documentLine(n: number): string {
    const lines = this.shared('lines', () => this.text.split(/\r\n|\r|\n/));
    return lines[n - 1] ?? '';
  }

  /** Every hunk of every patch, in document order. */
  hunks(): HunkRef[] {
    return this.shared('hunks', () => {
      const out: HunkRef[] = [];
      for (const patch of this.patchSet.patches)
        for (const file of patch.files)
          for (const hunk of file.hunks) out.push({ patch, file, hunk, path: file.newPath ?? file.oldPath });
      return out;
    });
  }
}

/** The document range covering a hunk line's text (not its `+`/`-` marker or quoting). */
export function lineRange(l: HunkLine, from = 0, to = l.text.length): Range {
  return { line: l.line, column: l.column + from, endLine: l.line, endColumn: l.column + Math.max(to, from + 1) };
}

export function makeFinding(
  meta: RuleMeta,
  message: string,
  at: Range,
  related: RelatedLocation[] = [],
  fix?: Fix,
): Finding {
  return { rule: meta.id, severity: meta.defaultSeverity, message, ...at, related, ...(fix ? { fix } : {}) };
}
