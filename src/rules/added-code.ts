// Code the patch adds: nodes of a hunk's post-image that sit on `+` lines and whose statement
// did not already exist in the pre-image (a re-indented or re-wrapped line is not new code).
// Rules that look at how code is written (MM006, MM009, MM010) only judge what the patch adds.
import type { Node } from 'web-tree-sitter';
import { descendants, enclosingStatement, memoOnNode, normalizeText, type CFragment } from '../c/index';
import type { ParsedHunk, Range, RuleContext } from './context';

const STATEMENTS = [
  'expression_statement', 'declaration', 'return_statement', 'if_statement', 'while_statement', 'for_statement',
  'do_statement', 'switch_statement', 'case_statement', 'goto_statement', 'compound_statement',
];

const preCache = new WeakMap<object, Set<string>>();

/** Normalised text of the statements on removed lines: an added statement with the same text
 *  is the old one moved, re-indented or re-wrapped. The set is shared: do not modify it. */
export function preStatements(h: ParsedHunk): Set<string> {
  let set = preCache.get(h.trees);
  if (set) return set;
  if (h.hunk.lines.some((l) => l.kind === '-')) {
    // Content only (the pre tree and which lines are removed): once per tree, so hunks an
    // edit elsewhere re-read do not walk it again.
    const pre = h.trees.pre;
    set = memoOnNode(pre.scope, 'removed statements', () => {
      const texts = new Set<string>();
      for (const n of descendants(pre.scope, STATEMENTS)) if (pre.touchesChange(n)) texts.add(normalizeText(n.text));
      return texts;
    });
  } else set = new Set<string>();
  preCache.set(h.trees, set);
  return set;
}

/** The hunk adds lines (rules about added code skip the others without parsing them). */
export function addsLines(h: ParsedHunk): boolean {
  return h.hunk.lines.some((l) => l.kind === '+');
}

/** The parsed hunks that add lines, in document order: found once per document for the rules
 *  that judge added code (MM006, MM009, MM010). */
export function hunksAddingLines(ctx: RuleContext): ParsedHunk[] {
  return ctx.shared('hunks adding lines', () => ctx.parsedHunks().filter(addsLines));
}

/** The node is on an added line and its statement is new (not in the pre-image). */
export function isAddedCode(h: ParsedHunk, node: Node): boolean {
  const post = h.trees.post;
  if (!post.touchesChange(node)) return false;
  const stmt = enclosingStatement(node);
  return !preStatements(h).has(normalizeText(stmt.text));
}

export function nodeRange(fragment: CFragment, node: Node): Range | null {
  const r = fragment.range(node);
  return r ? { line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn } : null;
}
