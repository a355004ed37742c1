// simulatePatch and extractHookChanges on mutated patches (the bridge fixtures and the review's
// own): tokens swapped for other flags and numbers, hunk headers miscounted, braces dropped,
// preprocessor lines inserted, lines cut. Never a throw; every reported line lies in the
// document; every consequence points at hook changes that exist.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import fc from 'fast-check';
import { initC } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges } from '../../src/bridge/extract';
import { simulatePatch } from '../../src/bridge/simulate';
import { reportToJson, reportToText } from '../../src/bridge/report';
import type { EraId } from '../../src/kernel/model';

before(async () => {
  await initC();
});

const DIRS = ['test-fixtures/bridge', 'test-fixtures/bridge/review'];
const texts = DIRS.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.patch')).sort().map((f) => readFileSync(`${d}/${f}`, 'utf8')));
const TOKENS = ['VM_DONTCOPY', 'VM_IO', 'VM_WIPEONFORK', 'VM_NONE', 'PROT_SEM', 'MADV_DOFORK', 'MADV_WIPEONFORK', '0x40000000', '0', '~0UL', 'vma->vm_file', 'new_flags', 'continue;', 'return -EINVAL;', 'mask_off_old_flags', '(', ')', '||', '>>'];
const INSERTS = ['#ifdef CONFIG_MMU', '#endif', '+#else', '+\tcase MADV_HUGEPAGE:', '-\t}', '+{', '@@ -1,3 +1,4 @@ dup_mmap(', '+#define VM_DONTCOPY VM_DONTCOPY', '+#define PROT_X (PROT_X | 1)', ' \\'];

type Edit =
  | { kind: 'swap'; at: number; word: number; token: number }
  | { kind: 'insert'; at: number; line: number }
  | { kind: 'header'; at: number; n: number }
  | { kind: 'cut'; at: number; n: number }
  | { kind: 'brace'; at: number };

function mutate(text: string, edits: Edit[]): string {
  const lines = text.split('\n');
  for (const e of edits) {
    if (lines.length === 0) break;
    const i = e.at % lines.length;
    const l = lines[i]!;
    switch (e.kind) {
      case 'swap': {
        const words = l.split(/(\s+)/);
        const w = (e.word % Math.max(1, words.length));
        if (words.length) words[w] = TOKENS[e.token % TOKENS.length]!;
        lines[i] = words.join('');
        break;
      }
      case 'insert': lines.splice(i, 0, INSERTS[e.line % INSERTS.length]!); break;
      case 'header': lines[i] = l.replace(/\d+/, String(e.n)); break;
      case 'cut': lines.splice(i, e.n % 8); break;
      case 'brace': lines[i] = l.replace(/[{}]/, ''); break;
    }
  }
  return lines.join('\n');
}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(300), word: fc.nat(12), token: fc.nat(40) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(300), line: fc.nat(20) }),
  fc.record({ kind: fc.constant('header' as const), at: fc.nat(300), n: fc.nat(100000) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(300), n: fc.nat(20) }),
  fc.record({ kind: fc.constant('brace' as const), at: fc.nat(300) }),
);
const ERA = fc.constantFrom<EraId>('v2.6.13', 'v2.6.16', 'v5.4', 'v6.12');

test('extractHookChanges on mutated patches: no throw, lines inside the document, summaries non-empty', () => {
  fc.assert(
    fc.property(fc.nat(texts.length - 1), fc.array(edit, { minLength: 1, maxLength: 6 }), ERA, (k, edits, era) => {
      const text = mutate(texts[k]!, edits);
      const total = text.split('\n').length;
      for (const c of extractHookChanges(readPatchSet(text), { era })) {
        assert.ok(c.summary.trim().length > 0, 'empty summary');
        for (const l of c.lines) assert.ok(Number.isInteger(l) && l >= 1 && l <= total, `line ${l} of ${total}`);
      }
    }),
    { numRuns: 150, seed: 2026 },
  );
});

test('simulatePatch on mutated patches: no throw, consequences point at real hook changes and lines, both outputs render', async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(texts.length - 1), fc.array(edit, { minLength: 1, maxLength: 4 }), ERA, async (k, edits, era) => {
      const text = mutate(texts[k]!, edits);
      const total = text.split('\n').length;
      const r = await simulatePatch(text, { kernel: era });
      for (const c of r.consequences) {
        assert.ok(c.summary.length > 0);
        for (const i of c.hookChanges) assert.ok(r.hookChanges[i], `hook change ${i}`);
        for (const l of c.lines) assert.ok(l >= 1 && l <= total, `line ${l} of ${total}`);
      }
      JSON.stringify(reportToJson(r));
      reportToText(r, text);
    }),
    { numRuns: 25, seed: 1105 },
  );
});

test('simulatePatch on text that is no patch at all', async () => {
  for (const text of ['', '\n\n', 'diff --git a/x b/x\n@@ -1 +1 @@\n', '@@ -0,0 +1,2 @@ dup_mmap(\n+if (\n+', '\u0000\u0001binary', 'Subject: x\n\n' + '+'.repeat(5000)]) {
    const r = await simulatePatch(text, { kernel: 'auto' });
    assert.deepEqual(r.consequences, []);
  }
});
