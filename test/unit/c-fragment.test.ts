// Hunk fragments: wrapping, position mapping, function context, kernel macros, mangled
// quoting, and the quoted reply fixture through the reader.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Node } from 'web-tree-sitter';
import {
  initC, parseHunk, findAssignments, findCalls, findConditions, descendants, evaluate, keptBits, matchAccessCheck,
  enclosingFunctionName, printValue, MASK64, type CFragment,
} from '../../src/c/index';
import { readDocument } from '../../src/patch/index';
import type { Hunk, HunkLine } from '../../src/patch/types';

/** A hunk built by hand: each string starts with its diff marker; document lines start at
 *  `firstLine`, text at `column` (as if quoted with a prefix of column-2 chars + marker). */
function hunk(lines: string[], functionName: string | null, firstLine = 101, column = 2): Hunk {
  const hl: HunkLine[] = lines.map((l, i) => ({ kind: l[0] as HunkLine['kind'], text: l.slice(1), line: firstLine + i, column }));
  return { oldStart: 1, oldLines: 0, newStart: 1, newLines: 0, header: functionName ? `${functionName}(unsigned long start)` : '', functionName, line: firstLine - 1, column: 1, lines: hl };
}

const TABLE: Record<string, bigint> = { VM_READ: 1n, VM_WRITE: 2n, VM_EXEC: 4n, VM_DONTCOPY: 0x20000n, VM_IO: 0x4000n };
const lookup = (n: string) => TABLE[n];

const MPROTECT = [
  ' \t\t\tgoto out;',
  ' \t\t}',
  ' ',
  '-\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));',
  '+\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY));',
  ' ',
  ' \t\tif ((newflags & ~(newflags >> 4)) & 0xf) {',
  ' \t\t\terror = -EACCES;',
];

function only<T>(xs: T[]): T {
  assert.equal(xs.length, 1, `expected one, got ${xs.length}`);
  return xs[0]!;
}

before(async () => {
  await initC();
});

test('a mid-function hunk is wrapped and its statements parse', () => {
  const h = hunk(MPROTECT, 'sys_mprotect');
  const t = parseHunk(h);
  for (const f of [t.pre, t.post]) {
    assert.equal(f.wrapped, true);
    assert.equal(f.errorCount, 0, f.source);
    assert.equal(f.scope.type, 'compound_statement');
    assert.equal(f.functionName, 'sys_mprotect');
  }
  assert.equal(t.functionName, 'sys_mprotect');
  const pre = only(findAssignments(t.pre.scope, 'newflags'));
  const post = only(findAssignments(t.post.scope, 'newflags'));
  assert.equal(keptBits(evaluate(pre.right!, { lookup }), 'vma->vm_flags'), MASK64 & ~7n);
  assert.equal(keptBits(evaluate(post.right!, { lookup }), 'vma->vm_flags'), MASK64 & ~0x20007n);
  const check = only(findConditions(t.post.scope));
  assert.deepEqual(matchAccessCheck(evaluate(check.test, {}))?.shift, 4n);
});

test('positions map back to document lines and columns, wrapper maps to nothing', () => {
  const t = parseHunk(hunk(MPROTECT, 'sys_mprotect', 101, 5));
  const post = only(findAssignments(t.post.scope, 'newflags'));
  const r = t.post.range(post.node)!;
  // hunk line 4 is the `+` line: document line 105; text starts at column 5, two tabs before `newflags`.
  assert.deepEqual(r, { line: 105, column: 7, endLine: 105, endColumn: 7 + post.node.text.length, firstHunkLine: 4, lastHunkLine: 4 });
  assert.equal(t.post.touchesChange(post.node), true);
  const pre = only(findAssignments(t.pre.scope, 'newflags'));
  assert.equal(t.pre.range(pre.node)!.line, 104);
  assert.equal(t.pre.touchesChange(pre.node), true);
  // The `vma->vm_flags` field inside the post line.
  const field = descendants(post.node, 'field_expression')[0]!;
  const fr = t.post.range(field)!;
  const text = h(t).lines[4]!.text;
  assert.equal(fr.column, 5 + text.indexOf('vma->vm_flags'));
  // The synthetic function header maps to no document position.
  const fn = descendants(t.post.root, 'function_definition')[0]!;
  assert.equal(t.post.position(fn.startIndex), null);
  assert.equal(t.post.isSynthetic(fn.childForFieldName('declarator')!), true);
  assert.equal(t.post.isWrapper(fn), true);
  assert.equal(t.post.isWrapper(fn.childForFieldName('body')!), true);
  assert.equal(t.post.isWrapper(post.node), false);
  assert.equal(t.post.isWrapper(descendants(t.post.root, 'if_statement')[0]!), false);
  // A node spanning the whole wrapper is clipped to the hunk's own lines.
  const whole = t.post.range(fn)!;
  assert.equal(whole.line, 101);
  assert.equal(whole.endLine, 108);
  // Context lines exist on both sides; the removed line only on pre.
  assert.equal(t.pre.rowOfHunkLine(4), undefined);
  assert.equal(t.post.rowOfHunkLine(3), undefined);
  assert.equal(t.post.nodeAtHunkLine(4)!.type, 'expression_statement');
});

