// Rule metadata and pages: every rule has complete meta and a page with a bad example, a good
// example and the kernel history; ids are unique and ordered; the engine honours severities.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { RULES, findRule } from '../../src/rules/registry';
import { checkText } from '../../src/rules/check';

test('rules MM000-MM010, in order, with complete meta', () => {
  assert.deepEqual(RULES.map((r) => r.meta.id), Array.from({ length: 11 }, (_, i) => `MM0${String(i).padStart(2, '0')}`));
  const names = new Set<string>();
  for (const r of RULES) {
    const m = r.meta;
    assert.ok(['error', 'warning', 'info'].includes(m.defaultSeverity), m.id);
    assert.ok(m.shortDescription.length > 20 && m.fullDescription.length > m.shortDescription.length, m.id);
    assert.match(m.name, /^[a-z0-9-]+$/);
    assert.ok(!names.has(m.name), m.name);
    names.add(m.name);
    assert.equal(m.docs, `docs/rules/${m.id}.md`);
    assert.equal(findRule(m.id.toLowerCase()), r);
    assert.equal(findRule(m.name), r);
  }
});

test('every rule page has a title, the default severity, bad and good examples', () => {
  for (const r of RULES) {
    assert.ok(existsSync(r.meta.docs), r.meta.docs);
    const page = readFileSync(r.meta.docs, 'utf8');
    assert.match(page, new RegExp(`^# ${r.meta.id}: `));
    assert.match(page, new RegExp(`Default severity: \\*\\*${r.meta.defaultSeverity}\\*\\*`), r.meta.id);
    if (r.meta.id !== 'MM000') {
      assert.match(page, /## Bad example/, r.meta.id);
      assert.match(page, /## Good example/, r.meta.id);
      assert.match(page, /## Kernel history/, r.meta.id);
      // Both examples show code, not only prose.
      for (const section of ['Bad example', 'Good example']) {
        const body = page.split(`## ${section}`)[1]!.split(/\n## /)[0]!;
        assert.match(body, /```(diff|c)\n[\s\S]*?```/, `${r.meta.id}: ${section} has no code block`);
      }
    }
  }
});

test('checkText: rule settings turn rules off and change severities; text with no patch is clean', async () => {
  const text = readFileSync('test-fixtures/rules/mm002-inline-dontcopy.patch', 'utf8');
  const base = await checkText(text);
  assert.equal(base.findings.filter((f) => f.rule === 'MM002').length, 1);
  const off = await checkText(text, { rules: { MM002: 'off' } });
  assert.equal(off.findings.filter((f) => f.rule === 'MM002').length, 0);
  const info = await checkText(text, { rules: { MM002: 'info' } });
  assert.equal(info.findings.find((f) => f.rule === 'MM002')?.severity, 'info');
  const prose = await checkText('Hello,\n\nno patch here.\n');
  assert.deepEqual(prose.findings, []);
  const empty = await checkText('');
  assert.deepEqual(empty.findings, []);
});

test('checkText never throws on junk and keeps positions inside the document', async () => {
  const junk = ['@@ -1,3 +1,3 @@\n+\tvma->vm_flags |= (((;\n', '--- a/x\n+++ b/x\n@@ garbage @@\n+#define VM_X (\n', '\u0000\u0001\n+++\n@@ -0,0 +1 @@\n+}}}}\n'];
  for (const t of junk) {
    const r = await checkText(t, { kernel: 'v6.12' });
    const lines = t.split('\n').length;
    for (const f of r.findings) assert.ok(f.line >= 1 && f.line <= lines, JSON.stringify(f));
  }
});
