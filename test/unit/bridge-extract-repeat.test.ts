// Hunks with the same content (the same change in two patches of a series) share one parse
// and are read once: each must still give its own hook changes, at its own document lines.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initC, parseHunk } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges } from '../../src/bridge/index';

before(async () => {
  await initC();
});

function patch(n: number): string {
  return [
    `From 000000000000000000000000000000000000000${n} Mon Sep 17 00:00:00 2001`,
    'From: A <a@example.org>',
    `Subject: [PATCH ${n}/2] mm: copy-on-fork advice`,
    '',
    '---',
    'diff --git a/mm/madvise.c b/mm/madvise.c',
    '--- a/mm/madvise.c',
    '+++ b/mm/madvise.c',
    '@@ -100,6 +100,9 @@ static int madvise_vma_behavior(struct vm_area_struct *vma,',
    ' \tcase MADV_DONTFORK:',
    ' \t\tnew_flags |= VM_DONTCOPY;',
    ' \t\tbreak;',
    '+\tcase MADV_DOFORK:',
    '+\t\tnew_flags &= ~VM_DONTCOPY;',
    '+\t\tbreak;',
    ' \tcase MADV_WIPEONFORK:',
    ' \t\tif (vma->vm_file || vma->vm_flags & VM_SHARED)',
    ' \t\t\treturn -EINVAL;',
    '-- ',
    '2.43.0',
    '',
  ].join('\n');
}

test('the same hunk in two patches gives each patch its changes at its own lines', () => {
  const text = patch(1) + '\n' + patch(2);
  const lines = text.split('\n');
  const plus = lines.flatMap((l, i) => (l.startsWith('+\t') ? [i + 1] : []));
  assert.equal(plus.length, 6);
  const set = readPatchSet(text);
  const [h1, h2] = set.patches.map((p) => p.files[0]!.hunks[0]!);
  // The case this test is about: one parse for both hunks.
  assert.equal(parseHunk(h1!).pre.parsed, parseHunk(h2!).pre.parsed);
  const changes = extractHookChanges(set, { era: 'v6.12' }).filter((c) => c.detail === 'MADV_DOFORK');
  const byPatch = [0, 1].map((p) => changes.filter((c) => c.patch === p));
  assert.ok(byPatch[0]!.length > 0);
  // The second patch's changes are the first's, moved to its own lines.
  assert.deepEqual(
    byPatch[1]!.map((c) => ({ ...c, patch: 0, lines: c.lines.map((l) => l - (plus[3]! - plus[0]!)) })),
    byPatch[0],
  );
  for (const [p, cs] of byPatch.entries()) {
    const own = plus.slice(3 * p, 3 * p + 3);
    for (const c of cs) assert.ok(c.lines.every((l) => own.includes(l)), `patch ${p}: ${c.hook} lines ${c.lines} not in ${own}`);
  }
});
