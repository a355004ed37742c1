// The simulated machine: processes, VMAs, page tables, frames, and the system calls and
// faults that act on them. Everything it decides comes from the KernelModel it is given
// (flag tables, fork/fault/GUP policies, madvise table), never from the era's name, so a
// patched model changes behaviour exactly where the patch does.
import type { Errno, KernelModel, MadviseBehaviour } from '../kernel/model';
import { simConstants, vmFlagNames, type SimConstants } from './constants';
import { FrameTable, NO_FRAME, PIN_BIAS, ZERO_FRAME } from './frames';
import { fail, ok, signal, type EventKind, type SimEvent, type StepResult } from './types';
import { Process, Vma, type DevicePage, type FlagOrigin, type ShmObject, PAGE_SIZE } from './vma';

/** First page handed out by mmap (address 0x10000000), with a one-page gap between mappings. */
const FIRST_PAGE = 0x10000;

export interface GupOptions {
  write: boolean;
  pin: boolean;
  longterm: boolean;
}

/** A reference or pin held on one frame (a `gup` step or one page of a memory region). */
export interface Pin {
  id: number;
  frame: number;
  /** Counted as a FOLL_PIN (PIN_BIAS) rather than a plain reference. */
  pin: boolean;
  pid: number;
  procName: string;
  page: number;
  step: number;
  label: string;
}

export interface MachineOptions {
  /** Initial frame capacity (grows as needed). */
  frames?: number;
}

export class Machine {
  readonly model: KernelModel;
  readonly c: SimConstants;
  readonly frames: FrameTable;
  readonly procs = new Map<string, Process>();
  readonly events: SimEvent[] = [];
  readonly pins = new Map<number, Pin>();
  readonly shmObjects = new Set<ShmObject>();
  /** Called when a process exits, before its mappings go (the IB device closes contexts). */
  readonly exitHooks: ((p: Process) => void)[] = [];
  /** Index of the step being run, stamped on events. */
  step = 0;
  private nextPid = 1;
  private nextPinId = 1;
  private nextShmId = 1;
  private readonly special: bigint;

  constructor(model: KernelModel, options: MachineOptions = {}) {
    this.model = model;
    this.c = simConstants(model);
    this.frames = new FrameTable(options.frames ?? 1024);
    this.special = this.c.VM_IO | this.c.VM_DONTEXPAND | this.c.VM_PFNMAP | this.c.VM_MIXEDMAP;
  }

  // ---- processes ----------------------------------------------------------------------

  spawn(name: string): Process {
    if (this.procs.has(name)) throw new Error(`process '${name}' already exists`);
    const p = new Process(name, this.nextPid++, FIRST_PAGE);
    this.procs.set(name, p);
    return p;
  }

  proc(name: string): Process {
    const p = this.procs.get(name);
    if (!p) throw new Error(`no process '${name}'`);
    return p;
  }

  emit(kind: EventKind, detail: string): void {
    this.events.push({ step: this.step, kind, detail });
  }

  // ---- mmap / munmap ------------------------------------------------------------------

