// Findings are reported by line, column, rule id and message, ids and messages in UTF-16
// code-unit order (src/rules/finding-order.ts): the same order in every locale and in the
// editor, so reports can be diffed across machines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { compareCodeUnits, compareFindings, orderFindings } from '../../src/rules/finding-order';

const byKey = (a: { line: number; column: number; rule: string; message: string }, b: typeof a) =>
  a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0);

test('code-unit order: capitals before small letters, punctuation by its code, a prefix first', () => {
  const sorted = ['a', 'B', 'Z', '_a', 'a b', 'a0', 'ab', 'abc', '', 'é', 'e\u0301', 'MM010', 'MM002', 'bit 14', 'bit 1'].sort(compareCodeUnits);
  assert.deepEqual(sorted, ['', 'B', 'MM002', 'MM010', 'Z', '_a', 'a', 'a b', 'a0', 'ab', 'abc', 'bit 1', 'bit 14', 'e\u0301', 'é']);
  assert.equal(compareCodeUnits('same', 'same'), 0);
});

test('the order does not depend on the locale (sv_SE sorts w with v, lt_LT y with i)', () => {
  const words = ['w', 'v', 'x', 'y', 'i', 'j', 'B', 'a', 'ä', 'z', 'aa', 'å'];
  const script = `import('${new URL('../../src/rules/finding-order.ts', import.meta.url).href}').then((m) => console.log(JSON.stringify(${JSON.stringify(words)}.sort(m.compareCodeUnits))))`;
  const orders = ['C', 'sv_SE.UTF-8', 'lt_LT.UTF-8', 'en_US.UTF-8'].map((lang) => {
    const p = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env: { ...process.env, LANG: lang, LC_ALL: lang } });
    assert.equal(p.status, 0, p.stderr);
    return p.stdout.trim();
  });
  assert.deepEqual(new Set(orders).size, 1, orders.join('\n'));
  assert.deepEqual(JSON.parse(orders[0]!), [...words].sort());
});

const CHARS = [' ', '0', '1', '9', 'a', 'b', 'i', 'y', 'z', 'A', 'B', 'Z', '_', '-', ',', '(', ')', '.', ':', 'é', 'ä', '\u0301', '\t', '~'];

test('compareFindings sorts by line, column, rule, message, and is stable', () => {
  const finding = fc.record({
    line: fc.integer({ min: 1, max: 3 }),
    column: fc.integer({ min: 1, max: 2 }),
    rule: fc.constantFrom('MM000', 'MM002', 'MM004', 'MM010'),
    message: fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((cs) => 'MADV_X ' + cs.join('')),
  });
  fc.assert(
    fc.property(fc.array(finding, { maxLength: 30 }), (fs) => {
      const want = [...fs].sort(byKey);
      const got = [...fs].sort(compareFindings);
      // The same objects in the same order (stable: equal findings keep their order).
      want.forEach((f, i) => assert.equal(got[i], f, `position ${i}`));
    }),
    { seed: 7, numRuns: 300 },
  );
});

test('orderFindings sorts and drops repeats as sort-then-filter-by-key did', () => {
  const finding = fc.record({
    line: fc.integer({ min: 1, max: 3 }),
    column: fc.integer({ min: 1, max: 2 }),
    rule: fc.constantFrom('MM002', 'MM004', 'MM010'),
    message: fc.constantFrom('a', 'b', 'B', 'a b', 'é', 'e\u0301', 'MADV_X (1)', 'MADV_X (2)'),
  });
  fc.assert(
    fc.property(fc.array(finding, { maxLength: 40 }), (fs) => {
      const sorted = [...fs].sort(byKey);
      const seen = new Set<string>();
      const want = sorted.filter((f) => {
        const key = `${f.rule}:${f.line}:${f.column}:${f.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      const got = orderFindings([...fs]);
      assert.equal(got.length, want.length);
      want.forEach((f, i) => assert.equal(got[i], f, `position ${i}`));
    }),
    { seed: 3, numRuns: 500 },
  );
});
