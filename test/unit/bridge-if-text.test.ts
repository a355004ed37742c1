// The hook collectors skip the walk for if statements in a scope whose text has no `if`
// (hooks/common.ts ownIfStatements): every if statement of a tree must spell the keyword,
// on broken windows too (the parser never inserts a MISSING `if`).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { descendants, initC, parseHunk } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';

before(async () => {
  await initC();
});

function hunkPatch(lines: string[]): string {
  const old = lines.filter((l) => l[0] !== '+').length;
  const nu = lines.filter((l) => l[0] !== '-').length;
  return `--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1,${old} +1,${nu} @@ static int f(void)\n${lines.join('\n')}\n`;
}

function checkSides(text: string, where: string): number {
  let checked = 0;
  for (const patch of readPatchSet(text).patches) {
    for (const file of patch.files) {
      for (const hunk of file.hunks) {
        const trees = parseHunk(hunk);
        for (const f of [trees.pre, trees.post]) {
          for (const n of descendants(f.root, 'if_statement')) {
            assert.equal(f.source.slice(n.startIndex, n.startIndex + 2), 'if', `${where}: an if statement not starting with "if"`);
          }
          checked++;
        }
      }
    }
  }
  return checked;
}

test('if statements spell `if` on broken windows', () => {
  const windows = [
    ['+\t(vma->vm_flags & VM_IO)', '+\t\treturn -EINVAL;', ' }'],
    ['+\t} else (x)', '+\t\treturn -EINVAL;'],
    ['+\ti\\', '+f (x) return -EINVAL;'],
    ['+\tdo { x++; } (x < 3);', '+\t(y) { z = 1; }'],
    ['+\t) (newflags & ~(newflags >> 4))', '+\t\tgoto out;'],
    ['+\tif', '+\t\tgoto out;', '+\telse (x)'],
    ['+\tswitch (x) { case 1: (y) return 1; }'],
  ];
  for (const w of windows) checkSides(hunkPatch(w), w.join(' | '));
});

test('if statements spell `if` in every fixture', () => {
  const walk = (d: string): string[] => readdirSync(d).flatMap((e) => {
    const p = join(d, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
  let sides = 0;
  for (const file of walk('test-fixtures').filter((f) => /\.(patch|eml|mbox|diff)$/.test(f))) sides += checkSides(readFileSync(file, 'utf8'), file);
  assert.ok(sides > 100);
});
