// The bridge answers some questions from the source text instead of asking the tree node by
// node (each node read through wasm is costly). Each shortcut here is compared with the walk
// it replaces (written out below as the reference), on windows spelled to trip it up and on
// every side of every fixture.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Node } from 'web-tree-sitter';
import {
  descendants, findAssignments, functionDefinitionName, initC, normalizeText, parseHunk, printValue, sideFragments, SYNTHETIC_FUNCTION,
  type CFragment,
} from '../../src/c/index';
import { assignmentOf } from '../../src/c/queries';
import { readPatchSet } from '../../src/patch/index';
import { SideEnv, vmFlagAliases, VMA_FLAGS } from '../../src/bridge/env';
import { allOwn, errnoOf, functionScopes, hasOwnIdentifier, visibleDefinitions } from '../../src/bridge/hooks/common';
import { assignmentParts, copyOfVmFlags, flagOperatorAssignments, guardErrno, isCaseOf } from '../../src/bridge/hooks/madvise';
import { identifiersOf, namesRead } from '../../src/bridge/hooks/mprotect';
import { argumentsOf, macrosUsed } from '../../src/bridge/hooks/common';
import { SWITCHES_AND_CASES } from '../../src/c/queries';
import { ownCallsTo } from '../../src/bridge/hooks/driver';

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
  // One spelling per window, so that each decides the answer alone.
  ['+\tnew_flags2 = x_new_flags + _new_flags;'],
  ['+\ta = 1ULnew_flags;'],
  ['+\ta = 0x1fnew_flags;'],
  ['+\ty = "new_flags" /* new_flags */;'],
  ['+\tz = new_flags\\', '+2;'],
  ['+\tz = x_\\', '+new_flags;'],
  ['+\tmask_off_old_flags1 = vma->vm_flags2 + vm_flagsx;'],
  ['+\tnf = vma->vm_flags;'],
  ['+\tother = (vma->vm_flags);'],
  ['+\tb = vma-> /* c */ vm_flags;'],
  ['+\tx = 1remap_pfn_range(vma, a, b, c, p);'],
  ['+\tx = 1vm_flags_set(vma, VM_IO);'],
  [
    '+\tio_remap_pfn_range(vma, a, b, PAGE_SIZE, p);', '+\tremap_pfn_range_x(vma, a, b, c, p);', '+\t__remap_pfn_range(vma, a, b, c, p);', '+\tmy_remap_pfn_range(vma);',
    '+\t(remap_pfn_range)(vma, a, b, c, p);', '+\tvm_flags_set (vma, VM_IO);', '+\tvm_flags_set_x(vma, VM_IO);', '+\t/* vm_flags_clear(vma, 1) */ s = "remap_pfn_range(";',
    '+\trdma_user_mmap_io(uctx, vma, pfn, PAGE_SIZE, prot, vm_flags_mod(vma, 1, 2));',
  ],
  // Copies of vm_flags: what may follow the value of an assignment, and what may not.
  ['+\tx = vma->vm_flags & y;'], ['+\tx = vma->vm_flags /* c */;'], ['+\tx = vma->vm_flags // c', '+\t;'], ['+\tc ? x = vma->vm_flags : y;'],
  ['+\tx = vma->vm_flags = 3;'], ['+\tx = vma->vm_flags, y = 2;'], ['+\tf(x = vma->vm_flags);'], ['+\tx = vma->vm_flags--;'], ['+\tunsigned long x = vma->vm_flags, y;'],
  ['+\tx = vma->vm_flags\\', '+;'], ['+\tx = vma->vm_flags', '+#ifdef A', '+;', '+#endif'], ['+\tx = vma->vm_flags/2;'], ['+\tx = vma->vm_flags ?: 1;'], ['+\tint a[2] = { vma->vm_flags };'],
  ['+\tx = vma->vm_flags[0];'], ['+\tx = vma->vm_flags > y;'], ['+\ty = z = vma->vm_flags;'],
  // Names an expression reads, and call arguments with comments.
  ['+\tnewflags = a + b;', '+\tx = (newflags /* mask */ & ~mask) | vma -> vm_flags | p.q;', '+\ty = mask + newflags + x;'],
  ['+\tf(a, /* c */ b);', '+\tg(a // c', '+\t, b);', '+\th("a/b", c, a / b);', '+\tk();'],
  // Switches and cases, some under conditionals.
  ['+\tswitch (behavior) {', '+\tcase MADV_A:', '+#ifdef CONFIG_X', '+\tcase MADV_B:', '+#endif', '+\t\tbreak;', '+\tdefault:', '+\t\tswitch (x) { case 1: break; }', '+\t}'],
  // Windows the wrapper opens in odd ways: a closing brace first, a comment left open, a
  // function start, a syscall, a macro, a stray parenthesis.
  ['+\t}', '+\treturn 0;', '+}', '+static int h(void)', '+{', '+\treturn 1;'],
  ['+\t * still a comment */', '+\tx = 1;'],
  ['+SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,', '+\t\tunsigned long, prot)', '+{', '+\treturn 0;', '+}'],
  ['+\t\tbreak;', '+\t}', '+\t}', '+\treturn 0;', '+}', '+void __mmlens_fragment(void) { }'],
  ['+\t) {', '+\t\tx = 1;'],
  ['+#define F(x) ((x) + 1)', '+\t__attribute__((unused)) int y = F(2);'],
  // |= and &= spelled as operators and otherwise.
  [
    '+\t/* a |= b; */ s = "c &= d";', '+\ta |= b |= c;', '+\ta &= ~(b |= c);', '+\tx |= ({ y &= 1; 2; });', '+\tfor (i = 0; i < n; i |= 1) m &= i;',
    '+#define SET(v) ((v) |= VM_IO)', '+\tp->q.r |= VM_IO; *p &= 3; a[i] |= 1;',
  ],
  // Assignments spelled simply and not: blanks, comments, continuations, fields, compound
  // operators, comparisons, $ and non-ASCII names.
  [
    '+\tnew_flags |= VM_IO;', '+\tnew_flags\t&=\n~VM_IO;', '+\tnew_flags /* c */ |= 1;', '+\tnew_flags \\', '+\t\t^= 2;', '+\ta$b = 1;', '+\tx = y = 3;',
    '+\tp->f |= 1;', '+\ta[0] &= 1;', '+\tn += 1;', '+\tn <<= 1;', '+\tif ((r = f()) == 0) g();', '+\tnäme = 1;', '+\t(x) = 2;', '+\terr = -EINVAL;',
  ],
  // Guards' errnos spelled simply and not.
  [
    '+\tif (a) return -EINVAL;', '+\tif (b)', '+\t\treturn -EINVAL;', '+\tif (c) return - EPERM ;', '+\tif (d) return (-EINVAL);', '+\tif (e) return -EINVAL_X;',
    '+\tif (f) /* c */ return -EINVAL;', '+\tif (g) return -EINVAL; else return -ENOMEM;', '+\tif (h) { error = -EINVAL; break; }', '+\tif (i) return -E2BIG;',
    '+\tif (j) return -EINVAL /* c */;', '+\tif (k) return -EINVALx;', '+\tif (l) return EINVAL;', '+\tif (m) return -EAGAIN, 1;', '+\tif (n) return -EINVAL', '+\t;',
  ],
  ['+\tx ||= y;', '+\tz |== 1;'], ['+#if A |= B', '+\tw &= 1;', '+#endif'], ['+\ts = "|= x" "&= y";', '+#define Z |= 1'], ['+\tint a |= 1;'],
  ['+static int g_mmap(void) {', '+\tremap_pfn_range(vma, a, b, c, p);', '+\treturn new_flags;', '+}', '+\tremap_pfn_range(vma, a, b, c, p);', '+\tnew_flags = vma->vm_flags;'],
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

