// Patch -> hook changes. Each side (pre-image, post-image) of every hunk is read into facts
// (hooks/*.ts: evaluated values with their lines); facts are paired by hook, function and
// detail, first within a hunk, then across the patch (code moved between hunks or into a
// helper); a pair whose evaluated values differ is a hook change. A hunk that changes no
// modelled behaviour therefore yields none, whatever its text does.
import type { PatchSet } from '../patch/types';
import type { ArchId, EraId, KernelModel } from '../kernel/model';
import { LATEST_ERA } from '../kernel/model';
import { kernelModel } from '../kernel/eras';
import { detectEra } from '../kernel/detect';
import { namespaceOf } from '../kernel/tables/types';
import { collectDefineChanges, isCReady, type DefineChange, type Side } from '../c/index';
import { SideEnv, sideFragments, type SideFragment } from './env';
import { elementKeys, factKey, sameHookValue, uniqueSorted, type Fact } from './facts';
import { collectTranslationFacts } from './hooks/translation';
import { collectMprotectFacts } from './hooks/mprotect';
import { collectMadviseFacts } from './hooks/madvise';
import { collectForkFacts, pinnedCopyCalls } from './hooks/fork';
import { collectDriverFacts } from './hooks/driver';
import { changedLinesOf } from './hooks/common';
import { templateFacts } from './hooks/templates';
import { summarize, type PatchNames } from './describe';
import { archOfPath } from './arch';
import { isMmapFunction, mmapFixedFlagsOf } from './apply';
import type { ExtractOptions, HookChange, HookValue } from './types';

const COLLECTORS = [collectTranslationFacts, collectMprotectFacts, collectMadviseFacts, collectForkFacts, collectDriverFacts];

function factsOf(sf: SideFragment, env: SideEnv): Fact[] {
  const out: Fact[] = [];
  for (const c of COLLECTORS) {
    try {
      out.push(...c(sf, env));
    } catch {
      /* a collector tripping over an odd fragment must not hide the other hooks */
    }
  }
  return out;
}

/** Facts of one side's fragments. Hunks with the same content share one parse, and what the
 *  collectors read (the tree, line kinds, the header's function, the path, this side's
 *  environment) is then the same: such a side is read once per path, and its facts are
 *  given the other hunk's document lines and patch. (Names resolved to 0 on the way are
 *  already in the environment.) */
class SideFacts {
  private readonly read = new Map<object, Map<string | null, { hunk: SideFragment['fragment']['hunk']; facts: Fact[] }>>();
  constructor(private readonly env: SideEnv) {}

  of(sf: SideFragment): Fact[] {
    let perPath = this.read.get(sf.fragment.parsed);
    if (!perPath) this.read.set(sf.fragment.parsed, (perPath = new Map()));
    const hit = perPath.get(sf.path);
    if (!hit) {
      const facts = factsOf(sf, this.env);
      perPath.set(sf.path, { hunk: sf.fragment.hunk, facts });
      return facts;
    }
    return moveFacts(hit.facts, hit.hunk, sf.fragment.hunk, sf.patch);
  }
}

/** Facts read from hunk `from`, as hunk `to` (same content elsewhere) gives them. */
function moveFacts(facts: Fact[], from: SideFragment['fragment']['hunk'], to: SideFragment['fragment']['hunk'], patch: number): Fact[] {
  const index = new Map<number, number>();
  from.lines.forEach((l, i) => index.set(l.line, i));
  const move = (lines: number[]) => lines.map((l) => to.lines[index.get(l)!]!.line);
  return facts.map((f) => ({
    ...f, patch, changedLines: move(f.changedLines), lines: move(f.lines),
    ...(f.elementLines ? { elementLines: new Map([...f.elementLines].map(([k, ls]) => [k, move(ls)])) } : {}),
  }));
}

/** Merges facts with the same key on one side of one hunk (the same function shown twice). */
function byKey(facts: Fact[]): Map<string, Fact> {
  const out = new Map<string, Fact>();
  for (const f of facts) {
    const k = factKey(f);
    const prev = out.get(k);
    if (!prev) out.set(k, f);
    else if (prev.value.type === 'translation' && f.value.type === 'translation') {
      const terms = [...prev.value.terms, ...f.value.terms];
      out.set(k, { ...prev, value: { type: 'translation', terms }, changedLines: uniqueSorted([...prev.changedLines, ...f.changedLines]), lines: uniqueSorted([...prev.lines, ...f.lines]), elementLines: new Map([...(prev.elementLines ?? []), ...(f.elementLines ?? [])]) });
    } else if (f.changedLines.length >= prev.changedLines.length) out.set(k, f);
  }
  return out;
}

