// Physical frames as a struct of arrays: one slot per frame id in each typed array, so a
// million-page fork touches flat memory and allocates no objects. Frame 0 is the shared zero
// page: always present, never counted, never freed.

/** FOLL_PIN adds this much to the page reference count (GUP_PIN_COUNTING_BIAS). */
export const PIN_BIAS = 1024;

export const ZERO_FRAME = 0;
/** A page-table slot with nothing mapped. */
export const NO_FRAME = -1;

const F_LIVE = 1;
const F_ANON_EXCLUSIVE = 2;
const F_SHMEM = 4;

export class FrameTable {
  content: Float64Array;
  refcount: Int32Array;
  mapcount: Int32Array;
  /** FOLL_PIN pins (each also adds PIN_BIAS to refcount). */
  pincount: Int32Array;
  /** Plain get_user_pages references (each adds 1 to refcount). */
  refs: Int32Array;
  /** Process id of the last user write (0 = device or nobody), for the events. */
  lastWriter: Int32Array;
  /** Step index of the last write of any kind. */
  lastWriteStep: Int32Array;
  bits: Uint8Array;
  private free: Int32Array;
  private freeTop = 0;
  /** Next never-used id. */
  private high = 1;
  live = 0;

  constructor(initial = 1024) {
    this.content = new Float64Array(initial);
    this.refcount = new Int32Array(initial);
    this.mapcount = new Int32Array(initial);
    this.pincount = new Int32Array(initial);
    this.refs = new Int32Array(initial);
    this.lastWriter = new Int32Array(initial);
    this.lastWriteStep = new Int32Array(initial).fill(-1);
    this.bits = new Uint8Array(initial);
    this.free = new Int32Array(initial);
    this.bits[ZERO_FRAME] = F_LIVE;
  }

  get capacity(): number { return this.content.length; }
  get highWater(): number { return this.high; }

  /** Makes room for n more frames at once (fork and fill call this before their loops). */
  reserve(n: number): void {
    const need = this.high + n;
    if (need <= this.capacity) return;
    let cap = this.capacity;
    while (cap < need) cap *= 2;
    const grow = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as { new (n: number): T })(cap);
      b.set(a);
      return b;
    };
    this.content = grow(this.content);
    this.refcount = grow(this.refcount);
    this.mapcount = grow(this.mapcount);
    this.pincount = grow(this.pincount);
    this.refs = grow(this.refs);
    this.lastWriter = grow(this.lastWriter);
    const lws = grow(this.lastWriteStep);
    lws.fill(-1, this.lastWriteStep.length);
    this.lastWriteStep = lws;
    this.bits = grow(this.bits);
    this.free = grow(this.free);
  }

  /** A new frame with the given content, refcount 1 and mapcount 1 (the caller maps it). */
  alloc(content: number, exclusive: boolean): number {
    let f: number;
    if (this.freeTop > 0) f = this.free[--this.freeTop];
    else {
      if (this.high >= this.capacity) this.reserve(1);
      f = this.high++;
    }
    this.content[f] = content;
    this.refcount[f] = 1;
    this.mapcount[f] = 1;
    this.pincount[f] = 0;
    this.refs[f] = 0;
    this.lastWriter[f] = 0;
    this.lastWriteStep[f] = -1;
    this.bits[f] = F_LIVE | (exclusive ? F_ANON_EXCLUSIVE : 0);
    this.live++;
    return f;
  }

  isLive(f: number): boolean { return (this.bits[f] & F_LIVE) !== 0; }
  isExclusive(f: number): boolean { return (this.bits[f] & F_ANON_EXCLUSIVE) !== 0; }
  setExclusive(f: number, on: boolean): void {
    this.bits[f] = on ? this.bits[f] | F_ANON_EXCLUSIVE : this.bits[f] & ~F_ANON_EXCLUSIVE;
  }
  isShmem(f: number): boolean { return (this.bits[f] & F_SHMEM) !== 0; }
  markShmem(f: number): void { this.bits[f] |= F_SHMEM; }

  /** Drops one reference; frees the frame when none is left. */
  put(f: number): void {
    if (f === ZERO_FRAME) return;
    if (--this.refcount[f] === 0) this.release(f);
  }

  private release(f: number): void {
    this.bits[f] = 0;
    this.live--;
    if (this.freeTop >= this.free.length) {
      const b = new Int32Array(this.free.length * 2);
      b.set(this.free);
      this.free = b;
    }
    this.free[this.freeTop++] = f;
  }

  /** Bytes held by the frame arrays per frame slot (for the benchmark's memory report). */
  static bytesPerFrame(): number {
    // content (f64), refcount, mapcount, pincount, refs, lastWriter, lastWriteStep, free list
    // (7 x i32), bits (u8)
    return 8 + 7 * 4 + 1;
  }
}
