// A side's function definitions are sometimes found without walking the tree (a window with
// no `{` but the wrapper's own has no definition but the wrapper). The answer is recorded as
// the walk's, so it must be exactly what tree-sitter's own walk gives, on any spelling.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'web-tree-sitter';
import { initC, parseHunk, descendants } from '../../src/c/index';
import { readDocument } from '../../src/patch/index';

before(async () => {
  await initC();
});

/** Every function_definition of the tree, by a cursor walk (no cache, no shortcut). */
function walkedDefinitions(root: Node): number[] {
  const out: number[] = [];
  const cursor = root.walk();
  outer: for (;;) {
    if (cursor.nodeType === 'function_definition') out.push(cursor.currentNode.id);
    if (cursor.gotoFirstChild()) continue;
    for (;;) {
      if (cursor.gotoNextSibling()) continue outer;
      if (!cursor.gotoParent()) break outer;
    }
  }
  cursor.delete();
  return out;
}

function diff(header: string, lines: string[]): string {
  const pre = lines.filter((l) => !l.startsWith('+')).length;
  const post = lines.filter((l) => !l.startsWith('-')).length;
  return [
    'diff --git a/mm/x.c b/mm/x.c', '--- a/mm/x.c', '+++ b/mm/x.c',
    `@@ -10,${pre} +10,${post} @@${header}`, ...lines, '',
  ].join('\n');
}

// Windows without `{` (and a few with, for the walk): statements, prototypes, K&R-style
// headers without their body, macros that look like calls or definitions, a window that
// closes blocks it did not open, comments and strings, a syntax error.
const WINDOWS: [string, string[]][] = [
  [' static int f(struct vm_area_struct *vma)', [' \tint x = 1;', '-\tvma->vm_flags |= VM_DONTCOPY;', '+\tvm_flags_set(vma, VM_DONTCOPY);', ' \treturn x;']],
  ['', [' int foo(int a);', '+long bar(void) __attribute__((unused));', ' extern int baz;']],
  ['', [' int old_style(a, b)', ' int a;', '+int b;']],
  [' void g(void)', [' \t\tput_page(page);', ' \t}', '+\tDEFINE_WAIT(wait);', ' \tSYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,', ' \t\tunsigned long, prot)']],
  [' void h(void)', [' \t}', ' }', '+', '+static int helper(int a)', ' #define FOO(x) ((x) + 1)']],
  [' void k(void)', ['+\t/* not a block: { */', '+\tpr_info("{%d}\\n", x);', ' \tx = y;']],
  [' void m(void)', ['+\tif (x)', '+\t\treturn;', ' \telse', ' \t\tx = (int) +;']],
  [' void n(void)', [' \tif (a) {', '+\t\tb();', ' \t}', '+static void inner(void) { }']],
  ['', ['+static int helper(int a)', '+{', '+\treturn a;', '+}']],
];

test('the definitions a fragment records are the ones a full walk of its tree finds', () => {
  for (const [header, lines] of WINDOWS) {
    const doc = readDocument(diff(header, lines));
    const hunk = doc.patches[0]!.files[0]!.hunks[0]!;
    const trees = parseHunk(hunk);
    for (const side of [trees.pre, trees.post]) {
      const recorded = descendants(side.root, 'function_definition').map((n) => n.id);
      assert.deepEqual(recorded, walkedDefinitions(side.root), `${side.side} of ${JSON.stringify(lines)}\n${side.source}`);
    }
  }
});