  /** Anonymous mmap of `pages` pages; names the range `region` in the process. */
  mmap(p: Process, region: string, pages: number, prot: bigint, flags: bigint): StepResult {
    const c = this.c;
    const m = this.model;
    if (!p.alive) return fail('EINVAL');
    if (!Number.isInteger(pages) || pages <= 0) return fail('EINVAL');
    // do_mmap does not validate PROT bits (only mprotect calls arch_validate_prot): unknown
    // bits are dropped by calc_vm_prot_bits. The live-kernel oracle confirms it.
    if (m.mmapProtValid !== undefined && (prot & ~m.mmapProtValid) !== 0n) return fail('EINVAL'); // a patched do_mmap that checks
    if ((flags & c.MAP_ANONYMOUS) === 0n || c.MAP_ANONYMOUS === 0n) return fail('EBADF'); // fd -1 and no file: only anonymous mappings exist here
    let vmFlags = translate(m.protToVm, prot) | translate(m.mapToVm, flags) | (m.mmapFixedFlags ?? (c.VM_MAYREAD | c.VM_MAYWRITE | c.VM_MAYEXEC));
    const type = flags & c.MAP_TYPE;
    let backing: 'anon' | 'shmem';
    if (type === c.MAP_SHARED) {
      vmFlags |= c.VM_SHARED | c.VM_MAYSHARE;
      backing = 'shmem';
    } else if (type === c.MAP_PRIVATE) {
      backing = 'anon';
    } else if (c.MAP_DROPPABLE !== 0n && type === c.MAP_DROPPABLE) {
      if (c.VM_DROPPABLE === 0n) return fail('EOPNOTSUPP');
      if ((vmFlags & c.VM_LOCKED) !== 0n) return fail('EINVAL');
      vmFlags |= c.VM_DROPPABLE | c.VM_NORESERVE | c.VM_WIPEONFORK | c.VM_DONTDUMP;
      backing = 'anon';
    } else {
      return fail('EINVAL');
    }
    if ((flags & c.MAP_NORESERVE) !== 0n) vmFlags |= c.VM_NORESERVE;
    if ((vmFlags & (c.VM_NORESERVE | c.VM_SHARED | c.VM_WRITE)) === c.VM_WRITE) vmFlags |= c.VM_ACCOUNT;
    const start = p.nextPage;
    p.nextPage += pages + 1;
    const vma = new Vma(start, start + pages, vmFlags, backing);
    if (backing === 'shmem') {
      const shm: ShmObject = { id: this.nextShmId++, frames: new Int32Array(pages).fill(NO_FRAME), users: 1 };
      this.shmObjects.add(shm);
      vma.shm = shm;
    }
    p.insert(vma);
    p.regions.set(region, { start, pages });
    return { ok: true, addr: hexAddr(start) };
  }

  /** Maps a driver's device page (what a driver's mmap handler does with remap_pfn_range). */
  mapDevice(p: Process, region: string, device: DevicePage, vmFlags: bigint, origin: string): StepResult {
    const start = p.nextPage;
    p.nextPage += 2;
    const vma = new Vma(start, start + 1, vmFlags, 'device');
    vma.device = device;
    const c = this.c;
    const driverSet = vmFlags & ~(c.VM_READ | c.VM_WRITE | c.VM_EXEC | c.VM_SHARED | c.VM_MAYREAD | c.VM_MAYWRITE | c.VM_MAYEXEC | c.VM_MAYSHARE);
    vma.origins = bitsOf(driverSet).map((bit) => ({ bit, source: 'driver' as const, by: origin, step: this.step }));
    p.insert(vma);
    p.regions.set(region, { start, pages: 1 });
    return { ok: true, addr: hexAddr(start) };
  }

  munmap(p: Process, start: number, pages: number): StepResult {
    if (!p.alive) return fail('EINVAL');
    if (pages <= 0) return fail('EINVAL');
    const end = start + pages;
    this.splitRange(p, start, end);
    const i0 = p.firstEndingAfter(start);
    let i1 = i0;
    while (i1 < p.vmas.length && p.vmas[i1].start < end) i1++;
    const gone = p.vmas.splice(i0, i1 - i0);
    for (const v of gone) this.dropVma(v);
    return ok;
  }

  /** Releases everything a VMA maps (zap + unlink). */
  private dropVma(v: Vma): void {
    this.zap(v, 0, v.pages);
    if (v.shm && --v.shm.users === 0) this.freeShm(v.shm);
  }

  private freeShm(shm: ShmObject): void {
    const fr = shm.frames;
    for (let i = 0; i < fr.length; i++) if (fr[i] > 0) this.frames.put(fr[i]);
    this.shmObjects.delete(shm);
  }

  /** Unmaps pages [from, to) of a VMA's page table (zap_page_range). */
  private zap(v: Vma, from: number, to: number): void {
    const pt = v.pt;
    const F = this.frames;
    for (let i = from; i < to; i++) {
      const f = pt[i];
      if (f > 0) {
        F.mapcount[f]--;
        F.put(f);
      }
      pt[i] = NO_FRAME;
      v.wr[i] = 0;
    }
  }

  // ---- splitting and merging --------------------------------------------------------------

  /** Splits VMAs so that start and end fall on VMA boundaries. */
  private splitRange(p: Process, start: number, end: number): void {
    for (const at of [start, end]) {
      const i = p.findIndex(at);
      if (i >= 0 && p.vmas[i].start < at) p.vmas.splice(i + 1, 0, p.vmas[i].splitAt(at));
    }
  }

