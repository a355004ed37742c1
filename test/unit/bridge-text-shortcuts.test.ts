// The bridge answers some questions from the source text instead of asking the tree node by
// node (each node read through wasm is costly). Each shortcut here is compared with the walk
// it replaces (written out below as the reference), on windows spelled to trip it up and on
// every side of every fixture.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'web-tree-sitter';
import { initC, normalizeText, parseHunk, printValue, type CFragment } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { vmFlagAliases, VMA_FLAGS } from '../../src/bridge/env';

before(async () => {
  await initC();
});

function hunkPatch(lines: string[], fn = 'static int f(void)'): string {
  const old = lines.filter((l) => l[0] !== '+').length;
  const nu = lines.filter((l) => l[0] !== '-').length;
  return `--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,${old} +1,${nu} @@ ${fn}\n${lines.join('\n')}\n`;
}

function sidesOf(text: string): CFragment[] {
  const out: CFragment[] = [];
  for (const patch of readPatchSet(text).patches) {
    for (const file of patch.files) {
      for (const hunk of file.hunks) {
        const trees = parseHunk(hunk);
        out.push(trees.pre, trees.post);
      }
    }
  }
  return out;
}

let fixtureSides: CFragment[] | null = null;
function everyFixtureSide(): CFragment[] {
  if (fixtureSides) return fixtureSides;
  const walk = (d: string): string[] => readdirSync(d).flatMap((e) => {
    const p = join(d, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
  fixtureSides = walk('test-fixtures').filter((f) => /\.(patch|eml|mbox|diff)$/.test(f)).flatMap((f) => sidesOf(readFileSync(f, 'utf8')));
  assert.ok(fixtureSides.length > 100);
  return fixtureSides;
}

/** Windows that spell things the text tests must not be fooled by: comments, strings, macros,
 *  line continuations, odd spacing, longer words, broken code (ERROR nodes glued on). */
const TRICKY: string[][] = [
  [
    '+\tx.vma->vm_flags |= VM_IO;', '+\tp->vma->vm_flags &= ~VM_IO;', '+\tq = s. vma->vm_flags;', '+\tr = s.', '+\t\tvma->vm_flags;',
    '+\t/* vma->vm_flags */ y = "vma->vm_flags";', '+\tz = myvma->vm_flags + vma->vm_flags_x + vma->vm_flags2;',
    '+\tw = vma /* c */ ->vm_flags;', '+\tv = vma \\', '+\t\t->vm_flags;', '+\tu = tmp -> vm_flags;',
    '+\tt = !vma->vm_flags && *vma->vm_flags && (vm_flags_t)vma->vm_flags;', '+\tif (a ? vma->vm_flags : b[vma->vm_flags]) return -EINVAL;',
    '+#define F(vma) vma->vm_flags', '+#define G tmp->vm_flags',
  ],
  [
    '+\tlist_for_each_entry(vma, &mm->mmap, node)', '+\tvma->vm_flags &= ~VM_LOCKED;',
    '+\tf(a)vma->vm_flags = 0;', '+\tx = = vma->vm_flags;', '+\tx = ; vma->vm_flags |= 1;',
  ],
  ['+\tvma->vm_flags |= VM_IO;', '+\t}', '+\tmpnt->vm_flags &= ~VM_LOCKED;'],
  ['+vma->vm_flags = 1;', '+vma', '+->vm_flags = 2;'],
  ['+\tnew_flags = vma->vm_flags;', '+\tswitch (behavior) {', '+\tcase MADV_X:', '+\t\tnew_flags |= VM_IO;', '+\t}'],
];

function trickySides(): CFragment[] {
  return TRICKY.flatMap((w) => sidesOf(hunkPatch(w)));
}

/** The walk vmFlagAliases replaced: every place the source spells `vm_flags` asked. */
function aliasesByWalk(fragment: CFragment): Map<string, string> {
  const out = new Map<string, string>();
  const src = fragment.source;
  for (let at = src.indexOf('vm_flags'); at >= 0; at = src.indexOf('vm_flags', at + 1)) {
    const field = fragment.root.descendantForIndex(at, at + 8);
    const n: Node | null | undefined = field?.parent;
    if (!field || !n || n.type !== 'field_expression' || n.childForFieldName('field')?.id !== field.id || field.text !== 'vm_flags') continue;
    const key = normalizeText(n.text);
    if (key !== VMA_FLAGS) out.set(key, VMA_FLAGS);
  }
  return out;
}

function printed(m: Map<string, unknown>): Map<string, string> {
  return new Map([...m].map(([k, v]) => [k, printValue(v as Parameters<typeof printValue>[0])]));
}

test('vm_flags aliases: the text shortcut finds what the walk finds', () => {
  const tricky = trickySides();
  // The tricky windows do give aliases (and broken ones among them).
  assert.ok(tricky.some((f) => aliasesByWalk(f).size >= 3));
  assert.ok(tricky.some((f) => f.hasError && aliasesByWalk(f).size > 0));
  for (const f of [...tricky, ...everyFixtureSide()]) {
    assert.deepEqual(printed(vmFlagAliases(f)), aliasesByWalk(f), f.source);
  }
});
