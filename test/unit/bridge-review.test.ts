// Review of the bridge (issue 5): patches written for the review, one per problem found, each
// with the outcome a kernel reviewer expects. Every test here failed before its fix.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initC } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { simulatePatch } from '../../src/bridge/simulate';
import { extractHookChanges } from '../../src/bridge/extract';
import { applyHookChanges } from '../../src/bridge/apply';
import { kernelModel } from '../../src/kernel/eras';
import type { EraId } from '../../src/kernel/model';
import type { HookChange } from '../../src/bridge/types';

before(async () => {
  await initC();
});

const fx = (n: string) => readFileSync(`test-fixtures/bridge/review/${n}`, 'utf8');
const changesOf = (n: string, era: EraId) => extractHookChanges(readPatchSet(fx(n)), { era });

function lineOf(text: string, kind: '+' | '-' | ' ', needle: string): number {
  return text.split('\n').findIndex((l) => l.startsWith(kind) && l.includes(needle)) + 1;
}

test('mprotect has its own PROT check: a widened arch_validate_prot lets mprotect take the new bit', async () => {
  const text = fx('prot-dontcopy-validate-widened.patch');
  const r = await simulatePatch(text, { kernel: 'v6.12' });
  const valid = r.hookChanges.findIndex((h) => h.detail === 'prot-valid');
  assert.ok(valid >= 0);
  const mp = r.consequences.find((c) => c.scenario === 'generated-prot-dontcopy-mprotect');
  assert.ok(mp, r.consequences.map((c) => c.scenario).join(','));
  assert.ok(mp.hookChanges.includes(valid), 'the widened check is one cause');
  assert.ok(mp.lines.includes(lineOf(text, '+', 'PROT_SEM | PROT_DONTCOPY')));
  assert.equal(r.notes.filter((n) => /still fails with EINVAL/.test(n)).length, 0);
});

test('a PROT check in do_mmap does not change what mprotect accepts; a translated bit alone does not either', () => {
  const base = kernelModel('v2.6.13');
  const mmapCheck: HookChange = {
    hook: 'prot-translation', detail: 'prot-valid', before: { type: 'mask', value: 0xfn }, after: { type: 'mask', value: 0x2fn },
    lines: [1], file: 'mm/mmap.c', function: 'do_mmap_pgoff', patch: 0, summary: '',
  };
  const trans: HookChange = {
    hook: 'prot-translation', detail: 'calc_vm_prot_bits', before: { type: 'translation', terms: [] },
    after: { type: 'translation', terms: [{ from: 0x20n, to: base.symbols.get('VM_DONTCOPY')!, fromName: 'PROT_X', toName: 'VM_DONTCOPY' }] },
    lines: [2], file: 'include/linux/mman.h', function: 'calc_vm_prot_bits', patch: 0, summary: '',
  };
  const m = applyHookChanges(base, [mmapCheck, trans]);
  assert.equal(m.mprotectProtValid, base.mprotectProtValid);
  assert.equal(m.protValid & 0x20n, 0x20n);
  const check = applyHookChanges(base, [{ ...mmapCheck, function: 'sys_mprotect', file: 'mm/mprotect.c' }]);
  assert.equal(check.mprotectProtValid, 0x2fn);
});

test('refactors give no hook change: unlikely() around the skip test, the DOFORK test in a helper, vm_flags_set split in two, reordered masks and terms, new_flags renamed', () => {
  for (const [file, era] of [
    ['same-fork-skip-unlikely.patch', 'v6.12'], ['same-madvise-guard-helper.patch', 'v6.12'], ['same-driver-vm-flags-set.patch', 'v6.12'],
    ['same-mprotect-reordered.patch', 'v6.12'], ['same-prot-translation-reordered.patch', 'v2.6.13'],
    ['same-madvise-flags-renamed.patch', 'v6.12'], ['same-mmap-fixed-modern.patch', 'v6.12'], ['same-wipeonfork-guard-anonymous.patch', 'v6.12'],
    ['same-fork-skip-helper.patch', 'v6.12'], ['same-mprotect-vm-access-flags-54.patch', 'v5.4'],
  ] as const) {
    assert.deepEqual(changesOf(file, era).map((c) => c.summary), [], file);
  }
});

