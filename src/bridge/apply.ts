// Base model + hook changes = patched model. Every change is applied as a delta (what the
// patch adds and what it takes away), not as "the value the hunk shows", because a hunk is a
// window: a translation term the window does not show, a VM_FLAGS_CLEAR bit of this arch, a
// guard kept in another function all stay as the base kernel has them.
import type { BitTranslation, KernelModel, MadviseBehaviour, MadviseGuard } from '../kernel/model';
import { guardKey, termKey } from './facts';
import { archOfPath } from './arch';
import type { HookChange, HookValue } from './types';

const MASK64 = (1n << 64n) - 1n;

function maskDelta(current: bigint, before: HookValue | null, after: HookValue | null): bigint {
  const b = before?.type === 'mask' ? before.value : 0n;
  const a = after?.type === 'mask' ? after.value : 0n;
  const gained = a & ~b;
  const lost = b & ~a;
  return ((current | gained) & ~lost) & MASK64;
}

function termsDelta(current: readonly BitTranslation[], before: HookValue | null, after: HookValue | null): BitTranslation[] {
  const b = before?.type === 'translation' ? before.terms : [];
  const a = after?.type === 'translation' ? after.terms : [];
  const bk = new Set(b.map(termKey));
  const ak = new Set(a.map(termKey));
  const out = current.filter((t) => !(bk.has(termKey(t)) && !ak.has(termKey(t))));
  for (const t of a) if (!bk.has(termKey(t)) && !out.some((x) => termKey(x) === termKey(t))) out.push(t);
  return out;
}

/** Does a change apply to a model of `arch`? Generic files apply to every arch; an arch's own
 *  file to that arch; for uapi names, i386/x86 headers (the generic values) also to `generic`. */
export function uapiApplies(change: HookChange, arch: KernelModel['arch']): boolean {
  const h = change.arch ?? archOfPath(change.file) ?? 'generic';
  if (h === 'generic' || h === arch) return true;
  return change.hook === 'uapi-name' && arch === 'generic' && h === 'x86';
}

