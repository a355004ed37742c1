// "Run Fork-Safety Scenario..." and the per-step pictures: a library scenario replayed step by
// step on the simulator, drawn as the simulation view's single run.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initC } from '../../src/c/load';
import { kernelModel } from '../../src/kernel/index';
import { libraryScenarios } from '../../src/scenarios/index';
import { replay } from '../../src/extension/replay';
import { runScenarioView, scenarioFromText } from '../../src/extension/scenario-run';

before(async () => {
  await initC();
});

function scenario(name: string) {
  const s = libraryScenarios().find((x) => x.name === name);
  assert.ok(s, `library scenario ${name}`);
  return s;
}

test('replay records the machine after every step: pins, COW sharing, the child', () => {
  const o = replay(scenario('mr-fork-parent-write'), kernelModel('v2.6.13'))!;
  assert.ok(o, 'replayed');
  const steps = o.steps!;
  assert.equal(steps.length, scenario('mr-fork-parent-write').steps.length);
  const forkAt = steps.findIndex((s) => s.op === 'fork');
  assert.ok(forkAt > 0);
  const before = steps[forkAt - 1].state!;
  const after = steps[forkAt].state!;
  assert.deepEqual(Object.keys(before.processes), ['parent']);
  assert.ok(Object.keys(after.processes).length === 2, 'the child exists after fork');
  const frames = Array.isArray(after.frames) ? after.frames : [];
  assert.ok(frames.some((f) => (f.pins ?? 0) > 0), 'the registered page is held for DMA');
  const childPages = Object.entries(after.processes).find(([n]) => n !== 'parent')![1].vmas.flatMap((v) => v.pages ?? []);
  assert.ok(childPages.some((p) => p.cow), 'parent and child share the page copy-on-write after fork (2.6.13)');
});

test('a scenario run becomes a single-run view with the era and every step', () => {
  const r = runScenarioView(scenario('doorbell-inherited-mainline'), kernelModel('v6.12'), null);
  assert.equal(r.view.consequences.length, 1);
  const c = r.view.consequences[0];
  assert.equal(c.patched, null);
  assert.equal(c.base.steps.length, scenario('doorbell-inherited-mainline').steps.length);
  assert.ok(c.base.steps.every((s) => s.state !== null));
  assert.match(r.timeline, /fork/);
  assert.equal(r.passed, c.severity === 'info');
});

test('a run on a second model marks the steps that differ', () => {
  // The same scenario on two eras stands in for base and patched models.
  const r = runScenarioView(scenario('mr-fork-parent-write'), kernelModel('v2.6.13'), kernelModel('v6.12'));
  const c = r.view.consequences[0];
  assert.ok(c.patched);
  assert.ok(c.base.steps.some((s) => s.differs), 'copy-on-fork of pinned pages changes what the parent reads');
});

test('a broken scenario file names the file and the problem', () => {
  assert.throws(() => scenarioFromText('{"scenario": "x", "steps": [{"op": "fly"}]}', 'my.json'), /my\.json/);
  assert.throws(() => scenarioFromText('{not json', 'bad.json'), /bad\.json/);
});
