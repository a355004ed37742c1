// Base model + hook changes = patched model: deltas on the base, never mutating it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initC } from '../../src/c/index';
import { kernelModel } from '../../src/kernel/eras';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges } from '../../src/bridge/index';
import { applyHookChanges } from '../../src/bridge/apply';
import { patchedModelFor } from '../../src/bridge/patched';
import { runScenario, validateScenario, parseScenario } from '../../src/scenarios/index';
import type { HookChange } from '../../src/bridge/types';

const VM_DONTCOPY = 0x20000n;

before(async () => {
  await initC();
});

function fromFixture(path: string, era: Parameters<typeof kernelModel>[0]) {
  const base = kernelModel(era);
  const changes = extractHookChanges(readPatchSet(readFileSync(path, 'utf8')), { era });
  return { base, changes, patched: applyHookChanges(base, changes) };
}

test('the seed patch: PROT_DONTCOPY becomes a name, translates to VM_DONTCOPY, and mprotect stops keeping VM_DONTCOPY', () => {
  const { base, patched } = fromFixture('test-fixtures/examples/prot-dontcopy.patch', 'v2.6.13');
  assert.equal(patched.symbols.get('PROT_DONTCOPY'), 0x04000000n);
  assert.equal(base.symbols.get('PROT_DONTCOPY'), undefined, 'the base model is not touched');
  assert.ok(patched.protToVm.some((t) => t.from === 0x04000000n && t.to === VM_DONTCOPY));
  assert.equal(patched.protToVm.length, base.protToVm.length + 1);
  assert.equal(base.mprotectKept & VM_DONTCOPY, VM_DONTCOPY);
  assert.equal(patched.mprotectKept & VM_DONTCOPY, 0n);
  assert.equal(patched.mprotectKept | VM_DONTCOPY, base.mprotectKept, 'only VM_DONTCOPY changes');
});

test('deltas keep what the window does not show: arch VM_FLAGS_CLEAR bits stay cleared on x86', () => {
  const base = kernelModel('v6.12', 'x86');
  const changes = extractHookChanges(readPatchSet(readFileSync('test-fixtures/bridge/mprotect-kept-modern.patch', 'utf8')), { era: 'v6.12', arch: 'x86' });
  const patched = applyHookChanges(base, changes);
  assert.equal(patched.mprotectKept, base.mprotectKept & ~VM_DONTCOPY);
});

test('madvise: guard removed, wrong bit, validity removed, new advice accepted only with its validity case', () => {
  const g = fromFixture('test-fixtures/bridge/madvise-modern-guard-removed.patch', 'v6.12');
  const dofork = g.patched.madvise.get(11n)!;
  assert.deepEqual(dofork.guards, []);
  assert.equal(dofork.clear, VM_DONTCOPY);
  assert.equal(g.base.madvise.get(11n)!.guards.length, 1);

  const w = fromFixture('test-fixtures/bridge/madvise-dontfork-wrong-bit.patch', 'v2.6.16');
  assert.equal(w.patched.madvise.get(10n)!.set, 0x40000n);

  const v = fromFixture('test-fixtures/bridge/madvise-validity-removed.patch', 'v6.12');
  assert.equal(v.patched.madvise.has(10n), false);

  const full = fromFixture('test-fixtures/bridge/madvise-new-advice.patch', 'v6.12');
  const fg = full.patched.madvise.get(26n);
  assert.equal(fg?.name, 'MADV_FORKGUARD');
  assert.equal(fg?.set, VM_DONTCOPY | 0x04000000n);
  assert.equal(fg?.action, 'flags');
  const partial = fromFixture('test-fixtures/bridge/madvise-new-advice-invalid.patch', 'v6.12');
  assert.equal(partial.patched.madvise.has(26n), false, 'handled but not accepted: still EINVAL');
  assert.equal(partial.patched.symbols.get('MADV_FORKGUARD'), 26n);
});

