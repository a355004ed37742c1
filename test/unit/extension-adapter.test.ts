// The extension's adapter layer in plain Node: engine types -> VS Code-shaped plain values.
// These modules must not import `vscode` (it does not exist outside the extension host), so
// importing them here is itself part of the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsequenceLike, Finding } from '../../src/extension/engine-types';
import { toPlainRange } from '../../src/extension/positions';
import { PlainSeverity, consequencesForFinding, toDiagnosticSpecs, toPlainSeverity } from '../../src/extension/diagnostic-specs';
import { codeActionSpecs, fixEdits } from '../../src/extension/code-action-specs';
import { findingHoverMarkdown, commandLink, escapeMarkdown, firstDifference } from '../../src/extension/hover-content';
import { flagTokenAt, bitsOf } from '../../src/extension/flag-token';
import { readSettings, checkOptions } from '../../src/extension/settings';
import { lensSpecs } from '../../src/extension/lens-specs';
import { looksLikePatch } from '../../src/extension/patch-sniff';

function finding(over: Partial<Finding> = {}): Finding {
  return { rule: 'MM002', severity: 'error', message: 'mprotect now clears VM_DONTCOPY (0x00020000, bit 17)', line: 42, column: 3, endLine: 42, endColumn: 90, related: [], ...over };
}

function consequence(over: Partial<ConsequenceLike> = {}): ConsequenceLike {
  return {
    scenario: 'doorbell-mprotect-fork',
    severity: 'error',
    summary: 'mprotect(PROT_READ) now clears VM_DONTCOPY on the doorbell: the child inherits it',
    lines: [42],
    base: { steps: [{ index: 0, op: 'ib_open', result: { ok: true } }, { index: 1, op: 'ib_ring_doorbell', proc: 'child', result: { ok: false, signal: 'SIGSEGV' } }], events: [] },
    patched: { steps: [{ index: 0, op: 'ib_open', result: { ok: true } }, { index: 1, op: 'ib_ring_doorbell', proc: 'child', result: { ok: true } }], events: [{ step: 1, kind: 'foreign-doorbell', detail: 'child rings ctx0 of parent' }] },
    ...over,
  };
}

test('positions: 1-based engine ranges become 0-based, never empty or backwards', () => {
  assert.deepEqual(toPlainRange(42, 3, 42, 90), { start: { line: 41, character: 2 }, end: { line: 41, character: 89 } });
  assert.deepEqual(toPlainRange(5, 7, 5, 7), { start: { line: 4, character: 6 }, end: { line: 4, character: 7 } });
  assert.deepEqual(toPlainRange(5, 7, 4, 1), { start: { line: 4, character: 6 }, end: { line: 4, character: 7 } });
  assert.deepEqual(toPlainRange(0, 0), { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } });
});

test('diagnostics: severity, code link, related information', () => {
  assert.equal(toPlainSeverity('error'), PlainSeverity.Error);
  assert.equal(toPlainSeverity('warning'), PlainSeverity.Warning);
  assert.equal(toPlainSeverity('info'), PlainSeverity.Information);
  const f = finding({ related: [{ message: 'VM_DONTCOPY is set by the driver here', line: 10, column: 5, endLine: 10, endColumn: 20 }] });
  const [d] = toDiagnosticSpecs([f], [], (id) => `file:///ext/docs/rules/${id}.md`);
  assert.equal(d.severity, PlainSeverity.Error);
  assert.equal(d.source, 'mmlens');
  assert.deepEqual(d.code, { value: 'MM002', target: 'file:///ext/docs/rules/MM002.md' });
  assert.equal(d.message, f.message);
  assert.deepEqual(d.related, [{ range: { start: { line: 9, character: 4 }, end: { line: 9, character: 19 } }, message: 'VM_DONTCOPY is set by the driver here' }]);
});

