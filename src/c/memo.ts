// Per-tree answers to questions about nodes. Rules and every hook collector ask the same
// questions of the same nodes (the fragment's function definitions, its assignments, its
// switches), and each answer costs calls into wasm; a tree never changes once parsed, so
// each question is answered once per tree. Node ids are unique within a tree, not across
// trees (the post image is parsed incrementally from the pre image and shares subtrees).
import type { Node, Tree } from 'web-tree-sitter';

// Per tree, per question, per node id: one map per question a tree is asked, not one per node
// asked (most nodes are asked a single question; a map each was most of the garbage).
const answers = new WeakMap<Tree, Map<string, Map<number, unknown>>>();

/** `compute(node)` once per tree, node and question. */
export function memoOnNode<T>(node: Node, question: string, compute: (node: Node) => T): T {
  let perTree = answers.get(node.tree);
  if (!perTree) answers.set(node.tree, (perTree = new Map()));
  let perQuestion = perTree.get(question);
  if (!perQuestion) perTree.set(question, (perQuestion = new Map()));
  const id = node.id;
  if (perQuestion.has(id)) return perQuestion.get(id) as T;
  const value = compute(node);
  perQuestion.set(id, value);
  return value;
}