  /** Merges compatible neighbours among vmas[lo..hi] (and their outer neighbours). */
  private mergeAround(p: Process, lo: number, hi: number): void {
    let i = Math.max(0, lo - 1);
    let last = Math.min(p.vmas.length - 1, hi + 1);
    while (i < last) {
      const a = p.vmas[i];
      const b = p.vmas[i + 1];
      if (a.canMergeWith(b, this.special)) {
        a.absorb(b);
        p.vmas.splice(i + 1, 1);
        last--;
      } else i++;
    }
  }

  /**
   * Applies a flag change to [start, end): split at the boundaries, set the new flags on each
   * VMA in between, merge again. `decide` returns the new flags or an errno that stops the
   * walk. Mirrors mprotect (stop at a hole) or madvise (skip holes, ENOMEM at the end).
   */
  private changeFlags(
    p: Process, start: number, end: number, holes: 'stop' | 'skip',
    decide: (v: Vma) => bigint | Errno, clearedBy: (bit: bigint) => boolean, what: string,
  ): StepResult {
    let cursor = start;
    let hole = false;
    let error: Errno | null = null;
    let touchedLo = Infinity;
    let touchedHi = -1;
    while (cursor < end) {
      const i = p.firstEndingAfter(cursor);
      const v = p.vmas[i];
      if (!v || v.start >= end) { hole = true; break; }
      if (v.start > cursor) {
        hole = true;
        if (holes === 'stop') break;
      }
      const next = decide(v);
      if (typeof next === 'string') { error = next; break; }
      if (next !== v.flags) {
        const s = Math.max(v.start, cursor);
        const e = Math.min(v.end, end);
        this.splitRange(p, s, e);
        const j = p.findIndex(s);
        this.setFlags(p.vmas[j], next, clearedBy, what);
        touchedLo = Math.min(touchedLo, j);
        touchedHi = Math.max(touchedHi, j);
        cursor = p.vmas[j].end;
      } else cursor = v.end;
    }
    if (touchedHi >= 0) this.mergeAround(p, touchedLo, touchedHi);
    if (error) return fail(error);
    if (hole) return fail('ENOMEM');
    return ok;
  }

  /** Sets a VMA's flags, reporting tracked flags that an unrelated call clears. */
  setFlags(v: Vma, next: bigint, clearedBy: (bit: bigint) => boolean, what: string): void {
    const lost = v.flags & ~next;
    if (lost !== 0n && v.origins.length) {
      const keep: FlagOrigin[] = [];
      for (const o of v.origins) {
        if ((lost & o.bit) === 0n) keep.push(o);
        else if (o.source === 'driver' || !clearedBy(o.bit)) {
          this.emit('flag-cleared', `${this.flagName(o.bit)} set by ${o.by} at step ${o.step} on ${hexAddr(v.start)}-${hexAddr(v.end)} was cleared by ${what}`);
        }
      }
      v.origins = keep;
    }
    v.flags = next;
    if ((next & this.c.VM_WRITE) === 0n) v.wr.fill(0);
  }

  flagName(bit: bigint): string {
    return vmFlagNames(this.model, bit)[0] ?? `0x${bit.toString(16)}`;
  }

  // ---- mprotect / madvise -----------------------------------------------------------------

  mprotect(p: Process, start: number, pages: number, prot: bigint): StepResult {
    const m = this.model;
    const c = this.c;
    if (!p.alive) return fail('EINVAL');
    if (pages === 0) return ok;
    if ((prot & ~(m.mprotectProtValid ?? m.protValid)) !== 0n) return fail('EINVAL');
    const want = translate(m.protToVm, prot);
    const shift = BigInt(m.mprotectAccessCheck.shift);
    const first = p.find(start);
    if (!first) return fail('ENOMEM');
    return this.changeFlags(p, start, start + pages, 'stop', (v) => {
      let next = want | (v.flags & m.mprotectKept);
      if (((next & ~(next >> shift)) & m.mprotectAccessCheck.mask) !== 0n) return 'EACCES';
      const acct = c.VM_ACCOUNT | c.VM_WRITE | c.VM_HUGETLB | c.VM_SHARED | c.VM_NORESERVE;
      if ((next & c.VM_WRITE) !== 0n && (v.flags & acct) === 0n) next |= c.VM_ACCOUNT;
      return next;
    }, () => false, 'mprotect');
  }

