import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIFTOFF_ONLY_MAX_INPUT, ONE_SHOT_INTERRUPT_BUDGET as BUDGET, oneShotV8Flags } from '../../src/cli/one-shot';

const sizes = new Map<string, number>([['small.patch', 4000], ['big.mbox', LIFTOFF_ONLY_MAX_INPUT], ['more.mbox', 1]]);
const sizeOf = (p: string) => sizes.get(p) ?? null;

test('small inputs run with Liftoff only; the limit counts the files named, not options', () => {
  assert.deepEqual(oneShotV8Flags(['check', 'small.patch'], sizeOf), [BUDGET, '--liftoff-only']);
  assert.deepEqual(oneShotV8Flags(['check', '--format', 'json', '--rule', 'MM002=off', 'small.patch'], sizeOf), [BUDGET, '--liftoff-only']);
  assert.deepEqual(oneShotV8Flags(['simulate', 'big.mbox'], sizeOf), [BUDGET, '--liftoff-only']); // exactly at the limit
  assert.deepEqual(oneShotV8Flags(['check', 'big.mbox', 'more.mbox'], sizeOf), [BUDGET]); // one byte over
  assert.deepEqual(oneShotV8Flags(['check', 'missing.patch'], sizeOf), [BUDGET, '--liftoff-only']); // reports the error quickly
});

test('stdin keeps tiered wasm; commands without C parsing and the server keep V8 defaults', () => {
  assert.deepEqual(oneShotV8Flags(['check', '-'], sizeOf), [BUDGET]);
  assert.deepEqual(oneShotV8Flags(['check', 'small.patch', '-'], sizeOf), [BUDGET]);
  for (const argv of [['server', 'run'], ['server', 'start'], ['rules'], ['explain', 'MM002'], ['--help'], []]) {
    assert.deepEqual(oneShotV8Flags(argv, sizeOf), [], argv.join(' '));
  }
});

test('real files are measured; directories and options are not input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-one-shot-'));
  const small = join(dir, 'a.patch');
  writeFileSync(small, 'x'.repeat(100));
  const big = join(dir, 'b.mbox');
  writeFileSync(big, Buffer.alloc(LIFTOFF_ONLY_MAX_INPUT + 1));
  assert.deepEqual(oneShotV8Flags(['check', small, dir]), [BUDGET, '--liftoff-only']);
  assert.deepEqual(oneShotV8Flags(['check', small, big]), [BUDGET]);
});
