// A window that closes a block it did not open has two candidate wrappings. When the text
// proves the lesser one scores at least 1 (src/c/wrapping-proof.ts), the deeper one is parsed
// first and, scoring 0, wins without the other being parsed. The choice must be exactly the
// one that parsing and scoring both candidates gives: these windows check it, and check that
// every window the proof accepts really scores at least 1 with the lesser wrapping.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initC, parseHunk } from '../../src/c/index';
import { candidateScores } from '../../src/c/fragment';
import { leastWrappingLeavesStatement } from '../../src/c/wrapping-proof';
import { readDocument, readPatchSet } from '../../src/patch/index';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Hunk } from '../../src/patch/types';

before(async () => {
  await initC();
});

function hunkOf(header: string, lines: string[]): Hunk {
  const pre = lines.filter((l) => !l.startsWith('+')).length;
  const post = lines.filter((l) => !l.startsWith('-')).length;
  const text = ['diff --git a/mm/x.c b/mm/x.c', '--- a/mm/x.c', '+++ b/mm/x.c', `@@ -10,${pre} +10,${post} @@${header}`, ...lines, ''].join('\n');
  return readDocument(text).patches[0]!.files[0]!.hunks[0]!;
}

/** Checks both sides of a window; returns how many sides took the shortcut. */
function check(header: string, lines: string[]): number {
  const hunk = hunkOf(header, lines);
  const trees = parseHunk(hunk);
  let shortcuts = 0;
  for (const fragment of [trees.pre, trees.post]) {
    const { levels, sources, scores, shortcut } = candidateScores(hunk, fragment.side);
    const why = `${fragment.side} of ${JSON.stringify(lines)}: levels ${levels}, scores ${scores}`;
    if (shortcut) {
      shortcuts++;
      assert.ok(scores[0]! >= 1, `the proof accepted a wrapping that scores 0: ${why}`);
    }
    // The second is tried only when the first scores above 0; then it wins on a lower score,
    // or on the same score with less wrapping.
    const second = scores[0]! > 0 && (scores[1]! < scores[0]! || (scores[1] === scores[0] && levels[1] < levels[0]));
    assert.equal(fragment.source, sources[second ? 1 : 0], why);
  }
  return shortcuts;
}

const ASSIGNMENT_AFTER_CLOSE = ['\t\t}', '', '\t\t/* comment */', '\t\tnewflags = calc_vm_prot_bits(prot, pkey);', '\t\tnewflags |= (vma->vm_flags & ~mask);'];

