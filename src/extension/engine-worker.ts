// The engine in a worker thread (dist/engine-worker.cjs): checks and simulations run here, so
// a slow run on a big patch never holds up the extension host (other extensions, hovers,
// typing in the host's event loop). No vscode. Requests and replies are structured-cloned.
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from './engine';
import { wireEngine } from './wiring';
import { SUPERSEDED, type WorkerReply, type WorkerRequest } from './worker-protocol';

const port = parentPort;
if (port) {
  const engine = new Engine((workerData as { distDir?: string } | null)?.distDir, (line) => port.postMessage({ kind: 'log', line } satisfies WorkerReply));
  wireEngine(engine);
  const latest = new Map<string, number>();
  port.on('message', async (req: WorkerRequest) => {
    const slot = `${req.kind}:${req.key}`;
    latest.set(slot, Math.max(latest.get(slot) ?? 0, req.id));
    // Let every queued message arrive first, then skip this one if a newer one replaced it.
    await new Promise((r) => setImmediate(r));
    if (latest.get(slot) !== req.id) {
      port.postMessage({ kind: 'error', id: req.id, message: SUPERSEDED } satisfies WorkerReply);
      return;
    }
    try {
      if (req.kind === 'check') {
        const r = await engine.check(req.text, req.options);
        port.postMessage({ kind: 'result', id: req.id, value: r } satisfies WorkerReply);
      } else if (req.kind === 'simulate') {
        const r = await engine.simulate(req.text, req.options);
        port.postMessage({ kind: 'result', id: req.id, value: r } satisfies WorkerReply);
      }
    } catch (e) {
      port.postMessage({ kind: 'error', id: req.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies WorkerReply);
    }
  });
}
