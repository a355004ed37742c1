// Which wrapping of a window wins is decided by parsing each candidate and scoring it
// (src/c/fragment.ts). For a window that closes blocks it did not open (starting with `}`),
// the least wrapping closes the synthetic function at that `}` and puts the rest at top
// level; when the first code after it is a statement (`x = y;`, `if (`, `return`), that
// candidate certainly scores at least 1: a tree without errors holds that statement at top
// level (stray), and a tree with errors scores 10 or more. The deeper wrapping is then
// parsed first, and when it scores 0 it wins without parsing the other.
//
// Why "certainly": in a tree without errors every `{` and `}` token belongs to one node that
// holds both, so the brace depth a scan of the text finds is the tree's nesting, as long as
// the scan sees the same comments, strings, character literals and preprocessor lines as
// tree-sitter's lexer. The scan gives up (answers false) on anything where they could differ:
// a window starting inside a comment, a line ending with `\` (a continuation, which the
// lexer treats as whitespace or as part of a string or directive), any `'` (character
// literals, digit separators), a string left open at the end of a line, a `#` inside a code
// line, code after `#ifdef NAME`, `#else` or `#endif` on their line, quotes, `<` or `//` in
// other directives than #if's family (their text is one token). The first `}` that
// brings the depth to zero closes the synthetic function's body (its matching `{` is the
// wrapper's), so the next code starts a new top-level item; an item that starts with an
// assignment's left side and operator, or with a statement keyword (valid at the start of a
// top-level item, so the lexer takes it as the keyword), is a statement of the grammar's top
// level, or an error. The statement is a child of the root or of top-level #if branches,
// which is where the stray-statement count looks.

const SLASH = 0x2f, STAR = 0x2a, BACKSLASH = 0x5c, DQUOTE = 0x22, QUOTE = 0x27, HASH = 0x23;
const LBRACE = 0x7b, RBRACE = 0x7d;

const PREPROC_LINE = /^\s*#/;
/** `#ifdef NAME`, `#else`, `#endif` and kin end where their name or keyword ends: code may
 *  follow on the same line (the lexer's brace there is real), unlike `#if`'s condition or
 *  `#define`'s value, which run to the end of the line. */
const CONDITIONAL_DIRECTIVE = /^\s*#[ \t]*(?:ifdef|ifndef|elifdef|elifndef|else|endif)\b/;
/** `#if`'s family: their conditions are lexed as code (strings, comments). Other directives'
 *  text is one token to the end of the line (a preproc_arg, an include path), in which
 *  quotes, `<...>` and `//` mean nothing to where a `/*` comment starts: the scan takes only
 *  those lines with none of them (then a `/*` opens a comment for both). */
const CONDITIONAL_FAMILY = /^\s*#[ \t]*(?:if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b/;
const DIRECTIVE_TEXT_DOUBT = /["'<]|\/\//;
/** One of those with nothing after it but a comment. */
const BARE_CONDITIONAL_DIRECTIVE = /^\s*#[ \t]*(?:(?:ifdef|ifndef|elifdef|elifndef)\s+\w+|else|endif)\s*(?:\/\/.*|\/\*(?:[^*]|\*(?!\/))*(?:\*\/\s*)?)?$/;
const ENDS_WITH_BACKSLASH = /\\\s*$/;
/** A statement at the start of a top-level item: an assignment to a name or a field chain
 *  (a declaration cannot continue a type name with `=`, `->` or `.`), or a statement keyword. */
const STATEMENT_START = /^\s*(?:[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)|(?:if|for|while|switch)\s*\(|(?:return|goto|break|continue|do)\b)/;

/**
 * True when wrapping `lines` (sanitized window rows) in `levels` synthetic levels, the
 * fewest that hold the window (`levels` = -minDepth of the window's brace scan), certainly
 * scores at least 1: the first code after the synthetic function closes is a statement at top
 * level. False when that is not certain (the caller then parses and scores as usual).
 */
export function leastWrappingLeavesStatement(lines: readonly string[], levels: number, startsInComment: boolean): boolean {
  if (levels <= 0 || startsInComment) return false;
  let depth = levels;
  let inComment = false;
  let closed = false; // the synthetic function's body has closed
  for (const line of lines) {
    if (ENDS_WITH_BACKSLASH.test(line)) return false;
    const isPreproc = !inComment && PREPROC_LINE.test(line);
    if (isPreproc) {
      if (CONDITIONAL_DIRECTIVE.test(line) && !BARE_CONDITIONAL_DIRECTIVE.test(line)) return false;
      if (!CONDITIONAL_FAMILY.test(line) && DIRECTIVE_TEXT_DOUBT.test(line)) return false;
    }
    if (closed && !isPreproc && !inComment) {
      // The first line with code after the close decides; blank and comment-only lines are
      // skipped below.
      if (STATEMENT_START.test(line)) return true;
    }
    const n = line.length;
    let i = 0;
    let inString = false;
    while (i < n) {
      const c = line.charCodeAt(i);
      if (inComment) {
        if (c === STAR && line.charCodeAt(i + 1) === SLASH) { inComment = false; i += 2; continue; }
        i++;
        continue;
      }
      if (inString) {
        if (c === BACKSLASH) { i += 2; continue; }
        if (c === DQUOTE) inString = false;
        i++;
        continue;
      }
      if (c === SLASH) {
        const next = line.charCodeAt(i + 1);
        if (next === STAR) { inComment = true; i += 2; continue; }
        if (next === SLASH) break;
      }
      if (c === STAR && line.charCodeAt(i + 1) === SLASH) return false; // `*/` outside a comment
      if (c === QUOTE) return false;
      if (c === DQUOTE) {
        // A string is code: after the close, it would be the first code, not the line below.
        if (closed && !isPreproc) return false;
        inString = true;
        i++;
        continue;
      }
      if (!isPreproc) {
        if (c === HASH) return false;
        if (c === 0x20 || c === 0x09) { i++; continue; }
        // Code after the close that is not at the start of a line the test above accepted.
        if (closed) return false;
        if (c === LBRACE) depth++;
        else if (c === RBRACE && --depth === 0) closed = true;
      }
      i++;
    }
    if (inString) return false;
  }
  return false;
}