test('the tricky windows choose the wrapping that scoring both gives', () => {
  const windows: [string, string[]][] = [
    [' static int f(void)', ASSIGNMENT_AFTER_CLOSE.map((l) => ' ' + l)],
    [' static int f(void)', [' \t}', '-\tvma->vm_flags = flags;', '+\tvm_flags_reset(vma, flags);', ' \treturn 0;']],
    [' static int f(void)', [' \t\t}', ' \t}', ' \tif (error)', ' \t\tgoto out;']],
    [' static int f(void)', [' \t}', ' ', ' \treturn ret;', ' }', ' ', ' static int g(void)', ' {', '+\tx = 1;']],
    // The first code after the close is not a statement: the proof declines.
    [' static int f(void)', [' \treturn 0;', ' }', ' ', ' static int g(int a)', ' {', '-\ta = 1;', '+\ta = 2;']],
    [' static int f(void)', [' }', ' int old_style(a)', ' int a;', ' if (x);', ' {', ' }']],
    [' static int f(void)', [' }', ' struct s { int a; }', ' x = 1;']],
    [' static int f(void)', [' \t}', ' \tfoo(bar);', ' \tx = 1;']],
    // Things the scan gives up on: character literals, continuations, strings left open,
    // `#` in code, a window starting inside a comment, code after the `}` on its line.
    [' static int f(void)', [' \t}', " \tc = '}';", ' \tx = 1;']],
    [' static int f(void)', [" \tc = '{';", ' \t}', ' \t}', ' \tx = 1;']],
    [' static int f(void)', [' \t}', ' #define X(a) \\', ' \tdo { } while (0)', ' \tx = 1;']],
    [' static int f(void)', [' \tpr_info("a {\\', ' b");', ' \t}', ' \tx = 1;']],
    [' static int f(void)', [' \t * closing: } */', ' \t}', ' \tx = 1;']],
    [' static int f(void)', [' \t} else {', ' \t\tx = 1;', ' \t}', ' \ty = 2;']],
    [' static int f(void)', [' \t} x = 1;', ' \ty = 2;']],
    [' static int f(void)', [' \t/* } */ }', ' \tx = 1;']],
    // Comments, strings and preprocessor lines around the close.
    [' static int f(void)', [' \tpr_info("}{\\n");', ' \t} /* { */', ' \t// }', ' \tx = 1;']],
    [' static int f(void)', [' #ifdef CONFIG_X', ' \t}', ' #endif', ' \tx = 1;']],
    [' static int f(void)', [' \t}', ' #ifdef CONFIG_X', '+\tvma->vm_flags |= VM_X;', ' #else', ' \tif (a)', ' \t\treturn;', ' #endif']],
    [' static int f(void)', [' \t}', ' #define FOO 1', ' \tfor (i = 0; i < n; i++)', ' \t\tx++;']],
    [' static int f(void)', [' \t}', ' \tdo {', ' \t\tx++;', ' \t} while (x < 3);']],
    [' static int f(void)', [' \t}', ' \tswitch (behavior) {', ' \tcase MADV_X:', ' \t\tnew_flags |= VM_X;', ' \t\tbreak;', ' \t}']],
    [' static int f(void)', [' \t}', ' \tx == 1;', ' \ty = 2;']],
    [' static int f(void)', [' \t}', ' \tx = ({ int t = 1; t; });']],
    [' static int f(void)', [' \t}', ' \tx = (y;', ' \tz = 1;']],
    [' static int f(void)', [' \t}', ' \t"str"', ' \tx = 1;']],
    [' static int f(void)', [' #ifdef X {', ' \ta = 1;', ' \t}', ' \t}', ' #endif', ' \tx = 1;']],
    [' static int f(void)', [' \t}', ' #else x = 1;', ' \ty = 2;']],
    ['', [' }', ' ', ' static int helper(void)', ' {', '+\treturn 1;', ' }']],
    ['', [' \t}', ' \tx = 1;']],
    [' SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len, unsigned long, prot)', [' \t}', ' SYSCALL_DEFINE1(foo, int, a)', ' {', ' \tx = 1;']],
  ];
  let shortcuts = 0;
  for (const [header, lines] of windows) shortcuts += check(header, lines);
  assert.ok(shortcuts >= 10, `the shortcut was taken ${shortcuts} times`); // the test exercises it
});

