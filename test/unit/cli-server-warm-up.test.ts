// The server's warm-up series must exercise the engine the way real patches do (every hook it
// reads, several rules) and differ from round to round (the parse cache is keyed by content:
// a repeated round would measure the cache, not warm the engine).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initC } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges } from '../../src/bridge/index';
import { checkText } from '../../src/rules/check';
import { WARM_UP_ROUNDS, warmUpSeries } from '../../src/cli/server-warm-up';

before(async () => {
  await initC();
});

test('a round reads cleanly and reaches every hook the engine reads', () => {
  const patchSet = readPatchSet(warmUpSeries(1));
  assert.equal(patchSet.patches.length, 40);
  assert.deepEqual(patchSet.problems, []);
  const hooks = new Set<string>(extractHookChanges(patchSet).map((c) => c.hook));
  for (const h of ['mprotect-kept', 'madvise-behaviour', 'driver-mmap', 'uapi-name', 'prot-translation', 'fork-policy']) {
    assert.ok(hooks.has(h), `no ${h} change in the warm-up series (got ${[...hooks].join(', ')})`);
  }
});

test('a round raises findings of several rules, no MM000', async () => {
  const report = await checkText(warmUpSeries(2, 6), { path: 'warm-up.mbox' });
  const rules = new Set(report.findings.map((f) => f.rule));
  assert.ok(!rules.has('MM000'), 'the warm-up series is valid input');
  for (const r of ['MM001', 'MM004', 'MM007', 'MM009', 'MM010']) assert.ok(rules.has(r), `no ${r} finding`);
});

test('no hunk repeats across the rounds the server runs', () => {
  const seen = new Map<string, number>();
  for (let r = 1; r <= WARM_UP_ROUNDS; r++) {
    for (const p of readPatchSet(warmUpSeries(r)).patches) for (const f of p.files) for (const h of f.hunks) {
      const key = [h.header, ...h.lines.map((l) => l.kind + l.text)].join('\n');
      const before = seen.get(key);
      assert.ok(before === undefined || before === r, `round ${r} repeats a hunk of round ${before}:\n${key}`);
      seen.set(key, r);
    }
  }
});
