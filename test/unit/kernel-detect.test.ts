import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectEra } from '../../src/kernel/index';
import type { PatchSet, HunkLine, LineKind } from '../../src/patch/types';

// Hand-made PatchSets: one file, one hunk; line numbers start at 10.
function patchSet(opts: { path?: string; header?: string; lines: Array<[LineKind, string]>; date?: string }): PatchSet {
  const lines: HunkLine[] = opts.lines.map(([kind, text], i) => ({ kind, text, line: 10 + i, column: 2 }));
  const header = opts.header ?? '';
  return {
    problems: [],
    patches: [{
      subject: 'test', version: null, index: null, total: null, from: null, date: opts.date ?? null, line: 1,
      message: '', isCoverLetter: false, quoteDepth: 0,
      files: [{
        oldPath: opts.path ?? 'mm/madvise.c', newPath: opts.path ?? 'mm/madvise.c', line: 5,
        hunks: [{ oldStart: 1, oldLines: lines.length, newStart: 1, newLines: lines.length, header, functionName: null, line: 9, column: 1, lines }],
      }],
    }],
  };
}

test('no clue: latest era, and says so', () => {
  const r = detectEra(patchSet({ lines: [[' ', 'int x = 1;']] }));
  assert.equal(r.era, 'v6.12');
  assert.equal(r.clues.length, 1);
  assert.match(r.clues[0]!, /no era clue/);
});

test('mmap_sem + do_mprotect_pkey: v5.4', () => {
  const r = detectEra(patchSet({
    path: 'mm/mprotect.c', header: 'static int do_mprotect_pkey(unsigned long start, size_t len,',
    lines: [[' ', '\tif (down_write_killable(&current->mm->mmap_sem))'], ['+', '\tnewflags |= VM_DONTCOPY;']],
  }));
  assert.equal(r.era, 'v5.4');
  assert.ok(r.clues.some((c) => /mmap_sem/.test(c) && /line 10/.test(c)));
  assert.ok(r.clues.some((c) => /do_mprotect_pkey/.test(c) && /line 9/.test(c)));
});

test('mmap_lock or vm_flags_set: v6.12', () => {
  assert.equal(detectEra(patchSet({ lines: [[' ', '\tmmap_write_lock(mm);']] })).era, 'v6.12');
  const r = detectEra(patchSet({ lines: [['+', '\tvm_flags_set(vma, VM_DONTCOPY);']] }));
  assert.equal(r.era, 'v6.12');
  assert.match(r.clues[0]!, /vm_flags_set.*line 10.*>= v6\.12/);
});

test('sys_mprotect with VM_RESERVED context: a 2.6 era; MADV_DONTFORK in context means 2.6.16', () => {
  const r = detectEra(patchSet({
    path: 'mm/madvise.c', header: 'asmlinkage long sys_madvise(unsigned long start, size_t len_in, int behavior)',
    lines: [[' ', '\tcase MADV_DONTFORK:'], [' ', '\t\tif (vma->vm_flags & VM_RESERVED)']],
  }));
  assert.equal(r.era, 'v2.6.16');
});

test('a patch that adds MADV_DONTFORK targets a tree without it: v2.6.13', () => {
  const r = detectEra(patchSet({
    path: 'include/asm-i386/mman.h',
    lines: [[' ', '#define MADV_DONTNEED\t0x4'], ['+', '#define MADV_DONTFORK\t0x30'], ['+', '#define MADV_DOFORK\t0x31']],
  }));
  assert.equal(r.era, 'v2.6.13');
  assert.ok(r.clues.some((c) => /adds #define MADV_DONTFORK at line 11/.test(c)));
});

test('uapi header layout and VM_ACCESS_FLAGS', () => {
  assert.equal(detectEra(patchSet({ path: 'arch/x86/include/uapi/asm/mman.h', lines: [[' ', '#define MAP_32BIT 0x40']] })).era, 'v6.12');
  const r = detectEra(patchSet({ path: 'include/uapi/asm-generic/mman-common.h', lines: [[' ', '#define MADV_KEEPONFORK 19']], date: 'Mon, 4 Nov 2019 10:00:00 +0000' }));
  assert.equal(r.era, 'v5.4');
  assert.equal(detectEra(patchSet({ path: 'mm/mprotect.c', lines: [[' ', '\tif ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS) {']] })).era, 'v6.12');
});

test('conflicting clues: the era most clues allow, with a note', () => {
  const r = detectEra(patchSet({
    path: 'mm/gup.c',
    lines: [[' ', '\tdown_read(&mm->mmap_sem);'], [' ', '\tret = pin_user_pages(start, n, FOLL_LONGTERM, pages, NULL);'], [' ', '\tvma = vma->vm_next;']],
  }));
  // mmap_sem and vm_next say <= v5.4, FOLL_LONGTERM >= v5.4; FOLL_PIN >= v6.12.
  assert.equal(r.era, 'v5.4');
  assert.ok(r.clues.some((c) => /disagree/.test(c)));
});

test('madvise_behavior_valid() is no upper bound: it is still there in 6.12', () => {
  const r = detectEra(patchSet({ path: 'mm/madvise.c', lines: [[' ', '\tif (!madvise_behavior_valid(behavior))'], [' ', '\tvm_flags_set(vma, VM_DONTCOPY);']] }));
  assert.equal(r.era, 'v6.12');
  assert.ok(!r.clues.some((c) => /disagree/.test(c)), r.clues.join('; '));
});

test('a kernel version named by a tree prefix or the changelog picks its era', () => {
  const r = detectEra(patchSet({ path: 'linux-2.6.16-rc3/include/asm-alpha/mman.h', lines: [[' ', '#define MADV_DONTNEED\t6']] }));
  assert.equal(r.era, 'v2.6.16');
  assert.ok(r.clues.some((c) => /linux-2\.6\.16-rc3/.test(c)));
  assert.ok(r.clues.some((c) => /path include\/asm-alpha\/mman\.h/.test(c)), 'the tree prefix is stripped for layout clues');
  const ps = patchSet({ lines: [[' ', 'int x;']] });
  ps.patches[0]!.message = 'This is against 2.6.12.2 and adds PROT_DONTCOPY.';
  assert.equal(detectEra(ps).era, 'v2.6.13');
  ps.patches[0]!.message = 'Rebased on top of v5.4.';
  assert.equal(detectEra(ps).era, 'v5.4');
  ps.patches[0]!.message = 'Applies to 6.1 and later; tested for 3.5 hours.';
  assert.equal(detectEra(ps).era, 'v6.12');
});

test('a dup_mmap walking the VMA list (mpnt->vm_next) predates the maple tree: not v6.12', () => {
  const r = detectEra(patchSet({
    path: 'kernel/fork.c', header: 'static inline int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)',
    lines: [[' ', 'for (mpnt = oldmm->mmap; mpnt; mpnt = mpnt->vm_next) {'], ['-', 'if (mpnt->vm_flags & VM_DONTCOPY) {'], ['+', 'if (mpnt->vm_flags & (VM_DONTCOPY | VM_IO)) {']],
  }));
  assert.notEqual(r.era, 'v6.12');
  assert.ok(r.clues.some((c) => /maple tree/.test(c)), r.clues.join('\n'));
});
