// `#define`s a patch adds, removes or changes, with their document positions and values.
// Object-like and function-like macros both come back; function-like ones feed the
// evaluator (`#define MPROTECT_KEEP ...` used in the mprotect hunk of the same patch).
import type { Node } from 'web-tree-sitter';
import type { Hunk, LineKind, PatchSet } from '../patch/types';
import { evaluateText, type ConstResult, type MacroDef } from './evaluate';
import { sideFragments, type CFragment, type Side } from './fragment';
import { descendants } from './queries';

export interface MacroDefinition extends MacroDef {
  /** File the define lives in (newPath, or oldPath for a deleted file). */
  path: string | null;
  side: Side;
  /** Index into patchSet.patches. */
  patchIndex: number;
  hunk: Hunk;
  /** hunk.lines index of the `#define` line. */
  hunkLine: number;
  /** Kind of the `#define` line (`+`, `-` or context). */
  lineKind: LineKind;
  /** The define (or one of its continuation lines) is on a changed line of its side. */
  changed: boolean;
  /** Document range of the whole define (1-based, end exclusive). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** Document range of the value (the body), when it has one. */
  valueRange: { line: number; column: number; endLine: number; endColumn: number } | null;
  /** The tree-sitter node when the grammar produced one (null: recovered from the line). */
  node: Node | null;
}

export type DefineStatus = 'added' | 'removed' | 'changed' | 'unchanged' | 'context';

export interface DefineChange {
  name: string;
  status: DefineStatus;
  path: string | null;
  patchIndex: number;
  before: MacroDefinition | null;
  after: MacroDefinition | null;
  /** Constant values (object-like macros only), evaluated with the same side's macros and
   *  the caller's lookup; an error names the identifier that did not resolve. */
  beforeValue: ConstResult | null;
  afterValue: ConstResult | null;
}

