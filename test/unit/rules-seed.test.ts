// The seed case: the 2005 PROT_DONTCOPY patch, as a format-patch mail and as an LKML reply
// quoting it three levels deep. MM002 must land on the `+` line of the kept-flags mask (in the
// reply: on the quoted line, at the column where the code starts), MM001 on the define.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { checkFixture, byRule } from './rules-helpers';

function lineNumberOf(path: string, needle: RegExp): number {
  const lines = readFileSync(path, 'utf8').split('\n');
  const i = lines.findIndex((l) => needle.test(l));
  assert.ok(i >= 0, `${needle} in ${path}`);
  return i + 1;
}

for (const path of ['test-fixtures/examples/prot-dontcopy-reply.eml', 'test-fixtures/examples/prot-dontcopy.patch']) {
  test(`seed: ${path}`, async () => {
    const report = await checkFixture(path);
    const maskLine = lineNumberOf(path, /^[> ]*\+\s*newflags = .*VM_DONTCOPY/);
    const defineLine = lineNumberOf(path, /^[> ]*\+#define PROT_DONTCOPY/);
    const mm002 = byRule(report, 'MM002');
    assert.equal(mm002.length, 1, JSON.stringify(report.findings));
    assert.equal(mm002[0]!.line, maskLine);
    assert.equal(mm002[0]!.severity, 'error');
    // The column points at `newflags`, past the quoting and the diff marker.
    const text = readFileSync(path, 'utf8').split('\n')[maskLine - 1]!;
    assert.equal(text.slice(mm002[0]!.column - 1).startsWith('newflags'), true, text);
    assert.match(mm002[0]!.message, /VM_DONTCOPY \(0x00020000, bit 17\)/);
    assert.match(mm002[0]!.message, /sys_mprotect/);
    const mm001 = byRule(report, 'MM001');
    assert.equal(mm001.length, 1);
    assert.equal(mm001[0]!.line, defineLine);
    assert.match(mm001[0]!.message, /PROT_DONTCOPY \(0x04000000, bit 26\)/);
    assert.match(mm001[0]!.message, /VM_DONTCOPY/);
    assert.match(mm001[0]!.message, /MADV_DONTFORK/);
    // The translation line is related information.
    const transLine = lineNumberOf(path, /^[> ]*\+.*_calc_vm_trans\(prot, PROT_DONTCOPY, VM_DONTCOPY\)/);
    assert.ok(mm001[0]!.related.some((r) => r.line === transLine), JSON.stringify(mm001[0]!.related));
    // auto picks the 2005 era and says why.
    assert.equal(report.kernel.requested, 'auto');
    assert.equal(report.kernel.era, 'v2.6.13');
    assert.ok(report.kernel.clues.length > 0);
    assert.deepEqual(byRule(report, 'MM000'), []);
  });
}

test('seed as quoted-printable: the MM002 range follows the soft line break onto the next raw line', async () => {
  const path = 'test-fixtures/rules/mm002-quoted-printable.eml';
  const report = await checkFixture(path);
  const [f] = byRule(report, 'MM002');
  assert.ok(f, JSON.stringify(report.findings));
  const raw = readFileSync(path, 'utf8').split('\n');
  // The encoded statement starts on one raw line (with `=3D` for `=`) and ends on the next.
  assert.equal(raw[f.line - 1]!.slice(f.column - 1).startsWith('newflags =3D'), true, raw[f.line - 1]);
  assert.equal(f.endLine, f.line + 1);
  assert.equal(raw[f.endLine - 1]!.slice(0, f.endColumn - 1).endsWith('VM_DONTCOPY));'), true, raw[f.endLine - 1]);
});
