// The extension host's side of the engine worker: check() and simulate() as promises. When the
// worker cannot start (no bundle next to the extension, a platform without worker threads) or
// dies, calls fall back to the in-process Engine, so the extension keeps working either way.
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import type { CheckOptions, CheckReport, SimulationReportLike } from './engine-types';
import type { Engine, SimulateOptions } from './engine';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class EngineClient {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failed = false;

  constructor(
    private readonly local: Engine,
    private readonly workerFile: string | null,
    private readonly distDir: string | undefined,
    private readonly log: (line: string) => void,
  ) {}

  get canSimulate(): boolean {
    return this.local.canSimulate;
  }

  /** Whether runs happen off the extension host's thread right now. */
  get offThread(): boolean {
    return this.ensureWorker() !== null;
  }

  private ensureWorker(): Worker | null {
    if (this.worker || this.failed) return this.worker;
    if (!this.workerFile || !existsSync(this.workerFile)) {
      this.failed = true;
      this.log(`engine worker not found${this.workerFile ? ` at ${this.workerFile}` : ''}; the engine runs on the extension host thread`);
      void this.local.ready().catch(() => {});
      return null;
    }
    try {
      const w = new Worker(this.workerFile, { workerData: { distDir: this.distDir } });
      w.on('message', (m: WorkerReply) => this.onReply(m));
      w.on('error', (e) => this.onExit(`engine worker failed: ${e.message}`));
      w.on('exit', (code) => this.onExit(`engine worker exited (${code})`));
      w.unref();
      this.worker = w;
      this.log('engine worker started: checks and simulations run off the extension host thread');
      return w;
    } catch (e) {
      this.failed = true;
      this.log(`engine worker could not start (${e instanceof Error ? e.message : String(e)}); the engine runs on the extension host thread`);
      return null;
    }
  }

  private onReply(m: WorkerReply): void {
    if (m.kind === 'log') return this.log(m.line);
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (m.kind === 'result') p.resolve(m.value);
    else p.reject(new Error(m.message));
  }

  private onExit(why: string): void {
    if (!this.worker) return;
    this.log(why);
    this.worker = null;
    this.failed = true;
    for (const p of this.pending.values()) p.reject(new Error(why));
    this.pending.clear();
  }

  private call<T>(req: Omit<WorkerRequest, 'id'>): Promise<T> | null {
    const w = this.ensureWorker();
    if (!w) return null;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      // An idle worker does not keep the process alive; one with work does.
      w.ref();
      w.postMessage({ ...req, id } as WorkerRequest);
    });
  }

  /** `key` identifies the document; a newer call with the same key cancels an older one that
   *  has not started (it rejects with SUPERSEDED). */
  check(text: string, options: CheckOptions, key = ''): Promise<{ report: CheckReport; ms: number }> {
    return this.call<{ report: CheckReport; ms: number }>({ kind: 'check', key, text, options }) ?? this.local.check(text, options);
  }

  simulate(text: string, options: SimulateOptions, key = ''): Promise<{ report: SimulationReportLike; ms: number }> {
    return this.call<{ report: SimulationReportLike; ms: number }>({ kind: 'simulate', key, text, options }) ?? this.local.simulate(text, options);
  }

  dispose(): void {
    const w = this.worker;
    this.worker = null;
    this.failed = true;
    for (const p of this.pending.values()) p.reject(new Error('mmlens is shutting down'));
    this.pending.clear();
    void w?.terminate();
  }
}
