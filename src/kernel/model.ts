// KernelModel: everything the simulator needs to know about one kernel, as plain values.
// The era presets (eras.ts) build one per era and arch; the bridge builds a patched one by
// changing these values. Each field corresponds to a hook point of ../shared/DESIGN.md, so a
// patch that changes that code in the kernel changes exactly this field here.
// VM flags are bigint: they pass bit 31 on 64-bit kernels.

export type EraId = 'v2.6.13' | 'v2.6.16' | 'v5.4' | 'v6.12';
export const ERAS: readonly EraId[] = ['v2.6.13', 'v2.6.16', 'v5.4', 'v6.12'];
export const LATEST_ERA: EraId = 'v6.12';

export type ArchId = 'generic' | 'alpha' | 'mips' | 'parisc' | 'sparc' | 'powerpc' | 'xtensa' | 'arm64' | 'x86';
export const ARCHES: readonly ArchId[] = ['generic', 'alpha', 'mips', 'parisc', 'sparc', 'powerpc', 'xtensa', 'arm64', 'x86'];

export type Errno = 'EINVAL' | 'EACCES' | 'ENOMEM' | 'EPERM' | 'EFAULT' | 'ENOSYS' | 'EAGAIN' | 'EOPNOTSUPP' | 'EBUSY';

/** One `_calc_vm_trans(x, from, to)` term: bit `from` of the user value becomes VM bit `to`. */
export interface BitTranslation {
  from: bigint;
  to: bigint;
  /** Names for messages: `PROT_READ` -> `VM_READ`. */
  fromName: string;
  toName: string;
}

/** A guard in a madvise case: when the VMA matches, the advice fails with errno. */
export interface MadviseGuard {
  /** Fails when any of these VM bits is set on the VMA (e.g. VM_IO for MADV_DOFORK). */
  anyFlags?: bigint;
  /** Fails on file-backed or shared VMAs (MADV_WIPEONFORK). */
  fileOrShared?: boolean;
  errno: Errno;
}

export interface MadviseBehaviour {
  name: string;
  value: bigint;
  /** What the advice does: change vm_flags, zap pages, or accept and do nothing modelled. */
  action: 'flags' | 'dontneed' | 'noop';
  set: bigint;
  clear: bigint;
  guards: MadviseGuard[];
  /** madvise changes vm_flags only under the mmap lock held for writing. */
  writeLock: boolean;
}

export interface ForkPolicy {
  /** VMAs with any of these bits are not copied into the child (VM_DONTCOPY). */
  skipFlags: bigint;
  /** VMAs with any of these bits are copied empty (VM_WIPEONFORK); 0n before 4.14. */
  wipeFlags: bigint;
  /** Bits the child's VMA loses (VM_LOCKED | VM_LOCKONFAULT). */
  childClear: bigint;
  /** Pinned exclusive anonymous pages are copied for the child at fork (5.9+). */
  copyPinnedAnon: boolean;
}

export interface FaultPolicy {
  /** How a write fault on a COW page decides to reuse it: by mapcount (before 5.9), by page
   *  reference count (5.9-5.18), or by the anon-exclusive bit (5.19+). */
  cowReuse: 'mapcount' | 'refcount' | 'exclusive';
  /** Pages carry PageAnonExclusive (5.19+). */
  anonExclusive: boolean;
}

export interface GupPolicy {
  /** pin_user_pages/FOLL_PIN exists (5.7+); before that every GUP is a plain reference. */
  hasFollPin: boolean;
  /** A read-only GUP/pin of a possibly shared anonymous page unshares it first
   *  (5.8 forced COW, 5.19 FAULT_FLAG_UNSHARE for FOLL_PIN). */
  readPinUnshares: boolean;
  /** How the InfiniBand driver registers memory in this era. */
  ibRegistration: 'get_user_pages_write' | 'pin_user_pages_longterm';
}

export interface KernelModel {
  era: EraId;
  arch: ArchId;
  /** Name -> value for every VM_, PROT_, MAP_, MADV_ constant this era and arch define. */
  symbols: ReadonlyMap<string, bigint>;
  /** calc_vm_prot_bits (+ arch_calc_vm_prot_bits). */
  protToVm: BitTranslation[];
  /** PROT bits this era and arch define for mmap/mprotect (R|W|X|SEM + arch extras). do_mmap
   *  does not reject other bits (calc_vm_prot_bits drops them); mprotect's own check is
   *  mprotectProtValid. */
  protValid: bigint;
  /** PROT bits mprotect accepts: 2.6's explicit `prot & ~(PROT_READ|...|PROT_SEM)` test, later
   *  arch_validate_prot(); any other bit is EINVAL. A patch that translates a new PROT bit
   *  without widening this check still gets EINVAL from mprotect. */
  mprotectProtValid: bigint;
  /** PROT bits mmap accepts when it checks them at all. Absent: do_mmap does not check (every
   *  era the presets cover); a patch that adds a check in do_mmap sets it. */
  mmapProtValid?: bigint;
  /** calc_vm_flag_bits: MAP bits -> VM bits. */
  mapToVm: BitTranslation[];
  /** VM bits do_mmap puts on every new mapping beside the translated ones
   *  (`| VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC`). Absent: those three. */
  mmapFixedFlags?: bigint;
  /** mprotect: newflags = calc_vm_prot_bits(prot) | (vma->vm_flags & mprotectKept). */
  mprotectKept: bigint;
  /** mprotect: EACCES when ((newflags & ~(newflags >> shift)) & mask) != 0. */
  mprotectAccessCheck: { shift: number; mask: bigint };
  /** madvise behaviours this era accepts, by advice value; anything else is EINVAL. */
  madvise: ReadonlyMap<bigint, MadviseBehaviour>;
  fork: ForkPolicy;
  fault: FaultPolicy;
  gup: GupPolicy;
  /** vm_flags the InfiniBand driver's mmap handler puts on the doorbell (UAR) VMA. */
  doorbellFlags: bigint;
  /** vm_flags the driver's mmap handler clears on the doorbell VMA, among those mmap itself
   *  gave it (`vm_flags_clear(vma, VM_MAYEXEC)`). Absent: none. */
  doorbellClear?: bigint;
  /** vm_flags_set/vm_flags_clear/vm_flags_mod exist (6.3+). */
  hasVmFlagsHelpers: boolean;
  /** Uses mmap_lock (5.8+) rather than mmap_sem. */
  hasMmapLock: boolean;
}
