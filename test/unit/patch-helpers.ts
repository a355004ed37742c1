// Shared by the patch-*.test.ts files: fixture loading and the position check every reader
// test relies on (the document text at a reported line/column starts with the claimed text).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { splitRawLines } from '../../src/patch/document';
import type { PatchSet } from '../../src/patch/types';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function fixture(rel: string): string {
  return readFileSync(join(ROOT, 'test-fixtures', rel), 'utf8');
}

/** The document's lines as an editor numbers them. */
export function docLines(text: string): string[] {
  return splitRawLines(text).map((l) => l.text);
}

/** Checks every position in `set` against `text`; returns the number of hunk lines checked. */
export function assertPositions(text: string, set: PatchSet): number {
  const lines = docLines(text);
  const n = Math.max(lines.length, 1);
  let checked = 0;
  for (const pr of set.problems) {
    assert.ok(pr.line >= 1 && pr.line <= n, `problem line ${pr.line} outside 1..${n}: ${pr.message}`);
  }
  for (const p of set.patches) {
    assert.ok(p.line >= 1 && p.line <= n, `patch line ${p.line}`);
    for (const f of p.files) {
      assert.ok(f.line >= 1 && f.line <= n, `file line ${f.line}`);
      for (const h of f.hunks) {
        const hl = lines[h.line - 1];
        assert.ok(hl !== undefined, `hunk line ${h.line} outside the document`);
        if (!h.encoding) assert.equal(hl.slice(h.column - 1, h.column + 1), '@@', `hunk header at ${h.line}:${h.column}`);
        for (const l of h.lines) {
          const dl = lines[l.line - 1];
          assert.ok(dl !== undefined, `hunk line at ${l.line} outside the document (${n} lines)`);
          assert.ok(l.column >= 1 && l.column <= dl.length + 1, `column ${l.column} outside line ${l.line} (length ${dl.length})`);
          if (!l.encoding && l.lineMap && l.columnMap) {
            // A line joined from several raw lines (format=flowed): every char maps to its own place.
            for (let i = 0; i < l.text.length; i++) {
              const at: string = lines[l.lineMap[i] - 1] ?? '';
              // A space a mail client's wrap turned into the line break maps to just past the line.
              const ch: string | undefined = l.columnMap[i] === at.length + 1 && l.text[i] === ' ' ? ' ' : at[l.columnMap[i] - 1];
              assert.equal(ch, l.text[i], `char ${i} of ${JSON.stringify(l.text)} at ${l.lineMap[i]}:${l.columnMap[i]}`);
            }
            checked++;
          } else if (!l.encoding) {
            assert.ok(
              dl.slice(l.column - 1).startsWith(l.text),
              `line ${l.line}:${l.column} is ${JSON.stringify(dl.slice(l.column - 1))}, claimed ${JSON.stringify(l.text)}`,
            );
            checked++;
          }
        }
      }
    }
  }
  return checked;
}
