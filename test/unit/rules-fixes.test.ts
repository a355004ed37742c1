// Quick fixes are text edits on the document: applying them must give a patch that still
// reads cleanly (no MM000: hunk counts kept right, quoting kept) and no longer has the finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkText } from '../../src/rules/check';
import { applyEdits, byRule } from './rules-helpers';

async function fixAll(text: string, rule: string): Promise<string> {
  const r = await checkText(text, {});
  const fixes = byRule(r, rule).map((f) => f.fix).filter((f) => f !== undefined);
  assert.ok(fixes.length > 0, `no ${rule} fix offered: ${JSON.stringify(r.findings)}`);
  // One fix at a time: edits of different findings may both touch a hunk header.
  return applyEdits(text, fixes[0]!.edits);
}

test('MM009 fixes turn direct writes into vm_flags_set/clear/reset', async () => {
  let text = readFileSync('test-fixtures/rules/mm009-direct-write.patch', 'utf8');
  for (let i = 0; i < 3; i++) text = await fixAll(text, 'MM009');
  assert.match(text, /^\+\tvm_flags_set\(vma, VM_DONTCOPY\);$/m);
  assert.match(text, /^\+\tvm_flags_clear\(vma, VM_MAYEXEC\);$/m);
  assert.match(text, /^\+\tvm_flags_reset\(vma, VM_IO \| VM_PFNMAP \| VM_DONTEXPAND\);$/m);
  const after = await checkText(text, {});
  assert.deepEqual(byRule(after, 'MM009'), []);
  assert.deepEqual(byRule(after, 'MM000'), []);
});

test('MM009 fix keeps the quoting of a patch quoted in a reply', async () => {
  const quoted = readFileSync('test-fixtures/rules/mm009-direct-write.patch', 'utf8').split('\n').map((l) => (l ? `> > ${l}` : '> >')).join('\n');
  const text = `Hi,\n\nsee below.\n\n${quoted}\n\nThanks\n`;
  const before = await checkText(text, {});
  assert.equal(byRule(before, 'MM009').length, 3, JSON.stringify(before.findings));
  const fixed = await fixAll(text, 'MM009');
  assert.match(fixed, /^> > \+\tvm_flags_set\(vma, VM_DONTCOPY\);$/m);
  assert.equal(byRule(await checkText(fixed, {}), 'MM009').length, 2);
});

test('MM007 fix adds the missing case to the validity switch and fixes the hunk count', async () => {
  const text = readFileSync('test-fixtures/rules/mm007-case-not-valid-visible.patch', 'utf8');
  const fixed = await fixAll(text, 'MM007');
  assert.match(fixed, /^\+\tcase MADV_NOCHILD:$/m);
  assert.match(fixed, /^@@ -950,12 \+953,14 @@/m);
  const after = await checkText(fixed, {});
  assert.deepEqual(byRule(after, 'MM000'), [], JSON.stringify(after.findings));
  assert.deepEqual(byRule(after, 'MM007'), [], JSON.stringify(after.findings));
});

test('MM009 fix: a write that reads the old flags becomes vm_flags_mod/set/clear, not a reset', async () => {
  const text = readFileSync('test-fixtures/rules/mm009-612-self-update.patch', 'utf8');
  const fixed = await fixAll(text, 'MM009');
  assert.match(fixed, /^\+\tvm_flags_mod\(vma, VM_MIXEDMAP, VM_PFNMAP\);$/m);
  const variants: Array<[string, string]> = [
    ['vma->vm_flags = vma->vm_flags | VM_IO;', 'vm_flags_set(vma, VM_IO);'],
    ['vma->vm_flags = (vma->vm_flags & ~(VM_MAYWRITE | VM_MAYEXEC));', 'vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);'],
    ['vma->vm_flags = VM_MIXEDMAP | (vma->vm_flags & ~VM_PFNMAP);', 'vm_flags_mod(vma, VM_MIXEDMAP, VM_PFNMAP);'],
    // Another VMA's flags: a reset, not a modification of this VMA's flags.
    ['vma->vm_flags = other->vm_flags & ~VM_IO;', 'vm_flags_reset(vma, other->vm_flags & ~VM_IO);'],
  ];
  for (const [line, want] of variants) {
    const v = text.replace('vma->vm_flags = (vma->vm_flags & ~VM_PFNMAP) | VM_MIXEDMAP;', line);
    assert.ok((await fixAll(v, 'MM009')).includes(`+\t${want}`), line);
  }
});

test('MM007 fix on a 5.4 madvise_behavior_valid() whitelist gives the reviewed fixture', async () => {
  const text = readFileSync('test-fixtures/rules/mm007-whitelist-54-missing.patch', 'utf8');
  const fixed = await fixAll(text, 'MM007');
  assert.equal(fixed, readFileSync('test-fixtures/rules/mm007-whitelist-54-fixed.patch', 'utf8'));
});
