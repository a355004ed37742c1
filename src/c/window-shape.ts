// The brace shape of a hunk window: how deep it starts inside blocks, what it leaves open
// (comments, #if branches, parentheses, blocks). It decides how the window is wrapped
// before parsing (src/c/fragment.ts), and runs on both sides of every hunk, mostly before the
// JIT has warmed up: the scan jumps between the characters that matter with a regex (native
// code after its first runs) instead of stepping through every character in JavaScript.

export interface Shape {
  /** Lowest brace depth reached (negative: the window starts inside that many blocks). */
  minDepth: number;
  finalDepth: number;
  startsInComment: boolean;
  endsInComment: boolean;
  /** Brace depth at each `#if`/`#ifdef`/`#ifndef` the window opens and does not close. */
  openConditionals: number[];
  /** Parentheses still open at the end (the window stops mid-statement). */
  openParens: number;
  /** The last code character is a comma or an operator (an operand is missing). */
  endsWantingOperand: boolean;
}

// Character codes the scan looks at.
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
/** The characters that change the scan's state outside comments and strings; the code
 *  between two of them only moves the last code character. `test` with the global flag
 *  leaves lastIndex just past the match, and allocates no match array. */
const CODE_STOP = /[/*"'(){}]/g;

/** Brace depth and comment state of a window of C, skipping strings, comments and
 *  preprocessor lines. */
export function shapeOf(lines: readonly string[]): Shape {
  let depth = 0;
  let minDepth = 0;
  let inComment = false;
  let startsInComment = false;
  let sawCommentOpen = false;
  const conditionals: number[] = [];
  let parens = 0;
  let last = -1; // code of the last code character outside comments and strings
  let continued = false;
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    // A `#define` continued with `\` keeps its braces (`do { ... } while (0)`) out of the count.
    const isPreproc: boolean = continued || (!inComment && PREPROC_LINE.test(line));
    continued = isPreproc && CONTINUED_LINE.test(line);
    if (isPreproc) {
      if (OPENS_CONDITIONAL.test(line)) conditionals.push(depth);
      else if (CLOSES_CONDITIONAL.test(line)) conditionals.pop();
    }
    const n = line.length;
    let i = 0;
    while (i < n) {
      if (inComment) {
        const end = line.indexOf('*/', i);
        if (end < 0) break;
        inComment = false;
        i = end + 2;
        continue;
      }
      CODE_STOP.lastIndex = i;
      const stop = CODE_STOP.test(line) ? CODE_STOP.lastIndex - 1 : n;
      if (!isPreproc && stop > i) {
        // The last code character of the run, if any is not a space.
        let k = stop - 1;
        while (k >= i && isTrimmedSpace(line.charCodeAt(k))) k--;
        if (k >= i) last = line.charCodeAt(k);
      }
      if (stop === n) break;
      i = stop;
      const c = line.charCodeAt(i);
      if (c === SLASH) {
        const next = line.charCodeAt(i + 1);
        if (next === STAR) { inComment = true; sawCommentOpen = true; i += 2; continue; }
        if (next === SLASH) break;
      } else if (c === STAR && line.charCodeAt(i + 1) === SLASH && !sawCommentOpen) { startsInComment = true; i += 2; continue; }
      if (c === DQUOTE || c === QUOTE) {
        // A string or character literal, to its closing quote or the end of the line.
        i++;
        while (i < n) {
          const s = line.charCodeAt(i);
          if (s === BACKSLASH) { i += 2; continue; }
          i++;
          if (s === c) break;
        }
        continue;
      }
      if (!isPreproc) {
        if (c === LPAREN) parens++;
        else if (c === RPAREN) parens = Math.max(0, parens - 1);
        last = c;
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
