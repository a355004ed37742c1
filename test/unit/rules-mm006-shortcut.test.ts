// MM006 skips a fragment whose text spells no constant of one side and context of the other
// (mayMix in src/rules/mm006-namespace-mix.ts). A skipped fragment must have no mix when its
// tree is read: checked on every hunk of every fixture and on spellings a text test could miss
// (spaced fields, comments in expressions, underscores, calls that give the namespace,
// continuation lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { initC, parseHunk } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { checkText } from '../../src/rules/check';
import { mayMix, readMixes } from '../../src/rules/mm006-namespace-mix';
import { byRule, diff } from './rules-helpers';

const fn = 'static int dev_mmap(struct file *f, struct vm_area_struct *vma)';
const TRICKY: Array<[string, string[], number]> = [
  ['a spaced field', ['+\tvma -> vm_flags |= MAP_SHARED;'], 1],
  ['a comment in the expression', ['+\tvma->vm_flags |= /* x */ MAP_SHARED;'], 1],
  ['a continuation line', ['+\tvma->vm_flags |= VM_IO | \\', '+\t\tMAP_SHARED;'], 1],
  ['a prot variable', ['+\tif (prot & VM_WRITE)', '+\t\treturn -EINVAL;'], 1],
  ['a field named reqprot', ['+\tif (p->reqprot & VM_EXEC)', '+\t\treturn -EINVAL;'], 1],
  ['a behaviour field', ['+\tif (args.behaviour == VM_DONTCOPY)', '+\t\treturn -EINVAL;'], 1],
  ['an advice variable', ['+\tif (advice == VM_WIPEONFORK)', '+\t\treturn 0;'], 1],
  ['calc_vm_flag_bits', ['+\tflags = calc_vm_flag_bits(file, VM_SHARED);'], 1],
  ['calc_vm_prot_bits of VM constants', ['+\tflags = calc_vm_prot_bits(VM_READ | VM_WRITE, 0);'], 2],
  ['do_mmap arguments', ['+\taddr = do_mmap(file, addr, len, VM_READ, MAP_SHARED, 0, 0, &populate, NULL);'], 1],
  ['vm_flags_mod', ['+\tvm_flags_mod(vma, PROT_WRITE, 0);'], 1],
  ['newflags with underscored constant', ['+\tnewflags |= __MAP_X;'], 1],
  ['calc_vm_prot_bits result mixed', ['+\tnewflags = calc_vm_prot_bits(prot, 0) | MAP_LOCKED;'], 1],
  ['new_flags', ['+\tnew_flags |= MAP_SHARED;'], 1],
  ['no context at all', ['+\tx = VM_IO | MAP_SHARED;'], 0],
  ['a longer word only', ['+\tx = vm_page_prot | VM_IO;', '+\ty = myprot & MAP_SHARED;'], 0],
];

for (const [what, added, want] of TRICKY) {
  test(`MM006 with ${what}`, async () => {
    const r = await checkText(diff('drivers/misc/dev.c', fn, ['\tint err;', ...added, '\treturn 0;']), { kernel: 'v6.12' });
    assert.equal(byRule(r, 'MM006').length, want, JSON.stringify(byRule(r, 'MM006')));
  });
}

function walk(d: string): string[] {
  return readdirSync(d).flatMap((e) => {
    const p = join(d, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

test('a fragment mayMix skips has no mix when its tree is read (every fixture and the tricky spellings)', async () => {
  await initC();
  const texts = walk('test-fixtures').filter((f) => /\.(patch|eml|mbox|diff|txt)$/.test(f)).map((f) => readFileSync(f, 'utf8'));
  for (const [, added] of TRICKY) texts.push(diff('drivers/misc/dev.c', fn, ['\tint err;', ...added, '\treturn 0;']));
  let skipped = 0;
  let read = 0;
  for (const text of texts) {
    for (const hunk of readPatchSet(text).patches.flatMap((p) => p.files).flatMap((f) => f.hunks)) {
      let post;
      try {
        post = parseHunk(hunk).post;
      } catch {
        continue;
      }
      const mixes = readMixes(post);
      if (mayMix(post.source)) read++;
      else {
        skipped++;
        assert.deepEqual(mixes, [], post.source);
      }
    }
  }
  assert.ok(skipped > 0 && read > 0, `${skipped} skipped, ${read} read`);
});