function h(t: { hunk: Hunk }): Hunk {
  return t.hunk;
}

test('the enclosing function comes from a visible definition, else the hunk header', () => {
  const visible = parseHunk(hunk([
    ' }',
    ' ',
    ' static int mlx_mmap(struct ib_ucontext *ctx, struct vm_area_struct *vma)',
    ' {',
    '+\tvma->vm_flags |= VM_IO | VM_DONTCOPY;',
    ' \treturn 0;',
    ' }',
  ], 'previous_function'));
  assert.equal(visible.functionName, 'mlx_mmap');
  const a = only(findAssignments(visible.post.root, 'vma->vm_flags'));
  assert.equal(enclosingFunctionName(a.node, visible.post), 'mlx_mmap');
  // A node before the visible definition belongs to the header's function.
  const t = parseHunk(hunk([' \tx = 1;', ' }', ' ', ' static int g(void)', ' {', '+\ty = 2;', ' }'], 'first_fn'));
  const x = only(findAssignments(t.post.root, 'x'));
  assert.equal(enclosingFunctionName(x.node, t.post), 'first_fn');
  const y = only(findAssignments(t.post.root, 'y'));
  assert.equal(enclosingFunctionName(y.node, t.post), 'g');
  assert.equal(t.post.errorCount, 0, t.post.source);
});

test('SYSCALL_DEFINE, __user and list_for_each_entry still give usable trees', () => {
  const t = parseHunk(hunk([
    ' SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,',
    ' \t\tunsigned long, prot)',
    ' {',
    ' \tconst void __user *uaddr = (const void __user *)start;',
    ' \tlist_for_each_entry(vma, &mm->mmap_list, vm_list) {',
    '-\t\tvma->vm_flags &= ~VM_DONTCOPY;',
    '+\t\tvm_flags_clear(vma, VM_DONTCOPY);',
    ' \t}',
    ' \treturn do_mprotect_pkey(start, len, prot, -1);',
    ' }',
  ], null));
  assert.equal(t.functionName, 'sys_mprotect');
  const clear = only(findAssignments(t.pre.root, 'vma->vm_flags'));
  assert.equal(clear.operator, '&=');
  assert.equal(enclosingFunctionName(clear.node, t.pre), 'sys_mprotect');
  const call = only(findCalls(t.post.root, 'vm_flags_clear'));
  assert.equal(call.args.map((a) => a.text).join(','), 'vma,VM_DONTCOPY');
  assert.equal(t.post.range(call.node)!.line, 107);
  assert.equal(only(findCalls(t.post.root, /^list_for_each/)).name, 'list_for_each_entry');
});

test('assignments inside ERROR regions are still found', () => {
  const t = parseHunk(hunk([' \tfoo();', '+\t@@@ newflags = vm_flags | (vma->vm_flags & ~VM_DONTCOPY) @@@'], 'f'));
  assert.ok(t.post.errorCount > 0);
  const a = only(findAssignments(t.post.root, 'newflags'));
  let inError = false;
  for (let p: Node | null = a.node.parent; p; p = p.parent) if (p.type === 'ERROR') inError = true;
  assert.ok(inError, 'the fixture should put the assignment inside an ERROR node');
  assert.equal(keptBits(evaluate(a.right!, { lookup }), 'vma->vm_flags'), MASK64 & ~0x20000n);
});

test('mangled quoting: tabs turned to spaces, NBSP, sparse annotations parse cleanly', () => {
  const t = parseHunk(hunk([
    '     newflags = vm_flags | (vma->vm_flags & ~(VM_READ |\u00a0VM_WRITE));',
    '+    if (newflags & VM_IO)',
    '+            newflags |= VM_DONTCOPY;',
  ], 'sys_mprotect'));
  assert.equal(t.post.errorCount, 0, t.post.source);
  const first = findAssignments(t.post.scope, 'newflags')[0]!;
  assert.equal(keptBits(evaluate(first.right!, { lookup }), 'vma->vm_flags'), MASK64 & ~3n);
  // The NBSP was replaced one for one: columns after it are exact.
  const id = descendants(first.node, (n) => n.text === 'VM_WRITE')[0]!;
  assert.equal(t.post.range(id)!.column, 2 + t.hunk.lines[0]!.text.indexOf('VM_WRITE'));
});