/** Body text without comments and line continuations, whitespace collapsed. */
export function cleanMacroBody(text: string): string {
  // Most bodies (`0x40`, `(VM_READ | VM_WRITE)`) have no comment, continuation or whitespace
  // but single spaces: then only the trim changes anything.
  if (!MAY_NEED_CLEANING.test(text)) return text.trim();
  return text
    .replace(/\\\r?\n/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\*[\s\S]*$/, ' ') // comment running past the window
    .replace(/\/\/.*$/gm, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const MAY_NEED_CLEANING = /[\\/]|[^\S ]| {2}/;

const DEFINE_LINE = /^\s*#\s*define\s+([A-Za-z_]\w*)(\(([^)]*)\))?(.*)$/;

function paramsOf(text: string): string[] {
  return text.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
}

// Rules, the bridge's define changes and each side's macro table all read the same defines:
// read each fragment once (per file path and patch index, which the definitions carry).
const fragmentDefines = new WeakMap<CFragment, Map<string, MacroDefinition[]>>();

/** Whether the side of a hunk can hold a define: both the grammar's `#define` token and the
 *  line scan need a `#` on one of the side's lines (the synthetic wrapper adds only the
 *  `#endif`s of `#if`s the window opens), so a side without one is not even parsed. */
function sideMayDefine(hunk: Hunk, side: Side): boolean {
  const drop = side === 'pre' ? '+' : '-';
  for (const l of hunk.lines) if (l.kind !== drop && l.text.includes('#')) return true;
  return false;
}

/** The defines on one side of one hunk (the array is the caller's; the definitions are
 *  shared between callers and must not be changed). */
export function definesInFragment(fragment: CFragment, path: string | null, patchIndex: number): MacroDefinition[] {
  let byPlace = fragmentDefines.get(fragment);
  if (!byPlace) fragmentDefines.set(fragment, (byPlace = new Map()));
  const key = `${patchIndex}\u0000${path ?? ''}`;
  let defs = byPlace.get(key);
  if (!defs) byPlace.set(key, (defs = sideMayDefine(fragment.hunk, fragment.side) ? readDefines(fragment, path, patchIndex) : []));
  return defs.slice();
}

function readDefines(fragment: CFragment, path: string | null, patchIndex: number): MacroDefinition[] {
  const out: MacroDefinition[] = [];
  const covered = new Set<number>();
  const hunk = fragment.hunk;
  // fragment.touchesChange(n), from the hunk lines already read for n.
  const changeKind = fragment.side === 'post' ? '+' : '-';
  const touches = (lines: number[]) => lines.some((i) => hunk.lines[i]!.kind === changeKind);
  for (const n of descendants(fragment.root, ['preproc_def', 'preproc_function_def'])) {
    const nameNode = n.childForFieldName('name');
    if (!nameNode) continue;
    const lines = fragment.hunkLinesOf(n);
    const range = fragment.range(n);
    if (!range || lines.length === 0) continue;
    const value = n.childForFieldName('value');
    // Object-like defines (most) have no parameter list to ask for.
    const paramsNode = n.type === 'preproc_function_def' ? n.childForFieldName('parameters') : undefined;
    const params = paramsNode === undefined ? null : paramsNode ? paramsOf(paramsNode.text.replace(/^\(|\)$/g, '')) : [];
    const vr = value ? fragment.range(value) : null;
    lines.forEach((l) => covered.add(l));
    const first = lines[0]!;
    out.push({
      name: nameNode.text,
      params,
      body: value ? cleanMacroBody(value.text) : '',
      path,
      side: fragment.side,
      patchIndex,
      hunk,
      hunkLine: first,
      lineKind: hunk.lines[first]!.kind,
      changed: touches(lines),
      line: range.line,
      column: range.column,
      endLine: range.endLine,
      endColumn: range.endColumn,
      valueRange: vr ? { line: vr.line, column: vr.column, endLine: vr.endLine, endColumn: vr.endColumn } : null,
      node: n,
    });
  }
  // Lines the grammar did not turn into a define (inside a broken region).
  const drop = fragment.side === 'pre' ? '+' : '-';
  const change = fragment.side === 'pre' ? '-' : '+';
  hunk.lines.forEach((l, i) => {
    if (l.kind === drop || covered.has(i)) return;
    const m = DEFINE_LINE.exec(l.text);
    if (!m) return;
    let body = m[4] ?? '';
    let last = i;
    let changed = l.kind === change;
    // Follow backslash continuations on the same side.
    while (/\\\s*$/.test(hunk.lines[last]!.text)) {
      let j = last + 1;
      while (j < hunk.lines.length && hunk.lines[j]!.kind === drop) j++;
      if (j >= hunk.lines.length) break;
      body = body.replace(/\\\s*$/, ' ') + hunk.lines[j]!.text;
      if (hunk.lines[j]!.kind === change) changed = true;
      last = j;
    }
    const lastLine = hunk.lines[last]!;
    const bodyStart = l.text.length - (m[4] ?? '').length;
    out.push({
      name: m[1]!,
      params: m[2] ? paramsOf(m[3] ?? '') : null,
      body: cleanMacroBody(body),
      path,
      side: fragment.side,
      patchIndex,
      hunk,
      hunkLine: i,
      lineKind: l.kind,
      changed,
      line: l.line,
      column: l.column + (l.text.length - l.text.trimStart().length),
      endLine: lastLine.line,
      endColumn: lastLine.column + lastLine.text.trimEnd().length,
      valueRange: (m[4] ?? '').trim() ? { line: l.line, column: l.column + bodyStart + ((m[4] ?? '').length - (m[4] ?? '').trimStart().length), endLine: lastLine.line, endColumn: lastLine.column + lastLine.text.trimEnd().length } : null,
      node: null,
    });
  });
  return out.sort((a, b) => a.hunkLine - b.hunkLine);
}

export interface DefineOptions {
  /** Kernel constants for evaluating values (the era's flag table). */
  lookup?: (name: string) => bigint | undefined;
  /** Also report defines that only appear on context lines (status 'context'). */
  includeContext?: boolean;
}

/** Every define of one side of the whole patch set, in document order. */
export function allDefines(patchSet: PatchSet, side: Side): MacroDefinition[] {
  // Both sides' macro tables and the define changes read the same list: gathered once per
  // patch set and side (a patch set is not changed once read).
  let perSet = sideDefines.get(patchSet);
  if (!perSet) sideDefines.set(patchSet, (perSet = {}));
  const defs = (perSet[side] ??= sideFragments(patchSet, side, (hunk) => sideMayDefine(hunk, side)).flatMap((sf) => definesInFragment(sf.fragment, sf.path, sf.patch)));
  return defs.slice();
}

const sideDefines = new WeakMap<PatchSet, Partial<Record<Side, MacroDefinition[]>>>();

/** Macros of one side of the patch set, by name (later definitions win), for EvalEnv.macros. */
export function patchMacros(patchSet: PatchSet, side: Side = 'post'): Map<string, MacroDefinition> {
  const map = new Map<string, MacroDefinition>();
  for (const d of allDefines(patchSet, side)) map.set(d.name, d);
  return map;
}

/** Macros of one side for evaluating a define of `path`: the same file's definitions first
 *  (arch headers define the same names with different values), then any file's. */
class SideMacros {
  private readonly byFile = new Map<string, MacroDefinition>();
  private readonly any = new Map<string, MacroDefinition>();
  constructor(defs: MacroDefinition[]) {
    for (const d of defs) {
      this.byFile.set(`${d.path ?? ''}\u0000${d.name}`, d);
      this.any.set(d.name, d);
    }
  }
  tableFor(d: MacroDefinition): (name: string) => MacroDefinition | undefined {
    return (name) => {
      // A define must not resolve its own name to itself.
      const hit = this.byFile.get(`${d.path ?? ''}\u0000${name}`) ?? this.any.get(name);
      return hit === d ? undefined : hit;
    };
  }
}

function valueOf(d: MacroDefinition | null, macros: SideMacros, lookup?: (name: string) => bigint | undefined): ConstResult | null {
  if (!d || d.params !== null) return null;
  if (!d.body) return { ok: false, error: `${d.name} has no value` };
  return evaluateText(d.body, lookup, { macros: macros.tableFor(d) });
}

/** The defines a patch set adds, removes or changes (and, with includeContext, the ones
 *  it only shows), paired by file and name. */
export function collectDefineChanges(patchSet: PatchSet, options: DefineOptions = {}): DefineChange[] {
  const pre = allDefines(patchSet, 'pre');
  const post = allDefines(patchSet, 'post');
  const preMacros = new SideMacros(pre);
  const postMacros = new SideMacros(post);
  const key = (d: MacroDefinition) => `${d.patchIndex}\u0000${d.path ?? ''}\u0000${d.name}`;
  const removed = new Map<string, MacroDefinition[]>();
  for (const d of pre) if (d.changed) (removed.get(key(d)) ?? removed.set(key(d), []).get(key(d))!).push(d);
  const out: DefineChange[] = [];
  const make = (status: DefineStatus, before: MacroDefinition | null, after: MacroDefinition | null): DefineChange => {
    const d = (after ?? before)!;
    return {
      name: d.name, status, path: d.path, patchIndex: d.patchIndex, before, after,
      beforeValue: valueOf(before, preMacros, options.lookup),
      afterValue: valueOf(after, postMacros, options.lookup),
    };
  };
  for (const d of post) {
    if (!d.changed) {
      if (options.includeContext) out.push(make('context', d, d));
      continue;
    }
    const pending = removed.get(key(d));
    const before = pending?.shift() ?? null;
    if (!before) out.push(make('added', null, d));
    else {
      const same = before.body === d.body && JSON.stringify(before.params) === JSON.stringify(d.params);
      out.push(make(same ? 'unchanged' : 'changed', before, d));
    }
  }
  for (const list of removed.values()) for (const d of list) out.push(make('removed', d, null));
  return out.sort((a, b) => {
    const pa = (a.after ?? a.before)!;
    const pb = (b.after ?? b.before)!;
    return a.patchIndex - b.patchIndex || pa.line - pb.line || pa.column - pb.column;
  });
}
