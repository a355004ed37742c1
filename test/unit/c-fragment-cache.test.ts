// The parse cache is keyed on a hunk's content: a hunk that moved in the document (an edit
// above it) shares its tree with the earlier parse, but its fragment, and so every position,
// follows its own lines.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initC, parseHunk, findAssignments } from '../../src/c/index';
import { readDocument } from '../../src/patch/index';
import { checkText } from '../../src/rules/check';
import type { Hunk, HunkLine } from '../../src/patch/types';

before(async () => {
  await initC();
});

const FIXTURE = 'test-fixtures/examples/prot-dontcopy.patch';

/** Inserts `n` lines before the first `diff --git` (in the commit message). */
function shiftDown(text: string, n: number): string {
  const at = text.indexOf('\ndiff --git') + 1;
  assert.ok(at > 0, 'fixture has a diff');
  return text.slice(0, at) + 'Inserted line.\n'.repeat(n) + text.slice(at);
}

function hunks(text: string): Hunk[] {
  return readDocument(text).patches.flatMap((p) => p.files.flatMap((f) => f.hunks));
}

test('a hunk moved down by an edit above reuses its tree and reports shifted positions', () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const before = hunks(text);
  const after = hunks(shiftDown(text, 7));
  assert.equal(after.length, before.length);
  assert.ok(before.length > 0);
  for (let i = 0; i < before.length; i++) {
    const a = parseHunk(before[i]!).post;
    const b = parseHunk(after[i]!).post;
    assert.notEqual(a, b, 'one fragment per hunk');
    assert.equal(a.tree, b.tree, 'same content: the tree comes from the cache');
    assert.equal(b.hunk, after[i]);
    const assignsA = findAssignments(a.scope);
    const assignsB = findAssignments(b.scope);
    assert.equal(assignsA.length, assignsB.length);
    for (let k = 0; k < assignsA.length; k++) {
      const ra = a.range(assignsA[k]!.node);
      const rb = b.range(assignsB[k]!.node);
      if (!ra || !rb) { assert.equal(ra, rb); continue; }
      assert.deepEqual(rb, { ...ra, line: ra.line + 7, endLine: ra.endLine + 7 });
    }
    // Pre side too (parsed incrementally from the cached post side on the first hunk).
    const pa = parseHunk(before[i]!).pre;
    const pb = parseHunk(after[i]!).pre;
    assert.equal(pa.tree, pb.tree);
    const na = pa.nodeAtHunkLine(pa.rowToHunkLine.find((h) => h >= 0)!);
    if (na) assert.equal(pb.range(na)!.line, pa.range(na)!.line + 7);
  }
});

test('findings of a shifted patch are the same findings, moved down', async () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const a = await checkText(text);
  const b = await checkText(shiftDown(text, 3));
  assert.ok(a.findings.length > 0, 'the fixture has findings');
  const moved = a.findings.map((f) => ({
    ...f,
    line: f.line + 3,
    endLine: f.endLine + 3,
    related: f.related?.map((r) => ({ ...r, line: r.line + 3 })),
  }));
  assert.deepEqual(
    b.findings.map((f) => ({ rule: f.rule, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, related: f.related?.map((r) => [r.line, r.column]) })),
    moved.map((f) => ({ rule: f.rule, line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn, related: f.related?.map((r) => [r.line, r.column]) })),
  );
});

test('same content at another place with another quoting and character maps: positions follow each hunk', () => {
  const raw = [
    ' \tunsigned long oldflags = vma->vm_flags;',
    '-\tnewflags = oldflags;',
    '+\tnewflags = oldflags & ~VM_DONTCOPY;',
    ' \treturn 0;',
  ];
  const make = (firstLine: number, column: number, mapped: boolean): Hunk => {
    const lines: HunkLine[] = raw.map((l, i) => ({ kind: l[0] as HunkLine['kind'], text: l.slice(1), line: firstLine + i, column }));
    if (mapped) {
      // As if a soft break split the added line after 11 characters.
      const l = lines[2]!;
      l.lineMap = [...l.text].map((_, k) => (k < 11 ? l.line : l.line + 1));
      l.columnMap = [...l.text].map((_, k) => (k < 11 ? column + k : 1 + (k - 11)));
    }
    return { oldStart: 1, oldLines: 3, newStart: 1, newLines: 3, header: 'fixup(struct vm_area_struct *vma)', functionName: 'fixup', line: firstLine - 1, column: 1, lines };
  };
  const a = parseHunk(make(501, 2, false)).post;
  const b = parseHunk(make(900, 4, true)).post;
  assert.equal(a.tree, b.tree);
  const assign = findAssignments(b.scope, 'newflags');
  assert.equal(assign.length, 1);
  const node = assign[0]!.node;
  // `newflags = oldflags & ~VM_DONTCOPY` starts after the tab: text index 1.
  assert.deepEqual(a.range(node), { line: 503, column: 3, endLine: 503, endColumn: 3 + 'newflags = oldflags & ~VM_DONTCOPY'.length, firstHunkLine: 2, lastHunkLine: 2 });
  const rb = b.range(node)!;
  assert.equal(rb.line, 902);
  assert.equal(rb.column, 5);
  // The end lies past the soft break: next document line.
  assert.equal(rb.endLine, 903);
  assert.equal(rb.endColumn, 1 + ('\tnewflags = oldflags & ~VM_DONTCOPY'.length - 1 - 11) + 1);
  assert.equal(b.functionName, a.functionName);
});