test('windows that start or end inside a comment, #ifdef or block', () => {
  const t = parseHunk(hunk([
    '  * keep the access bits only',
    '  */',
    ' #ifdef CONFIG_MMU',
    '+\tnewflags |= VM_DONTCOPY;',
    ' \tif (newflags & VM_IO) {',
    ' \t\terror = -EINVAL;',
    ' /* a comment that goes on',
  ], 'do_mprotect_pkey'));
  assert.equal(t.post.errorCount, 0, t.post.source);
  assert.equal(only(findAssignments(t.post.root, 'newflags')).operator, '|=');
  assert.equal(only(findConditions(t.post.root)).test.text, 'newflags & VM_IO');
});

test('the seed case from the quoted reply: the + line maps to its quoted document position', () => {
  const text = readFileSync('test-fixtures/examples/prot-dontcopy-reply.eml', 'utf8');
  const ps = readDocument(text);
  const docLines = text.split('\n');
  const hunks = ps.patches.flatMap((p) => p.files.flatMap((f) => f.hunks));
  const mprotect = hunks.find((x) => x.lines.some((l) => l.text.includes('newflags = vm_flags')))!;
  assert.ok(mprotect, 'reader found the mprotect hunk');
  const t = parseHunk(mprotect);
  assert.equal(t.functionName, 'sys_mprotect');
  const a = only(findAssignments(t.post.root, 'newflags'));
  const r = t.post.range(a.node)!;
  const plusLine = docLines.findIndex((l) => /^[> ]*\+\s+newflags = vm_flags/.test(l)) + 1;
  assert.equal(r.line, plusLine);
  assert.equal(r.column, docLines[plusLine - 1]!.indexOf('newflags') + 1);
  assert.equal(keptBits(evaluate(a.right!, { lookup }), 'vma->vm_flags'), MASK64 & ~0x20007n);
  const pre = only(findAssignments(t.pre.root, 'newflags'));
  assert.equal(keptBits(evaluate(pre.right!, { lookup }), 'vma->vm_flags'), MASK64 & ~7n);
  // Every hunk of the reply parses without grammar errors.
  for (const x of hunks) {
    const tt = parseHunk(x);
    assert.equal(tt.post.errorCount + tt.pre.errorCount, 0, tt.post.source);
  }
});

test('parseHunk caches per hunk object', () => {
  const h1 = hunk(MPROTECT, 'sys_mprotect');
  assert.equal(parseHunk(h1), parseHunk(h1));
  assert.notEqual(parseHunk(h1), parseHunk(hunk(MPROTECT, 'sys_mprotect')));
});

test('odd hunks never throw: empty, only removals, binary junk', () => {
  const odd: string[][] = [[], ['-only removed'], ['+\u0000\u0001\u0002'], [' }}}}}', '+{{{{'], [' */ */ /*'], [' #endif', ' #endif'], [' "unterminated'], ['+' + 'x'.repeat(5000)]];
  for (const lines of odd) {
    const t = parseHunk(hunk(lines, null));
    const frag: CFragment = t.post;
    assert.equal(typeof frag.errorCount, 'number');
    for (const n of descendants(frag.root, () => true)) frag.range(n);
  }
});

test('the post image parsed incrementally from the pre image equals a fresh parse', async () => {
  const { cParser } = await import('../../src/c/index');
  const text = readFileSync('test-fixtures/examples/prot-dontcopy-reply.eml', 'utf8');
  const hunks = readDocument(text).patches.flatMap((p) => p.files.flatMap((f) => f.hunks));
  hunks.push(hunk(MPROTECT, 'sys_mprotect'), hunk([' \tx = (1 +;', '+\tnewflags = a | b;', '-\t}', ' \t]'], 'f'));
  for (const x of hunks) {
    const t = parseHunk(x);
    const fresh = cParser().parse(t.post.source)!;
    assert.equal(t.post.root.toString(), fresh.rootNode.toString());
    fresh.delete();
  }
});

test('a window that stops mid-statement is closed synthetically', () => {
  const t = parseHunk(hunk([
    '+\tvma->vm_flags |= VM_IO | VM_DONTCOPY;',
    ' \tif (io_remap_pfn_range(vma, vma->vm_start,',
  ], 'mthca_mmap_uar'));
  assert.equal(t.post.errorCount, 0, t.post.source);
  const call = only(findCalls(t.post.root, 'io_remap_pfn_range'));
  assert.deepEqual(call.args.filter((a) => !t.post.isSynthetic(a)).map((a) => a.text), ['vma', 'vma->vm_start']);
  assert.equal(only(findAssignments(t.post.root, 'vma->vm_flags')).operator, '|=');
});

