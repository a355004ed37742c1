// RuleContext.lineAt finds a hunk line by document line with a binary search (hunk lines come
// in document order). It must answer as a map from every hunk line's document line would,
// the last hunk line winning: base64 and multipart mails put several on one line, and a
// patch set whose hunks are out of order takes the map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readPatchSet } from '../../src/patch/index';
import { RuleContext, type LocatedLine } from '../../src/rules/context';
import type { PatchSet } from '../../src/patch/types';

const KERNEL = { era: 'v6.12' as const, requested: 'v6.12' as const, clues: [] };

function expected(ps: PatchSet): Map<number, LocatedLine> {
  const m = new Map<number, LocatedLine>();
  for (const patch of ps.patches) for (const file of patch.files) for (const hunk of file.hunks) hunk.lines.forEach((line, i) => m.set(line.line, { ref: null as never, index: i, line }));
  return m;
}

function same(text: string, ps: PatchSet, what: string) {
  const ctx = new RuleContext(text, null, ps, KERNEL, 'all');
  const want = expected(ps);
  assert.ok(want.size > 0, `${what}: has hunk lines`);
  const last = Math.max(...want.keys()) + 2;
  for (let n = -1; n <= last; n++) {
    const got = ctx.lineAt(n);
    const w = want.get(n);
    if (!w) {
      assert.equal(got, null, `${what}: line ${n}`);
      continue;
    }
    assert.ok(got, `${what}: line ${n} found`);
    assert.equal(got.line, w.line, `${what}: line ${n} is the same hunk line`);
    assert.equal(got.index, w.index, `${what}: line ${n} index`);
    assert.equal(got.ref.hunk.lines[got.index], got.line, `${what}: line ${n} ref`);
    assert.equal(ctx.lineAt(n), got, `${what}: line ${n} asked again gives the same object`);
  }
}

for (const f of ['test-fixtures/patch/base64.eml', 'test-fixtures/patch/multipart.eml', 'test-fixtures/patch/quoted-printable.eml', 'test-fixtures/patch/series.mbox', 'test-fixtures/patch/fragments.txt']) {
  test(`lineAt answers as the map of every hunk line: ${f}`, (t) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      t.skip('fixture missing');
      return;
    }
    same(text, readPatchSet(text), f);
  });
}

test('lineAt with hunks out of document order (patches reversed) answers as the map', () => {
  const a = 'diff --git a/mm/a.c b/mm/a.c\n--- a/mm/a.c\n+++ b/mm/a.c\n@@ -1,3 +1,3 @@\n x;\n-y;\n+z;\n w;\n';
  const text = `From: a\nSubject: [PATCH 1/2] one\n\n---\n${a}\n\nFrom: b\nSubject: [PATCH 2/2] two\n\n---\n${a.replace(/a\.c/g, 'b.c')}`;
  const ps = readPatchSet(text);
  const reversed: PatchSet = { ...ps, patches: [...ps.patches].reverse() };
  same(text, ps, 'in order');
  same(text, reversed, 'reversed');
});