test('a skip test the model cannot hold is reported with its source text and not simulated', async () => {
  const text = fx('fork-skip-condition-unmodelled.patch');
  const r = await simulatePatch(text, { kernel: 'v6.12' });
  assert.equal(r.hookChanges.length, 1);
  const h = r.hookChanges[0]!;
  assert.equal(h.detail, 'skipFlags');
  assert.deepEqual(h.unmodelled?.after, ['(mpnt->vm_flags & (VM_DONTCOPY | VM_PFNMAP)) == VM_DONTCOPY']);
  assert.match(h.summary, /not expressible in the model/);
  assert.deepEqual(h.lines, [lineOf(text, '-', 'if ('), lineOf(text, '+', 'if (')]);
  // The flags it tests keep the base kernel's skip: no consequence is invented.
  assert.deepEqual(r.consequences, []);
});

test('a window that cuts the unchanged VM_ACCOUNT test short does not count it as a skip test (2.6.13)', () => {
  const ch = changesOf('fork-skip-removed-2613.patch', 'v2.6.13');
  assert.equal(ch.length, 1);
  assert.equal(ch[0]!.summary, 'fork no longer skips VMAs with VM_DONTCOPY: the child gets them');
  const vm = kernelModel('v2.6.13').symbols;
  assert.deepEqual(ch[0]!.before, { type: 'mask', value: vm.get('VM_DONTCOPY') });
});

