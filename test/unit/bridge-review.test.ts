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