/** What a hook is once the patch removes the code that expressed it. */
function absentValue(f: Fact): HookValue | null | undefined {
  switch (f.hook) {
    case 'fork-policy': return f.detail === 'wipeFlags' ? undefined : { type: 'mask', value: 0n };
    case 'madvise-validity': return { type: 'flag', value: false };
    case 'madvise-behaviour': return null;
    case 'mprotect-access-check': return { type: 'access-check', shift: 4, mask: 0n };
    case 'prot-translation': return f.detail === 'prot-valid' ? { type: 'mask', value: 0xffffffffn } : undefined;
    case 'mmap-flags':
      if (f.detail === 'fixedFlags') return undefined;
      return f.function && /mmap/.test(f.function) ? { type: 'translation', terms: [] } : undefined;
    default: return undefined; // cannot say: no change claimed
  }
}

const GENERIC_PROT = new Set(['PROT_READ', 'PROT_WRITE', 'PROT_EXEC']);

/** What the base model says for a hook a post-image shows and the pre-image does not. */
function baselineValue(f: Fact, model: KernelModel): HookValue | null | undefined {
  switch (f.hook) {
    case 'mprotect-kept': return { type: 'mask', value: model.mprotectKept };
    case 'mprotect-access-check': return { type: 'access-check', ...model.mprotectAccessCheck };
    case 'madvise-validity': {
      const v = model.symbols.get(f.detail);
      return { type: 'flag', value: v !== undefined && model.madvise.has(v) };
    }
    case 'madvise-behaviour': {
      // A label moved into the read-lock list: compare with the lock the base kernel takes.
      if (f.value.type === 'madvise' && f.value.writeLock !== undefined && f.value.set === undefined && f.value.guards === undefined) {
        const v = model.symbols.get(f.detail);
        const b = v === undefined ? undefined : model.madvise.get(v);
        return b ? { type: 'madvise', writeLock: b.writeLock } : null;
      }
      return null;
    }
    case 'fork-policy':
      if (f.detail === 'skipFlags') return { type: 'mask', value: model.fork.skipFlags };
      if (f.detail === 'wipeFlags') return { type: 'mask', value: model.fork.wipeFlags };
      if (f.detail === 'childClear') return { type: 'mask', value: model.fork.childClear };
      return undefined;
    case 'prot-translation':
      // do_mmap of the presets checks no PROT bit: every bit passes its (absent) check.
      if (f.detail === 'prot-valid') return { type: 'mask', value: isMmapFunction(f.function) ? (model.mmapProtValid ?? 0xffffffffn) : model.mprotectProtValid };
      // calc_vm_prot_bits translates R/W/X itself; the arch hook adds the rest (PROT_SAO...).
      return { type: 'translation', terms: model.protToVm.filter((t) => GENERIC_PROT.has(t.fromName) === (f.detail === 'calc_vm_prot_bits')) };
    case 'mmap-flags':
      if (f.detail === 'fixedFlags') return { type: 'mask', value: mmapFixedFlagsOf(model) };
      return f.detail === 'calc_vm_flag_bits' ? { type: 'translation', terms: model.mapToVm } : { type: 'translation', terms: [] };
    default: return undefined;
  }
}

interface Pending {
  hook: Fact['hook'];
  detail: string;
  before: HookValue | null;
  after: HookValue | null;
  pre: Fact | null;
  post: Fact | null;
}

function changeLines(p: Pending, defineLines: Map<string, number[]>): number[] {
  const pre = p.pre;
  const post = p.post;
  // Point at the elements (terms, guards) that differ when the values have elements.
  const bk = new Set(elementKeys(p.before));
  const ak = new Set(elementKeys(p.after));
  const lines: number[] = [];
  for (const k of bk) if (!ak.has(k)) lines.push(...(pre?.elementLines?.get(k) ?? []));
  for (const k of ak) if (!bk.has(k)) lines.push(...(post?.elementLines?.get(k) ?? []));
  if (lines.length === 0) lines.push(...(pre?.changedLines ?? []), ...(post?.changedLines ?? []));
  // A macro defined by the patch changed the value without the code line changing.
  // (uapi names used in the code are hook changes of their own, not lines of this one).
  for (const m of new Set([...(pre?.macros ?? []), ...(post?.macros ?? [])])) {
    const ns = namespaceOf(m);
    if (ns && ns !== 'VM') continue;
    lines.push(...(defineLines.get(m) ?? []));
  }
  if (lines.length === 0) lines.push(...(post?.lines ?? pre?.lines ?? []));
  return uniqueSorted(lines);
}