test('the proof reads the text the way the lexer does', () => {
  assert.equal(leastWrappingLeavesStatement(['}', 'x = 1;'], 1, false), true);
  assert.equal(leastWrappingLeavesStatement(['}', 'x = 1;'], 1, true), false); // starts in a comment
  assert.equal(leastWrappingLeavesStatement(['}', 'x == 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', 'foo(x);'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', 'returned = 1;', ], 1, false), true);
  assert.equal(leastWrappingLeavesStatement(['}', 'returned(1);'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', '}', 'x = 1;'], 1, false), false); // after the close, a `}` is code
  assert.equal(leastWrappingLeavesStatement(['}', '}', 'x = 1;'], 2, false), true);
  assert.equal(leastWrappingLeavesStatement(['"}"', '}', 'x = 1;'], 1, false), true);
  assert.equal(leastWrappingLeavesStatement(['/* } */', '}', 'if (x)'], 1, false), true);
  assert.equal(leastWrappingLeavesStatement(['}', '/*', ' x = 1;', '*/', 'return;'], 1, false), true);
  assert.equal(leastWrappingLeavesStatement(['}', '/* a */ x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(["'}'", '}', 'x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', 'x = 1; \\'], 1, false), false);
  // A string after the close is its first code, on the close's line or on its own line.
  assert.equal(leastWrappingLeavesStatement(['} "a"', 'x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', '"a"', 'x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', '#include <linux/mm.h>', 'x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', '#define X a // b /* c', 'x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', '#define X (a / b) /* c */', 'x = 1;'], 1, false), true);
  assert.equal(leastWrappingLeavesStatement(['}', '#include "a.h"', 'x = 1;'], 1, false), false); // quotes in a directive: declines
  // Code after `#ifdef NAME`, `#else`, `#endif` on their line is lexed as code (a brace there
  // is real, unlike one in a #define's value).
  assert.equal(leastWrappingLeavesStatement(['#ifdef X {', '}', '}', 'x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['}', '#endif }', 'x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['#define X {', '}', '#endif /* X */', 'x = 1;'], 1, false), true);
  // A #define's text is one token: a `/*` in its quotes opens a comment for the lexer.
  assert.equal(leastWrappingLeavesStatement(['#define X "/*"', '}', '*/', 'x = 1;'], 1, false), false);
  assert.equal(leastWrappingLeavesStatement(['#if X == 1 /* } */', '#endif', '}', 'x = 1;'], 1, false), true);
});

// Lines windows are made of: closes, statements that can and cannot sit at top level,
// declarations, definitions, K&R headers, comments and strings with braces, preprocessor
// lines, character literals, continuations, a syntax error.
const POOL = [
  '}', '\t}', '\t\t}', '} else {', '{', '\t{', '', '/* c */', '/* { */', '/*', ' * } {', ' */', '// }',
  'x = 1;', 'vma->vm_flags |= VM_X;', 'a.b = c;', 'if (a)', '\treturn -EINVAL;', 'return 0;', 'goto out;', 'out:',
  'for (;;)', 'while (x)', 'do', 'break;', 'x == 1;', 'foo(bar);', 'int y;', 'static int g(void)', 'int f(a)', 'int a;',
  'struct s {', '} s;', '} t = {', 'int v[] = { 1, 2 };', 'switch (a) {', 'case 1:', 'default:',
  '#ifdef CONFIG_X', '#else', '#endif', '#if 0', '#ifdef Y {', '#endif }', '#else x = 1;', '#define Q "/*"', '#include "a.h"', '#define FOO(x) \\', '\tdo { } while (0)', '#define BAR {',
  "c = '}';", 'pr_info("}{\\n");', 's = "{\\', '\tx);', 'x = (y;', ';', 'x = ({ int t; t; });', 'if (x);', 'unsigned long',
  'SYSCALL_DEFINE2(foo, int, a, int, b)', 'typedef int t;', 'x *= 2;', 'y <<= 1;', '#', 'a = b # c;',
];

test('random windows choose the wrapping that scoring both gives', () => {
  let shortcuts = 0;
  fc.assert(
    fc.property(
      fc.constantFrom('}', '\t}', '\t\t}', '} else {', 'x = 1;', '/* } */', '}}'),
      fc.array(fc.tuple(fc.constantFrom(' ', ' ', '+', '-'), fc.constantFrom(...POOL)), { minLength: 1, maxLength: 8 }),
      fc.constantFrom(' static int f(void)', ''),
      (first, rest, header) => {
        const lines = [' ' + first, ...rest.map(([kind, text]) => kind + text)];
        shortcuts += check(header, lines);
      },
    ),
    { seed: 20261125, numRuns: 400 },
  );
  assert.ok(shortcuts >= 50, `the shortcut was taken ${shortcuts} times`);
});

test('windows cut from the fixtures choose the wrapping that scoring both gives', () => {
  // Real kernel code: windows of up to 12 lines of every fixture hunk, most starting at a
  // line that closes a block (where the shortcut applies). A fixed pseudo-random sequence.
  const pool: string[][] = [];
  const walk = (d: string): string[] => readdirSync(d).flatMap((e) => { const p = join(d, e); return statSync(p).isDirectory() ? walk(p) : [p]; });
  for (const f of walk('test-fixtures').filter((x) => /\.(patch|eml|mbox|diff)$/.test(x)).sort()) {
    for (const p of readPatchSet(readFileSync(f, 'utf8')).patches) for (const file of p.files) for (const h of file.hunks) pool.push(h.lines.map((l) => l.kind + l.text));
  }
  let seed = 11;
  const next = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
  let shortcuts = 0;
  for (let k = 0; k < 300; k++) {
    const lines = pool[next(pool.length)]!;
    const closers = lines.flatMap((l, i) => (/^.\s*}/.test(l) ? [i] : []));
    const start = closers.length && next(5) > 0 ? closers[next(closers.length)]! : next(lines.length);
    const window = lines.slice(start, start + 1 + next(12));
    shortcuts += check(next(3) > 0 ? ' static int f(void)' : '', window);
  }
  assert.ok(shortcuts >= 30, `the shortcut was taken ${shortcuts} times`);
});
