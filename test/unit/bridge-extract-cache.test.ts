// extractHookChanges reads a patch set once per era and arch, and a second patch set object
// with the same content (the editor reads one text for lint and again for simulation) gets
// the first one's changes; a different content, era or arch is read anew.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initC } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges } from '../../src/bridge/index';

before(async () => {
  await initC();
});

function patch(flag: string): string {
  return [
    'diff --git a/mm/madvise.c b/mm/madvise.c', '--- a/mm/madvise.c', '+++ b/mm/madvise.c',
    '@@ -100,3 +100,6 @@ static int madvise_vma_behavior(struct vm_area_struct *vma,',
    ' \tcase MADV_DONTFORK:', ' \t\tnew_flags |= VM_DONTCOPY;', ' \t\tbreak;',
    '+\tcase MADV_DOFORK:', `+\t\tnew_flags &= ~${flag};`, '+\t\tbreak;', '',
  ].join('\n');
}

test('extract cache: same content shares changes, other content, era or arch does not', () => {
  const a = readPatchSet(patch('VM_DONTCOPY'));
  const first = extractHookChanges(a, { era: 'v6.12' });
  assert.ok(first.length > 0);
  // The same object, and another object with the same content: the same change objects.
  assert.equal(extractHookChanges(a, { era: 'v6.12' })[0], first[0]);
  const b = readPatchSet(patch('VM_DONTCOPY'));
  assert.notEqual(a, b);
  assert.equal(extractHookChanges(b, { era: 'v6.12' })[0], first[0]);
  // Another content: read anew, with its own value.
  const c = extractHookChanges(readPatchSet(patch('VM_IO')), { era: 'v6.12' });
  assert.notEqual(c[0], first[0]);
  assert.notDeepEqual(c, first);
  // Another era or arch of the same content: read anew (equal here, but not the same objects).
  const d = extractHookChanges(readPatchSet(patch('VM_DONTCOPY')), { era: 'v5.4' });
  assert.notEqual(d[0], first[0]);
  const e = extractHookChanges(readPatchSet(patch('VM_DONTCOPY')), { era: 'v6.12', arch: 'x86' });
  assert.notEqual(e[0], first[0]);
  // Callers get their own arrays.
  const again = extractHookChanges(b, { era: 'v6.12' });
  again.pop();
  assert.equal(extractHookChanges(b, { era: 'v6.12' }).length, first.length);
});

function series(flags: string[]): string {
  return flags.map((f, i) => [
    `From 000000000000000000000000000000000000000${i} Mon Sep 17 00:00:00 2001`, 'From: A <a@example.org>',
    `Subject: [PATCH ${i + 1}/${flags.length}] mm: advice`, '', '---', patch(f),
  ].join('\n')).join('\n');
}

test('extract cache: series that differ only in their last patch do not share changes', () => {
  const a = readPatchSet(series(['VM_DONTCOPY', 'VM_IO', 'VM_DONTCOPY']));
  assert.equal(a.patches.length, 3);
  const first = extractHookChanges(a, { era: 'v6.12' });
  const b = extractHookChanges(readPatchSet(series(['VM_DONTCOPY', 'VM_IO', 'VM_LOCKED'])), { era: 'v6.12' });
  assert.notDeepEqual(b, first);
  const same = extractHookChanges(readPatchSet(series(['VM_DONTCOPY', 'VM_IO', 'VM_DONTCOPY'])), { era: 'v6.12' });
  assert.equal(same.length, first.length);
  same.forEach((c, i) => assert.equal(c, first[i]));
  // Fewer patches: not the same content.
  const fewer = extractHookChanges(readPatchSet(series(['VM_DONTCOPY', 'VM_IO'])), { era: 'v6.12' });
  assert.notEqual(fewer[0], first[0]);
});