  madvise(p: Process, start: number, pages: number, advice: bigint): StepResult {
    if (!p.alive) return fail('EINVAL');
    const b = this.model.madvise.get(advice);
    if (!b) return fail('EINVAL');
    if (pages === 0) return ok;
    const end = start + pages;
    const guardFails = (v: Vma): Errno | null => {
      for (const g of b.guards) {
        if (g.anyFlags !== undefined && (v.flags & g.anyFlags) !== 0n) return g.errno;
        if (g.fileOrShared && (v.backing !== 'anon' || (v.flags & this.c.VM_SHARED) !== 0n)) return g.errno;
      }
      return null;
    };
    if (b.action === 'flags') {
      const r = this.changeFlags(p, start, end, 'skip', (v) => {
        const e = guardFails(v);
        if (e) return e;
        return (v.flags & ~b.clear) | b.set;
      }, (bit) => (b.clear & bit) !== 0n, `madvise(${b.name})`);
      this.recordOrigins(p, start, end, b);
      return r;
    }
    // Actions that do not change flags walk the VMAs the same way.
    let cursor = start;
    let hole = false;
    while (cursor < end) {
      const i = p.firstEndingAfter(cursor);
      const v = p.vmas[i];
      if (!v || v.start >= end) { hole = true; break; }
      if (v.start > cursor) hole = true;
      const e = guardFails(v);
      if (e) return fail(e);
      const s = Math.max(v.start, cursor);
      const t = Math.min(v.end, end);
      if (b.action === 'dontneed') this.zap(v, s - v.start, t - v.start);
      cursor = v.end;
    }
    return hole ? fail('ENOMEM') : ok;
  }

  /** Remembers flags madvise set in [start, end), so an unrelated call clearing them is reported. */
  private recordOrigins(p: Process, start: number, end: number, b: MadviseBehaviour): void {
    if (b.set === 0n) return;
    for (const v of p.vmas) {
      if (v.end <= start || v.start >= end) continue;
      for (const bit of bitsOf(b.set)) {
        if ((v.flags & bit) !== 0n && !v.origins.some((o) => o.bit === bit)) {
          v.origins.push({ bit, source: 'madvise', by: `madvise(${b.name})`, step: this.step });
        }
      }
    }
  }

  // ---- user accesses and faults ---------------------------------------------------------------

  read(p: Process, page: number): StepResult {
    if (!p.alive) return signal('SIGSEGV');
    const v = p.find(page);
    const c = this.c;
    // x86 and arm64 let a read through any of R/W/X (a write-only PTE is still readable).
    if (!v || (v.flags & (c.VM_READ | c.VM_WRITE | c.VM_EXEC)) === 0n) return signal('SIGSEGV');
    if (v.backing === 'device') return { ok: true, value: 0 };
    const i = page - v.start;
    let f = v.pt[i];
    if (f === NO_FRAME) f = this.readFault(v, i);
    return { ok: true, value: this.frames.content[f] };
  }

  /** Maps page i of v for reading: the zero page for anonymous memory, the page cache for shmem. */
  private readFault(v: Vma, i: number): number {
    if (v.backing === 'shmem') {
      const f = this.shmPage(v, i);
      this.mapFrame(v, i, f);
      v.wr[i] = (v.flags & this.c.VM_WRITE) !== 0n ? 1 : 0;
      return f;
    }
    v.pt[i] = ZERO_FRAME;
    v.wr[i] = 0;
    return ZERO_FRAME;
  }

  /** The shmem page behind page i of v, allocated zeroed on first use. */
  private shmPage(v: Vma, i: number): number {
    const shm = v.shm!;
    const k = v.shmOff + i;
    let f = shm.frames[k];
    if (f <= 0) {
      f = this.frames.alloc(0, false);
      this.frames.mapcount[f] = 0; // held only by the page cache until mapped
      this.frames.markShmem(f);
      shm.frames[k] = f;
    }
    return f;
  }

  private mapFrame(v: Vma, i: number, f: number): void {
    v.pt[i] = f;
    this.frames.mapcount[f]++;
    this.frames.refcount[f]++;
  }

