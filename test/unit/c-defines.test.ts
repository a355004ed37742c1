// #define changes: added/removed/changed/unchanged, positions, values through the patch's
// own macros and the caller's table, function-like macros for the evaluator.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initC, collectDefineChanges, patchMacros, evaluateText, evaluateInContext, findAssignments, parseHunk, keptBits, MASK64 } from '../../src/c/index';
import { readDocument } from '../../src/patch/index';

const TABLE: Record<string, bigint> = { VM_READ: 1n, VM_WRITE: 2n, VM_EXEC: 4n, VM_DONTCOPY: 0x20000n };
const lookup = (n: string) => TABLE[n];

before(async () => {
  await initC();
});

const HEADER_PATCH = `diff --git a/include/uapi/asm-generic/mman-common.h b/include/uapi/asm-generic/mman-common.h
--- a/include/uapi/asm-generic/mman-common.h
+++ b/include/uapi/asm-generic/mman-common.h
@@ -10,9 +10,9 @@
 #define PROT_READ	0x1		/* page can be read */
 #define PROT_WRITE	0x2		/* page can be written */
 #define PROT_EXEC	0x4		/* page can be executed */
-#define PROT_SEM	0x8		/* page may be used for atomic ops */
+#define PROT_SEM	0x10		/* page may be used for atomic ops */
 #define PROT_NONE	0x0		/* page can not be accessed */
-#define PROT_GROWSDOWN	0x01000000
+#define PROT_GROWSDOWN	 0x01000000
+#define PROT_DONTCOPY	(PROT_SEM << 4)	/* moved here */
 #define PROT_GROWSUP	0x02000000
-#define PROT_OLD	0x40
 
`;

test('added, removed, changed and reformatted defines with values and positions', () => {
  const ps = readDocument(HEADER_PATCH);
  assert.deepEqual(ps.problems, []);
  const changes = collectDefineChanges(ps, { lookup });
  const by = new Map(changes.map((c) => [c.name, c]));
  assert.deepEqual(changes.map((c) => `${c.status} ${c.name}`).sort(), ['added PROT_DONTCOPY', 'changed PROT_SEM', 'removed PROT_OLD', 'unchanged PROT_GROWSDOWN']);
  const sem = by.get('PROT_SEM')!;
  assert.deepEqual(sem.beforeValue, { ok: true, value: 8n });
  assert.deepEqual(sem.afterValue, { ok: true, value: 0x10n });
  assert.equal(sem.path, 'include/uapi/asm-generic/mman-common.h');
  assert.equal(sem.before!.line, 8);
  assert.equal(sem.after!.line, 9);
  assert.equal(sem.after!.column, 2);
  // The value range covers `0x10` on line 9.
  const line9 = HEADER_PATCH.split('\n')[8]!;
  assert.equal(sem.after!.valueRange!.column, line9.indexOf('0x10') + 1);
  // PROT_DONTCOPY is evaluated with the post-image PROT_SEM (0x10), not the old 0x8.
  assert.deepEqual(by.get('PROT_DONTCOPY')!.afterValue, { ok: true, value: 0x100n });
  assert.equal(by.get('PROT_OLD')!.after, null);
  assert.deepEqual(by.get('PROT_OLD')!.beforeValue, { ok: true, value: 0x40n });
  const context = collectDefineChanges(ps, { lookup, includeContext: true }).filter((c) => c.status === 'context').map((c) => c.name);
  assert.deepEqual(context, ['PROT_READ', 'PROT_WRITE', 'PROT_EXEC', 'PROT_NONE', 'PROT_GROWSUP']);
});

test('continuation lines, function-like macros, and a split mask through the macro', () => {
  const ps = readDocument(readFileSync('test-fixtures/c/mprotect-split-mask.patch', 'utf8'));
  const changes = collectDefineChanges(ps, { lookup });
  const keep = changes.find((c) => c.name === 'MPROTECT_KEEP_OFF')!;
  assert.equal(keep.status, 'added');
  assert.equal(keep.after!.body, '(VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY)');
  assert.deepEqual(keep.afterValue, { ok: true, value: 0x20007n });
  assert.equal(keep.after!.line, 12);
  assert.equal(keep.after!.endLine, 13);
  const trans = changes.find((c) => c.name === 'VM_TRANS')!;
  assert.deepEqual(trans.after!.params, ['x', 'a', 'b']);
  assert.equal(trans.afterValue, null);

  const macros = patchMacros(ps, 'post');
  assert.deepEqual(evaluateText('VM_TRANS(VM_WRITE, VM_WRITE, VM_DONTCOPY) | ~MPROTECT_KEEP_OFF', lookup, { macros }), { ok: true, value: 0x20000n | (MASK64 & ~0x20007n) });

  // The mprotect hunk: `mask = ~MPROTECT_KEEP_OFF; newflags = vm_flags | (vma->vm_flags & mask);`
  const t = parseHunk(ps.patches[0]!.files[1]!.hunks[0]!);
  const pre = findAssignments(t.pre.scope, 'newflags')[0]!;
  const post = findAssignments(t.post.scope, 'newflags')[0]!;
  const env = { lookup, macros };
  assert.equal(keptBits(evaluateInContext(pre.right!, t.pre.scope, env), 'vma->vm_flags'), MASK64 & ~7n);
  assert.equal(keptBits(evaluateInContext(post.right!, t.post.scope, env), 'vma->vm_flags'), MASK64 & ~0x20007n);
});