const NAMES = [['new_flags'], ['mask_off_old_flags'], ['vm_flags'], ['remap_pfn_range', 'io_remap_pfn_range', 'rdma_user_mmap_io'], ['x', 'vma']];

test('own identifiers: the text shortcut finds what the walk finds', () => {
  let found = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    for (const scope of functionScopes(f)) {
      if (!allOwn(scope, f)) continue; // the shortcut is for scopes without nested definitions
      const ids = descendants(scope.node, 'identifier').map((n) => n.text);
      for (const names of NAMES) {
        const walk = ids.some((t) => names.includes(t));
        assert.equal(hasOwnIdentifier(scope, f, names), walk, `${names}: ${f.source}`);
        if (walk) found++;
      }
    }
  }
  assert.ok(found > 50);
});

/** copyOfVmFlags as it was before the word test (every place `vm_flags` is spelled asked). */
function copyOfVmFlagsByTree(scope: Node, fragment: CFragment): string | null {
  const src = fragment.source;
  const from = scope.startIndex;
  const to = scope.endIndex;
  let first: { target: string; start: number; end: number; rank: number } | null = null;
  let rank = 0;
  for (let at = src.indexOf('vm_flags', from); at >= 0 && at + 8 <= to; at = src.indexOf('vm_flags', at + 1)) {
    const end = at + 8;
    const word = fragment.root.descendantForIndex(at, end);
    if (!word || word.startIndex !== at || word.endIndex !== end) continue;
    for (let n: Node | null = word.parent, above = false; n && !above; n = n.parent) {
      const nEnd = n.endIndex;
      above = nEnd !== end;
      if (n.type !== 'assignment_expression' && n.type !== 'init_declarator') continue;
      const start = n.startIndex;
      if (start < from || nEnd > to) continue;
      const a = assignmentOf(n);
      rank++;
      if (!a || a.operator !== '=' || !a.right || !/^[A-Za-z_]\w*$/.test(a.target) || !/->vm_flags$/.test(a.right.text.replace(/\s+/g, ''))) continue;
      if (!first || start < first.start || (start === first.start && (nEnd > first.end || (nEnd === first.end && rank > first.rank)))) first = { target: a.target, start, end: nEnd, rank };
    }
  }
  return first ? first.target : null;
}

