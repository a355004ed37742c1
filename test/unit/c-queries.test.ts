// Query helpers and fragment dataflow: assignments by lvalue, switch cases and their bit
// effects, error guards, calls, compound assignments through locals.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  initC, parseHunk, findSwitchCases, caseFor, caseEffect, findErrorGuards, findAssignments, findCalls, valuesBefore,
  valueAfter, evaluate, evaluateInContext, printValue, keptBits, bitEffect, identifiersIn, enclosingStatement, MASK64,
} from '../../src/c/index';
import { readDocument } from '../../src/patch/index';
import type { Hunk, HunkLine } from '../../src/patch/types';

const TABLE: Record<string, bigint> = { VM_READ: 1n, VM_WRITE: 2n, VM_EXEC: 4n, VM_DONTCOPY: 0x20000n, VM_IO: 0x4000n, VM_RAND_READ: 0x10000n, VM_WIPEONFORK: 0x2000000n };
const lookup = (n: string) => TABLE[n];

function hunk(lines: string[], functionName: string | null): Hunk {
  const hl: HunkLine[] = lines.map((l, i) => ({ kind: l[0] as HunkLine['kind'], text: l.slice(1), line: 1 + i, column: 2 }));
  return { oldStart: 1, oldLines: 0, newStart: 1, newLines: 0, header: '', functionName, line: 0, column: 1, lines: hl };
}

before(async () => {
  await initC();
});

test('madvise switch: cases grouped, bit effects per case, the DOFORK guard only before', () => {
  const ps = readDocument(readFileSync('test-fixtures/c/madvise-switch.patch', 'utf8'));
  const t = parseHunk(ps.patches[0]!.files[0]!.hunks[0]!);
  const [pre] = findSwitchCases(t.pre.root);
  const [post] = findSwitchCases(t.post.root);
  assert.ok(pre && post);
  assert.equal(post.condition, null); // the switch head is above the hunk
  assert.deepEqual(post.groups.map((g) => g.labelTexts), [['MADV_RANDOM'], ['MADV_DONTFORK'], ['MADV_DOFORK'], ['MADV_WIPEONFORK', 'MADV_KEEPONFORK_TOO'], ['default']]);
  const dontfork = caseEffect(caseFor(post, 'MADV_DONTFORK')!, 'new_flags', { lookup });
  assert.equal(dontfork.set, 0x20000n);
  assert.equal(dontfork.clear, 0n);
  const dofork = caseEffect(caseFor(post, 'MADV_DOFORK')!, 'new_flags', { lookup });
  assert.equal(dofork.set, 0n);
  assert.equal(dofork.clear, 0x20000n);
  const wipe = caseEffect(caseFor(post, 'MADV_KEEPONFORK_TOO')!, 'new_flags', { lookup });
  assert.equal(wipe.set, 0x2000000n);
  assert.equal(wipe.clear, 0x20000n);
  assert.ok(post.groups.every((g) => g.terminates));
  const guardsBefore = findErrorGuards(caseFor(pre, 'MADV_DOFORK')!.statements);
  assert.equal(guardsBefore.length, 1);
  assert.equal(guardsBefore[0]!.errno, 'EINVAL');
  assert.equal(evaluate(guardsBefore[0]!.test, { lookup }).kind, 'binary');
  assert.equal(printValue(evaluate(guardsBefore[0]!.test, { lookup })), 'vma->vm_flags & 0x4000');
  assert.deepEqual(findErrorGuards(caseFor(post, 'MADV_DOFORK')!.statements), []);
});

test('a full switch with its head: condition text and fallthrough', () => {
  const t = parseHunk(hunk([
    ' \tswitch (behavior) {',
    ' \tcase MADV_NORMAL:',
    ' \t\tnew_flags = new_flags & ~(VM_RAND_READ);',
    '+\tcase MADV_DONTFORK:',
    ' \t\tnew_flags |= VM_DONTCOPY;',
    ' \t\tbreak;',
    ' \t}',
  ], 'madvise_behavior'));
  const [sw] = findSwitchCases(t.post.root);
  assert.equal(sw!.conditionText, 'behavior');
  assert.equal(sw!.groups[0]!.terminates, false);
  assert.equal(sw!.groups[1]!.terminates, true);
  assert.equal(caseEffect(sw!.groups[0]!, 'new_flags', { lookup }).clear, 0x10000n);
});

