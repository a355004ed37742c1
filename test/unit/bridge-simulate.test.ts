// simulatePatch: base vs patched runs, consequences with computed attribution.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initC } from '../../src/c/index';
import { simulatePatch } from '../../src/bridge/simulate';
import type { SimulationReport } from '../../src/bridge/types';

before(async () => {
  await initC();
});

const read = (p: string) => readFileSync(p, 'utf8');
const fx = (n: string) => `test-fixtures/bridge/${n}`;

function lineOf(text: string, kind: '+' | '-', needle: string): number {
  const i = text.split('\n').findIndex((l) => l.startsWith(kind) && l.includes(needle));
  return i + 1;
}

test('seed: a plain mprotect() now clears VM_DONTCOPY on the doorbell and the child inherits it, attributed to the mask line', async () => {
  const text = read('test-fixtures/examples/prot-dontcopy.patch');
  const r = await simulatePatch(text, { kernel: 'auto' });
  assert.equal(r.kernel.era, 'v2.6.13');
  assert.ok(r.kernel.clues.length > 0);
  const c = r.consequences.find((x) => x.scenario === 'bridge-mprotect-doorbell-fork');
  assert.ok(c, r.consequences.map((x) => x.scenario).join(','));
  assert.equal(c.severity, 'error');
  assert.match(c.summary, /mprotect\(PROT_READ\|PROT_WRITE\) now clears VM_DONTCOPY on the doorbell/);
  assert.match(c.summary, /child inherits the parent's doorbell/);
  const kept = r.hookChanges.findIndex((h) => h.hook === 'mprotect-kept');
  assert.deepEqual(c.hookChanges, [kept], 'only the mask change causes it (the translation alone does not)');
  assert.deepEqual(c.lines, [lineOf(text, '-', 'newflags = vm_flags'), lineOf(text, '+', 'newflags = vm_flags')]);
  // The outcomes show the differing step and the events behind it.
  assert.deepEqual(c.base.steps.map((s) => s.result), [{ ok: false, signal: 'SIGSEGV' }]);
  assert.deepEqual(c.patched.steps.map((s) => s.result), [{ ok: true }]);
  assert.deepEqual(c.patched.events.map((e) => e.kind).sort(), ['flag-cleared', 'foreign-doorbell']);
  // Generated scenarios exercise the new name: new capability, attributed to its define and translation.
  const gen = r.consequences.filter((x) => x.source === 'generated');
  assert.ok(gen.length >= 1);
  // 2.6.13's sys_mprotect rejects PROT bits outside R|W|X|SEM and the patch leaves that check
  // alone: mprotect(...|PROT_DONTCOPY) fails with EINVAL before and after, only mmap takes it.
  assert.ok(gen.some((g) => g.scenario === 'generated-prot-dontcopy-mmap'));
  assert.ok(!gen.some((g) => g.scenario === 'generated-prot-dontcopy-mprotect' || g.scenario === 'generated-prot-dontcopy-doorbell'), gen.map((g) => g.summary).join('\n'));
  assert.ok(r.notes.some((n) => /PROT_DONTCOPY/.test(n) && /mprotect/.test(n) && /EINVAL/.test(n)), r.notes.join('\n'));
  assert.ok(gen.every((g) => g.severity === 'info'), gen.map((g) => `${g.severity} ${g.summary}`).join('\n'));
  const trans = r.hookChanges.findIndex((h) => h.hook === 'prot-translation');
  assert.ok(gen.every((g) => g.hookChanges.includes(trans) && !g.hookChanges.includes(kept)));
});

test('seed on 2.6.16: a region kept out of children with MADV_DONTFORK reaches the child after a plain mprotect', async () => {
  const r = await simulatePatch(read('test-fixtures/examples/prot-dontcopy.patch'), { kernel: 'v2.6.16', only: ['mprotect-keeps-dontcopy', 'bridge-mprotect-registered-fork'] });
  const keeps = r.consequences.find((x) => x.scenario === 'mprotect-keeps-dontcopy');
  assert.equal(keeps?.severity, 'error');
  assert.match(keeps!.summary, /clears VM_DONTCOPY/);
  const reg = r.consequences.find((x) => x.scenario === 'bridge-mprotect-registered-fork');
  assert.equal(reg?.severity, 'error');
  assert.ok(reg!.patched.events.some((e) => e.kind === 'dma-to-foreign-frame'), 'the parent loses the device data');
});

const CASES: Array<{ file: string; kernel: 'v2.6.13' | 'v2.6.16' | 'v6.12'; scenario: string; severity: string; hook: string; summary: RegExp }> = [
  { file: 'driver-dontcopy-removed.patch', kernel: 'v2.6.13', scenario: 'doorbell-not-inherited', severity: 'error', hook: 'driver-mmap', summary: /child inherits the parent's doorbell/ },
  { file: 'madvise-dofork-guard-removed.patch', kernel: 'v2.6.16', scenario: 'dofork-on-doorbell', severity: 'error', hook: 'madvise-behaviour', summary: /madvise\(MADV_DOFORK\).*doorbell: the child inherits the parent's doorbell/ },
  { file: 'madvise-modern-guard-removed.patch', kernel: 'v6.12', scenario: 'dofork-on-doorbell', severity: 'error', hook: 'madvise-behaviour', summary: /child inherits the parent's doorbell/ },
  { file: 'mprotect-kept-modern.patch', kernel: 'v6.12', scenario: 'mprotect-keeps-dontcopy', severity: 'error', hook: 'mprotect-kept', summary: /clears VM_DONTCOPY/ },
  { file: 'fork-pinned-copy-removed.patch', kernel: 'v6.12', scenario: 'mr-fork-parent-write', severity: 'error', hook: 'fork-policy', summary: /data is lost|COW|copy-on-write/ },
  { file: 'fork-skip-changed.patch', kernel: 'v6.12', scenario: 'dontfork-split-merge', severity: 'warning', hook: 'fork-policy', summary: /child inherits/ },
  { file: 'access-check-shift.patch', kernel: 'v2.6.13', scenario: 'mprotect-keeps-dontcopy', severity: 'warning', hook: 'mprotect-access-check', summary: /EACCES/ },
  { file: 'madvise-validity-removed.patch', kernel: 'v6.12', scenario: 'mprotect-keeps-dontcopy', severity: 'warning', hook: 'madvise-validity', summary: /EINVAL/ },
];

for (const c of CASES) {
  test(`consequence of ${c.file} in ${c.scenario}`, async () => {
    const r: SimulationReport = await simulatePatch(read(fx(c.file)), { kernel: c.kernel, only: [c.scenario] });
    const k = r.consequences.find((x) => x.scenario === c.scenario);
    assert.ok(k, `no consequence in ${c.scenario}`);
    assert.equal(k.severity, c.severity, k.summary);
    assert.match(k.summary, c.summary);
    assert.ok(k.hookChanges.length > 0);
    assert.ok(k.hookChanges.every((i) => r.hookChanges[i]!.hook === c.hook), JSON.stringify(k.hookChanges.map((i) => r.hookChanges[i]!.hook)));
    assert.deepEqual(k.lines, [...new Set(k.hookChanges.flatMap((i) => r.hookChanges[i]!.lines))].sort((a, b) => a - b));
  });
}

test('a new advice: generated scenarios show the new capability; without its validity case nothing changes', async () => {
  const full = await simulatePatch(read(fx('madvise-new-advice.patch')), { kernel: 'v6.12', noLibrary: true });
  assert.ok(full.consequences.length >= 1);
  assert.ok(full.consequences.every((c) => c.source === 'generated' && c.severity === 'info'));
  assert.ok(full.consequences.some((c) => /child no longer inherits/.test(c.summary)));
  const partial = await simulatePatch(read(fx('madvise-new-advice-invalid.patch')), { kernel: 'v6.12', noLibrary: true });
  assert.deepEqual(partial.consequences, [], 'EINVAL before and after: the new case is unreachable');
});

test('a hook change nobody can observe (0xf -> access bits) gives no consequence', async () => {
  const r = await simulatePatch(read(fx('access-check-mask.patch')), { kernel: 'v2.6.13' });
  assert.equal(r.hookChanges.length, 1);
  assert.deepEqual(r.consequences, []);
});

for (const f of ['same-comment.patch', 'same-mprotect-helper.patch', 'same-madvise-modern-guard.patch', 'same-driver-helper.patch']) {
  test(`behaviour-preserving ${f}: no hook change, no consequence`, async () => {
    const r = await simulatePatch(read(fx(f)), {});
    assert.deepEqual(r.hookChanges, []);
    assert.deepEqual(r.consequences, []);
  });
}
