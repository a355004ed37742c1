// madvise's new-flags variable under another name is found where the source spells
// `vm_flags`, `|=` or `&=` (not by walking every assignment): spellings in comments and
// strings must not count, and the first copy of `X->vm_flags` in source order wins.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initC } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges, type HookChange } from '../../src/bridge/index';

const VM_DONTCOPY = 0x20000n;

before(async () => {
  await initC();
});

function madvisePatch(lines: string[]): string {
  const old = lines.filter((l) => l[0] !== '+').length;
  const nu = lines.filter((l) => l[0] !== '-').length;
  return [
    'diff --git a/mm/madvise.c b/mm/madvise.c', '--- a/mm/madvise.c', '+++ b/mm/madvise.c',
    `@@ -100,${old} +100,${nu} @@ static int madvise_vma_behavior(struct vm_area_struct *vma,`, ...lines, '',
  ].join('\n');
}

function dofork(lines: string[]): HookChange | undefined {
  return extractHookChanges(readPatchSet(madvisePatch(lines)), { era: 'v6.12' }).find((c) => c.hook === 'madvise-behaviour' && c.detail === 'MADV_DOFORK');
}

const NEW_DOFORK = ['+\tcase MADV_DOFORK:', '+\t\tnf &= ~VM_DONTCOPY;', '+\t\tbreak;'];

test('flags variable: the usual target of |= / &= in cases, not in comments or strings', () => {
  const c = dofork([
    '\t/* other |= VM_IO; other |= VM_IO; other &= ~VM_IO; */',
    '\tpr_debug("other |= VM_IO; other &= VM_IO;");',
    '\tother |= VM_IO;',
    '\tswitch (behavior) {',
    '\tcase MADV_DONTFORK:',
    '\t\tnf |= VM_DONTCOPY;',
    '\t\tbreak;',
    ...NEW_DOFORK,
    '\tcase MADV_NORMAL:',
    '\t\tother |= 0; /* nf |= VM_IO */',
    '\t\tbreak;',
  ].map((l) => (l[0] === '+' ? l : ' ' + l)));
  assert.deepEqual(c?.after, { type: 'madvise', set: 0n, clear: VM_DONTCOPY, guards: [] });
});

test('flags variable: the first copy of X->vm_flags in source order, however spaced', () => {
  const c = dofork([
    '\t/* other = vma->vm_flags; */',
    '\tnf = vma -> vm_flags;',
    '\tother = vma->vm_flags;',
    '\tswitch (behavior) {',
    '\tcase MADV_DONTFORK:',
    '\t\tother |= VM_DONTCOPY;',
    '\t\tother |= VM_DONTCOPY;',
    '\t\tbreak;',
    ...NEW_DOFORK,
  ].map((l) => (l[0] === '+' ? l : ' ' + l)));
  assert.deepEqual(c?.after, { type: 'madvise', set: 0n, clear: VM_DONTCOPY, guards: [] });
  // The same copy after another one: that other variable holds the flags, nf is not read.
  const d = dofork([
    '\tother = vma->vm_flags;',
    '\tnf = vma->vm_flags;',
    '\tswitch (behavior) {',
    ...NEW_DOFORK,
  ].map((l) => (l[0] === '+' ? l : ' ' + l)));
  assert.deepEqual(d?.after, { type: 'madvise', set: 0n, clear: 0n, guards: [] });
});
