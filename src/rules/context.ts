// What a rule sees: the document, its PatchSet, the chosen kernel, and the shared analyses
// (parsed hunks, #define changes, symbol tables, hook changes) computed once per document and
// only when a rule asks for them, so turning rules off also skips their analyses.
import type { PatchSet, Hunk, HunkLine, FileDiff, Patch } from '../patch/types';
import { positionInLine } from '../patch/index';
import type { ArchId, KernelModel } from '../kernel/model';
import { flagDefinitions, formatFlag, kernelModel, symbolTable, bitsOf } from '../kernel/index';
import type { Namespace } from '../kernel/index';
import { applyDefineChanges } from '../kernel/index';
import { collectDefineChanges, parseHunk, isCReady } from '../c/index';
import type { DefineChange, EvalEnv, HunkTrees, MacroDefinition } from '../c/index';
import { extractHookChanges } from '../bridge/index';
import type { HookChange } from '../bridge/index';
import type { Finding, KernelChoice, RelatedLocation, Fix, RuleMeta } from './types';

/** One hunk with the file and patch it belongs to. */
export interface HunkRef {
  patch: Patch;
  patchIndex: number;
  file: FileDiff;
  hunk: Hunk;
  /** Path of the file the hunk changes (new path, or old path for a deletion), or null for
   *  a quoted fragment with no file header. */
  path: string | null;
}

export interface ParsedHunk extends HunkRef {
  trees: HunkTrees;
}

/** A hunk line found by its document line. */
export interface LocatedLine {
  ref: HunkRef;
  index: number;
  line: HunkLine;
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

  get era() {
    return this.kernel.era;
  }

  /** The one arch used where a single table is needed (`all` reads the generic headers). */
  get tableArch(): ArchId {
    return this.arch === 'all' ? 'generic' : this.arch;
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
      this.patchSet.patches.forEach((patch, patchIndex) => {
        for (const file of patch.files)
          for (const hunk of file.hunks) out.push({ patch, patchIndex, file, hunk, path: file.newPath ?? file.oldPath });
      });
      return out;
    });
  }

  /** Hunks with their pre/post C trees; hunks the parser cannot take are left out. Empty
   *  when the C parser is not loaded (the engine reports that once). */
  parsedHunks(): ParsedHunk[] {
    return this.shared('parsed', () => {
      if (!isCReady()) return [];
      const out: ParsedHunk[] = [];
      for (const ref of this.hunks()) {
        if (ref.file.isBinary) continue;
        try {
          out.push({ ...ref, trees: parseHunk(ref.hunk) });
        } catch {
          /* one unparsable hunk does not stop the others */
        }
      }
      return out;
    });
  }

  /** The hunk line at a document line, when that line is part of a hunk (the last one in
   *  document order when several sit on one line, as in a base64 part). */
  lineAt(docLine: number): LocatedLine | null {
    const index = this.shared('lineIndex', () => buildLineIndex(this.hunks()));
    let located = index.found.get(docLine);
    if (located !== undefined) return located;
    located = index.lookup(docLine);
    index.found.set(docLine, located);
    return located;
  }

  /** The era's kernel model on `tableArch` (generic when that arch has no port in the era). */
  model(): KernelModel {
    return this.shared('model', () => {
      try {
        return kernelModel(this.era, this.tableArch);
      } catch {
        return kernelModel(this.era, 'generic');
      }
    });
  }

  /** Flag table of the era before the patch. */
  baseSymbols(arch: ArchId = this.tableArch): Map<string, bigint> {
    return this.shared(`base:${arch}`, () => {
      try {
        return symbolTable(this.era, arch);
      } catch {
        return new Map();
      }
    });
  }

  /** Every #define the patch shows (context ones with status 'context'), read once. A context
   *  define is a fact about the tree the patch applies to (MM004 reads them per header). */
  allDefineChanges(): DefineChange[] {
    return this.shared('allDefines', () => {
      if (!isCReady()) return [];
      const base = this.baseSymbols();
      return collectDefineChanges(this.patchSet, { lookup: (n) => base.get(n), includeContext: true });
    });
  }

  /** #defines the patch adds, removes or changes, values evaluated with the era's table. */
  defineChanges(): DefineChange[] {
    return this.shared('defines', () => this.allDefineChanges().filter((d) => d.status !== 'context'));
  }

  /** Every `#define NAME` line the document shows (context or added), by name, in document
   *  order. Indexed once per document: MM004 asks for every collision on every arch. */
  defineLines(name: string): readonly LocatedLine[] {
    const index = this.shared('defineLines', () => {
      const m = new Map<string, LocatedLine[]>();
      for (const ref of this.hunks()) {
        const lines = ref.hunk.lines;
        for (let i = 0; i < lines.length; i++) {
          const line = lines[i]!;
          // Every line the pattern takes has a `#`: the others skip the regex.
          if (line.kind === '-' || !line.text.includes('#')) continue;
          const d = DEFINE_NAME.exec(line.text);
          if (!d) continue;
          const found = m.get(d[1]!);
          if (found) found.push({ ref, index: i, line });
          else m.set(d[1]!, [{ ref, index: i, line }]);
        }
      }
      return m;
    });
    return index.get(name) ?? [];
  }

  /** Document line of the first `#define NAME` the document shows (context or added). */
  defineLine(name: string): LocatedLine | null {
    return this.defineLines(name)[0] ?? null;
  }

  /** The flag table after the patch: the era's table with the patch's #defines applied. */
  symbols(): Map<string, bigint> {
    return this.shared('symbols', () =>
      applyDefineChanges(
        this.baseSymbols(),
        this.defineChanges()
          .filter((d) => d.status === 'added' || d.status === 'changed' || d.status === 'removed')
          .map((d) => ({
            name: d.name,
            change: d.status as 'added' | 'changed' | 'removed',
            value: d.afterValue?.ok ? d.afterValue.value : undefined,
          })),
      ),
    );
  }

  /** Evaluation environment for the post-image: patched table plus the patch's macros. */
  postEnv(): EvalEnv {
    return this.shared('postEnv', () => {
      const table = this.symbols();
      // The post-image macros, later definitions winning (as patchMacros), from the one read.
      const macros = new Map<string, MacroDefinition>();
      for (const d of this.allDefineChanges()) if (d.after) macros.set(d.name, d.after);
      return { lookup: (n: string) => table.get(n), macros };
    });
  }

  /** What the patch changes in the behaviours the simulator models (src/bridge). */
  hookChanges(): HookChange[] {
    return this.shared('hooks', () => {
      if (!isCReady()) return [];
      return extractHookChanges(this.patchSet, { era: this.era, arch: this.tableArch });
    });
  }

  /** Single-bit names of a namespace by value, era table first, then the patch's new names. */
  private namesByBit(namespace: Namespace): Map<bigint, string> {
    return this.shared(`names:${namespace}`, () => {
      const m = new Map<bigint, string>();
      for (const d of flagDefinitions(this.era, this.tableArch)) {
        if (d.namespace === namespace && !d.composite && !m.has(d.value)) m.set(d.value, d.name);
      }
      for (const d of this.defineChanges()) {
        if ((d.status === 'added' || d.status === 'changed') && d.name.startsWith(namespace + '_') && d.afterValue?.ok && !m.has(d.afterValue.value)) {
          m.set(d.afterValue.value, d.name);
        }
      }
      return m;
    });
  }

  /** `VM_DONTCOPY (0x00020000, bit 17)` for each bit of `bits`, unnamed ones as `bit N`. */
  describeBits(bits: bigint, namespace: Namespace = 'VM'): string[] {
    const names = this.namesByBit(namespace);
    return bitsOf(bits).map((b) => {
      const v = 1n << BigInt(b);
      const name = names.get(v);
      return name ? formatFlag(name, v) : `bit ${b} (0x${v.toString(16).padStart(8, '0')})`;
    });
  }

  /** `MADV_NOCHILD (12)`: a name with its value when the era's table or the patch's
   *  #defines know it, else the bare name. */
  nameWithValue(name: string): string {
    const v = this.symbols().get(name);
    return v === undefined ? name : formatFlag(name, v);
  }

  /** Name of one bit or value in a namespace, or null. */
  nameOf(value: bigint, namespace: Namespace = 'VM'): string | null {
    return this.namesByBit(namespace).get(value) ?? null;
  }
}