test('dataflow: a mask in a local, compound assignments, declarations', () => {
  const t = parseHunk(hunk([
    ' \tunsigned long mask = ~(VM_READ | VM_WRITE);',
    '+\tmask &= ~VM_DONTCOPY;',
    ' \tnewflags = vm_flags | (vma->vm_flags & mask);',
    ' \tnewflags |= VM_IO;',
    ' \tvma->vm_flags = newflags;',
  ], 'sys_mprotect'));
  const assigns = findAssignments(t.post.scope, 'newflags');
  assert.equal(assigns.length, 2);
  const v = evaluateInContext(assigns[0]!.right!, t.post.scope, { lookup });
  assert.equal(keptBits(v, 'vma->vm_flags'), MASK64 & ~0x20003n);
  const before = evaluateInContext(assigns[0]!.right!, t.pre.scope, { lookup });
  assert.equal(keptBits(before, 'vma->vm_flags'), MASK64 & ~3n);
  // After all statements: newflags = vm_flags | (vma->vm_flags & mask) | VM_IO.
  const all = valuesBefore(t.post.scope, null, { lookup });
  const final = all.get('vma->vm_flags')!;
  assert.equal(bitEffect(final, 'vma->vm_flags').set, 0x4000n);
  assert.equal(keptBits(final, 'vma->vm_flags'), MASK64 & ~0x24003n);
  assert.equal(keptBits(final, 'vm_flags'), MASK64 & ~0x4000n);
  // valueAfter starts from the symbolic target itself.
  const after = valueAfter([t.post.scope], 'mask', { lookup });
  assert.equal(printValue(after), '0xfffffffffffdfffc');
});

test('calls, identifiers and enclosing statements', () => {
  const t = parseHunk(hunk([
    ' \tvma = find_vma(mm, start);',
    '+\tif (get_user_pages(current, mm, addr, n, 1, 0, pages, NULL) < n)',
    '+\t\treturn -EFAULT;',
    ' \tvm_flags_set(vma, VM_DONTCOPY | VM_IO);',
  ], 'ib_umem_get'));
  const gup = findCalls(t.post.root, ['get_user_pages', 'pin_user_pages']);
  assert.equal(gup.length, 1);
  assert.equal(gup[0]!.args.length, 8);
  assert.equal(enclosingStatement(gup[0]!.node).type, 'if_statement');
  assert.equal(t.post.touchesChange(gup[0]!.node), true);
  const set = findCalls(t.post.root, 'vm_flags_set')[0]!;
  assert.equal(t.post.touchesChange(set.node), false);
  assert.deepEqual(identifiersIn(set.node), ['vm_flags_set', 'vma', 'VM_DONTCOPY', 'VM_IO']);
  assert.equal(printValue(evaluate(set.args[1]!, { lookup })), '0x24000');
  assert.equal(findCalls(t.pre.root).map((c) => c.name).join(','), 'find_vma,vm_flags_set');
});

test('descendants by type (tree-sitter query) equals the cursor walk, from any start node', async () => {
  const { descendants } = await import('../../src/c/index');
  const text = readFileSync('test-fixtures/examples/prot-dontcopy-reply.eml', 'utf8');
  const hunks = readDocument(text).patches.flatMap((p) => p.files.flatMap((f) => f.hunks));
  hunks.push(hunk([' \tfoo(a,', '+#define VM_NEW 0x10', ' @@@ x = (y', '+\tnewflags = vm_flags | (vma->vm_flags & ~MASK);'], 'f'));
  const types = ['identifier', 'assignment_expression', 'call_expression', 'preproc_def', 'binary_expression', 'ERROR'];
  for (const h of hunks) {
    const f = parseHunk(h).post;
    for (const start of descendants(f.root, () => true)) {
      for (const t of types) {
        const viaQuery = descendants(start, t).map((n) => n.id);
        const viaWalk = descendants(start, (n) => n.type === t).map((n) => n.id);
        assert.deepEqual(viaQuery, viaWalk, `${t} under ${start.type}`);
      }
    }
  }
});