function uapiChanges(defines: DefineChange[], era: EraId, arch: ArchId, names: PatchNames): HookChange[] {
  type Entry = { before: DefineChange | null; after: DefineChange | null };
  const groups = new Map<string, Entry>();
  for (const d of defines) {
    if (!namespaceOf(d.name) || namespaceOf(d.name) === 'VM') continue;
    if (d.status === 'unchanged' || d.status === 'context') continue;
    const path = d.path;
    if (path && !/\.h$/.test(path)) continue;
    const key = `${d.patchIndex}\u0000${d.name}\u0000${archOfPath(path) ?? 'unknown'}`;
    const e = groups.get(key) ?? { before: null, after: null };
    if (d.status === 'removed') e.before = d;
    else if (d.status === 'added') e.after = d;
    else { e.before = d; e.after = d; }
    groups.set(key, e);
  }
  const out: HookChange[] = [];
  for (const e of groups.values()) {
    const d = (e.after ?? e.before)!;
    const bv = e.before?.beforeValue?.ok ? e.before.beforeValue.value : null;
    const av = e.after?.afterValue?.ok ? e.after.afterValue.value : null;
    if (e.before && bv === null && e.after && av === null) continue; // not constants either side
    if (bv === av) continue;
    const lines: number[] = [];
    if (e.before?.before?.changed) lines.push(e.before.before.line);
    if (e.after?.after?.changed) lines.push(e.after.after.line);
    const harch = archOfPath(d.path);
    const change: Omit<HookChange, 'summary'> = {
      hook: 'uapi-name', detail: d.name,
      before: bv === null ? null : { type: 'value', value: bv },
      after: av === null ? null : { type: 'value', value: av },
      lines: uniqueSorted(lines), file: d.path, function: null, patch: d.patchIndex,
      ...(harch ? { arch: harch as ArchId } : {}),
    };
    out.push({ ...change, summary: summarize(change, era, arch, names) });
  }
  return out;
}

/** Every hook change the patch set makes. Requires `await initC()` first (the C parser).
 *  Never throws on odd input: hunks it cannot read give no facts. */
export function extractHookChanges(patchSet: PatchSet, options: ExtractOptions = {}): HookChange[] {
  if (!isCReady()) throw new Error('extractHookChanges needs the C parser: await initC() first');
  const era = options.era ?? safeDetect(patchSet);
  const arch = options.arch ?? 'generic';
  // The rules (check) and the simulator (simulate) both ask for the same patch set's changes
  // (the extension runs both per edit): extracted once per patch set, era and arch. The
  // change objects are shared: callers must not modify them.
  // The editor reads the same text twice (lint, then simulation) into two patch sets: a miss
  // on the object is looked up by content (the changes are plain data: no tree nodes).
  let perSet = extracted.get(patchSet);
  if (!perSet) extracted.set(patchSet, (perSet = new Map()));
  const key = `${era}/${arch}`;
  let changes = perSet.get(key);
  if (!changes) {
    changes = recentByContent(patchSet, key);
    if (!changes) {
      changes = extract(patchSet, era, arch);
      if (recent.length >= RECENT_MAX) recent.shift();
      recent.push({ key, patches: patchSet.patches, changes });
    }
    perSet.set(key, changes);
  }
  return changes.slice();
}

const extracted = new WeakMap<PatchSet, Map<string, HookChange[]>>();

/** The last few extractions (the oldest first), with the patches they read. */
interface RecentExtraction {
  key: string;
  patches: PatchSet['patches'];
  changes: HookChange[];
}
const recent: RecentExtraction[] = [];
const RECENT_MAX = 4;

/** The changes of an earlier patch set with the same content (the same JSON), era and arch. */
function recentByContent(patchSet: PatchSet, key: string): HookChange[] | undefined {
  for (let i = recent.length - 1; i >= 0; i--) {
    const r = recent[i]!;
    if (r.key === key && samePatches(r.patches, patchSet.patches)) return r.changes;
  }
  return undefined;
}

/** JSON of each patch, taken when first compared: a one-shot run, which extracts once, never
 *  pays for it, and two different series part at their first different patch. */
const patchJson = new WeakMap<object, string>();

function jsonOf(patch: PatchSet['patches'][number]): string {
  let s = patchJson.get(patch);
  if (s === undefined) patchJson.set(patch, (s = JSON.stringify(patch)));
  return s;
}

/** JSON.stringify(a) === JSON.stringify(b), patch by patch (an array's JSON is its elements'). */
function samePatches(a: PatchSet['patches'], b: PatchSet['patches']): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && jsonOf(a[i]!) !== jsonOf(b[i]!)) return false;
  return true;
}

