// Per-tree answers to questions about nodes. Rules and every hook collector ask the same
// questions of the same nodes (the fragment's function definitions, its assignments, its
// switches), and each answer costs calls into wasm; a tree never changes once parsed, so
// each question is answered once per tree. Node ids are unique within a tree, not across
// trees (the post image is parsed incrementally from the pre image and shares subtrees).
import type { Node, Tree } from 'web-tree-sitter';

const answers = new WeakMap<Tree, Map<number, Map<string, unknown>>>();

/** `compute(node)` once per tree, node and question. */
export function memoOnNode<T>(node: Node, question: string, compute: (node: Node) => T): T {
  let perTree = answers.get(node.tree);
  if (!perTree) answers.set(node.tree, (perTree = new Map()));
  let perNode = perTree.get(node.id);
  if (!perNode) perTree.set(node.id, (perNode = new Map()));
  if (perNode.has(question)) return perNode.get(question) as T;
  const value = compute(node);
  perNode.set(question, value);
  return value;
}
