// checkText never throws, whatever it is given: fixture patches cut, quoted, re-ended and
// mutated at random. Every finding and related location stays inside the document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { checkText } from '../../src/rules/check';

const SOURCES = readdirSync('test-fixtures/rules').map((f) => readFileSync(`test-fixtures/rules/${f}`, 'utf8'));

function countLines(t: string): number {
  return t.split(/\r\n|\r|\n/).length;
}

test('checkText: no throw, positions inside the document (fast-check, fixed seed)', async () => {
  const doc = fc
    .tuple(
      fc.integer({ min: 0, max: SOURCES.length - 1 }),
      fc.integer({ min: 0, max: 3 }), // quote depth
      fc.boolean(), // CRLF
      fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 12 })), { maxLength: 4 }), // splices
      fc.nat(), // cut point
    )
    .map(([i, depth, crlf, splices, cut]) => {
      let lines = SOURCES[i]!.split('\n');
      lines = lines.slice(0, 1 + (cut % lines.length));
      for (const [at, s] of splices) {
        const k = at % lines.length;
        lines[k] = lines[k]!.slice(0, at % (lines[k]!.length + 1)) + s + lines[k]!.slice(at % (lines[k]!.length + 1));
      }
      const q = '> '.repeat(depth);
      return lines.map((l) => q + l).join(crlf ? '\r\n' : '\n');
    });
  await fc.assert(
    fc.asyncProperty(doc, fc.constantFrom('auto', 'v2.6.13', 'v6.12') as fc.Arbitrary<'auto' | 'v2.6.13' | 'v6.12'>, async (text, kernel) => {
      const r = await checkText(text, { kernel });
      const n = countLines(text);
      for (const f of r.findings) {
        assert.ok(f.line >= 1 && f.line <= n && f.endLine >= f.line && f.column >= 1, JSON.stringify(f));
        for (const rel of f.related) assert.ok(rel.line >= 1 && rel.line <= n, JSON.stringify(rel));
        assert.notEqual(f.message, '');
      }
    }),
    { seed: 20051110, numRuns: 60 },
  );
});