test('MADV_WIPEONFORK added to 2.6.16: the madvise_vma case makes it valid though the window hides the default', async () => {
  const text = fx('madv-wipeonfork-2616.patch');
  const r = await simulatePatch(text, { kernel: 'v2.6.16' });
  const valid = r.hookChanges.findIndex((h) => h.hook === 'madvise-validity' && h.detail === 'MADV_WIPEONFORK');
  assert.ok(valid >= 0, r.hookChanges.map((h) => h.summary).join('\n'));
  // The added label in madvise_vma (the second hunk of mm/madvise.c adds one too).
  const labels = text.split('\n').map((l, i) => (l.startsWith('+') && l.includes('case MADV_WIPEONFORK:') ? i + 1 : 0)).filter(Boolean);
  assert.deepEqual(r.hookChanges[valid]!.lines, [labels[1]]);
  // The patch's own VM_WIPEONFORK is named in the summaries.
  const wipe = r.hookChanges.find((h) => h.detail === 'wipeFlags');
  assert.equal(wipe?.summary, 'fork now gives the child an empty copy of VMAs with VM_WIPEONFORK');
  const gen = r.consequences.find((c) => c.scenario === 'generated-madv-wipeonfork-madvise');
  assert.ok(gen, r.consequences.map((c) => c.scenario).join(','));
  // The child used to read the device's data meant for the parent; now the parent gets it:
  // a new capability, not lost data.
  assert.equal(gen.severity, 'info', gen.summary);
  assert.match(gen.summary, /^madvise\(MADV_WIPEONFORK\) on the registered buffer buf now succeeds/);
  assert.match(gen.summary, /child no longer sees the device's 42 meant for parent/);
  // The advice needs its validity, its flag and the fork policy that reads the flag: all three
  // are responsible (the guard on file-backed VMAs is not, the buffer is anonymous).
  const idx = (pred: (h: HookChange) => boolean) => r.hookChanges.findIndex(pred);
  const expected = [
    idx((h) => h.hook === 'uapi-name'), idx((h) => h.detail === 'wipeFlags'),
    idx((h) => h.hook === 'madvise-behaviour' && h.function === 'madvise_behavior'), valid,
  ].sort((a, b) => a - b);
  assert.deepEqual(gen.hookChanges, expected);
  assert.ok(!gen.hookChanges.includes(idx((h) => h.hook === 'madvise-behaviour' && h.function === 'madvise_vma')));
  // Everything the backport does is new (the advice, its flag, the fork test of that flag):
  // the library's wipe-on-fork scenarios now running on 2.6.16 are new capability, not warnings.
  for (const c of r.consequences) assert.equal(c.severity, 'info', `${c.scenario}: ${c.summary}`);
});

test('summaries say what a change adds and takes away', () => {
  const dofork = changesOf('../madvise-modern-guard-removed.patch', 'v6.12').find((c) => c.detail === 'MADV_DOFORK');
  assert.equal(dofork?.summary, 'madvise(MADV_DOFORK) no longer fails with EINVAL on VM_IO VMAs');
  const drv = changesOf('../driver-dontcopy-removed.patch', 'v2.6.13').find((c) => c.hook === 'driver-mmap');
  assert.match(drv!.summary, /no longer sets VM_DONTCOPY on the doorbell VMA$/);
});

test('a guard testing vma->vm_file beside flag bits keeps those bits', () => {
  const ch = changesOf('madvise-wipeonfork-guard-io.patch', 'v6.12');
  assert.equal(ch.length, 1);
  const base = kernelModel('v6.12');
  const VM_IO = base.symbols.get('VM_IO')!;
  const after = ch[0]!.after;
  assert.ok(after?.type === 'madvise');
  assert.deepEqual(after.guards, [{ fileOrShared: true, anyFlags: VM_IO, errno: 'EINVAL' }]);
  const m = applyHookChanges(base, ch);
  const wipe = m.madvise.get(base.symbols.get('MADV_WIPEONFORK')!)!;
  assert.deepEqual(wipe.guards, [{ fileOrShared: true, anyFlags: VM_IO, errno: 'EINVAL' }]);
  assert.match(ch[0]!.summary, /VM_IO/);
});

test('#ifdef inside a madvise case: the guard under it belongs to the case, the case keeps its own body', () => {
  const text = fx('madvise-ifdef-guard.patch');
  const ch = changesOf('madvise-ifdef-guard.patch', 'v6.12');
  assert.deepEqual(ch.map((c) => c.summary), ['madvise(MADV_DOFORK) now fails with EINVAL on VM_PFNMAP VMAs']);
  assert.deepEqual(ch[0]!.lines, [lineOf(text, '+', 'VM_PFNMAP'), lineOf(text, '+', 'VM_PFNMAP') + 1]);
});

test('a label under #ifdef in a window that starts inside the switch: earlier cases do not leak into its flags', () => {
  const ch = changesOf('madvise-ifdef-label.patch', 'v6.12');
  const vm = kernelModel('v6.12').symbols;
  const keep = ch.find((c) => c.detail === 'MADV_KEEPONFORK');
  assert.ok(keep?.after?.type === 'madvise');
  assert.equal(keep.after.set, 0n);
  assert.equal(keep.after.clear, vm.get('VM_DONTCOPY'));
  const dofork = ch.find((c) => c.detail === 'MADV_DOFORK');
  assert.equal(dofork?.summary, 'madvise(MADV_DOFORK) no longer fails with EINVAL on VM_IO VMAs');
});

test("do_mmap's constant VM bits are a hook: VM_DONTCOPY on every mapping keeps every region out of children; the same bits over three statements are no change", async () => {
  const text = fx('mmap-fixed-dontcopy-2613.patch');
  const r = await simulatePatch(text, { kernel: 'v2.6.13', only: ['cow-child-writes', 'cow-parent-writes'] });
  assert.deepEqual(r.hookChanges.map((h) => h.summary), ['mmap() now puts VM_DONTCOPY on every new mapping']);
  const vm = kernelModel('v2.6.13').symbols;
  const may = vm.get('VM_MAYREAD')! | vm.get('VM_MAYWRITE')! | vm.get('VM_MAYEXEC')!;
  assert.deepEqual(r.hookChanges[0]!.after, { type: 'mask', value: may | vm.get('VM_DONTCOPY')! });
  assert.equal(applyHookChanges(kernelModel('v2.6.13'), r.hookChanges).mmapFixedFlags, may | vm.get('VM_DONTCOPY')!);
  const cow = r.consequences.find((c) => c.scenario === 'cow-child-writes');
  assert.ok(cow, r.consequences.map((c) => c.scenario).join(','));
  assert.match(cow.summary, /^child: write buf\[0\] = 5 now fails with SIGSEGV \(was ok\)/);
  assert.deepEqual(cow.lines, [lineOf(text, '-', 'vm_flags = calc_vm_prot_bits'), lineOf(text, '-', 'VM_MAYEXEC;'), lineOf(text, '+', 'vm_flags = calc_vm_prot_bits'), lineOf(text, '+', 'VM_DONTCOPY;')]);
  assert.deepEqual(changesOf('same-mmap-fixed-modern.patch', 'v6.12'), []);
});

test('a (void) helper the patch adds is inlined, and the change points at the helper as well as the call', () => {
  const text = fx('mprotect-kept-void-helper.patch');
  const ch = changesOf('mprotect-kept-void-helper.patch', 'v2.6.13');
  assert.deepEqual(ch.map((c) => c.summary), ['every mprotect() now clears VM_DONTCOPY']);
  const lines = ch[0]!.lines;
  assert.ok(lines.includes(lineOf(text, '+', 'return VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY;')), String(lines));
  assert.ok(lines.includes(lineOf(text, '+', 'mprotect_reset_mask());')));
  assert.ok(lines.includes(lineOf(text, '-', 'newflags = vm_flags')));
});

test("a driver mmap that maps a whole range (not one page) is not the doorbell handler", () => {
  assert.deepEqual(changesOf('driver-large-mapping.patch', 'v6.12'), []);
  // The one-page form of the same change is.
  const one = fx('driver-large-mapping.patch').replace('vma->vm_end - vma->vm_start, vma->vm_page_prot', 'PAGE_SIZE, vma->vm_page_prot');
  const ch = extractHookChanges(readPatchSet(one), { era: 'v6.12' });
  assert.deepEqual(ch.map((c) => c.summary), ['foo_mmap_dm no longer sets VM_DONTCOPY on the doorbell VMA']);
});

test('with new_flags renamed, a changed bit in a case is still a change', () => {
  const text = fx('same-madvise-flags-renamed.patch').replace('+\t\tvm_flags |= VM_DONTCOPY;', '+\t\tvm_flags |= VM_DONTEXPAND;');
  const ch = extractHookChanges(readPatchSet(text), { era: 'v6.12' });
  assert.deepEqual(ch.map((c) => c.summary), ['madvise(MADV_DONTFORK) no longer sets VM_DONTCOPY; now sets VM_DONTEXPAND']);
});

test('a driver that assigns vm_flags outright is summarised without listing every cleared flag', () => {
  const ch = changesOf('driver-assigns-flags.patch', 'v6.12');
  assert.deepEqual(ch.map((c) => c.summary), ['foo_mmap_uar no longer sets VM_DONTCOPY; now sets vm_flags to exactly VM_PFNMAP | VM_IO | VM_DONTEXPAND (every other flag cleared) on the doorbell VMA']);
});

test('do_mprotect_pkey: a change to the use of mask_off_old_flags whose assignment is out of view', () => {
  const text = fx('mprotect-mask-use-only.patch');
  const ch = changesOf('mprotect-mask-use-only.patch', 'v6.12');
  assert.deepEqual(ch.map((c) => c.summary), ['every mprotect() now clears VM_DONTCOPY']);
  assert.deepEqual(ch[0]!.lines, [lineOf(text, '-', 'mask_off_old_flags'), lineOf(text, '+', 'mask_off_old_flags')]);
  const m = applyHookChanges(kernelModel('v6.12'), ch);
  assert.equal(m.mprotectKept & kernelModel('v6.12').symbols.get('VM_DONTCOPY')!, 0n);
});

test('PROT checks combine: a check added beside one out of view narrows it, a check removed widens it only by its own bits', () => {
  const added = changesOf('mprotect-rejects-new-bit.patch', 'v6.12');
  assert.deepEqual(added.map((c) => c.summary), ['do_mprotect_pkey now rejects PROT_SEM (EINVAL)']);
  const base = kernelModel('v6.12');
  const PROT_SEM = base.symbols.get('PROT_SEM')!;
  assert.equal(applyHookChanges(base, added).mprotectProtValid, base.mprotectProtValid & ~PROT_SEM);
  const removed = changesOf('mprotect-check-removed-2613.patch', 'v2.6.13');
  assert.deepEqual(removed.map((c) => c.summary), ['sys_mprotect now accepts any PROT bit, not only PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM']);
  assert.equal(applyHookChanges(kernelModel('v2.6.13'), removed).mprotectProtValid, 0xffffffffn);
});

test('a skip test added beside the DONTCOPY one out of view adds VM_IO and keeps VM_DONTCOPY; a doorbell no longer leaking is info', async () => {
  const r = await simulatePatch(fx('fork-skip-added-io.patch'), { kernel: 'v6.12' });
  assert.deepEqual(r.hookChanges.map((h) => h.summary), ['fork now skips VMAs with VM_IO: the child does not get them']);
  const base = kernelModel('v6.12');
  const m = applyHookChanges(base, r.hookChanges);
  assert.equal(m.fork.skipFlags, base.fork.skipFlags | base.symbols.get('VM_IO')!);
  assert.ok(r.consequences.length > 0);
  for (const c of r.consequences) assert.equal(c.severity, 'info', c.summary);
});

test('an arch hook shown only on the new side is compared with the arch terms, not with calc_vm_prot_bits R/W/X', async () => {
  const r = await simulatePatch(fx('same-arch-hook-shown-whole.patch'), { kernel: 'v6.12', arch: 'powerpc' });
  assert.deepEqual(r.hookChanges.map((h) => h.summary), []);
  assert.deepEqual(r.consequences, []);
});

test('a PROT check added to do_mmap makes mmap refuse the bit (mmapProtValid), not mprotect', async () => {
  const { parseScenario } = await import('../../src/scenarios/index');
  const file = 'test-fixtures/bridge/review/scenarios/mmap-unknown-prot-bit.json';
  const parsed = parseScenario(readFileSync(file, 'utf8'), file);
  assert.ok(parsed.ok);
  const r = await simulatePatch(fx('mmap-validates-prot.patch'), { kernel: 'v6.12', scenarios: [parsed.scenario], noLibrary: true });
  const m = applyHookChanges(kernelModel('v6.12'), r.hookChanges);
  assert.equal(m.mmapProtValid, 0xfn);
  assert.equal(m.mprotectProtValid, kernelModel('v6.12').mprotectProtValid);
  assert.equal(r.consequences.length, 1);
  assert.match(r.consequences[0]!.summary, /^mmap\(PROT_READ\|PROT_WRITE\|0x100, MAP_PRIVATE\|MAP_ANONYMOUS\) on region buf now fails with EINVAL \(was ok\)/);
});

test('a driver that clears VM_MAYEXEC on the doorbell takes it off the simulated VMA: mprotect(PROT_EXEC) now fails', async () => {
  const { parseScenario } = await import('../../src/scenarios/index');
  const { doorbellVmaFlags } = await import('../../src/kernel/eras');
  const file = 'test-fixtures/bridge/review/scenarios/doorbell-mprotect-exec.json';
  const parsed = parseScenario(readFileSync(file, 'utf8'), file);
  assert.ok(parsed.ok);
  const text = fx('driver-clears-mayexec.patch');
  const r = await simulatePatch(text, { kernel: 'v6.12', scenarios: [parsed.scenario], noLibrary: true });
  const base = kernelModel('v6.12');
  const MAYEXEC = base.symbols.get('VM_MAYEXEC')!;
  assert.equal(doorbellVmaFlags(applyHookChanges(base, r.hookChanges)) & MAYEXEC, 0n);
  assert.equal(doorbellVmaFlags(base) & MAYEXEC, MAYEXEC);
  assert.equal(r.consequences.length, 1);
  assert.equal(r.consequences[0]!.summary, 'mprotect(PROT_READ|PROT_WRITE|PROT_EXEC) on the doorbell now fails with EACCES (was ok)');
  assert.deepEqual(r.consequences[0]!.lines, [lineOf(text, '+', 'vm_flags_clear(vma, VM_MAYEXEC)')]);
});

test("!arch_validate_prot() the patch does not define reads as the base arch's check", () => {
  const generic = extractHookChanges(readPatchSet(fx('mmap-calls-arch-validate-prot.patch')), { era: 'v6.12' });
  assert.deepEqual(generic.map((c) => c.after), [{ type: 'mask', value: kernelModel('v6.12').mprotectProtValid }]);
  const ppc = extractHookChanges(readPatchSet(fx('mmap-calls-arch-validate-prot.patch')), { era: 'v6.12', arch: 'powerpc' });
  assert.deepEqual(ppc.map((c) => c.after), [{ type: 'mask', value: kernelModel('v6.12', 'powerpc').mprotectProtValid }]);
});

test('a series: each hook change names its patch in the text report', async () => {
  const { reportToText } = await import('../../src/bridge/report');
  const text = readFileSync('test-fixtures/bridge/review/series-two-patches.mbox', 'utf8');
  const r = await simulatePatch(text, { kernel: 'v2.6.13' });
  assert.deepEqual(r.hookChanges.map((h) => h.patch), [0, 1]);
  assert.deepEqual(r.notes, []);
  const out = reportToText(r, text);
  assert.match(out, /\(patch 1, mm\/mprotect\.c, sys_mprotect\): every mprotect\(\) now clears VM_DONTCOPY/);
  assert.match(out, /\(patch 2, kernel\/fork\.c, dup_mmap\): fork no longer skips VMAs with VM_DONTCOPY/);
});

test('a skip test moved into a helper that also tests VM_IO: the change points at the helper and the call', () => {
  const text = fx('fork-skip-helper-adds-io.patch');
  const ch = changesOf('fork-skip-helper-adds-io.patch', 'v6.12');
  assert.deepEqual(ch.map((c) => c.summary), ['fork now skips VMAs with VM_IO: the child does not get them']);
  assert.ok(ch[0]!.lines.includes(lineOf(text, '+', 'return vma->vm_flags & (VM_DONTCOPY | VM_IO);')));
  assert.ok(ch[0]!.lines.includes(lineOf(text, '+', 'if (vma_skipped_at_fork(mpnt))')));
});
