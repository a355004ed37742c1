// Hovers on flag names and values, from the real kernel tables through the extension's adapter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flagFacts, namespaceOnLine } from '../../src/extension/flag-facts';
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