  write(p: Process, page: number, value: number): StepResult {
    if (!p.alive) return signal('SIGSEGV');
    const v = p.find(page);
    if (!v || (v.flags & this.c.VM_WRITE) === 0n) return signal('SIGSEGV');
    if (v.backing === 'device') {
      v.device!.onUserWrite(p.pid, p.name);
      return ok;
    }
    const i = page - v.start;
    let f = v.pt[i];
    if (f <= 0 || v.wr[i] === 0) f = this.writeFault(p, v, i, false);
    this.frames.content[f] = value;
    this.frames.lastWriter[f] = p.pid;
    this.frames.lastWriteStep[f] = this.step;
    return ok;
  }

  /**
   * Writes `value` to every page of [start, start + pages) in order: the same faults and
   * events as that many writes, with the already-writable pages written in a tight loop.
   */
  fill(p: Process, start: number, pages: number, value: number): StepResult {
    if (!p.alive) return signal('SIGSEGV');
    const F = this.frames;
    let page = start;
    const end = start + pages;
    while (page < end) {
      const v = p.find(page);
      if (!v || (v.flags & this.c.VM_WRITE) === 0n) return signal('SIGSEGV');
      if (v.backing === 'device') { v.device!.onUserWrite(p.pid, p.name); page++; continue; }
      const stop = Math.min(v.end, end) - v.start;
      const pt = v.pt;
      const wr = v.wr;
      const pid = p.pid;
      const step = this.step;
      for (let i = page - v.start; i < stop; i++) {
        let f = pt[i];
        if (f <= 0 || wr[i] === 0) f = this.writeFault(p, v, i, false);
        F.content[f] = value;
        F.lastWriter[f] = pid;
        F.lastWriteStep[f] = step;
      }
      page = v.start + stop;
    }
    return ok;
  }

  /**
   * Makes page i of v present and writable for p (a write fault), or with `unshare` only
   * exclusive (FAULT_FLAG_UNSHARE: the PTE stays read-only). Returns the frame.
   */
  private writeFault(p: Process, v: Vma, i: number, unshare: boolean): number {
    const F = this.frames;
    if (v.backing === 'shmem') {
      let f = v.pt[i];
      if (f === NO_FRAME) { f = this.shmPage(v, i); this.mapFrame(v, i, f); }
      if (!unshare) v.wr[i] = 1;
      return f;
    }
    v.hasAnon = true;
    const excl = this.model.fault.anonExclusive;
    const f = v.pt[i];
    if (f === NO_FRAME || f === ZERO_FRAME) {
      const nf = F.alloc(0, excl);
      v.pt[i] = nf;
      v.wr[i] = unshare ? 0 : 1;
      return nf;
    }
    if (this.canReuse(f)) {
      if (excl) F.setExclusive(f, true);
      if (!unshare) v.wr[i] = 1;
      return f;
    }
    // Copy: the writer moves to a new frame; whoever else holds the old one keeps it.
    const nf = F.alloc(F.content[f], excl);
    F.lastWriter[nf] = F.lastWriter[f];
    F.lastWriteStep[nf] = F.lastWriteStep[f];
    v.pt[i] = nf;
    v.wr[i] = unshare ? 0 : 1;
    if (F.pincount[f] > 0 || F.refs[f] > 0) {
      const holders = this.pinsOn(f).map((x) => x.label).join(', ');
      this.emit('cow-off-pinned', `${p.name} ${unshare ? 'unshared' : 'wrote'} ${hexAddr(v.start + i)}: COW moved it from frame ${f} (held by ${holders}) to frame ${nf}`);
    }
    F.mapcount[f]--;
    F.put(f);
    return nf;
  }

  /** Whether a write fault may reuse the mapped anonymous frame in place (the era's rule). */
  private canReuse(f: number): boolean {
    const F = this.frames;
    switch (this.model.fault.cowReuse) {
      case 'mapcount': return F.mapcount[f] === 1;
      case 'refcount': return F.refcount[f] === 1;
      case 'exclusive': return F.isExclusive(f) || (F.refcount[f] === 1 && F.mapcount[f] === 1);
    }
  }

  // ---- fork / exit ----------------------------------------------------------------------------

