// Node walks by type, shared by the queries, the fragment builder, the rules and the bridge.
// All walks descend into ERROR nodes: kernel macros confuse the grammar, and the well-formed
// pieces inside an ERROR region are still worth finding.
import type { Node } from 'web-tree-sitter';
import { memoOnNode } from './memo';

/** Every descendant (and the node itself) accepted by `accept`, in source order. The
 *  returned array is the caller's own (results are cached per tree, and copied out). */
export function descendants(node: Node, accept: string | readonly string[] | ((n: Node) => boolean)): Node[] {
  if (typeof accept === 'function') return walkDescendants(node, accept);
  const types = typeof accept === 'string' ? [accept] : accept;
  // Rules and hook collectors ask the same questions of the same nodes (every collector
  // looks for the fragment's function definitions, its ifs, its identifiers): once per tree.
  const found = memoOnNode(node, `descendants ${types.join(' ')}`, (n) =>
    // descendantsOfType walks inside wasm with no per-query compilation (a Query costs
    // several ms to compile, more than a whole small patch's walks). It skips nodes ending
    // at point (0,0): zero-width MISSING nodes at the start of a broken tree, which only a
    // cursor walk sees.
    n.startIndex === 0 && n.hasError ? walkDescendants(n, types) : n.descendantsOfType(types as string[]),
  );
  return found.slice();
}

function walkDescendants(node: Node, accept: string | readonly string[] | ((n: Node) => boolean)): Node[] {
  // Type filters are checked on the cursor, so only matching nodes get a JS Node object
  // (creating one per visited node dominates the cost otherwise).
  const byType = typeof accept === 'function' ? null : typeof accept === 'string' ? (t: string) => t === accept : (t: string) => accept.includes(t);
  const test = typeof accept === 'function' ? accept : null;
  const out: Node[] = [];
  const cursor = node.walk(); // rooted at `node`: gotoParent/gotoNextSibling stop there
  // Iterative pre-order walk: deep kernel expressions must not overflow the JS stack.
  outer: for (;;) {
    if (byType ? byType(cursor.nodeType) : test!(cursor.currentNode)) out.push(cursor.currentNode);
    if (cursor.gotoFirstChild()) continue;
    for (;;) {
      if (cursor.gotoNextSibling()) continue outer;
      if (!cursor.gotoParent()) break outer;
    }
  }
  cursor.delete();
  return out;
}
