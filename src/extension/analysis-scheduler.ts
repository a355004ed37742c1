// When to analyse a document: each edit re-arms a debounce timer and moves the document's
// generation on; a run that finishes after its generation moved on is stale and its result is
// dropped. Pure (no vscode), so the timing rules are unit-tested with mock timers.
export class AnalysisScheduler<K> {
  private readonly timers = new Map<K, ReturnType<typeof setTimeout>>();
  private readonly generations = new Map<K, number>();
  private disposed = false;

  constructor(private readonly run: (key: K, generation: number) => Promise<void> | void) {}

  private bump(key: K): number {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    const g = (this.generations.get(key) ?? 0) + 1;
    this.generations.set(key, g);
    return g;
  }

  /** Runs `delay` ms after the last call for this key (calls in between only re-arm). */
  schedule(key: K, delay: number): void {
    if (this.disposed) return;
    const g = this.bump(key);
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.run(key, g);
      }, delay),
    );
  }

  /** Runs at once (a command wants the result), cancelling a pending timer. */
  async now(key: K): Promise<void> {
    if (this.disposed) return;
    await this.run(key, this.bump(key));
  }

  /** Whether a run of this generation is still the newest for the key. */
  isCurrent(key: K, generation: number): boolean {
    return !this.disposed && this.generations.get(key) === generation;
  }

  /** The document closed: cancel its timer; runs in flight become stale. */
  forget(key: K): void {
    this.bump(key);
    this.generations.delete(key);
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
