// Hook extraction on fixtures written for each hook kind, and on behaviour-preserving
// patches that must give no hook change at all.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initC } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges, type HookChange } from '../../src/bridge/index';
import type { EraId } from '../../src/kernel/model';

const VM_DONTCOPY = 0x20000n;
const VM_DONTEXPAND = 0x40000n;
const VM_IO = 0x4000n;
const ALL64 = (1n << 64n) - 1n;

before(async () => {
  await initC();
});

function changes(file: string, era: EraId): HookChange[] {
  const text = readFileSync(file, 'utf8');
  return extractHookChanges(readPatchSet(text), { era });
}

function fx(name: string): string {
  return `test-fixtures/bridge/${name}`;
}

/** The document line of the first line of `file` that contains `needle` and starts with `kind`. */
function lineOf(file: string, kind: '+' | '-', needle: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.startsWith(kind) && l.includes(needle));
  assert.ok(i >= 0, `${needle} not found`);
  return i + 1;
}

test('seed: PROT_DONTCOPY patch gives the uapi name, the translation term and the mprotect mask', () => {
  const file = 'test-fixtures/examples/prot-dontcopy.patch';
  const cs = changes(file, 'v2.6.13');
  const uapi = cs.find((c) => c.hook === 'uapi-name');
  assert.equal(uapi?.detail, 'PROT_DONTCOPY');
  assert.deepEqual(uapi?.before, null);
  assert.deepEqual(uapi?.after, { type: 'value', value: 0x04000000n });
  assert.equal(uapi?.arch, 'x86');
  const trans = cs.find((c) => c.hook === 'prot-translation');
  assert.equal(trans?.detail, 'calc_vm_prot_bits');
  assert.equal(trans?.after?.type, 'translation');
  if (trans?.after?.type === 'translation') {
    assert.ok(trans.after.terms.some((t) => t.from === 0x04000000n && t.to === VM_DONTCOPY && t.fromName === 'PROT_DONTCOPY'));
  }
  // The translation points at the line adding the PROT_DONTCOPY term, not at the whole return.
  assert.deepEqual(trans?.lines, [lineOf(file, '+', '_calc_vm_trans(prot, PROT_DONTCOPY')]);
  const kept = cs.find((c) => c.hook === 'mprotect-kept');
  assert.equal(kept?.function, 'sys_mprotect');
  assert.deepEqual(kept?.before, { type: 'mask', value: ALL64 & ~0x7n });
  assert.deepEqual(kept?.after, { type: 'mask', value: ALL64 & ~(0x7n | VM_DONTCOPY) });
  assert.deepEqual(kept?.lines, [lineOf(file, '-', 'newflags = vm_flags'), lineOf(file, '+', 'newflags = vm_flags')]);
  assert.match(kept!.summary, /clears VM_DONTCOPY/);
  assert.equal(cs.length, 3);
});

test('seed: the same hunks quoted three levels deep in a reply give the same changes at the quoted lines', () => {
  const file = 'test-fixtures/examples/prot-dontcopy-reply.eml';
  const cs = changes(file, 'v2.6.13');
  assert.deepEqual(cs.map((c) => `${c.hook}:${c.detail}`).sort(), ['mprotect-kept:mprotectKept', 'prot-translation:calc_vm_prot_bits', 'uapi-name:PROT_DONTCOPY']);
  const kept = cs.find((c) => c.hook === 'mprotect-kept')!;
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.ok(kept.lines.every((l) => /newflags = vm_flags/.test(lines[l - 1]!)));
  assert.ok(kept.lines.some((l) => lines[l - 1]!.includes('VM_DONTCOPY')));
});

for (const [name, era] of [['mprotect-kept-split.patch', 'v2.6.13'], ['mprotect-kept-macro.patch', 'v2.6.13'], ['mprotect-kept-modern.patch', 'v6.12']] as const) {
  test(`mprotect kept mask however spelled: ${name}`, () => {
    const cs = changes(fx(name), era);
    assert.equal(cs.length, 1);
    const c = cs[0]!;
    assert.equal(c.hook, 'mprotect-kept');
    assert.ok(c.before?.type === 'mask' && c.after?.type === 'mask');
    if (c.before?.type === 'mask' && c.after?.type === 'mask') {
      assert.equal(c.before.value & ~c.after.value, VM_DONTCOPY, 'exactly VM_DONTCOPY stops being kept');
      assert.equal(c.after.value & ~c.before.value, 0n);
    }
  });
}

