// A fragment's scope and enclosing function name are found when first asked, once per parse
// (fragments of hunks with the same content share the parse). Whichever fragment asks first,
// and in whichever order, the answers are the ones a fresh parse gives; an assigned name
// stays that fragment's own.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initC, parseHunk, parseSide } from '../../src/c/index';
import { readDocument } from '../../src/patch/index';
import type { Hunk } from '../../src/patch/types';

before(async () => {
  await initC();
});

function hunks(text: string): Hunk[] {
  return readDocument(text).patches.flatMap((p) => p.files.flatMap((f) => f.hunks));
}

// Function starts visible in the window, SYSCALL_DEFINE headers, windows that close blocks,
// windows inside a function named by the header only.
const PATCH = [
  'diff --git a/mm/x.c b/mm/x.c', '--- a/mm/x.c', '+++ b/mm/x.c',
  '@@ -10,6 +10,6 @@ static int helper(int a)', ' \t\t}', ' \t}', '-\tx = 1;', '+\tx = 2;', ' \treturn x;', ' }',
  '@@ -30,7 +30,8 @@ static int helper(int a)', ' }', ' ', ' static long other(void)', ' {', '-\treturn 0;', '+\tint y = 1;', '+\treturn y;', ' }',
  '@@ -50,4 +51,4 @@ SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,', ' \tif (!len)', '-\t\treturn 0;', '+\t\treturn -EINVAL;', ' \tlen = PAGE_ALIGN(len);',
  '@@ -70,3 +71,4 @@', ' SYSCALL_DEFINE1(foo, int, a)', ' {', '+\ta++;', ' }',
  '',
].join('\n');

/** What each side of a fresh parse (parseSide: no cache) answers. */
function fresh(hunk: Hunk): { pre: [string | null, number, string]; post: [string | null, number, string] } {
  const pre = parseSide(hunk, 'pre');
  const post = parseSide(hunk, 'post', pre);
  return { pre: [pre.functionName, pre.scope.startIndex, pre.scope.type], post: [post.functionName, post.scope.startIndex, post.scope.type] };
}

test('scope and function name do not depend on which fragment asks first, nor on the order', () => {
  for (const text of [PATCH, readFileSync('test-fixtures/examples/prot-dontcopy.patch', 'utf8')]) {
    const first = hunks(text);
    const second = hunks('Moved down.\n\n' + text); // same contents, other positions: shared parses
    for (let i = 0; i < first.length; i++) {
      const expected = fresh(first[i]!);
      const a = parseHunk(first[i]!);
      const b = parseHunk(second[i]!);
      // Scope first on one fragment, name first on the other.
      const aPost: [string | null, number, string] = [null, a.post.scope.startIndex, a.post.scope.type];
      aPost[0] = a.post.functionName;
      const bPost: [string | null, number, string] = [b.post.functionName, b.post.scope.startIndex, b.post.scope.type];
      assert.deepEqual(aPost, expected.post, `post of hunk ${i}`);
      assert.deepEqual(bPost, expected.post, `post of moved hunk ${i}`);
      assert.deepEqual([b.pre.functionName, b.pre.scope.startIndex, b.pre.scope.type], expected.pre, `pre of moved hunk ${i}`);
      assert.deepEqual([a.pre.functionName, a.pre.scope.startIndex, a.pre.scope.type], expected.pre, `pre of hunk ${i}`);
      assert.equal(a.functionName, expected.post[0] ?? expected.pre[0]);
    }
  }
});

test('the names a window shows or its header gives', () => {
  const names = hunks(PATCH).map((h) => { const t = parseHunk(h); return [t.pre.functionName, t.post.functionName]; });
  assert.deepEqual(names, [['helper', 'helper'], ['other', 'other'], ['sys_mprotect', 'sys_mprotect'], ['sys_foo', 'sys_foo']]);
});

test('an assigned function name is that fragment\'s own', () => {
  const [h] = hunks(PATCH);
  const [moved] = hunks('x\n\n' + PATCH);
  const f = parseHunk(h!).post;
  f.functionName = 'renamed';
  assert.equal(f.functionName, 'renamed');
  assert.equal(parseHunk(moved!).post.functionName, 'helper');
  f.functionName = null;
  assert.equal(f.functionName, null);
});