test('copy of vm_flags: the word test keeps what asking every spelling gives', () => {
  let found = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    for (const scope of functionScopes(f)) {
      const want = copyOfVmFlagsByTree(scope.node, f);
      assert.equal(copyOfVmFlags(scope.node, f), want, f.source);
      // And what the walk over the scope's assignments gives.
      const byWalk = findAssignments(scope.node).find((a) => a.operator === '=' && a.right && /^[A-Za-z_]\w*$/.test(a.target) && /->vm_flags$/.test(a.right.text.replace(/\s+/g, '')));
      assert.equal(want, byWalk?.target ?? null, f.source);
      if (want) found++;
    }
  }
  assert.ok(found > 5);
});

test('own calls to names: the text shortcut finds what the walk finds', () => {
  const names = ['io_remap_pfn_range', 'remap_pfn_range', 'rdma_user_mmap_io', 'vm_flags_set', 'vm_flags_clear', 'vm_flags_mod'];
  let found = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    for (const scope of functionScopes(f)) {
      if (!allOwn(scope, f)) continue;
      const walk = descendants(scope.node, 'call_expression').map((c) => ({ id: c.id, name: c.childForFieldName('function')?.text ?? '' })).filter((c) => names.includes(c.name));
      const got = ownCallsTo(scope, f, names);
      assert.deepEqual(got.calls.map((c, i) => ({ id: c.id, name: got.names[i] })), walk, f.source);
      found += walk.length;
    }
  }
  assert.ok(found > 10);
});

test('case or switch: the keyword tells in error-free trees', () => {
  let cases = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    const isCase = isCaseOf(f);
    for (const n of descendants(f.root, SWITCHES_AND_CASES)) {
      const want = n.type === 'case_statement';
      assert.equal(isCase(n), want, f.source);
      if (want) cases++;
    }
  }
  assert.ok(cases > 50);
});

test('names an expression reads: the text shortcut finds what the walk finds, in its order', () => {
  let found = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    for (const scope of functionScopes(f)) {
      const assignments = findAssignments(scope.node);
      const targets = assignments.map((a) => a.target);
      for (const a of assignments) {
        if (!a.right) continue;
        // The targets assigned so far (as the mprotect collector has them), then every name.
        const all = new Map([...targets, 'vma', 'newflags', 'mask', 'vma->vm_flags', 'p.q', ...identifiersOf(a.right)].map((t) => [t, true]));
        for (const names of [new Map(targets.map((t) => [t, true])), all]) {
          const want: string[] = identifiersOf(a.right).filter((id) => names.has(id));
          assert.deepEqual(namesRead(a.right, names, f), want, f.source);
          found += want.length;
        }
      }
    }
  }
  assert.ok(found > 100);
});

