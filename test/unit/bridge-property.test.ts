// Bad input never crashes the bridge: any mangling of real fixture patches (lines dropped,
// duplicated, truncated, quoted, markers flipped) gives hook changes whose lines lie inside
// the document, and never an exception.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { initC } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges } from '../../src/bridge/index';
import type { EraId } from '../../src/kernel/model';

before(async () => {
  await initC();
});

const FIX = 'test-fixtures/bridge';
const texts = readdirSync(FIX).filter((f) => f.endsWith('.patch')).sort().map((f) => readFileSync(`${FIX}/${f}`, 'utf8'));

type Edit = { at: number; kind: 'drop' | 'dup' | 'truncate' | 'flip' | 'quote' | 'junk'; n: number };

function mangle(text: string, edits: Edit[]): string {
  const lines = text.split('\n');
  for (const e of edits) {
    if (lines.length === 0) break;
    const i = e.at % lines.length;
    const l = lines[i]!;
    switch (e.kind) {
      case 'drop': lines.splice(i, 1); break;
      case 'dup': lines.splice(i, 0, l); break;
      case 'truncate': lines[i] = l.slice(0, e.n % (l.length + 1)); break;
      case 'flip': lines[i] = (l[0] === '+' ? '-' : l[0] === '-' ? '+' : l[0] ?? '') + l.slice(1); break;
      case 'quote': lines[i] = '> ' + l; break;
      case 'junk': lines[i] = l + ' ((( }} ' + '|'.repeat(e.n % 5); break;
    }
  }
  return lines.join('\n');
}

test('mangled fixtures: no throw, every line inside the document', () => {
  const edit = fc.record({ at: fc.nat(400), kind: fc.constantFrom<Edit['kind']>('drop', 'dup', 'truncate', 'flip', 'quote', 'junk'), n: fc.nat(80) });
  fc.assert(
    fc.property(fc.nat(texts.length - 1), fc.array(edit, { maxLength: 6 }), fc.constantFrom<EraId>('v2.6.13', 'v2.6.16', 'v5.4', 'v6.12'), (k, edits, era) => {
      const text = mangle(texts[k]!, edits);
      const total = text.split('\n').length;
      const changes = extractHookChanges(readPatchSet(text), { era });
      for (const c of changes) for (const l of c.lines) assert.ok(l >= 1 && l <= total, `line ${l} of ${total}`);
    }),
    { numRuns: 80, seed: 20051108 },
  );
});