  fork(parent: Process, childName: string): StepResult {
    if (!parent.alive) return fail('EINVAL');
    const m = this.model;
    const c = this.c;
    const F = this.frames;
    const child = this.spawn(childName);
    child.nextPage = parent.nextPage;
    for (const [name, r] of parent.regions) child.regions.set(name, { ...r });
    child.ib = { forkInit: parent.ib.forkInit, tooLate: parent.ib.tooLate, dontforkCounts: new Map(parent.ib.dontforkCounts) };
    const excl = m.fault.anonExclusive;
    const copyPinned = m.fork.copyPinnedAnon && parent.hasPinned;
    for (const pv of parent.vmas) {
      if ((pv.flags & m.fork.skipFlags) !== 0n) continue;
      const flags = pv.flags & ~m.fork.childClear;
      // Page tables are copied only for anonymous memory that has pages and is not wiped
      // (vma_needs_copy); everything else starts empty in the child and faults in.
      const copyPtes = pv.backing === 'anon' && pv.hasAnon && (pv.flags & m.fork.wipeFlags) === 0n;
      const cv = copyPtes
        ? new Vma(pv.start, pv.end, flags, pv.backing, pv.pt.slice(), new Uint8Array(pv.pages))
        : new Vma(pv.start, pv.end, flags, pv.backing);
      if (pv.origins.length) cv.origins = pv.origins.slice();
      cv.device = pv.device;
      if (pv.shm) { cv.shm = pv.shm; cv.shmOff = pv.shmOff; pv.shm.users++; }
      child.vmas.push(cv);
      if (flags !== pv.flags) {
        // Report tracked flags the child loses (a patched childClear could drop them).
        const lost = pv.flags & ~flags;
        for (const o of pv.origins) {
          if ((lost & o.bit) !== 0n) this.emit('flag-cleared', `${this.flagName(o.bit)} set by ${o.by} at step ${o.step} was dropped from ${child.name}'s copy of ${hexAddr(pv.start)} by fork`);
        }
        cv.origins = cv.origins.filter((o) => (lost & o.bit) === 0n);
      }
      if (!copyPtes) continue;
      cv.hasAnon = true;
      const isCow = (pv.flags & (c.VM_SHARED | c.VM_MAYWRITE)) === c.VM_MAYWRITE;
      const ppt = pv.pt;
      const pwr = pv.wr;
      const cpt = cv.pt;
      const cwr = cv.wr;
      const n = ppt.length;
      if (copyPinned) F.reserve(n);
      const mapcount = F.mapcount;
      const refcount = F.refcount;
      const bits = F.bits;
      for (let i = 0; i < n; i++) {
        const f = ppt[i];
        if (f <= 0) continue;
        if (copyPinned && refcount[f] >= PIN_BIAS && (!excl || (bits[f] & 2) !== 0)) {
          // Possibly pinned and exclusive: the child gets its own copy now, the parent keeps
          // the pinned page writable (copy_present_page).
          const nf = F.alloc(F.content[f], excl);
          F.lastWriter[nf] = F.lastWriter[f];
          F.lastWriteStep[nf] = F.lastWriteStep[f];
          cpt[i] = nf;
          cwr[i] = (flags & c.VM_WRITE) !== 0n ? 1 : 0;
          continue;
        }
        mapcount[f]++;
        refcount[f]++;
        bits[f] &= ~2;
        if (isCow) pwr[i] = 0;
        else cwr[i] = pwr[i];
      }
    }
    return ok;
  }

  /** Tears the process down: driver hooks first (they close its device files), then its mappings. */
  exit(p: Process): StepResult {
    if (!p.alive) return fail('EINVAL');
    for (const h of this.exitHooks) h(p);
    for (const v of p.vmas) this.dropVma(v);
    p.vmas = [];
    p.alive = false;
    return ok;
  }

  // ---- get_user_pages / pin_user_pages ------------------------------------------------------

