// The engine orders findings comparing rule ids and messages as localeCompare does, mostly
// without calling it (src/rules/finding-order.ts). Whatever the test's locale, the answer must
// be localeCompare's: tricky spellings (case, punctuation, digits against letters, accents,
// combining marks, one string a prefix of the other) included.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareFindings, compareLikeLocale, orderFindings } from '../../src/rules/finding-order';

const sign = (n: number) => Math.sign(n);

const PAIRS: Array<[string, string]> = [
  ['MM002', 'MM004'], ['MM010', 'MM009'], ['a', 'B'], ['B', 'a'], ['Z', 'a'], ['a b', 'a0'], ['a 1', 'a a'],
  ['x9', 'xa'], ['_a', 'a'], ['a_', 'a-'], ['(0x20)', '(0x2)'], ['VM_IO (0x00004000, bit 14)', 'VM_IO (0x00004000, bit 1)'],
  ['abc', 'ab'], ['ab', 'abc'], ['ä', 'aa'], ['a\u0301', 'ab'], ['ab\u0301', 'ac'], ['résumé', 'resume'], ['i', 'y'], ['ch', 'h'],
  ['MADV_GEN12 (122) collides with MADV_GEN62 (122)', 'MADV_GEN12 (122) is added to the generic header only'],
  ['same', 'same'], ['', 'a'], ['a', ''], ['A', 'a'], ['a\tb', 'a b'], ['a~', 'a}'], ['1', 'I'],
];

test('compareLikeLocale agrees with localeCompare on tricky pairs', () => {
  for (const [a, b] of PAIRS) assert.equal(sign(compareLikeLocale(a, b)), sign(a.localeCompare(b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
});

const CHARS = [' ', '0', '1', '9', 'a', 'b', 'i', 'y', 'z', 'A', 'B', 'Z', '_', '-', ',', '(', ')', '.', ':', 'é', 'ä', '\u0301', '\t', '~'];

test('compareLikeLocale agrees with localeCompare on generated strings with shared prefixes', () => {
  const piece = fc.array(fc.constantFrom(...CHARS), { maxLength: 6 }).map((cs) => cs.join(''));
  fc.assert(
    fc.property(piece, piece, piece, (prefix, x, y) => {
      const a = prefix + x;
      const b = prefix + y;
      assert.equal(sign(compareLikeLocale(a, b)), sign(a.localeCompare(b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }),
    { seed: 42, numRuns: 3000 },
  );
});

test('compareFindings sorts as the line, column, rule, message comparator with localeCompare', () => {
  const finding = fc.record({
    line: fc.integer({ min: 1, max: 3 }),
    column: fc.integer({ min: 1, max: 2 }),
    rule: fc.constantFrom('MM000', 'MM002', 'MM004', 'MM010'),
    message: fc.array(fc.constantFrom(...CHARS), { maxLength: 8 }).map((cs) => 'MADV_X ' + cs.join('')),
  });
  fc.assert(
    fc.property(fc.array(finding, { maxLength: 30 }), (fs) => {
      const want = [...fs].sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message));
      assert.deepEqual([...fs].sort(compareFindings), want);
      // The same objects in the same order (stable: equal findings keep their order).
      const got = [...fs].sort(compareFindings);
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
      const sorted = [...fs].sort((a, b) => a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule) || a.message.localeCompare(b.message));
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