test('fork policy and driver flags', () => {
  const s = fromFixture('test-fixtures/bridge/fork-skip-changed.patch', 'v6.12');
  assert.equal(s.patched.fork.skipFlags, 0x40000n);
  const p = fromFixture('test-fixtures/bridge/fork-pinned-copy-removed.patch', 'v6.12');
  assert.equal(p.base.fork.copyPinnedAnon, true);
  assert.equal(p.patched.fork.copyPinnedAnon, false);
  const d = fromFixture('test-fixtures/bridge/driver-dontcopy-removed.patch', 'v2.6.13');
  assert.equal(d.base.doorbellFlags & VM_DONTCOPY, VM_DONTCOPY);
  assert.equal(d.patched.doorbellFlags, d.base.doorbellFlags & ~VM_DONTCOPY);
});

test('a uapi name of another arch does not touch the model; a generic one does', () => {
  const mips: HookChange = { hook: 'uapi-name', detail: 'MAP_FOO', before: null, after: { type: 'value', value: 0x100000n }, lines: [1], file: 'arch/mips/include/uapi/asm/mman.h', function: null, patch: 0, summary: '', arch: 'mips' };
  const generic: HookChange = { ...mips, detail: 'MAP_BAR', file: 'include/uapi/asm-generic/mman-common.h', arch: 'generic' };
  const m = applyHookChanges(kernelModel('v6.12', 'x86'), [mips, generic]);
  assert.equal(m.symbols.has('MAP_FOO'), false);
  assert.equal(m.symbols.get('MAP_BAR'), 0x100000n);
  assert.equal(applyHookChanges(kernelModel('v6.12', 'mips'), [mips]).symbols.get('MAP_FOO'), 0x100000n);
});

test('patchedModelFor: a scenario using the new PROT_DONTCOPY runs on the patched model and is refused on the base', async () => {
  const base = kernelModel('v2.6.13');
  const patched = await patchedModelFor('test-fixtures/examples/prot-dontcopy.patch', base);
  const text = readFileSync('test-fixtures/bridge/scenarios/mmap-prot-dontcopy.json', 'utf8');
  const parsed = parseScenario(text, 'mmap-prot-dontcopy.json');
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  const problems = validateScenario(parsed.scenario, base);
  assert.ok(problems.some((p) => /PROT_DONTCOPY/.test(p.message)), 'the base kernel lacks the name');
  assert.deepEqual(validateScenario(parsed.scenario, patched), []);
  const r = runScenario(parsed.scenario, patched);
  assert.equal(r.passed, true, JSON.stringify(r.steps));
});

test('a change in an arch\'s own file applies to that arch\'s model only', () => {
  const text = readFileSync('test-fixtures/bridge/arch-prot-translation.patch', 'utf8');
  const cs = extractHookChanges(readPatchSet(text), { era: 'v6.12', arch: 'powerpc' });
  const ppc = applyHookChanges(kernelModel('v6.12', 'powerpc'), cs);
  assert.ok(ppc.protToVm.some((t) => t.from === 0x40n && t.to === VM_DONTCOPY));
  const generic = applyHookChanges(kernelModel('v6.12'), cs);
  assert.deepEqual(generic.protToVm, kernelModel('v6.12').protToVm);
  assert.equal(generic.symbols.has('PROT_DONTCOPY'), false);
});

test('archOfPath: old and new header layouts, generic headers, and directories that name no architecture', async () => {
  const { archOfPath } = await import('../../src/bridge/arch');
  assert.equal(archOfPath('include/asm-i386/mman.h'), 'x86');
  assert.equal(archOfPath('arch/sparc/include/uapi/asm/mman.h'), 'sparc');
  assert.equal(archOfPath('include/uapi/asm-generic/mman-common.h'), 'generic');
  assert.equal(archOfPath('include/linux/mm.h'), 'generic');
  assert.equal(archOfPath('arch/riscv/include/asm/mman.h'), null);
  // Names of Object.prototype members are directories like any other, not architectures.
  assert.equal(archOfPath('arch/constructor/include/asm/mman.h'), null);
  assert.equal(archOfPath('include/asm-toString/mman.h'), null);
  assert.equal(archOfPath(null), null);
});