test('a brace-less loop macro does not glue itself onto the next lvalue', () => {
  const t = parseHunk(hunk([
    ' \tlist_for_each_entry(vma, &mm->mmap, vm_list)',
    '+\t\tvma->vm_flags &= ~VM_DONTCOPY;',
    ' \tfor_each_vma(vmi, vma)',
    '+\t\tvm_flags_clear(vma, VM_IO);',
  ], 'f'));
  const a = only(findAssignments(t.post.root));
  assert.equal(a.target, 'vma->vm_flags');
  assert.equal(printValue(evaluate(a.left, {})), 'vma->vm_flags');
  assert.equal(only(findCalls(t.post.root, 'vm_flags_clear')).args.length, 2);
});

test('lock annotations on a definition do not break it', () => {
  const t = parseHunk(hunk([
    ' static void lock_all(struct mm_struct *mm) __acquires(&mm->mmap_lock)',
    ' {',
    '+\tmm->def_flags |= VM_NOHUGEPAGE;',
    ' }',
  ], null));
  assert.equal(t.post.errorCount, 0, t.post.source);
  assert.equal(t.functionName, 'lock_all');
});

test('braces inside a multi-line #define do not count as blocks', () => {
  const t = parseHunk(hunk([
    '+#define CLEAR_DONTCOPY(vma) do { \\',
    '+\t(vma)->vm_flags &= ~VM_DONTCOPY; \\',
    '+} while (0)',
    ' ',
    ' static int f(void)',
    ' {',
    ' \treturn 0;',
    ' }',
  ], 'previous'));
  assert.equal(t.post.wrapped, false);
  assert.equal(t.post.errorCount, 0, t.post.source);
  assert.equal(t.functionName, 'f');
});

test('property: random windows of kernel-like lines never throw and map inside their lines', async () => {
  const fc = (await import('fast-check')).default;
  const pool = [
    '\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE));', '\tif ((newflags & ~(newflags >> 4)) & 0xf) {', '\t}', '}', '{',
    '\tcase MADV_DONTFORK:', '\t\tnew_flags |= VM_DONTCOPY;', '\t\tbreak;', '#define PROT_X 0x10 /* x */', '#define F(a) \\', '\t(a)',
    '/* start of a comment', ' * inside', ' */', '#ifdef CONFIG_MMU', '#endif', '\tlist_for_each_entry(vma, &mm->mmap, vm_list) {',
    'SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,', '\t\tunsigned long, prot)', 'static int f(void __user *p)',
    '\tx = "str { with brace";', "\tc = '{';", '\tfoo(a,', '\t\tb);', '', '@@@ junk )))', '\u00a0\u00a0 y = 1;', '\tvm_flags_set(vma, VM_IO);',
  ];
  const line = fc.record({ kind: fc.constantFrom(' ', '+', '-'), text: fc.constantFrom(...pool), column: fc.integer({ min: 1, max: 9 }) });
  fc.assert(
    fc.property(fc.array(line, { maxLength: 14 }), fc.option(fc.constantFrom('sys_mprotect', 'madvise_behavior')), (ls, fn) => {
      const h: Hunk = {
        oldStart: 1, oldLines: 0, newStart: 1, newLines: 0, header: fn ?? '', functionName: fn, line: 1, column: 1,
        lines: ls.map((l, i) => ({ kind: l.kind as HunkLine['kind'], text: l.text, line: 2 + i, column: l.column })),
      };
      const t = parseHunk(h);
      for (const f of [t.pre, t.post]) {
        for (const n of descendants(f.root, () => true)) {
          const r = f.range(n);
          if (!r) continue;
          const first = h.lines[r.firstHunkLine]!;
          const last = h.lines[r.lastHunkLine]!;
          assert.equal(r.line, first.line);
          assert.equal(r.endLine, last.line);
          assert.ok(r.column >= first.column && r.column <= first.column + first.text.length, `${n.type} start`);
          assert.ok(r.endColumn >= last.column && r.endColumn <= last.column + last.text.length, `${n.type} end`);
          const drop = f.side === 'pre' ? '+' : '-';
          assert.notEqual(first.kind, drop);
        }
      }
      findAssignments(t.post.root);
      findCalls(t.pre.root);
    }),
    { seed: 2024, numRuns: 150 },
  );
});
