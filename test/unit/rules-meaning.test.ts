// Judged by meaning, not spelling: the same behaviour written several ways gives the same
// finding, and a rewrite that keeps behaviour gives none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkText } from '../../src/rules/check';
import { byRule, diff } from './rules-helpers';

const OLD_MASK = '-\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));';

function mprotectPatch(added: string[], before: string[] = [OLD_MASK], defines = ''): string {
  return defines + diff('mm/mprotect.c', 'sys_mprotect(unsigned long start, size_t len, unsigned long prot)', [
    '\t\t\tgoto out;',
    '\t\t}',
    '',
    ...before,
    ...added,
    '',
    '\t\tif ((newflags & ~(newflags >> 4)) & 0xf) {',
  ]);
}

const DROPS_DONTCOPY: Array<[string, string]> = [
  ['inline names', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY));'])],
  ['other order', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_DONTCOPY | VM_EXEC | VM_WRITE | VM_READ));'])],
  ['hex literal', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~0x20007UL);'])],
  ['and-not twice', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC) & ~VM_DONTCOPY);'])],
  ['split over statements', mprotectPatch([
    '+\t\tmask = VM_READ | VM_WRITE | VM_EXEC;',
    '+\t\tmask |= VM_DONTCOPY;',
    '+\t\tnewflags = vm_flags | (vma->vm_flags & ~mask);',
  ])],
  ['macro in the same patch', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~MPROTECT_RECOMPUTED);'], [OLD_MASK],
    diff('include/linux/mm.h', '', ['+#define MPROTECT_RECOMPUTED (VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY)'], 40))],
];

for (const [name, text] of DROPS_DONTCOPY) {
  test(`MM002 fires however the mask is written: ${name}`, async () => {
    const r = await checkText(text, { kernel: 'v2.6.13' });
    const f = byRule(r, 'MM002');
    assert.equal(f.length, 1, JSON.stringify(r.findings));
    assert.match(f[0]!.message, /VM_DONTCOPY \(0x00020000, bit 17\)/);
    assert.deepEqual(byRule(r, 'MM000'), []);
  });
}

const KEEPS_BEHAVIOUR: Array<[string, string]> = [
  ['VM_ACCESS_FLAGS', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~VM_ACCESS_FLAGS);'])],
  ['reordered', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_EXEC | VM_READ | VM_WRITE));'])],
  ['hex 0x7', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~7UL);'])],
  ['split', mprotectPatch(['+\t\tkeep = ~(VM_READ | VM_WRITE | VM_EXEC);', '+\t\tnewflags = vm_flags | (vma->vm_flags & keep);'])],
  ['macro with the same bits', mprotectPatch(['+\t\tnewflags = vm_flags | (vma->vm_flags & ~MPROTECT_RECOMPUTED);'], [OLD_MASK],
    diff('include/linux/mm.h', '', ['+#define MPROTECT_RECOMPUTED (VM_READ | VM_WRITE | VM_EXEC)'], 40))],
];

for (const [name, text] of KEEPS_BEHAVIOUR) {
  test(`MM002 stays silent on a behaviour-preserving rewrite: ${name}`, async () => {
    const r = await checkText(text, { kernel: 'v6.12' });
    assert.deepEqual(byRule(r, 'MM002'), [], JSON.stringify(r.findings));
  });
}

test('MM006 fires on PROT_ and MAP_ constants in vm_flags whatever the operator', async () => {
  for (const line of [
    '+\tif (vma->vm_flags & PROT_EXEC)',
    '+\tnewflags |= MAP_ANONYMOUS;',
    '+\tvm_flags_set(vma, VM_IO | PROT_WRITE);',
    '+\tif ((newflags & (VM_READ | PROT_SEM)) == 0)',
  ]) {
    const r = await checkText(diff('mm/mmap.c', 'static int f(struct vm_area_struct *vma)', ['\tint x = 0;', line, '\t\treturn x;']), { kernel: 'v6.12' });
    assert.equal(byRule(r, 'MM006').length, 1, `${line}: ${JSON.stringify(r.findings)}`);
  }
  const clean = await checkText(diff('mm/mmap.c', 'static int f(struct vm_area_struct *vma)', ['\tint x = 0;', '+\tif ((vma->vm_flags & VM_WRITE) && (prot & PROT_WRITE))', '\t\treturn x;']), { kernel: 'v6.12' });
  assert.deepEqual(byRule(clean, 'MM006'), []);
});