test('a mask through a macro the patch defines points at the define line too', () => {
  const file = fx('mprotect-kept-macro.patch');
  const [c] = changes(file, 'v2.6.13');
  assert.ok(c!.lines.includes(lineOf(file, '+', '#define MPROTECT_RESET_FLAGS')));
  assert.ok(c!.lines.includes(lineOf(file, '+', '~MPROTECT_RESET_FLAGS')));
});

test('access check: mask 0xf -> access bits, and a broken shift', () => {
  const [m] = changes(fx('access-check-mask.patch'), 'v2.6.13');
  assert.deepEqual([m?.hook, m?.before, m?.after], ['mprotect-access-check', { type: 'access-check', shift: 4, mask: 0xfn }, { type: 'access-check', shift: 4, mask: 0x7n }]);
  const [s] = changes(fx('access-check-shift.patch'), 'v2.6.13');
  assert.deepEqual(s?.after, { type: 'access-check', shift: 3, mask: 0xfn });
});

test('madvise: the DOFORK VM_IO guard removed (2.6.16 madvise_vma and modern madvise_vma_behavior)', () => {
  for (const [name, era, fn] of [['madvise-dofork-guard-removed.patch', 'v2.6.16', 'madvise_vma'], ['madvise-modern-guard-removed.patch', 'v6.12', 'madvise_vma_behavior']] as const) {
    const cs = changes(fx(name), era);
    assert.equal(cs.length, 1, name);
    const c = cs[0]!;
    assert.equal(c.hook, 'madvise-behaviour');
    assert.equal(c.detail, 'MADV_DOFORK');
    assert.equal(c.function, fn);
    assert.ok(c.before?.type === 'madvise' && c.after?.type === 'madvise');
    if (c.before?.type === 'madvise' && c.after?.type === 'madvise') {
      assert.deepEqual(c.before.guards, [{ anyFlags: VM_IO, errno: 'EINVAL' }]);
      assert.deepEqual(c.after.guards, []);
    }
    assert.ok(c.lines.length > 0);
  }
});

test('madvise: MADV_DONTFORK setting the wrong bit', () => {
  const [c] = changes(fx('madvise-dontfork-wrong-bit.patch'), 'v2.6.16');
  assert.ok(c?.before?.type === 'madvise' && c.after?.type === 'madvise');
  if (c?.before?.type === 'madvise' && c.after?.type === 'madvise') {
    assert.equal(c.before.set, VM_DONTCOPY);
    assert.equal(c.after.set, VM_DONTEXPAND);
  }
});

test('madvise: a new advice with behaviour and validity; the validity case missing; a validity case removed', () => {
  const full = changes(fx('madvise-new-advice.patch'), 'v6.12');
  assert.deepEqual(full.map((c) => `${c.hook}:${c.detail}`).sort(), ['madvise-behaviour:MADV_FORKGUARD', 'madvise-validity:MADV_FORKGUARD', 'uapi-name:MADV_FORKGUARD']);
  const b = full.find((c) => c.hook === 'madvise-behaviour')!;
  assert.deepEqual(b.after?.type === 'madvise' ? b.after.set : null, VM_DONTCOPY | 0x04000000n);
  const partial = changes(fx('madvise-new-advice-invalid.patch'), 'v6.12');
  assert.ok(!partial.some((c) => c.hook === 'madvise-validity'));
  const removed = changes(fx('madvise-validity-removed.patch'), 'v6.12');
  assert.deepEqual(removed.map((c) => [c.hook, c.detail, c.before, c.after]), [['madvise-validity', 'MADV_DONTFORK', { type: 'flag', value: true }, { type: 'flag', value: false }]]);
});

