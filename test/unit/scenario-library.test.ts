// The built-in library: complete, valid on every era, every expectation met, invariants
// after every step, and the events each fork-safety case is about.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { initC } from '../../src/c/index';
import { kernelModel, ERAS } from '../../src/kernel/index';
import { libraryScenarios, runScenario, validateScenario } from '../../src/scenarios/index';
import { LIBRARY_FILES } from '../../src/scenarios/library';

await initC();

test('the library lists every JSON file in src/scenarios/library and has at least 20', () => {
  const onDisk = readdirSync(new URL('../../src/scenarios/library/', import.meta.url)).filter((f) => f.endsWith('.json')).sort();
  assert.deepEqual([...LIBRARY_FILES].sort(), onDisk);
  assert.ok(libraryScenarios().length >= 20);
  const names = libraryScenarios().map((s) => s.name);
  assert.equal(new Set(names).size, names.length, 'scenario names are unique');
});

test('every library scenario has an expectation on some step for every era', () => {
  for (const s of libraryScenarios()) assert.ok(s.steps.some((x) => x.expect), s.name);
});

for (const era of ERAS) {
  test(`library on ${era}: valid, every expectation met, invariants after every step`, () => {
    const model = kernelModel(era);
    for (const s of libraryScenarios()) {
      assert.deepEqual(validateScenario(s, model), [], `${s.name} on ${era}`);
      const r = runScenario(s, model, { checkInvariants: true });
      const failed = r.steps.filter((x) => x.passed === false).map((x) => `step ${x.index}: got ${JSON.stringify(x.result)}, expected ${JSON.stringify(x.expect)}`);
      assert.deepEqual(failed, [], `${s.name} on ${era}`);
      assert.deepEqual(r.invariantViolations, [], `${s.name} on ${era}`);
      assert.equal(r.passed, true);
    }
  });
}

function eventsOf(name: string, era: (typeof ERAS)[number]) {
  const s = libraryScenarios().find((x) => x.name === name)!;
  return runScenario(s, kernelModel(era)).events.map((e) => `${e.step}:${e.kind}`);
}

test('events: the legacy RDMA failure is reported at the steps that cause it, and not on 6.12', () => {
  for (const era of ['v2.6.13', 'v2.6.16', 'v5.4'] as const) {
    assert.deepEqual(eventsOf('mr-fork-parent-write', era), ['5:cow-off-pinned', '6:dma-to-foreign-frame'], era);
  }
  assert.deepEqual(eventsOf('mr-fork-parent-write', 'v6.12'), []);
  assert.deepEqual(eventsOf('doorbell-inherited-mainline', 'v5.4'), ['2:foreign-doorbell']);
  assert.deepEqual(eventsOf('doorbell-not-inherited', 'v5.4'), []);
  assert.ok(eventsOf('gup-read-pin-unshares', 'v5.4').includes('6:reference-sees-foreign-write'));
  assert.ok(eventsOf('mr-munmap-under-pin', 'v6.12').includes('5:dma-to-foreign-frame'));
  assert.ok(eventsOf('gup-read-cow-leak', 'v2.6.16').includes('6:reference-sees-foreign-write'));
});

test('the library is era-sensitive: some expectations differ between eras', () => {
  const perEra = libraryScenarios().filter((s) => s.steps.some((x) => x.expect?.kind === 'byEra'));
  assert.ok(perEra.length >= 10, `${perEra.length} scenarios with per-era expectations`);
});
