// VMAs and the per-VMA page tables. A page table is an Int32Array of frame ids (NO_FRAME for
// not present, ZERO_FRAME for the zero page) plus a byte per page saying whether the PTE is
// writable. Addresses are page numbers; the printed address is page * 4096.
import { NO_FRAME } from './frames';

export const PAGE_SIZE = 4096;

export type Backing = 'anon' | 'shmem' | 'device';

/** A flag a driver or madvise set on a VMA, remembered so clearing it later is reported. */
export interface FlagOrigin {
  bit: bigint;
  /** A driver's flag is reported whoever clears it; a madvise flag unless its inverse advice does. */
  source: 'driver' | 'madvise';
  by: string;
  step: number;
}

/** The shmem object behind a MAP_SHARED|MAP_ANONYMOUS mapping: its page cache. */
export interface ShmObject {
  id: number;
  frames: Int32Array;
  /** VMAs (in any process) using it. */
  users: number;
}

/** A device page mapped by a driver (PFNMAP: no struct page, never a frame). */
export interface DevicePage {
  ctx: string;
  ownerPid: number;
  onUserWrite(writerPid: number, writerName: string): void;
}

export class Vma {
  start: number;
  end: number;
  flags: bigint;
  backing: Backing;
  pt: Int32Array;
  wr: Uint8Array;
  shm: ShmObject | null = null;
  /** Page offset of this VMA's first page in the shmem object. */
  shmOff = 0;
  device: DevicePage | null = null;
  origins: FlagOrigin[] = [];
  /** anon_vma exists: anonymous pages may have been faulted (vma_needs_copy). */
  hasAnon = false;

  constructor(start: number, end: number, flags: bigint, backing: Backing, pt?: Int32Array, wr?: Uint8Array) {
    this.start = start;
    this.end = end;
    this.flags = flags;
    this.backing = backing;
    this.pt = pt ?? new Int32Array(end - start).fill(NO_FRAME);
    this.wr = wr ?? new Uint8Array(end - start);
  }

  get pages(): number { return this.end - this.start; }

  /** Splits at page `at` (start < at < end): this keeps [start, at), the result is [at, end). */
  splitAt(at: number): Vma {
    const off = at - this.start;
    const tail = new Vma(at, this.end, this.flags, this.backing, this.pt.slice(off), this.wr.slice(off));
    tail.shm = this.shm;
    tail.shmOff = this.shmOff + off;
    tail.device = this.device;
    tail.origins = this.origins.slice();
    tail.hasAnon = this.hasAnon;
    if (this.shm) this.shm.users++;
    this.pt = this.pt.slice(0, off);
    this.wr = this.wr.slice(0, off);
    this.end = at;
    return tail;
  }

  /** Whether `next` (starting where this ends) can be merged into this one. */
  canMergeWith(next: Vma, special: bigint): boolean {
    if (this.end !== next.start || this.flags !== next.flags || this.backing !== next.backing) return false;
    if (this.backing === 'device' || (this.flags & special) !== 0n) return false;
    if (this.backing === 'shmem') return this.shm === next.shm && this.shmOff + this.pages === next.shmOff;
    return true;
  }

  /** Appends `next` to this VMA (the caller checked canMergeWith and drops `next`). */
  absorb(next: Vma): void {
    const pt = new Int32Array(this.pages + next.pages);
    pt.set(this.pt);
    pt.set(next.pt, this.pages);
    const wr = new Uint8Array(pt.length);
    wr.set(this.wr);
    wr.set(next.wr, this.pages);
    this.pt = pt;
    this.wr = wr;
    this.end = next.end;
    this.hasAnon = this.hasAnon || next.hasAnon;
    for (const o of next.origins) if (!this.origins.some((x) => x.bit === o.bit)) this.origins.push(o);
    if (this.shm) this.shm.users--;
  }
}

export interface Region {
  start: number;
  pages: number;
}

export interface IbProcessState {
  forkInit: boolean;
  /** Some memory was registered (ibv_fork_init then fails with EINVAL). */
  tooLate: boolean;
  /** libibverbs' range reference counts, per page. */
  dontforkCounts: Map<number, number>;
}

export class Process {
  name: string;
  pid: number;
  vmas: Vma[] = [];
  regions = new Map<string, Region>();
  nextPage: number;
  /** MMF_HAS_PINNED: FOLL_PIN has run on this mm (never cleared). */
  hasPinned = false;
  alive = true;
  ib: IbProcessState = { forkInit: false, tooLate: false, dontforkCounts: new Map() };

  constructor(name: string, pid: number, nextPage: number) {
    this.name = name;
    this.pid = pid;
    this.nextPage = nextPage;
  }

  /** Index of the VMA containing page, or -1. */
  findIndex(page: number): number {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = v[mid];
      if (page < m.start) hi = mid - 1;
      else if (page >= m.end) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  find(page: number): Vma | null {
    const i = this.findIndex(page);
    return i < 0 ? null : this.vmas[i];
  }

  /** Index of the first VMA ending after page. */
  firstEndingAfter(page: number): number {
    const v = this.vmas;
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v[mid].end <= page) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(vma: Vma): void {
    const i = this.firstEndingAfter(vma.start);
    this.vmas.splice(i, 0, vma);
  }

  /** Name of the region that contains page, if any (for output). */
  regionAt(page: number): string | undefined {
    for (const [name, r] of this.regions) if (page >= r.start && page < r.start + r.pages) return name;
    return undefined;
  }
}