test('diagnostics: a finding backed by the simulation shows its consequence; others do not', () => {
  const backed = finding();
  const other = finding({ rule: 'MM001', line: 12, endLine: 12, message: 'PROT_DONTCOPY is not an access protection' });
  const cs = [consequence(), consequence({ scenario: 'mr-fork', severity: 'warning', summary: 'errno changes', lines: [42, 43] }), consequence({ scenario: 'elsewhere', lines: [100] })];
  assert.deepEqual(consequencesForFinding(backed, cs).map((c) => c.scenario), ['doorbell-mprotect-fork', 'mr-fork']);
  const [d12, d42] = toDiagnosticSpecs([other, backed], cs, (id) => id);
  assert.equal(d12.message, other.message);
  assert.equal(d12.consequences.length, 0);
  assert.match(d42.message, /\nSimulation, doorbell-mprotect-fork: mprotect\(PROT_READ\) now clears VM_DONTCOPY .*\(\+1 more scenario\)$/);
  assert.equal(d42.consequences[0].severity, 'error', 'most severe first');
});

test('code actions: quick fix from fix edits, explain for every rule once', () => {
  const f = finding({ rule: 'MM009', fix: { description: 'Use vm_flags_set()', edits: [{ line: 42, column: 3, endLine: 42, endColumn: 30, newText: 'vm_flags_set(vma, VM_IO)' }] } });
  const noFix = finding({ rule: 'MM009', line: 42, column: 40, endColumn: 50, message: 'second' });
  const far = finding({ rule: 'MM001', line: 3, endLine: 3 });
  const specs = codeActionSpecs([f, noFix, far], { start: { line: 41, character: 5 }, end: { line: 41, character: 5 } });
  assert.deepEqual(specs.map((s) => s.title), ['Use vm_flags_set() (MM009)', 'Explain MM009']);
  assert.deepEqual(specs[0].edits, [{ range: { start: { line: 41, character: 2 }, end: { line: 41, character: 29 } }, newText: 'vm_flags_set(vma, VM_IO)' }]);
  assert.deepEqual(specs[1].command, { command: 'mmlens.explainRule', title: 'Explain MM009', arguments: ['MM009'] });
});

test('code actions: a fix with an unusable or overlapping edit is not offered', () => {
  const bad = finding({ fix: { description: 'x', edits: [{ line: 0, column: 1, endLine: 1, endColumn: 1, newText: '' }] } });
  assert.equal(fixEdits(bad), null);
  const backwards = finding({ fix: { description: 'x', edits: [{ line: 5, column: 9, endLine: 5, endColumn: 2, newText: '' }] } });
  assert.equal(fixEdits(backwards), null);
  const overlapping = finding({ fix: { description: 'x', edits: [{ line: 5, column: 1, endLine: 5, endColumn: 9, newText: 'a' }, { line: 5, column: 4, endLine: 5, endColumn: 12, newText: 'b' }] } });
  assert.equal(fixEdits(overlapping), null);
  const insertions = finding({ fix: { description: 'x', edits: [{ line: 5, column: 1, endLine: 5, endColumn: 1, newText: 'a' }, { line: 6, column: 1, endLine: 6, endColumn: 1, newText: 'b' }] } });
  assert.equal(fixEdits(insertions)?.length, 2);
});

test('hover on a finding: explanation, before/after in short, trusted command links', () => {
  const md = findingHoverMarkdown({
    finding: finding(),
    meta: { id: 'MM002', name: 'mprotect-kept-flags', shortDescription: 's', fullDescription: 'The kept-flags mask drops a VM bit.' },
    consequences: [consequence()],
    documentUri: 'file:///w/p.patch',
  });
  assert.match(md, /^\*\*MM002\*\* mprotect\\-kept\\-flags \(error\)/);
  assert.match(md, /The kept\\-flags mask drops a VM bit\\\./);
  assert.match(md, /before the patch killed by SIGSEGV; after it ok/);
  assert.match(md, /after the patch: foreign\\-doorbell: child rings ctx0 of parent/);
  assert.ok(md.includes(commandLink('Simulate This Patch', 'mmlens.simulatePatch', ['file:///w/p.patch'])));
  assert.ok(md.includes('(command:mmlens.explainRule?' + encodeURIComponent('["MM002"]') + ')'));
  assert.equal(escapeMarkdown('[x](y)'), '\\[x\\]\\(y\\)');
  assert.ok(md.indexOf('before the patch') < md.indexOf('Simulate This Patch'), 'simulation before the links');
  assert.ok(md.indexOf('Simulate This Patch') < md.indexOf('The kept\\-flags mask'), 'the long explanation comes last');
});