/** The patched model: a fresh, unfrozen copy of `model` with `changes` applied. */
export function applyHookChanges(model: KernelModel, changes: readonly HookChange[]): KernelModel {
  // Changes in another arch's files leave this model alone.
  const symbols = new Map(model.symbols);
  let protToVm = [...model.protToVm];
  let mapToVm = [...model.mapToVm];
  let mmapFixedFlags = mmapFixedFlagsOf(model);
  let protValid = model.protValid;
  let mprotectProtValid = model.mprotectProtValid;
  let mmapProtValid = model.mmapProtValid;
  let mprotectKept = model.mprotectKept;
  let access = { ...model.mprotectAccessCheck };
  const fork = { ...model.fork };
  let doorbellFlags = model.doorbellFlags;
  let doorbellClear = model.doorbellClear ?? 0n;

  // 1. Names first: later hooks look advice values up by name.
  changes = changes.filter((c) => uapiApplies(c, model.arch));
  for (const c of changes) {
    if (c.hook !== 'uapi-name') continue;
    const old = symbols.get(c.detail);
    if (c.after?.type === 'value') symbols.set(c.detail, c.after.value);
    else symbols.delete(c.detail);
    const now = symbols.get(c.detail);
    // Translation terms follow their names to new values.
    const renumber = (ts: BitTranslation[]) => ts.map((t) => (t.fromName === c.detail && now !== undefined && old !== undefined ? { ...t, from: now } : t));
    protToVm = renumber(protToVm);
    mapToVm = renumber(mapToVm);
  }

  // 2. madvise: behaviours by name (the switch matches names), then what validity accepts.
  const defined = new Map<string, MadviseBehaviour>();
  for (const b of model.madvise.values()) defined.set(b.name, { ...b, guards: [...b.guards] });
  const accepted = new Set([...model.madvise.values()].map((b) => b.name));
  const validity = new Map<string, boolean>();
  for (const c of changes) {
    if (c.hook === 'madvise-validity' && c.after?.type === 'flag') validity.set(c.detail, c.after.value);
    if (c.hook !== 'madvise-behaviour') continue;
    if (c.after === null) {
      defined.delete(c.detail);
      continue;
    }
    if (c.after.type !== 'madvise') continue;
    const value = symbols.get(c.detail);
    if (value === undefined) continue;
    const cur: MadviseBehaviour = defined.get(c.detail) ?? { name: c.detail, value, action: 'noop', set: 0n, clear: 0n, guards: [], writeLock: true };
    const before = c.before?.type === 'madvise' ? c.before : null;
    const after = c.after;
    const next: MadviseBehaviour = { ...cur, value, guards: [...cur.guards] };
    if (after.set !== undefined) next.set = ((cur.set & ~(before?.set ?? 0n)) | after.set) & MASK64;
    if (after.clear !== undefined) next.clear = ((cur.clear & ~(before?.clear ?? 0n)) | after.clear) & MASK64;
    const bk = new Set((before?.guards ?? []).map(guardKey));
    const ak = new Set((after.guards ?? []).map(guardKey));
    next.guards = next.guards.filter((g) => !(bk.has(guardKey(g)) && !ak.has(guardKey(g))));
    for (const g of after.guards ?? []) if (!bk.has(guardKey(g)) && !next.guards.some((x) => guardKey(x) === guardKey(g))) next.guards.push(g as MadviseGuard);
    if (after.writeLock !== undefined) next.writeLock = after.writeLock;
    if ((next.set | next.clear) !== 0n && next.action === 'noop') next.action = 'flags';
    defined.set(c.detail, next);
  }
  for (const [name, ok] of validity) {
    if (ok) accepted.add(name);
    else accepted.delete(name);
  }
  const madvise = new Map<bigint, MadviseBehaviour>();
  for (const name of accepted) {
    const value = symbols.get(name);
    if (value === undefined) continue;
    const b = defined.get(name) ?? { name, value, action: 'noop' as const, set: 0n, clear: 0n, guards: [], writeLock: true };
    madvise.set(value, { ...b, value });
  }

  // 3. Everything else.
  for (const c of changes) {
    switch (c.hook) {
      case 'prot-translation':
        if (c.detail === 'prot-valid') {
          // The check is mprotect's (sys_mprotect, do_mprotect_pkey, arch_validate_prot) unless
          // it sits in an mmap path.
          if (!isMmapFunction(c.function)) mprotectProtValid = maskDelta(mprotectProtValid, c.before, c.after) & 0xffffffffn;
          else mmapProtValid = maskDelta(mmapProtValid ?? 0xffffffffn, c.before, c.after) & 0xffffffffn;
          protValid = maskDelta(protValid, c.before, c.after) & 0xffffffffn;
        } else {
          protToVm = termsDelta(protToVm, c.before, c.after);
          // A bit the patch translates is one the era now knows (mmap passes it through), but
          // mprotect still rejects it unless the patch also widens mprotect's own check.
          for (const t of c.after?.type === 'translation' ? c.after.terms : []) protValid |= t.from;
        }
        break;
      case 'mmap-flags':
        if (c.detail === 'fixedFlags') mmapFixedFlags = maskDelta(mmapFixedFlags, c.before, c.after);
        else mapToVm = termsDelta(mapToVm, c.before, c.after);
        break;
      case 'mprotect-kept':
        mprotectKept = maskDelta(mprotectKept, c.before, c.after);
        break;
      case 'mprotect-access-check':
        if (c.after?.type === 'access-check') access = { shift: c.after.shift, mask: c.after.mask };
        break;
      case 'fork-policy':
        if (c.detail === 'copyPinnedAnon' && c.after?.type === 'flag') fork.copyPinnedAnon = c.after.value;
        else if (c.detail === 'skipFlags') fork.skipFlags = maskDelta(fork.skipFlags, c.before, c.after);
        else if (c.detail === 'wipeFlags') fork.wipeFlags = maskDelta(fork.wipeFlags, c.before, c.after);
        else if (c.detail === 'childClear') fork.childClear = maskDelta(fork.childClear, c.before, c.after);
        break;
      case 'driver-mmap': {
        const b = c.before?.type === 'driver-flags' ? c.before : { set: 0n, clear: 0n };
        const a = c.after?.type === 'driver-flags' ? c.after : { set: 0n, clear: 0n };
        doorbellFlags = (doorbellFlags & ~(b.set & ~a.set)) | (a.set & ~b.set);
        doorbellFlags &= ~(a.clear & ~b.clear);
        // Bits mmap itself gives the VMA (VM_MAYEXEC...) that the handler now clears or no
        // longer clears.
        doorbellClear = ((doorbellClear & ~(b.clear & ~a.clear)) | (a.clear & ~b.clear)) & ~doorbellFlags;
        break;
      }
      default:
        break;
    }
  }

  return {
    ...model,
    symbols,
    protToVm,
    protValid,
    mprotectProtValid,
    ...(mmapProtValid !== undefined ? { mmapProtValid } : {}),
    mapToVm,
    mmapFixedFlags,
    mprotectKept,
    mprotectAccessCheck: access,
    madvise,
    fork,
    doorbellFlags,
    ...(doorbellClear !== 0n || model.doorbellClear !== undefined ? { doorbellClear } : {}),
  };
}

/** What do_mmap ORs into every mapping (VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC unless set). */
export function mmapFixedFlagsOf(model: KernelModel): bigint {
  const s = model.symbols;
  return model.mmapFixedFlags ?? ((s.get('VM_MAYREAD') ?? 0n) | (s.get('VM_MAYWRITE') ?? 0n) | (s.get('VM_MAYEXEC') ?? 0n));
}

/** A PROT check in do_mmap / sys_mmap*: it does not govern mprotect. */
export function isMmapFunction(fn: string | null): boolean {
  return fn !== null && /^(do_mmap\w*|sys_mmap\w*|ksys_mmap\w*|mmap_region)$/.test(fn);
}

/** Changes that touch the model at all (a change in another arch's files does not). */
export function changesModel(model: KernelModel, change: HookChange): boolean {
  return uapiApplies(change, model.arch);
}