test('call arguments: comments left out as the type filter leaves them out', () => {
  let withComments = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    for (const c of descendants(f.root, 'call_expression')) {
      const all = c.childForFieldName('arguments')?.namedChildren ?? [];
      const want: number[] = all.filter((a): a is Node => a !== null && a.type !== 'comment').map((a) => a.id);
      if (want.length !== all.length) withComments++;
      assert.deepEqual(argumentsOf(c, f).map((a) => a.id), want, f.source);
    }
  }
  assert.ok(withComments >= 2);
});

test('the wrapper: the definition at the start of a wrapped error-free source is named as the wrapper', () => {
  let wrappers = 0;
  let wrappersInErrorTrees = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    const defs = descendants(f.root, 'function_definition');
    if (f.wrapped && !f.hasError) {
      for (const d of defs.filter((x) => x.startIndex === 0)) {
        assert.equal(functionDefinitionName(d), SYNTHETIC_FUNCTION, f.source);
        wrappers++;
      }
    }
    // CFragment.isWrapper (the position test the bridge and enclosingFunctionName use) names
    // only the wrapper, in trees with errors too.
    for (const d of defs.filter((x) => f.isWrapper(x))) {
      assert.equal(functionDefinitionName(d), SYNTHETIC_FUNCTION, f.source);
      if (f.hasError) wrappersInErrorTrees++;
    }
    // The visible definitions are those the names tell.
    const want = defs.filter((d) => functionDefinitionName(d) !== SYNTHETIC_FUNCTION && !f.isSynthetic(d)).map((d) => d.id);
    assert.deepEqual(visibleDefinitions(f).map((d) => d.id), want, f.source);
  }
  assert.ok(wrappers > 100);
  assert.ok(wrappersInErrorTrees > 10, `${wrappersInErrorTrees} wrappers in trees with errors`);
});

/** flagOperatorAssignments as it was: every check asked of the operator's node and parent. */
function flagOperatorAssignmentsByTree(scope: Node, fragment: CFragment): Array<{ id: number; target: string; operator: string }> {
  const src = fragment.source;
  const from = scope.startIndex;
  const to = scope.endIndex;
  const found: Array<{ id: number; target: string; operator: string; start: number }> = [];
  for (const op of ['|=', '&=']) {
    for (let at = src.indexOf(op, from); at >= 0 && at + 2 <= to; at = src.indexOf(op, at + 1)) {
      const token = fragment.root.descendantForIndex(at, at + 2);
      if (!token || token.startIndex !== at || token.endIndex !== at + 2 || token.type !== op) continue;
      const n = token.parent;
      if (!n || n.type !== 'assignment_expression' || n.childForFieldName('operator')?.startIndex !== at) continue;
      if (n.startIndex < from || n.endIndex > to) continue;
      const a = assignmentOf(n);
      if (a) found.push({ id: a.node.id, target: a.target, operator: a.operator, start: a.node.startIndex });
    }
  }
  return found.sort((x, y) => x.start - y.start).map(({ id, target, operator }) => ({ id, target, operator }));
}

test('|= and &= assignments: found where the source spells them as the walk of checks finds them', () => {
  let found = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    for (const scope of functionScopes(f)) {
      const want = flagOperatorAssignmentsByTree(scope.node, f);
      assert.deepEqual(flagOperatorAssignments(scope.node, f).map((a) => ({ id: a.node.id, target: a.target, operator: a.operator })), want, f.source);
      found += want.length;
    }
  }
  assert.ok(found > 50);
});

test('assignment parts: the source spelling gives what the fields give', () => {
  let simple = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    for (const e of descendants(f.root, 'assignment_expression')) {
      const want = {
        target: e.childForFieldName('left')?.text.replace(/\s+/g, ''),
        op: e.childForFieldName('operator')?.type ?? '=',
        right: e.childForFieldName('right')?.id,
      };
      const got = assignmentParts(e, f);
      assert.deepEqual({ target: got.target, op: got.op, right: got.right()?.id }, want, e.text);
      if (!f.hasError) simple++;
    }
  }
  assert.ok(simple > 100);
});

