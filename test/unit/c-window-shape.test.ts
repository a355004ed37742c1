// The window's brace shape decides how a hunk is wrapped before parsing. The scan jumps
// between the characters that matter (src/c/window-shape.ts); it must give exactly what a
// step through every character gives: the reference below is that character scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { shapeOf, type Shape } from '../../src/c/window-shape';

// The reference keeps its own copy of the scan's constants and rules on purpose: it is the
// character scan the jumping scan replaced, the oracle it is compared with.
type ReferenceShape = Shape;

// Character codes the shape scan looks at.
const SLASH = 0x2f, STAR = 0x2a, BACKSLASH = 0x5c, DQUOTE = 0x22, QUOTE = 0x27;
const LPAREN = 0x28, RPAREN = 0x29, LBRACE = 0x7b, RBRACE = 0x7d;

/** What String.prototype.trim() removes (ECMAScript WhiteSpace and LineTerminator). */
function isTrimmedSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const PREPROC_LINE = /^\s*#/;
const CONTINUED_LINE = /\\\s*$/;
const OPENS_CONDITIONAL = /^\s*#\s*if/;
const CLOSES_CONDITIONAL = /^\s*#\s*endif/;
const WANTS_OPERAND = /[,=|&^+\-*/%<>!~?:(]/;

/** Brace depth and comment state of a window of C, skipping strings, comments and
 *  preprocessor lines. Scans character codes: it runs on both sides of every hunk, mostly
 *  before the JIT has warmed up, and one-character strings per character cost several times
 *  more there. */
function referenceShapeOf(lines: string[]): ReferenceShape {
  let depth = 0;
  let minDepth = 0;
  let inComment = false;
  let startsInComment = false;
  let sawCommentOpen = false;
  const conditionals: number[] = [];
  let parens = 0;
  let last = -1; // code of the last code character outside comments and strings
  let continued = false;
  for (const line of lines) {
    // A `#define` continued with `\` keeps its braces (`do { ... } while (0)`) out of the count.
    const isPreproc: boolean = continued || (!inComment && PREPROC_LINE.test(line));
    continued = isPreproc && CONTINUED_LINE.test(line);
    if (isPreproc) {
      if (OPENS_CONDITIONAL.test(line)) conditionals.push(depth);
      else if (CLOSES_CONDITIONAL.test(line)) conditionals.pop();
    }
    const n = line.length;
    let i = 0;
    let inString = 0; // the quote's code while inside a string or character literal
    while (i < n) {
      const c = line.charCodeAt(i);
      if (inComment) {
        if (c === STAR && line.charCodeAt(i + 1) === SLASH) { inComment = false; i += 2; continue; }
        i++;
        continue;
      }
      if (inString) {
        if (c === BACKSLASH) { i += 2; continue; }
        if (c === inString) inString = 0;
        i++;
        continue;
      }
      if (c === SLASH) {
        const next = line.charCodeAt(i + 1);
        if (next === STAR) { inComment = true; sawCommentOpen = true; i += 2; continue; }
        if (next === SLASH) break;
      } else if (c === STAR && line.charCodeAt(i + 1) === SLASH && !sawCommentOpen) { startsInComment = true; i += 2; continue; }
      if (c === DQUOTE || c === QUOTE) { inString = c; i++; continue; }
      if (!isPreproc) {
        if (c === LPAREN) parens++;
        else if (c === RPAREN) parens = Math.max(0, parens - 1);
        if (!isTrimmedSpace(c)) last = c;
        if (c === LBRACE) depth++;
        else if (c === RBRACE) { depth--; if (depth < minDepth) minDepth = depth; }
      }
      i++;
    }
  }
  return {
    minDepth, finalDepth: depth, startsInComment, endsInComment: inComment, openConditionals: conditionals, openParens: parens,
    endsWantingOperand: last >= 0 && WANTS_OPERAND.test(String.fromCharCode(last)),
  };
}


// Pieces lines are made of: everything the scan treats specially (comment and string
// delimiters, escapes, parentheses, braces, preprocessor starts and continuations), the
// operators the last-character test looks for, spaces of every kind trim() removes, code.
const PIECES = [
  '/', '*', '/*', '*/', '//', '"', "'", '\\', '\\"', '(', ')', '{', '}', '#', '#if X', '#ifdef Y', '#endif', '#else',
  ' ', '\t', '\u00a0', '\u2028', '\u3000', '\ufeff', '\f', ',', '=', '|', '&', ';', ':', '?', '-', 'x', 'foo', 'if', '0', '\u00e9',
];
const line = fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((p) => p.join(''));

test('the shape of random windows is what a character-by-character scan gives', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
      assert.deepEqual(shapeOf(lines), referenceShapeOf(lines));
    }),
    { seed: 1125, numRuns: 3000 },
  );
});

test('kernel-looking windows', () => {
  const windows = [
    ['\t\t}', '', '\t\t/* Here { we */', '\t\tx = calc(a,', '\t\t\tb);'],
    ['#define FOO(x) \\', '\tdo { (x)++; } while (0)', 'int a = (1 +'],
    [' * comment tail */', 'if (a) {', '#ifdef CONFIG_X', '\tb = "{\\"}";', "\tc = '}';"],
    ['\tpr_info("%s\\n", s); // } trailing', '\t}', '}', '/* open'],
  ];
  for (const w of windows) assert.deepEqual(shapeOf(w), referenceShapeOf(w), JSON.stringify(w));
});