test('fork policy: skip test on the wrong bit, wipe test removed, pinned copy removed', () => {
  const [s] = changes(fx('fork-skip-changed.patch'), 'v6.12');
  assert.deepEqual([s?.detail, s?.before, s?.after], ['skipFlags', { type: 'mask', value: VM_DONTCOPY }, { type: 'mask', value: VM_DONTEXPAND }]);
  const [w] = changes(fx('fork-wipe-removed.patch'), 'v6.12');
  assert.deepEqual([w?.detail, w?.before, w?.after], ['wipeFlags', { type: 'mask', value: 0x02000000n }, { type: 'mask', value: 0n }]);
  const [p] = changes(fx('fork-pinned-copy-removed.patch'), 'v6.12');
  assert.deepEqual([p?.detail, p?.before, p?.after], ['copyPinnedAnon', { type: 'flag', value: true }, { type: 'flag', value: false }]);
});

test('driver mmap: the doorbell handler stops setting VM_DONTCOPY', () => {
  const file = fx('driver-dontcopy-removed.patch');
  const [c] = changes(file, 'v2.6.13');
  assert.equal(c?.hook, 'driver-mmap');
  assert.equal(c?.detail, 'mthca_mmap_uar');
  assert.deepEqual(c?.before, { type: 'driver-flags', set: VM_DONTCOPY, clear: 0n });
  assert.deepEqual(c?.after, { type: 'driver-flags', set: 0n, clear: 0n });
  assert.deepEqual(c?.lines, [lineOf(file, '-', 'VM_DONTCOPY')]);
});

test('mmap flags: a new MAP_ flag translated to VM_DONTCOPY; a uapi value changed', () => {
  const cs = changes(fx('map-dontfork.patch'), 'v2.6.13');
  const t = cs.find((c) => c.hook === 'mmap-flags');
  assert.ok(t?.after?.type === 'translation' && t.after.terms.some((x) => x.from === 0x20000n && x.to === VM_DONTCOPY));
  assert.ok(cs.some((c) => c.hook === 'uapi-name' && c.detail === 'MAP_DONTFORK'));
  const [u] = changes(fx('uapi-value-changed.patch'), 'v2.6.13');
  assert.deepEqual([u?.detail, u?.before, u?.after], ['MAP_LOCKED', { type: 'value', value: 0x2000n }, { type: 'value', value: 0x4000n }]);
});

const SAME: Array<[string, EraId]> = [
  ['same-comment.patch', 'v2.6.13'], ['same-mprotect-macro.patch', 'v2.6.13'], ['same-mprotect-helper.patch', 'v2.6.13'],
  ['same-mprotect-split.patch', 'v2.6.13'], ['same-mprotect-modern.patch', 'v6.12'], ['same-madvise-guard-form.patch', 'v2.6.16'],
  ['same-madvise-spelling.patch', 'v2.6.16'], ['same-madvise-modern-guard.patch', 'v6.12'], ['same-fork-helper.patch', 'v6.12'],
  ['same-driver-helper.patch', 'v6.12'], ['same-prot-reorder.patch', 'v2.6.13'], ['same-mprotect-oldflags.patch', 'v6.12'],
];
for (const [name, era] of SAME) {
  test(`behaviour-preserving: ${name} gives no hook change`, () => {
    assert.deepEqual(changes(fx(name), era).map((c) => c.summary), []);
  });
}

test('odd input never throws: empty, prose, a broken hunk', () => {
  assert.deepEqual(extractHookChanges(readPatchSet(''), { era: 'v6.12' }), []);
  assert.deepEqual(extractHookChanges(readPatchSet('hello\nworld\n'), { era: 'v6.12' }), []);
  const broken = '--- a/mm/mprotect.c\n+++ b/mm/mprotect.c\n@@ -1,3 +1,3 @@ sys_mprotect(\n-\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ\n+\tnewflags = ((( | ;\n';
  assert.doesNotThrow(() => extractHookChanges(readPatchSet(broken), { era: 'v2.6.13' }));
});

test('a hook changed only through a macro the patch redefines (mm/mprotect.c not in the patch)', () => {
  const file = fx('macro-only-access-flags.patch');
  const cs = changes(file, 'v6.12');
  const kept = cs.find((c) => c.hook === 'mprotect-kept');
  assert.ok(kept?.before?.type === 'mask' && kept.after?.type === 'mask');
  if (kept?.before?.type === 'mask' && kept.after?.type === 'mask') assert.equal(kept.before.value & ~kept.after.value, VM_DONTCOPY);
  assert.deepEqual(kept?.lines, [lineOf(file, '-', 'VM_ACCESS_FLAGS'), lineOf(file, '+', 'VM_ACCESS_FLAGS')]);
  const check = cs.find((c) => c.hook === 'mprotect-access-check');
  assert.deepEqual(check?.after, { type: 'access-check', shift: 4, mask: 0x7n | VM_DONTCOPY });
  // Through the same macro, a reordering changes nothing.
  assert.deepEqual(changes(fx('same-macro-locked-mask.patch'), 'v6.12'), []);
});

