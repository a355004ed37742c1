// Rules skip hunks by their text before asking the tree (src/rules: MM006, MM009, madvise
// cases; src/kernel/detect.ts). These are the spellings a text shortcut could miss: each must
// still give the finding the tree gives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../src/rules/check';
import { detectEra } from '../../src/kernel/index';
import { readPatchSet } from '../../src/patch/index';
import { byRule, diff } from './rules-helpers';

const driver = (added: string[]) =>
  diff('drivers/misc/dev.c', 'static int dev_mmap(struct file *f, struct vm_area_struct *vma)', ['\tint err;', ...added, '\treturn 0;']);

const WRITES: Array<[string, string[]]> = [
  ['comment before the operator', ['+\tvma->vm_flags /* keep */ |= VM_IO;']],
  ['operator on the next line', ['+\tvma->vm_flags', '+\t\t&= ~VM_IO;']],
  ['line continuation', ['+\tvma->vm_flags \\', '+\t\t= VM_IO;']],
  ['spaces around the arrow', ['+\tvma -> vm_flags ^= VM_IO;']],
];

for (const [name, added] of WRITES) {
  test(`MM009 sees a vm_flags write with ${name}`, async () => {
    const r = await checkText(driver(added), { kernel: 'v6.12' });
    assert.equal(byRule(r, 'MM009').length, 1, JSON.stringify(r.findings));
  });
}

test('MM009 is silent for reads and comparisons of vm_flags', async () => {
  const r = await checkText(driver(['+\tif (vma->vm_flags == VM_IO || vma->vm_flags != 0)', '+\t\terr = vma->vm_flags & VM_IO;']), { kernel: 'v6.12' });
  assert.equal(byRule(r, 'MM009').length, 0, JSON.stringify(r.findings));
});

test('MM006 reads constants in code on added lines, not in comments or strings', async () => {
  const code = await checkText(driver(['+\tvma->vm_flags |= MAP_SHARED;']), { kernel: 'v5.4' });
  assert.equal(byRule(code, 'MM006').length, 1, JSON.stringify(code.findings));
  const prose = await checkText(driver(['+\terr = 0; /* vma->vm_flags |= MAP_SHARED; */', '+\tpr_info("MAP_SHARED");']), { kernel: 'v5.4' });
  assert.equal(byRule(prose, 'MM006').length, 0, JSON.stringify(prose.findings));
});

test('detectEra: a clue skipped where the patch defines the name still counts in a later file that uses it', () => {
  const text =
    diff('include/linux/mm.h', '', ['+#define VM_ACCESS_FLAGS (VM_READ | VM_WRITE | VM_EXEC)'], 40) +
    diff('mm/mprotect.c', 'static int f(void)', ['+\tmask = VM_ACCESS_FLAGS;', '\treturn 0;']);
  const clues = detectEra(readPatchSet(text)).clues;
  const used = clues.filter((c) => c.startsWith("'VM_ACCESS_FLAGS'"));
  assert.equal(used.length, 1, clues.join('\n'));
  assert.match(used[0]!, /at line 8:/);
});
