// Results and events of simulated operations, in the shapes of docs/scenario-format.md.
export type Signal = 'SIGSEGV' | 'SIGBUS';

export type StepResult =
  | { ok: true; value?: number; addr?: string; status?: string }
  | { ok: false; errno: string }
  | { ok: false; signal: Signal };

export type EventKind =
  /** The device wrote a frame that the registering process no longer maps at that address. */
  | 'dma-to-foreign-frame'
  /** The device read such a frame. */
  | 'dma-from-foreign-frame'
  /** A process wrote the doorbell page of a context another process opened. */
  | 'foreign-doorbell'
  /** A COW break moved a process off a page that is pinned or referenced for DMA. */
  | 'cow-off-pinned'
  /** A VM flag set by a driver or madvise was cleared by an unrelated call. */
  | 'flag-cleared'
  /** A reference taken before a fork sees data another process wrote after it. */
  | 'reference-sees-foreign-write'
  /** The holder of a reference reads a frame its process no longer maps there. */
  | 'reference-detached';

export interface SimEvent {
  step: number;
  kind: EventKind;
  detail: string;
}

export const ok: StepResult = { ok: true };
/** errno names are the kernel's (EINVAL, ENOMEM, EBADF ...). */
export function fail(errno: string): StepResult { return { ok: false, errno }; }
export function signal(sig: Signal): StepResult { return { ok: false, signal: sig }; }