function extract(patchSet: PatchSet, era: EraId, arch: ArchId): HookChange[] {
  const model = kernelModel(era, arch);
  const sides: Record<Side, SideFragment[]> = { pre: sideFragments(patchSet, 'pre'), post: sideFragments(patchSet, 'post') };
  const envs: Record<Side, SideEnv> = {
    pre: new SideEnv('pre', era, arch, patchSet, sides.pre),
    post: new SideEnv('post', era, arch, patchSet, sides.post),
  };
  const lookup = (name: string) => model.symbols.get(name);
  let defines: DefineChange[] = [];
  try {
    defines = collectDefineChanges(patchSet, { lookup });
  } catch {
    defines = [];
  }
  // Names the patch defines (a new VM_WIPEONFORK), so summaries can name their bits.
  const patchNames = new Map<string, bigint>();
  for (const d of defines) {
    if ((d.status === 'added' || d.status === 'changed') && d.afterValue?.ok && !model.symbols.has(d.name)) patchNames.set(d.name, d.afterValue.value);
  }
  const defineLines = new Map<string, number[]>();
  for (const d of defines) {
    const ls: number[] = [];
    if (d.before?.changed) ls.push(d.before.line);
    if (d.after?.changed) ls.push(d.after.line);
    if (ls.length) defineLines.set(d.name, [...(defineLines.get(d.name) ?? []), ...ls]);
  }

  // 1. Pair facts within each hunk (fragments come in the same hunk order on both sides).
  const pending: Pending[] = [];
  const preOnly: Fact[] = [];
  const postOnly: Fact[] = [];
  // The hunks' facts, for the hooks they show (asked only when a macro the patch changes
  // reaches a template below: most patch sets never need the set). A post fact paired below
  // leaves its map, but its pre fact, of the same hook and detail, stays in the pre map.
  const hunkFacts: Array<Map<string, Fact>> = [];
  const read = { pre: new SideFacts(envs.pre), post: new SideFacts(envs.post) };
  for (let i = 0; i < sides.pre.length; i++) {
    const pre = byKey(read.pre.of(sides.pre[i]!));
    const post = byKey(read.post.of(sides.post[i]!));
    hunkFacts.push(pre, post);
    for (const [k, f] of pre) {
      const g = post.get(k);
      if (g) {
        pending.push({ hook: f.hook, detail: f.detail, before: f.value, after: g.value, pre: f, post: g });
        post.delete(k);
      } else if (f.changedLines.length) preOnly.push(f);
    }
    for (const g of post.values()) if (g.changedLines.length) postOnly.push(g);
  }
  // 2. Pair what is left across hunks (code moved), then removals and additions.
  const postLeft = new Map<string, Fact>();
  for (const g of postOnly) postLeft.set(factKey(g), g);
  for (const f of preOnly) {
    const k = factKey(f);
    const g = postLeft.get(k);
    if (g) {
      pending.push({ hook: f.hook, detail: f.detail, before: f.value, after: g.value, pre: f, post: g });
      postLeft.delete(k);
    } else if (f.detail === 'prot-valid' && f.value.type === 'mask') {
      // A PROT check removed while the function's other checks are out of view: the bits it
      // rejected are accepted now, the rest as the base kernel has it.
      const base = baselineValue(f, model);
      if (base?.type === 'mask') pending.push({ hook: f.hook, detail: f.detail, before: base, after: { type: 'mask', value: (base.value | (~f.value.value & 0xffffffffn)) }, pre: f, post: null });
    } else {
      const after = absentValue(f);
      if (after !== undefined) pending.push({ hook: f.hook, detail: f.detail, before: f.value, after, pre: f, post: null });
    }
  }
  for (const g of postLeft.values()) {
    const before = baselineValue(g, model);
    if (before === undefined) continue;
    // A test added beside tests out of view adds to what the base kernel does: a PROT check
    // narrows what it accepts; a fork skip/wipe/clear test adds flags to the base ones.
    let after: HookValue = g.value;
    if (g.value.type === 'mask' && before?.type === 'mask') {
      if (g.detail === 'prot-valid') after = { type: 'mask', value: before.value & g.value.value };
      else if (g.hook === 'fork-policy') after = { type: 'mask', value: before.value | g.value.value };
    }
    pending.push({ hook: g.hook, detail: g.detail, before, after, pre: null, post: g });
  }
  // 2b. Hooks changed only through a macro the patch redefines (the code using it is not in
  // the patch): the era's own expressions, evaluated with each side's macros.
  const changedMacros = new Map<string, number[]>();
  const macroPatch = new Map<string, number>();
  for (const d of defines) {
    if (d.status !== 'added' && d.status !== 'changed' && d.status !== 'removed') continue;
    const ns = namespaceOf(d.name);
    if (ns && ns !== 'VM') continue;
    changedMacros.set(d.name, defineLines.get(d.name) ?? []);
    if (!macroPatch.has(d.name)) macroPatch.set(d.name, d.patchIndex);
  }
  if (changedMacros.size) {
    const seen = new Set<string>();
    for (const m of hunkFacts) for (const f of m.values()) seen.add(`${f.hook}\u0000${f.detail}`);
    const pre = templateFacts(envs.pre, changedMacros);
    const post = templateFacts(envs.post, changedMacros);
    for (const f of pre) {
      if (seen.has(`${f.hook}\u0000${f.detail}`)) continue;
      const g = post.find((x) => x.hook === f.hook && x.detail === f.detail && x.scope === f.scope);
      if (!g) continue;
      const patch = macroPatch.get(g.macros?.find((m) => macroPatch.has(m)) ?? '') ?? 0;
      pending.push({ hook: f.hook, detail: f.detail, before: f.value, after: g.value, pre: { ...f, patch }, post: { ...g, patch } });
    }
  }

  // 3. Pinned-page copy at fork: counted over the whole patch.
  const preCalls = sides.pre.map((sf) => ({ sf, calls: pinnedCopyCalls(sf) }));
  const postCalls = sides.post.map((sf) => ({ sf, calls: pinnedCopyCalls(sf) }));
  const preCount = preCalls.reduce((n, x) => n + x.calls.length, 0);
  const postCount = postCalls.reduce((n, x) => n + x.calls.length, 0);
  const pinnedChanges: HookChange[] = [];
  if ((preCount > 0) !== (postCount > 0)) {
    const lines = uniqueSorted([...preCalls, ...postCalls].flatMap((x) => changedLinesOf(x.sf.fragment, x.calls)));
    const where = [...preCalls, ...postCalls].find((x) => x.calls.length)!;
    const c: Omit<HookChange, 'summary'> = {
      hook: 'fork-policy', detail: 'copyPinnedAnon', before: { type: 'flag', value: preCount > 0 }, after: { type: 'flag', value: postCount > 0 },
      lines, file: where.sf.path, function: where.sf.fragment.functionName, patch: where.sf.patch,
    };
    pinnedChanges.push({ ...c, summary: summarize(c, era, arch, patchNames) });
  }

  // Lines of the definitions a changed value went through: macros, then helpers.
  const sourceLines = new Map(defineLines);
  for (const env of [envs.pre, envs.post]) {
    for (const [name, ls] of env.helperLines) if (!sourceLines.has(name) || env.side === 'post') sourceLines.set(name, uniqueSorted([...(sourceLines.get(name) ?? []), ...ls]));
  }
  const changes: HookChange[] = [];
  for (const p of pending) {
    // Unmodelled conditions compare by evaluated value (a respelling is no change) and are
    // shown as the source spells them.
    const umChanged = (p.pre?.unmodelled ?? []).join('\n') !== (p.post?.unmodelled ?? []).join('\n');
    const um = { before: p.pre?.unmodelledText ?? [], after: p.post?.unmodelledText ?? [] };
    if (sameHookValue(p.before, p.after) && !umChanged) continue;
    const f = (p.post ?? p.pre)!;
    const assumed = [...new Set([...(envs.pre.assumedZero), ...(envs.post.assumedZero)])];
    const fileArch = archOfPath(f.file);
    const c: Omit<HookChange, 'summary'> = {
      hook: p.hook, detail: p.detail, before: p.before, after: p.after, lines: changeLines(p, sourceLines),
      file: f.file, function: f.function, patch: f.patch,
      ...(fileArch && fileArch !== 'generic' ? { arch: fileArch } : {}),
      ...(assumed.length && (p.hook === 'mprotect-kept') ? { assumedZero: assumed } : {}),
      ...(umChanged ? { unmodelled: um } : {}),
    };
    changes.push({ ...c, summary: summarize(c, era, arch, patchNames) });
  }
  changes.push(...uapiChanges(defines, era, arch, patchNames), ...pinnedChanges);
  return changes.sort((a, b) => a.patch - b.patch || (a.lines[0] ?? 0) - (b.lines[0] ?? 0) || byCodeUnits(a.hook, b.hook) || byCodeUnits(a.detail, b.detail));
}

function safeDetect(patchSet: PatchSet): EraId {
  try {
    return detectEra(patchSet).era;
  } catch {
    return LATEST_ERA;
  }
}

/** Code-unit order: the report must not depend on the reader's locale (localeCompare does). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
