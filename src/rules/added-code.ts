// Code the patch adds: nodes of a hunk's post-image that sit on `+` lines and whose statement
// did not already exist in the pre-image (a re-indented or re-wrapped line is not new code).
// Rules that look at how code is written (MM006, MM009, MM010) only judge what the patch adds.
import type { Node } from 'web-tree-sitter';
import { enclosingStatement, normalizeText, type CFragment } from '../c/index';
import type { ParsedHunk, Range } from './context';

export function preStatements(h: ParsedHunk): Set<string> {
  const key = '__mmlens_pre_statements';
  const cache = h.trees as unknown as Record<string, Set<string> | undefined>;
  if (cache[key]) return cache[key]!;
  const set = new Set<string>();
  const walk = (n: Node) => {
    if (/statement$|^declaration$/.test(n.type)) set.add(normalizeText(n.text));
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(h.trees.pre.scope);
  Object.defineProperty(h.trees, key, { value: set, enumerable: false });
  return set;
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