test('do_mmap: `if (flags & MAP_X) vm_flags |= VM_Y` is a MAP -> VM term', () => {
  const file = fx('do-mmap-dontfork.patch');
  const cs = changes(file, 'v2.6.13');
  const t = cs.find((c) => c.hook === 'mmap-flags');
  assert.equal(t?.detail, 'do_mmap_pgoff');
  assert.ok(t?.after?.type === 'translation');
  if (t?.after?.type === 'translation' && t.before?.type === 'translation') {
    const added = t.after.terms.filter((x) => !(t.before as { terms: { from: bigint }[] }).terms.some((y) => y.from === x.from));
    assert.deepEqual(added.map((x) => [x.fromName, x.from, x.to]), [['MAP_DONTFORK', 0x20000n, VM_DONTCOPY]]);
  }
  assert.deepEqual(t?.lines, [lineOf(file, '+', 'if (flags & MAP_DONTFORK)'), lineOf(file, '+', 'vm_flags |= VM_DONTCOPY')]);
});

test('madvise_need_mmap_write: an advice moved under the read lock; its switch is not a validity check', () => {
  const file = fx('madvise-dontfork-read-lock.patch');
  const cs = changes(file, 'v5.4');
  assert.deepEqual(cs.map((c) => [c.hook, c.detail, c.before, c.after]), [
    ['madvise-behaviour', 'MADV_DONTFORK', { type: 'madvise', writeLock: true }, { type: 'madvise', writeLock: false }],
  ]);
  assert.deepEqual(cs[0]!.lines, [lineOf(file, '+', 'case MADV_DONTFORK')]);
});

test('an arch hook spelled without _calc_vm_trans, read with the arch\'s names; the same term respelled is no change', () => {
  const file = fx('arch-prot-translation.patch');
  const cs = extractHookChanges(readPatchSet(readFileSync(file, 'utf8')), { era: 'v6.12', arch: 'powerpc' });
  const t = cs.find((c) => c.hook === 'prot-translation');
  assert.equal(t?.detail, 'arch_calc_vm_prot_bits');
  assert.equal(t?.arch, 'powerpc');
  assert.ok(t?.after?.type === 'translation');
  if (t?.after?.type === 'translation') {
    assert.deepEqual(t.after.terms.map((x) => [x.fromName, x.from, x.toName, x.to]), [['PROT_SAO', 0x10n, 'VM_SAO', 0x1000000n], ['PROT_DONTCOPY', 0x40n, 'VM_DONTCOPY', VM_DONTCOPY]]);
  }
  assert.deepEqual(t?.lines, [lineOf(file, '+', 'PROT_DONTCOPY) ? VM_DONTCOPY')]);
  assert.deepEqual(extractHookChanges(readPatchSet(readFileSync(fx('same-arch-prot-spelling.patch'), 'utf8')), { era: 'v6.12', arch: 'powerpc' }), []);
});

test('madvise guard in the `{ error = -EINVAL; goto out; }` form, "file-backed or shared" condition', () => {
  const file = fx('madvise-wipeonfork-guard-removed.patch');
  const cs = changes(file, 'v5.4');
  assert.deepEqual(cs.map((c) => [c.hook, c.detail, c.before, c.after]), [
    ['madvise-behaviour', 'MADV_WIPEONFORK',
      { type: 'madvise', set: 0x02000000n, clear: 0n, guards: [{ fileOrShared: true, errno: 'EINVAL' }] },
      { type: 'madvise', set: 0x02000000n, clear: 0n, guards: [] }],
  ]);
  assert.deepEqual(cs[0]!.lines, [lineOf(file, '-', 'if (vma->vm_file'), lineOf(file, '-', 'error = -EINVAL'), lineOf(file, '-', 'goto out'), lineOf(file, '-', 'goto out') + 1]);
});