test('MM009 follows the era: silent on v5.4, an error on v6.12', async () => {
  const text = diff('drivers/misc/x.c', 'static int x_mmap(struct file *f, struct vm_area_struct *vma)', ['\tint ret = 0;', '+\tvma->vm_flags |= VM_IO | VM_DONTEXPAND;', '\treturn ret;']);
  assert.deepEqual(byRule(await checkText(text, { kernel: 'v5.4' }), 'MM009'), []);
  const f = byRule(await checkText(text, { kernel: 'v6.12' }), 'MM009');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.fix?.edits[0]?.newText, 'vm_flags_set(vma, VM_IO | VM_DONTEXPAND)');
});

test('MM004: --arch restricts the collision check', async () => {
  const text = diff('include/uapi/asm-generic/mman-common.h', '', ['#define MAP_HUGETLB\t0x040000', '+#define MAP_NEWTHING\t0x10']);
  const all = byRule(await checkText(text, { kernel: 'v6.12' }), 'MM004');
  assert.ok(all.some((f) => /MAP_FIXED/.test(f.message)), JSON.stringify(all));
  const x86 = byRule(await checkText(text, { kernel: 'v6.12', arch: 'x86' }), 'MM004');
  assert.ok(x86.every((f) => /\bx86\b/.test(f.message) && !/alpha/.test(f.message)), JSON.stringify(x86));
});

// Property: any spelling of the mask (names or hex, any order, one expression or several
// statements) fires MM002 exactly when it drops a non-access bit, naming every dropped bit.
import fc from 'fast-check';

const EXTRA: Array<[string, number]> = [
  ['VM_DONTCOPY', 0x20000], ['VM_LOCKED', 0x2000], ['VM_IO', 0x4000], ['VM_DONTEXPAND', 0x40000],
  ['VM_ACCOUNT', 0x100000], ['VM_MAYWRITE', 0x20], ['VM_SHARED', 0x8],
];
const ACCESS: Array<[string, number]> = [['VM_READ', 1], ['VM_WRITE', 2], ['VM_EXEC', 4]];

test('MM002 property: fires iff a non-access bit is dropped, whatever the spelling', async () => {
  const arb = fc.record({
    extra: fc.subarray(EXTRA, { maxLength: 2 }),
    order: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
    hex: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    form: fc.constantFrom('inline', 'statements', 'and-not'),
  });
  await fc.assert(
    fc.asyncProperty(arb, async ({ extra, order, hex, form }) => {
      const terms = [...ACCESS, ...extra]
        .map((t, i) => ({ t, k: order[i % order.length]! }))
        .sort((a, b) => a.k - b.k)
        .map(({ t }, i) => (hex[i % hex.length] ? `0x${t[1].toString(16)}` : t[0]));
      let added: string[];
      if (form === 'inline') added = [`+\t\tnewflags = vm_flags | (vma->vm_flags & ~(${terms.join(' | ')}));`];
      else if (form === 'statements') {
        added = [`+\t\tmask = ${terms[0]};`, ...terms.slice(1).map((t) => `+\t\tmask |= ${t};`), '+\t\tnewflags = vm_flags | (vma->vm_flags & ~mask);'];
      } else added = [`+\t\tnewflags = vm_flags | (vma->vm_flags ${terms.map((t) => `& ~${t}`).join(' ')});`];
      const r = await checkText(mprotectPatch(added), { kernel: 'v2.6.13' });
      const f = byRule(r, 'MM002');
      if (extra.length === 0) assert.deepEqual(f, [], `${form} ${terms.join('|')}`);
      else {
        assert.equal(f.length, 1, `${form} ${terms.join('|')}: ${JSON.stringify(r.findings)}`);
        for (const [name] of extra) assert.match(f[0]!.message, new RegExp(`\\b${name} \\(0x`), name);
      }
    }),
    { seed: 2005, numRuns: 25 },
  );
});