test('firstDifference finds the first step whose result changed', () => {
  const d = firstDifference(consequence().base, consequence().patched);
  assert.equal(d?.step.index, 1);
  assert.equal(d?.before, 'killed by SIGSEGV');
  assert.equal(d?.after, 'ok');
  assert.equal(firstDifference(consequence().base, consequence().base), null);
});

test('flag tokens: names and values under the cursor', () => {
  const line = '+#define PROT_DONTCOPY\t0x04000000\t/* leave pages out */';
  const at = (s: string) => line.indexOf(s) + 1;
  assert.deepEqual(flagTokenAt(line, at('PROT_DONTCOPY')), { kind: 'name', text: 'PROT_DONTCOPY', name: 'PROT_DONTCOPY', start: 9, end: 22 });
  const v = flagTokenAt(line, at('0x04000000'));
  assert.equal(v?.kind, 'value');
  assert.equal(v?.value, 0x04000000n);
  assert.deepEqual(bitsOf(0x04000000n), [26]);
  assert.equal(flagTokenAt(line, at('define')), null, 'not a flag name');
  assert.equal(flagTokenAt('x & 1', 4), null, '0 and 1 are not flag values');
  assert.equal(flagTokenAt('VM_HIGH_ARCH_BIT_4 1UL<<36', 2)?.name, 'VM_HIGH_ARCH_BIT_4');
  assert.deepEqual(bitsOf(1n << 36n), [36], '64-bit values keep their high bits');
  assert.equal(flagTokenAt('mask 0100', 6)?.value, 64n, 'octal');
});

test('settings: validated, with messages for bad values', () => {
  const ok = readSettings({ kernel: 'v2.6.13', arch: 'alpha', rules: { MM009: 'off', MM002: 'default', MM001: 'warning' }, scenarioFolders: ['scen', 3], debounceMs: 50 });
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(checkOptions(ok.settings, '/w/p.patch'), { path: '/w/p.patch', kernel: 'v2.6.13', arch: 'alpha', rules: { MM009: 'off', MM001: 'warning' } });
  assert.deepEqual(ok.settings.scenarioFolders, ['scen']);
  const bad = readSettings({ kernel: 'v9', arch: 'vax', rules: { MM2: 'off', MM003: 'loud' }, debounceMs: -5 });
  assert.equal(bad.settings.kernel, 'auto');
  assert.equal(bad.settings.arch, 'all');
  assert.deepEqual(bad.settings.rules, {});
  assert.equal(bad.settings.debounceMs, 0);
  assert.equal(bad.problems.length, 4);
  assert.match(bad.problems[0], /mmlens.kernel: unknown era "v9"/);
  assert.deepEqual(readSettings({}).settings, { kernel: 'auto', arch: 'all', rules: {}, scenarioFolders: [], simulateWhileTyping: true, debounceMs: 200 });
});

test('CodeLens above hunks whose lines carry consequences', () => {
  const hunks = [{ headerLine: 30, lines: [31, 32, 33] }, { headerLine: 40, lines: [41, 42, 43] }];
  const lenses = lensSpecs(hunks, [consequence(), consequence({ scenario: 'b', severity: 'info', summary: 'new capability', lines: [43] })]);
  assert.equal(lenses.length, 1);
  assert.equal(lenses[0].line, 39);
  assert.match(lenses[0].title, /^\$\(error\) 2 consequences: mprotect\(PROT_READ\) now clears/);
  assert.deepEqual(lensSpecs(hunks, []), []);
});

test('untitled documents are analysed when they look like a patch or a patch mail', () => {
  assert.equal(looksLikePatch(['From 7d2f1e0c4b9a8e3d6c5b4a392817f6e5d4c3b2a1 Mon Sep 17 00:00:00 2001']), true);
  assert.equal(looksLikePatch(['hi', '> > @@ -235,7 +235,7 @@ sys_mprotect(unsigned long start)']), true);
  assert.equal(looksLikePatch(['just some notes', '- a list item', '+ another']), false);
});