const DEFINE_NAME = /^\s*#\s*define\s+([A-Za-z_]\w*)/;

interface LineIndex {
  /** Answers given so far: the same LocatedLine object for the same line. */
  found: Map<number, LocatedLine | null>;
  lookup(docLine: number): LocatedLine | null;
}

/** Hunk lines by document line. Hunk lines come in document order (never decreasing), so a
 *  binary search over their lines finds one without a map entry and an object per line (most
 *  are never asked for); a document breaking that order falls back to the map. */
function buildLineIndex(refs: readonly HunkRef[]): LineIndex {
  let count = 0;
  for (const ref of refs) count += ref.hunk.lines.length;
  const lineOf = new Int32Array(count);
  const refOf = new Int32Array(count);
  const indexOf = new Int32Array(count);
  let k = 0;
  let ordered = true;
  for (let r = 0; r < refs.length; r++) {
    const lines = refs[r]!.hunk.lines;
    for (let i = 0; i < lines.length; i++, k++) {
      const n = lines[i]!.line;
      if (k > 0 && n < lineOf[k - 1]!) ordered = false;
      lineOf[k] = n;
      refOf[k] = r;
      indexOf[k] = i;
    }
  }
  const at = (j: number): LocatedLine => {
    const ref = refs[refOf[j]!]!;
    return { ref, index: indexOf[j]!, line: ref.hunk.lines[indexOf[j]!]! };
  };
  if (!ordered) {
    // The last hunk line on a document line wins, in any order.
    const m = new Map<number, number>();
    for (let j = 0; j < count; j++) m.set(lineOf[j]!, j);
    return { found: new Map(), lookup: (n) => { const j = m.get(n); return j === undefined ? null : at(j); } };
  }
  return {
    found: new Map(),
    lookup(n) {
      // The last position whose line is <= n.
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lineOf[mid]! <= n) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 && lineOf[lo - 1] === n ? at(lo - 1) : null;
    },
  };
}

/** The document range covering a hunk line's text (not its `+`/`-` marker or quoting). */
export function lineRange(l: HunkLine, from = 0, to = l.text.length): Range {
  // Through the reader's character map: a joined (wrapped or flowed) line or a
  // quoted-printable line does not sit at column + offset on one document line.
  const start = positionInLine(l, from);
  const last = positionInLine(l, Math.max(to, from + 1) - 1);
  return { line: start.line, column: start.column, endLine: last.line, endColumn: last.column + 1 };
}

/** The range of a hunk line's text without its leading and trailing whitespace. */
export function trimmedLineRange(l: HunkLine): Range {
  const start = l.text.length - l.text.trimStart().length;
  return lineRange(l, start, Math.max(start + 1, l.text.trimEnd().length));
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

/** Joins names as `A, B and C`. */
export function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return items.slice(0, -1).join(', ') + ' and ' + items[items.length - 1];
}
