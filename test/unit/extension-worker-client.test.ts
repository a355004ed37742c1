// The engine worker client falls back to the in-process engine when the worker bundle is
// missing, so a broken install still gives diagnostics (and says why in the log).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Engine } from '../../src/extension/engine';
import { wireEngine } from '../../src/extension/wiring';
import { EngineClient } from '../../src/extension/worker-client';

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
