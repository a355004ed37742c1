// Hovers on flag names and values, from the real kernel tables through the extension's adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initC } from '../../src/c/load';
import { flagFacts, namespaceOnLine, patchDefineFacts } from '../../src/extension/flag-facts';
import { flagHoverMarkdown } from '../../src/extension/flag-hover';
import { flagTokenAt } from '../../src/extension/flag-token';

function hover(line: string, word: string, era: string, arch = 'all'): string | null {
  const t = flagTokenAt(line, line.indexOf(word) + 1);
  assert.ok(t, `token at ${word}`);
  return flagHoverMarkdown(t, flagFacts(t, { era, arch, lineText: line }));
}

test('a VM flag name: value, bit, namespace and header', () => {
  const md = hover('+\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_DONTCOPY));', 'VM_DONTCOPY', 'v2.6.13')!;
  assert.match(md, /\*\*VM\\_DONTCOPY\*\* \(VM namespace, v2\\\.6\\\.13\)/);
  assert.match(md, /`0x00020000` \(bit 17\)/);
});

test('a uapi name whose value differs per arch lists each value, and collisions', () => {
  const md = hover('flags = MAP_PRIVATE | MAP_ANONYMOUS;', 'MAP_ANONYMOUS', 'v6.12')!;
  const values = md.split('\n').filter((l) => /^- `0x/.test(l));
  assert.ok(values.length >= 2, md);
  const only = hover('flags = MAP_PRIVATE | MAP_ANONYMOUS;', 'MAP_ANONYMOUS', 'v6.12', 'generic')!;
  assert.equal(only.split('\n').filter((l) => /^- `0x/.test(l)).length, 1, 'one arch chosen: one value');
});

test('a value takes its namespace from the line', () => {
  assert.equal(namespaceOnLine('#define PROT_SEM\t0x8'), 'PROT');
  const md = hover('#define PROT_SEM\t0x8', '0x8', 'v6.12')!;
  assert.match(md, /`PROT_SEM` \(PROT\)/);
  assert.doesNotMatch(md, /\(VM\)/);
});

test('a name the era does not define says so', () => {
  assert.match(hover('+#define PROT_DONTCOPY 0x04000000', 'PROT_DONTCOPY', 'v2.6.13')!, /not defined in v2\\\.6\\\.13/);
});

test("a name the patch defines: the patch's value, file and line, and what it collides with", async () => {
  await initC();
  const seed = readFileSync('test-fixtures/examples/prot-dontcopy.patch', 'utf8');
  const line = '+#define PROT_DONTCOPY\t0x04000000\t/* leave these pages out of a forked child */';
  const t = flagTokenAt(line, 10)!;
  const md = flagHoverMarkdown(t, flagFacts(t, { era: 'v2.6.13', arch: 'all', lineText: line, text: seed }))!;
  assert.match(md, /not defined in v2\\\.6\\\.13/);
  assert.match(md, /\*\*This patch\*\* adds `PROT_DONTCOPY` = `0x04000000` \(bit 26\) in `include\/asm-i386\/mman\.h` \(line 31\)/);

  const colliding = [
    'diff --git a/include/asm-generic/mman.h b/include/asm-generic/mman.h',
    '--- a/include/asm-generic/mman.h',
    '+++ b/include/asm-generic/mman.h',
    '@@ -10,2 +10,3 @@',
    ' #define PROT_EXEC\t0x4',
    '+#define PROT_FOO\t(PROT_EXEC << 1)',
    ' #define PROT_NONE\t0x0',
    '',
  ].join('\n');
  const t2 = flagTokenAt('PROT_FOO', 2)!;
  const facts = patchDefineFacts(colliding, 'PROT_FOO', 'v6.12');
  assert.equal(facts.length, 1);
  assert.equal(facts[0].value, 8n, 'evaluated through the macro it uses');
  assert.ok(facts[0].collisions.some((c) => c.name === 'PROT_SEM'), 'PROT_SEM has the same value');
  assert.match(flagHoverMarkdown(t2, flagFacts(t2, { era: 'v6.12', arch: 'all', text: colliding }))!, /same value as `PROT_SEM`/);
  assert.deepEqual(patchDefineFacts(colliding, 'PROT_EXEC', 'v6.12'), [], 'context defines are not the patch changing them');
});