  /** Takes a reference or pin on the frame behind `page` (faulting it in as GUP does). */
  gup(p: Process, page: number, o: GupOptions, label: string): { pin: Pin } | { errno: Errno } {
    const c = this.c;
    const m = this.model;
    if (!p.alive) return { errno: 'EFAULT' };
    const v = p.find(page);
    if (!v || (v.flags & (c.VM_IO | c.VM_PFNMAP)) !== 0n) return { errno: 'EFAULT' };
    if (o.write ? (v.flags & c.VM_WRITE) === 0n : (v.flags & c.VM_READ) === 0n) return { errno: 'EFAULT' };
    const i = page - v.start;
    const asPin = o.pin && m.gup.hasFollPin;
    let f: number;
    if (o.write) {
      f = v.pt[i];
      if (f <= 0 || v.wr[i] === 0) f = this.writeFault(p, v, i, false);
    } else {
      f = v.pt[i];
      if (f === NO_FRAME) f = this.readFault(v, i);
      if (o.pin && m.gup.readPinUnshares && v.backing === 'anon' && f > 0) {
        const maybeShared = m.fault.anonExclusive ? !this.frames.isExclusive(f) : v.wr[i] === 0;
        if (maybeShared) f = this.writeFault(p, v, i, true);
      }
    }
    const F = this.frames;
    if (f !== ZERO_FRAME) {
      if (asPin) { F.refcount[f] += PIN_BIAS; F.pincount[f]++; }
      else { F.refcount[f]++; F.refs[f]++; }
    }
    if (asPin) p.hasPinned = true;
    const pin: Pin = { id: this.nextPinId++, frame: f, pin: asPin, pid: p.pid, procName: p.name, page, step: this.step, label };
    this.pins.set(pin.id, pin);
    return { pin };
  }

  unpin(pin: Pin): void {
    if (!this.pins.delete(pin.id)) return;
    const f = pin.frame;
    if (f === ZERO_FRAME) return;
    const F = this.frames;
    if (pin.pin) {
      F.pincount[f]--;
      F.refcount[f] -= PIN_BIAS - 1;
      F.put(f);
    } else {
      F.refs[f]--;
      F.put(f);
    }
  }

  pinsOn(f: number): Pin[] {
    return [...this.pins.values()].filter((x) => x.frame === f);
  }

  /** Processes mapping frame f, as "name@0xaddr" (the reverse map, computed by a walk). */
  whoMaps(f: number): string[] {
    const out: string[] = [];
    for (const p of this.procs.values()) {
      if (!p.alive) continue;
      for (const v of p.vmas) {
        const pt = v.pt;
        for (let i = 0; i < pt.length; i++) if (pt[i] === f) out.push(`${p.name}@${hexAddr(v.start + i)}`);
      }
    }
    return out;
  }

  /** The frame p maps at page right now (NO_FRAME if none). */
  frameAt(p: Process, page: number): number {
    if (!p.alive) return NO_FRAME;
    const v = p.find(page);
    return v ? v.pt[page - v.start] : NO_FRAME;
  }

  /** Reads a referenced frame (a `gup_read` step), reporting what the holder now sees. */
  readPinned(pin: Pin, who: string): number {
    const F = this.frames;
    const f = pin.frame;
    const owner = [...this.procs.values()].find((p) => p.pid === pin.pid);
    if (f !== ZERO_FRAME && owner && this.frameAt(owner, pin.page) !== f) {
      const now = this.whoMaps(f);
      this.emit('reference-detached', `${who} (taken by ${pin.procName} at ${hexAddr(pin.page)}, step ${pin.step}) reads frame ${f}, which ${pin.procName} no longer maps there; mapped now by ${now.length ? now.join(', ') : 'nobody'}`);
    }
    const writer = F.lastWriter[f];
    if (f !== ZERO_FRAME && !F.isShmem(f) && writer !== 0 && writer !== pin.pid && F.lastWriteStep[f] > pin.step) {
      const wname = [...this.procs.values()].find((p) => p.pid === writer)?.name ?? `pid ${writer}`;
      this.emit('reference-sees-foreign-write', `${who} (taken by ${pin.procName} at step ${pin.step}) sees the value ${wname} wrote at step ${F.lastWriteStep[f]}`);
    }
    return F.content[f];
  }

  // ---- invariants ----------------------------------------------------------------------------