/** The errno of a guard's body as read from its statements (guardOf before the shortcut). */
function guardErrnoByTree(stmt: Node): string | null {
  const body = stmt.childForFieldName('consequence');
  if (!stmt.childForFieldName('condition') || !body) return null;
  const stmts = body.type === 'compound_statement' ? body.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [body];
  let errno: string | null = null;
  for (const s of stmts) {
    if (s.type === 'return_statement') errno = errnoOf(s.namedChildren[0] ?? null);
    else if (s.type === 'expression_statement' && s.namedChildren[0]?.type === 'assignment_expression') errno = errnoOf(s.namedChildren[0]!.childForFieldName('right')) ?? errno;
  }
  return errno;
}

test('guard errnos: a `return -E;` read from the source gives what the statements give', () => {
  let found = 0;
  for (const f of [...trickySides(), ...everyFixtureSide()]) {
    for (const stmt of descendants(f.root, 'if_statement')) {
      const cond = stmt.childForFieldName('condition');
      if (!cond) continue;
      const want = guardErrnoByTree(stmt);
      assert.equal(guardErrno(stmt, cond, f), want, stmt.text);
      if (want) found++;
    }
  }
  assert.ok(found > 50);
});

/** macrosUsed as it was: the node's words found with a regular expression. */
function macrosUsedByRegExp(node: Node, env: SideEnv, fragment: CFragment): string[] {
  const out = new Set<string>();
  const known = (name: string) => env.macros.has(name) || env.hasHelper(name);
  const start = node.startIndex;
  const text = fragment.source.slice(start, node.endIndex);
  if (/[^\x00-\x7f]|\\/.test(text)) {
    for (const id of descendants(node, 'identifier')) if (known(id.text)) out.add(id.text);
    return [...out];
  }
  for (const m of text.matchAll(/[A-Za-z_$][A-Za-z0-9_$]*/g)) {
    const word = m[0];
    if (!known(word) || out.has(word)) continue;
    const at = start + m.index;
    const n = fragment.root.descendantForIndex(at, at + word.length);
    if (n && n.type === 'identifier' && n.startIndex === at && n.text === word) out.add(word);
  }
  return [...out];
}

const MACRO_WINDOW = [
  '+#define MAC 0x1', '+#define MAC2(x) ((x) | MAC)', '+#define OTHER MAC', '+#define _u 2', '+#define $d 3', '+static inline unsigned long helper(unsigned long v) { return v | MAC; }',
  '+\tnew_flags |= MAC | MAC2(OTHER) | helper(MAC) + _u + $d;', '+\tx = xMAC + MAC_x + MAC$ + $MAC + 1ULMAC + 0x1fMAC + 9_u;', '+\ty = "MAC" /* MAC */ + MAC;',
  '+\tz = MAC \\', '+\t\t| OTHER;', '+\tw = /* é */ MAC + OTHER;', '+\tif (v & MAC2(1)) return -EINVAL;', '+\tcase MAC:', '+\t\tbreak;',
];

test('macros used: the hand scan of words finds what the regular expression finds', () => {
  const walk = (d: string): string[] => readdirSync(d).flatMap((e) => {
    const p = join(d, e);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
  const texts = [
    hunkPatch(MACRO_WINDOW), hunkPatch(MACRO_WINDOW.slice(6)), ...TRICKY.map((w) => hunkPatch([...MACRO_WINDOW.slice(0, 6), ...w])),
    ...walk('test-fixtures').filter((f) => /\.(patch|eml|mbox|diff)$/.test(f)).map((f) => readFileSync(f, 'utf8')),
  ];
  const TYPES = ['expression_statement', 'if_statement', 'return_statement', 'assignment_expression', 'call_expression', 'identifier', 'number_literal', 'binary_expression', 'case_statement', 'init_declarator', 'preproc_def', 'comment'];
  let found = 0;
  for (const text of texts) {
    const set = readPatchSet(text);
    for (const side of ['pre', 'post'] as const) {
      const sides = sideFragments(set, side);
      const env = new SideEnv(side, 'v6.12', 'generic', set, sides);
      for (const { fragment } of sides) {
        for (const n of descendants(fragment.root, TYPES)) {
          const want = macrosUsedByRegExp(n, env, fragment);
          assert.deepEqual(macrosUsed(n, env, fragment), want, `${n.type} ${n.text}`);
          found += want.length;
        }
      }
    }
  }
  assert.ok(found > 100);
});
