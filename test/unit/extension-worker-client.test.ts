// The engine worker client: checks off the extension host thread, older queued requests
// superseded by newer ones, and the in-process fallback when the worker bundle is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Engine } from '../../src/extension/engine';
import { wireEngine } from '../../src/extension/wiring';
import { EngineClient } from '../../src/extension/worker-client';
import { SUPERSEDED } from '../../src/extension/worker-protocol';

test('no worker bundle: checks run in-process, with a log line saying so', async () => {
  const logs: string[] = [];
  const local = new Engine(undefined, (l) => logs.push(l));
  wireEngine(local);
  const client = new EngineClient(local, '/nonexistent/engine-worker.cjs', undefined, (l) => logs.push(l));
  assert.equal(client.offThread, false);
  assert.ok(logs.some((l) => /engine worker not found at \/nonexistent/.test(l)), logs.join('\n'));
  const text = readFileSync('test-fixtures/examples/prot-dontcopy.patch', 'utf8');
  const { report } = await client.check(text, { kernel: 'auto', arch: 'all' });
  assert.ok(report.findings.some((f) => f.rule === 'MM002'));
  client.dispose();
});

test('with the worker bundle: checks run off-thread; an older queued check is superseded, the newest answers', async (t) => {
  const bundle = resolve('dist/engine-worker.cjs');
  if (!existsSync(bundle)) return t.skip('dist/engine-worker.cjs not built (npm test builds it first)');
  const local = new Engine(resolve('dist'), () => {});
  wireEngine(local);
  const client = new EngineClient(local, bundle, resolve('dist'), () => {});
  assert.equal(client.offThread, true);
  const text = readFileSync('test-fixtures/examples/prot-dontcopy.patch', 'utf8');
  const calls = [0, 1, 2].map((i) => client.check(text + '\n'.repeat(i), { kernel: 'auto', arch: 'all' }, 'doc-1'));
  const settled = await Promise.allSettled(calls);
  const last = settled[2];
  assert.equal(last.status, 'fulfilled');
  assert.ok(last.status === 'fulfilled' && last.value.report.findings.some((f) => f.rule === 'MM002'));
  for (const s of settled.slice(0, 2)) if (s.status === 'rejected') assert.equal((s.reason as Error).message, SUPERSEDED);
  // Another document is never superseded by this one.
  const other = await client.check(text, { kernel: 'auto', arch: 'all' }, 'doc-2');
  assert.ok(other.report.findings.length > 0);
  client.dispose();
});