  /**
   * Checks the frame accounting: every live frame's refcount equals its mappings + plain
   * references + PIN_BIAS per pin + 1 if a shmem page cache holds it; mapcount equals the
   * PTEs pointing at it; no PTE or reference points at a freed frame; an anon-exclusive frame
   * is mapped at most once; no COW page is writable while shared; and once no process is
   * alive and nothing is held, no frame is left. Returns the violations (empty when sound).
   */
  checkInvariants(): string[] {
    const F = this.frames;
    const n = F.highWater;
    const maps = new Int32Array(n);
    const refs = new Int32Array(n);
    const pins = new Int32Array(n);
    const cache = new Int32Array(n);
    const errors: string[] = [];
    const c = this.c;
    for (const p of this.procs.values()) {
      if (!p.alive) { if (p.vmas.length) errors.push(`${p.name} exited but still has VMAs`); continue; }
      let prevEnd = -1;
      for (const v of p.vmas) {
        if (v.start < prevEnd || v.end <= v.start) errors.push(`${p.name}: VMAs overlap or are empty at ${hexAddr(v.start)}`);
        prevEnd = v.end;
        if (v.pt.length !== v.pages) errors.push(`${p.name}: page table size mismatch at ${hexAddr(v.start)}`);
        const cow = (v.flags & (c.VM_SHARED | c.VM_MAYWRITE)) === c.VM_MAYWRITE;
        for (let i = 0; i < v.pt.length; i++) {
          const f = v.pt[i];
          if (v.wr[i] && (f < 0 || (v.flags & c.VM_WRITE) === 0n)) errors.push(`${p.name}: writable PTE without page or VM_WRITE at ${hexAddr(v.start + i)}`);
          if (f <= 0) continue;
          if (!F.isLive(f)) { errors.push(`${p.name} maps freed frame ${f} at ${hexAddr(v.start + i)}`); continue; }
          maps[f]++;
          if (cow && v.wr[i] && F.mapcount[f] > 1) errors.push(`${p.name}: shared COW frame ${f} is writable at ${hexAddr(v.start + i)}`);
        }
      }
    }
    for (const pin of this.pins.values()) {
      if (pin.frame === ZERO_FRAME) continue;
      if (!F.isLive(pin.frame)) { errors.push(`${pin.label} holds freed frame ${pin.frame}`); continue; }
      if (pin.pin) pins[pin.frame]++; else refs[pin.frame]++;
    }
    for (const shm of this.shmObjects) {
      if (shm.users <= 0) errors.push(`shmem object ${shm.id} has no users but is alive`);
      for (const f of shm.frames) if (f > 0) cache[f]++;
    }
    let live = 0;
    for (let f = 1; f < n; f++) {
      if (!F.isLive(f)) continue;
      live++;
      const expect = maps[f] + refs[f] + pins[f] * PIN_BIAS + cache[f];
      if (F.refcount[f] !== expect) errors.push(`frame ${f}: refcount ${F.refcount[f]} != ${maps[f]} mappings + ${refs[f]} references + ${pins[f]} pins x ${PIN_BIAS} + ${cache[f]} cache`);
      if (F.mapcount[f] !== maps[f]) errors.push(`frame ${f}: mapcount ${F.mapcount[f]} != ${maps[f]} PTEs`);
      if (F.refs[f] !== refs[f] || F.pincount[f] !== pins[f]) errors.push(`frame ${f}: reference/pin counters disagree with holders`);
      if (F.refcount[f] <= 0) errors.push(`frame ${f} is live with refcount ${F.refcount[f]}`);
      if (F.isExclusive(f) && maps[f] > 1) errors.push(`frame ${f} is anon-exclusive but mapped ${maps[f]} times`);
    }
    if (live !== F.live) errors.push(`live frame count ${F.live} != ${live}`);
    const anyAlive = [...this.procs.values()].some((p) => p.alive);
    if (!anyAlive && this.pins.size === 0 && this.shmObjects.size === 0 && live > 0) {
      errors.push(`${live} frame(s) leaked after every process exited and every reference was released`);
    }
    return errors;
  }
}

export function translate(table: KernelModel['protToVm'], value: bigint): bigint {
  let out = 0n;
  for (const t of table) if (t.from !== 0n && t.to !== 0n && (value & t.from) !== 0n) out |= t.to;
  return out;
}

function bitsOf(mask: bigint): bigint[] {
  const out: bigint[] = [];
  for (let b = 0n; b < 64n; b++) if ((mask >> b) & 1n) out.push(1n << b);
  return out;
}

export function hexAddr(page: number): string {
  return '0x' + (page * PAGE_SIZE).toString(16);
}
