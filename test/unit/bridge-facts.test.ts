// Hook values compare as behaviours: translations and guards as sets (order and repeats do
// not matter), with or without elements on either side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameHookValue } from '../../src/bridge/facts';
import type { HookValue } from '../../src/bridge/types';

const g = (anyFlags: bigint) => ({ anyFlags, errno: 'EINVAL' as const });
const madvise = (guards?: ReturnType<typeof g>[], opaque?: string[]): HookValue => ({
  type: 'madvise', set: 1n, clear: 0n, ...(guards ? { guards } : {}), ...(opaque ? { opaqueGuards: opaque.map((condition) => ({ condition, errno: 'EINVAL' })) } : {}),
}) as HookValue;
const tr = (...pairs: [bigint, bigint][]): HookValue => ({ type: 'translation', terms: pairs.map(([from, to]) => ({ from, to, fromName: 'A', toName: 'B' })) });

test('hook values: guards and terms compare as sets, empty or not', () => {
  assert.ok(sameHookValue(madvise([]), madvise([])));
  assert.ok(!sameHookValue(madvise([]), madvise([g(1n)])));
  assert.ok(!sameHookValue(madvise([g(1n)]), madvise([])));
  assert.ok(sameHookValue(madvise([g(1n), g(2n)]), madvise([g(2n), g(1n), g(2n)])));
  assert.ok(!sameHookValue(madvise([g(1n)]), madvise([g(2n)])));
  assert.ok(!sameHookValue(madvise(), madvise([])));
  assert.ok(sameHookValue(madvise([], ['x']), madvise([], ['x', 'x'])));
  assert.ok(!sameHookValue(madvise([], ['x']), madvise([], [])));
  assert.ok(sameHookValue(tr(), tr()));
  assert.ok(!sameHookValue(tr(), tr([1n, 2n])));
  assert.ok(sameHookValue(tr([1n, 2n], [4n, 8n]), tr([4n, 8n], [1n, 2n], [1n, 2n])));
  assert.ok(!sameHookValue(tr([1n, 2n]), tr([1n, 4n])));
});