test('an unresolved name in a define is reported by name', () => {
  const ps = readDocument(`--- a/x.h
+++ b/x.h
@@ -1,1 +1,2 @@
 #define A 1
+#define B (A | VM_NOT_IN_TABLE)
`);
  const b = collectDefineChanges(ps, { lookup }).find((c) => c.name === 'B')!;
  assert.deepEqual(b.afterValue, { ok: false, error: "unknown identifier 'VM_NOT_IN_TABLE'", identifier: 'VM_NOT_IN_TABLE' });
});

test('the quoted reply: PROT_DONTCOPY added in asm-i386/mman.h at its quoted position', () => {
  const text = readFileSync('test-fixtures/examples/prot-dontcopy-reply.eml', 'utf8');
  const ps = readDocument(text);
  const added = collectDefineChanges(ps, { lookup }).filter((c) => c.status === 'added');
  assert.deepEqual(added.map((c) => c.name), ['PROT_DONTCOPY']);
  const d = added[0]!;
  assert.equal(d.path, 'include/asm-i386/mman.h');
  assert.deepEqual(d.afterValue, { ok: true, value: 0x04000000n });
  const lines = text.split('\n');
  assert.match(lines[d.after!.line - 1]!, /\+#define PROT_DONTCOPY/);
  assert.equal(d.after!.column, lines[d.after!.line - 1]!.indexOf('#define') + 1);
});

test('defines the grammar buries in broken code are still found, by node or by line', async () => {
  const { definesInFragment } = await import('../../src/c/index');
  const mk = (lines: string[]) => ({
    oldStart: 1, oldLines: 0, newStart: 1, newLines: 0, header: '', functionName: null, line: 10, column: 1,
    lines: lines.map((l, i) => ({ kind: l[0] as ' ' | '+' | '-', text: l.slice(1), line: 11 + i, column: 2 })),
  });
  const cases: [string[], string, string][] = [
    [[' \tfoo(a,', '+#define VM_NEW 0x10', ' \t\tb);'], 'VM_NEW', '0x10'],
    [[' static const int x[] = { 1,', '+#define PROT_X 0x20 /* c */', ' 2 };'], 'PROT_X', '0x20'],
    [[' @@@ garbage {', '+#define PROT_Y (1UL << 35)', ' ]]'], 'PROT_Y', '(1UL << 35)'],
    [[' \tint a = (1 +', '+#define PROT_Z \\', '+\t(PROT_Y | \\', '+\t 0x1)', ' \t\t2);'], 'PROT_Z', '(PROT_Y | 0x1)'],
  ];
  for (const [lines, name, body] of cases) {
    const t = parseHunk(mk(lines));
    const defs = definesInFragment(t.post, 'x.h', 0);
    assert.equal(defs.length, 1, JSON.stringify(lines));
    assert.equal(defs[0]!.name, name);
    assert.equal(defs[0]!.body, body);
    assert.equal(defs[0]!.line, 12);
    assert.equal(defs[0]!.column, 2);
    assert.equal(defs[0]!.changed, true);
  }
});

test('a define is evaluated with its own file\'s macros before other files\' ones', () => {
  const ps = readDocument(`--- a/arch/alpha/include/uapi/asm/mman.h
+++ b/arch/alpha/include/uapi/asm/mman.h
@@ -1,1 +1,3 @@
 #define PROT_BASE 0x100
+#define PROT_DONTCOPY (PROT_BASE << 1)
+#define PROT_SELF PROT_SELF
--- a/include/uapi/asm-generic/mman-common.h
+++ b/include/uapi/asm-generic/mman-common.h
@@ -1,1 +1,2 @@
 #define PROT_BASE 0x10
+#define PROT_DONTCOPY (PROT_BASE << 1)
`);
  const got = collectDefineChanges(ps, { lookup }).map((c) => [c.path, c.name, c.afterValue]);
  assert.deepEqual(got, [
    ['arch/alpha/include/uapi/asm/mman.h', 'PROT_DONTCOPY', { ok: true, value: 0x200n }],
    ['arch/alpha/include/uapi/asm/mman.h', 'PROT_SELF', { ok: false, error: "unknown identifier 'PROT_SELF'", identifier: 'PROT_SELF' }],
    ['include/uapi/asm-generic/mman-common.h', 'PROT_DONTCOPY', { ok: true, value: 0x20n }],
  ]);
});
