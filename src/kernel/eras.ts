// Era presets: one KernelModel per era and arch, built from the flag tables and the
// behaviour facts of docs/kernel-eras.md. Models are deeply frozen: the bridge derives a
// patched model by copying, never by mutating a preset.
import type {
  ArchId, BitTranslation, EraId, Errno, ForkPolicy, FaultPolicy, GupPolicy, KernelModel, MadviseBehaviour, MadviseGuard,
} from './model';
import { ERAS, LATEST_ERA } from './model';
import { archInEra } from './tables/index';
import { symbolTable } from './flags';

export { ERAS, LATEST_ERA };

const ALL64 = (1n << 64n) - 1n;

/** 'latest', 'v6.12', '6.12', 'V2.6.16' -> EraId; null when it names no era we model. */
export function parseEra(text: string): EraId | null {
  const t = text.trim().toLowerCase();
  if (t === 'latest') return LATEST_ERA;
  const v = t.startsWith('v') ? t : `v${t}`;
  return (ERAS as readonly string[]).includes(v) ? (v as EraId) : null;
}

/** A ReadonlyMap that throws on writes, so a frozen model's maps stay what they were. */
class FrozenMap<K, V> extends Map<K, V> {
  private sealed = false;
  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    for (const [k, v] of entries) super.set(k, v);
    this.sealed = true;
  }
  override set(key: K, value: V): this {
    if (this.sealed) throw new TypeError('kernel model maps are immutable: copy them to change a model');
    return super.set(key, value);
  }
  override delete(): boolean {
    throw new TypeError('kernel model maps are immutable: copy them to change a model');
  }
  override clear(): void {
    throw new TypeError('kernel model maps are immutable: copy them to change a model');
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    if (value instanceof Map) for (const v of value.values()) deepFreeze(v);
    else for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

function need(symbols: Map<string, bigint>, name: string, era: EraId, arch: ArchId): bigint {
  const v = symbols.get(name);
  if (v === undefined) throw new Error(`kernel table ${era}/${arch} lacks ${name}`);
  return v;
}

function trans(symbols: Map<string, bigint>, fromName: string, toName: string): BitTranslation | null {
  const from = symbols.get(fromName);
  const to = symbols.get(toName);
  // _calc_vm_trans yields 0 when either side is 0 or undefined on this configuration.
  if (!from || !to) return null;
  return { from, to, fromName, toName };
}

const after = (era: EraId, than: EraId) => ERAS.indexOf(era) >= ERAS.indexOf(than);

// ---- madvise ---------------------------------------------------------------------------

type MadvSpec = {
  name: string;
  action: MadviseBehaviour['action'];
  set?: string[];
  clear?: string[];
  guards?: Array<{ anyFlags?: string[]; fileOrShared?: boolean; errno: Errno }>;
  /** mmap lock taken for reading (madvise_need_mmap_write() == 0). */
  readLock?: boolean;
  since?: EraId;
};

// Flag-changing advice and the rest, with the eras that accept them. Guards are the EINVAL
// checks of madvise_behavior()/madvise_vma_behavior(); writeLock follows the lock the era takes.
const MADVISE_SPECS: MadvSpec[] = [
  { name: 'MADV_NORMAL', action: 'flags', clear: ['VM_SEQ_READ', 'VM_RAND_READ'] },
  { name: 'MADV_RANDOM', action: 'flags', set: ['VM_RAND_READ'], clear: ['VM_SEQ_READ'] },
  { name: 'MADV_SEQUENTIAL', action: 'flags', set: ['VM_SEQ_READ'], clear: ['VM_RAND_READ'] },
  { name: 'MADV_WILLNEED', action: 'noop', readLock: true },
  { name: 'MADV_DONTNEED', action: 'dontneed', readLock: true },
  { name: 'MADV_REMOVE', action: 'dontneed', readLock: true, since: 'v2.6.16', guards: [{ anyFlags: ['VM_LOCKED'], errno: 'EINVAL' }] },
  { name: 'MADV_DONTFORK', action: 'flags', set: ['VM_DONTCOPY'], since: 'v2.6.16' },
  { name: 'MADV_DOFORK', action: 'flags', clear: ['VM_DONTCOPY'], since: 'v2.6.16', guards: [{ anyFlags: ['VM_IO'], errno: 'EINVAL' }] },
  // Lazy free: without memory pressure the pages keep their contents, so no state change is modelled.
  { name: 'MADV_FREE', action: 'noop', readLock: true, since: 'v5.4', guards: [{ anyFlags: ['VM_LOCKED', 'VM_HUGETLB', 'VM_PFNMAP'], errno: 'EINVAL' }, { fileOrShared: true, errno: 'EINVAL' }] },
  { name: 'MADV_MERGEABLE', action: 'flags', set: ['VM_MERGEABLE'], since: 'v5.4' },
  { name: 'MADV_UNMERGEABLE', action: 'flags', clear: ['VM_MERGEABLE'], since: 'v5.4' },
  { name: 'MADV_HUGEPAGE', action: 'flags', set: ['VM_HUGEPAGE'], clear: ['VM_NOHUGEPAGE'], since: 'v5.4' },
  { name: 'MADV_NOHUGEPAGE', action: 'flags', set: ['VM_NOHUGEPAGE'], clear: ['VM_HUGEPAGE'], since: 'v5.4' },
  { name: 'MADV_DONTDUMP', action: 'flags', set: ['VM_DONTDUMP'], since: 'v5.4' },
  { name: 'MADV_DODUMP', action: 'flags', clear: ['VM_DONTDUMP'], since: 'v5.4', guards: [{ anyFlags: ['VM_IO', 'VM_DONTEXPAND', 'VM_PFNMAP', 'VM_MIXEDMAP', 'VM_DROPPABLE'], errno: 'EINVAL' }] },
  { name: 'MADV_WIPEONFORK', action: 'flags', set: ['VM_WIPEONFORK'], since: 'v5.4', guards: [{ fileOrShared: true, errno: 'EINVAL' }] },
  { name: 'MADV_KEEPONFORK', action: 'flags', clear: ['VM_WIPEONFORK'], since: 'v5.4', guards: [{ anyFlags: ['VM_DROPPABLE'], errno: 'EINVAL' }] },
  { name: 'MADV_COLD', action: 'noop', readLock: true, since: 'v5.4', guards: [{ anyFlags: ['VM_LOCKED', 'VM_HUGETLB', 'VM_PFNMAP'], errno: 'EINVAL' }] },
  { name: 'MADV_PAGEOUT', action: 'noop', readLock: true, since: 'v5.4', guards: [{ anyFlags: ['VM_LOCKED', 'VM_HUGETLB', 'VM_PFNMAP'], errno: 'EINVAL' }] },
  { name: 'MADV_POPULATE_READ', action: 'noop', readLock: true, since: 'v6.12', guards: [{ anyFlags: ['VM_IO', 'VM_PFNMAP'], errno: 'EINVAL' }] },
  { name: 'MADV_POPULATE_WRITE', action: 'noop', readLock: true, since: 'v6.12', guards: [{ anyFlags: ['VM_IO', 'VM_PFNMAP'], errno: 'EINVAL' }] },
  { name: 'MADV_DONTNEED_LOCKED', action: 'dontneed', readLock: true, since: 'v6.12', guards: [{ anyFlags: ['VM_PFNMAP'], errno: 'EINVAL' }] },
  { name: 'MADV_COLLAPSE', action: 'noop', readLock: true, since: 'v6.12' },
];

function dontneedGuard(era: EraId): string[] {
  // 2.6.x and 5.4 refuse locked, hugetlb and PFN-mapped vmas; 6.12 allows hugetlb.
  if (era === 'v2.6.13') return ['VM_LOCKED', 'VM_HUGETLB'];
  if (era === 'v6.12') return ['VM_LOCKED', 'VM_PFNMAP'];
  return ['VM_LOCKED', 'VM_HUGETLB', 'VM_PFNMAP'];
}

function madviseTable(era: EraId, arch: ArchId, symbols: Map<string, bigint>): Map<bigint, MadviseBehaviour> {
  const bitsOf = (names: string[] | undefined): bigint =>
    (names ?? []).reduce((acc, n) => acc | (symbols.get(n) ?? 0n), 0n);
  // 2.6.x sys_madvise took mmap_sem for writing for every advice.
  const oldLocking = era === 'v2.6.13' || era === 'v2.6.16';
  const out = new Map<bigint, MadviseBehaviour>();
  for (const spec of MADVISE_SPECS) {
    if (spec.since && !after(era, spec.since)) continue;
    const value = symbols.get(spec.name);
    if (value === undefined) continue;
    let guards: MadviseGuard[] = (spec.guards ?? []).map((g) => ({
      ...(g.anyFlags ? { anyFlags: bitsOf(g.anyFlags) } : {}), ...(g.fileOrShared ? { fileOrShared: true } : {}), errno: g.errno,
    })).filter((g) => g.anyFlags !== 0n || g.fileOrShared);
    if (spec.name === 'MADV_DONTNEED') guards = [{ anyFlags: bitsOf(dontneedGuard(era)), errno: 'EINVAL' }];
    out.set(value, {
      name: spec.name, value, action: spec.action, set: bitsOf(spec.set), clear: bitsOf(spec.clear), guards,
      writeLock: oldLocking ? true : !spec.readLock,
    });
  }
  // parisc renumbered MERGEABLE..KEEPONFORK (65..72) and COLLAPSE (73) to the generic values
  // in 6.2; its madvise() wrapper keeps translating the old numbers, so they stay accepted.
  if (arch === 'parisc' && era === 'v6.12') {
    const old: Array<[number, string]> = [
      [65, 'MADV_MERGEABLE'], [66, 'MADV_UNMERGEABLE'], [67, 'MADV_HUGEPAGE'], [68, 'MADV_NOHUGEPAGE'],
      [69, 'MADV_DONTDUMP'], [70, 'MADV_DODUMP'], [71, 'MADV_WIPEONFORK'], [72, 'MADV_KEEPONFORK'], [73, 'MADV_COLLAPSE'],
    ];
    for (const [v, name] of old) {
      const b = [...out.values()].find((x) => x.name === name);
      if (b) out.set(BigInt(v), { ...b, guards: b.guards.map((g) => ({ ...g })) });
    }
  }
  return out;
}

// ---- policies ---------------------------------------------------------------------------

function forkPolicy(era: EraId, s: Map<string, bigint>): ForkPolicy {
  const locked = s.get('VM_LOCKED')!;
  return {
    skipFlags: s.get('VM_DONTCOPY')!,
    wipeFlags: s.get('VM_WIPEONFORK') ?? 0n,
    childClear: after(era, 'v5.4') ? locked | s.get('VM_LOCKONFAULT')! : locked,
    copyPinnedAnon: after(era, 'v6.12'),
  };
}

function faultPolicy(era: EraId): FaultPolicy {
  return era === 'v6.12' ? { cowReuse: 'exclusive', anonExclusive: true } : { cowReuse: 'mapcount', anonExclusive: false };
}

function gupPolicy(era: EraId): GupPolicy {
  return era === 'v6.12'
    ? { hasFollPin: true, readPinUnshares: true, ibRegistration: 'pin_user_pages_longterm' }
    : { hasFollPin: false, readPinUnshares: false, ibRegistration: 'get_user_pages_write' };
}

// ---- doorbell presets --------------------------------------------------------------------

export type DoorbellPresetName = 'design2005' | 'mainline';

/** Names of the bits each driver preset sets on the doorbell (UAR) VMA, on top of what the
 *  MAP_SHARED mmap itself gives (see DOORBELL_MMAP_FLAG_NAMES). Era-correct names: before
 *  2.6.15 there is no VM_PFNMAP (io_remap_pfn_range set VM_IO | VM_RESERVED), and before 3.7
 *  no VM_DONTDUMP. */
const DOORBELL_NAMES: Record<DoorbellPresetName, Record<EraId, string[]>> = {
  // The 2005 thread's driver keeps hardware pages out of children with VM_DONTCOPY.
  design2005: {
    'v2.6.13': ['VM_IO', 'VM_RESERVED', 'VM_DONTCOPY', 'VM_DONTEXPAND'],
    'v2.6.16': ['VM_IO', 'VM_RESERVED', 'VM_PFNMAP', 'VM_DONTCOPY', 'VM_DONTEXPAND'],
    'v5.4': ['VM_IO', 'VM_PFNMAP', 'VM_DONTCOPY', 'VM_DONTEXPAND'],
    'v6.12': ['VM_IO', 'VM_PFNMAP', 'VM_DONTCOPY', 'VM_DONTEXPAND'],
  },
  // Mainline rdma_user_mmap_io -> io_remap_pfn_range: no VM_DONTCOPY, the child inherits.
  mainline: {
    'v2.6.13': ['VM_IO', 'VM_RESERVED'],
    'v2.6.16': ['VM_IO', 'VM_RESERVED', 'VM_PFNMAP'],
    'v5.4': ['VM_IO', 'VM_PFNMAP', 'VM_DONTEXPAND', 'VM_DONTDUMP'],
    'v6.12': ['VM_IO', 'VM_PFNMAP', 'VM_DONTEXPAND', 'VM_DONTDUMP'],
  },
};

/** What mmap(PROT_READ|PROT_WRITE, MAP_SHARED) of the device file (opened O_RDWR) gives the
 *  VMA before the driver's handler runs; the simulator computes these itself from the model. */
export const DOORBELL_MMAP_FLAG_NAMES: readonly string[] = Object.freeze([
  'VM_READ', 'VM_WRITE', 'VM_SHARED', 'VM_MAYREAD', 'VM_MAYWRITE', 'VM_MAYEXEC', 'VM_MAYSHARE',
]);

function namesToBits(era: EraId, names: readonly string[]): bigint {
  const s = symbolTable(era, 'generic');
  return names.reduce((acc, n) => acc | need(s, n, era, 'generic'), 0n);
}

/** Driver presets per era: the bits the driver's mmap handler sets on the doorbell VMA. */
export const DOORBELL_PRESETS: Readonly<Record<DoorbellPresetName, Readonly<Record<EraId, bigint>>>> = deepFreeze(
  Object.fromEntries(
    (Object.keys(DOORBELL_NAMES) as DoorbellPresetName[]).map((p) => [
      p, Object.fromEntries(ERAS.map((era) => [era, namesToBits(era, DOORBELL_NAMES[p][era])])),
    ]),
  ) as Record<DoorbellPresetName, Record<EraId, bigint>>,
);

export function doorbellPresetNames(preset: DoorbellPresetName, era: EraId): readonly string[] {
  return DOORBELL_NAMES[preset][era];
}

/** Every flag of the doorbell VMA right after mmap: mmap's own bits plus the driver's. */
export function doorbellVmaFlags(model: KernelModel): bigint {
  const mmapBits = DOORBELL_MMAP_FLAG_NAMES.reduce((acc, n) => acc | (model.symbols.get(n) ?? 0n), 0n);
  return (mmapBits & ~(model.doorbellClear ?? 0n)) | model.doorbellFlags;
}

// ---- the model ----------------------------------------------------------------------------

const ARCH_PROT_EXTRAS: Array<[ArchId, string, string]> = [
  ['powerpc', 'PROT_SAO', 'VM_SAO'],
  ['sparc', 'PROT_ADI', 'VM_SPARC_ADI'],
  ['arm64', 'PROT_BTI', 'VM_ARM64_BTI'],
  ['arm64', 'PROT_MTE', 'VM_MTE'],
];

const models = new Map<string, KernelModel>();

/** The preset model of `era` on `arch`; the same frozen object on every call. Throws for an
 *  arch the era has no port for (arm64 before 3.7): callers list arches with archesInEra(). */
export function kernelModel(era: EraId, arch: ArchId = 'generic'): KernelModel {
  const key = `${era}/${arch}`;
  const hit = models.get(key);
  if (hit) return hit;
  if (!ERAS.includes(era)) throw new Error(`unknown kernel era '${String(era)}' (known: ${ERAS.join(', ')}, latest)`);
  if (!archInEra(era, arch)) throw new Error(`kernel ${era} has no ${arch} port (arm64 arrived in 3.7)`);
  const s = symbolTable(era, arch);
  const n = (name: string) => need(s, name, era, arch);

  const protToVm = [
    trans(s, 'PROT_READ', 'VM_READ'), trans(s, 'PROT_WRITE', 'VM_WRITE'), trans(s, 'PROT_EXEC', 'VM_EXEC'),
    ...ARCH_PROT_EXTRAS.filter(([a]) => a === arch).map(([, p, v]) => trans(s, p, v)),
  ].filter((t): t is BitTranslation => t !== null);

  const protValid = [n('PROT_READ'), n('PROT_WRITE'), n('PROT_EXEC'), n('PROT_SEM'), ...protToVm.slice(3).map((t) => t.from)]
    .reduce((a, b) => a | b, 0n);

  const mapToVm = [
    trans(s, 'MAP_GROWSDOWN', 'VM_GROWSDOWN'),
    // VM_DENYWRITE is gone in 6.12 (5.15); trans() drops the term when a side is missing.
    trans(s, 'MAP_DENYWRITE', 'VM_DENYWRITE'),
    ...(era === 'v2.6.13' || era === 'v2.6.16' ? [trans(s, 'MAP_EXECUTABLE', 'VM_EXECUTABLE')] : []),
    trans(s, 'MAP_LOCKED', 'VM_LOCKED'),
    trans(s, 'MAP_SYNC', 'VM_SYNC'),
    ...(era === 'v6.12' ? [trans(s, 'MAP_STACK', 'VM_NOHUGEPAGE')] : []),
  ].filter((t): t is BitTranslation => t !== null);

  const access = n('VM_READ') | n('VM_WRITE') | n('VM_EXEC');
  const flagsClear = s.get('VM_FLAGS_CLEAR') ?? 0n;
  const mprotectKept = ALL64 & ~(access | flagsClear);

  const model: KernelModel = {
    era,
    arch,
    symbols: new FrozenMap(s),
    protToVm,
    protValid,
    // In every era the presets cover, mprotect's check accepts exactly the bits the era defines.
    mprotectProtValid: protValid,
    mapToVm,
    mmapFixedFlags: n('VM_MAYREAD') | n('VM_MAYWRITE') | n('VM_MAYEXEC'),
    mprotectKept,
    mprotectAccessCheck: { shift: 4, mask: era === 'v2.6.13' ? 0xfn : access },
    madvise: new FrozenMap(madviseTable(era, arch, s)),
    fork: forkPolicy(era, s),
    fault: faultPolicy(era),
    gup: gupPolicy(era),
    doorbellFlags: DOORBELL_PRESETS.design2005[era],
    hasVmFlagsHelpers: era === 'v6.12',
    hasMmapLock: era === 'v6.12',
  };
  deepFreeze(model);
  models.set(key, model);
  return model;
}
