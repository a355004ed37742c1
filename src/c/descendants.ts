// Node walks by type, shared by the queries, the fragment builder, the rules and the bridge.
// All walks descend into ERROR nodes: kernel macros confuse the grammar, and the well-formed
// pieces inside an ERROR region are still worth finding.
import type { Node, Tree, TreeCursor } from 'web-tree-sitter';
import { memoOnNode } from './memo';

/** Nodes of some types in a whole tree, in pre-order (source order, ancestors first), with
 *  their start indices. */
interface TypeIndex {
  nodes: Node[];
  starts: Int32Array;
}

const indexes = new WeakMap<Tree, Map<string, TypeIndex>>();
const roots = new WeakMap<Tree, Node>();
const broken = new WeakMap<Tree, boolean>();

/** A tree's root node, one object per tree (tree.rootNode asks wasm and makes a new Node on
 *  every read). */
export function rootOf(tree: Tree): Node {
  let root = roots.get(tree);
  if (!root) roots.set(tree, (root = tree.rootNode));
  return root;
}

/** Whether a tree has syntax errors (ERROR or MISSING nodes), asked once per tree: the
 *  fragment builder and every walk of the tree need it. */
export function treeHasError(tree: Tree): boolean {
  let e = broken.get(tree);
  if (e === undefined) broken.set(tree, (e = rootOf(tree).hasError));
  return e;
}

/** Every descendant (and the node itself) accepted by `accept`, in source order. The
 *  returned array is the caller's own (results are cached per tree, and copied out). */
export function descendants(node: Node, accept: string | readonly string[] | ((n: Node) => boolean)): Node[] {
  if (typeof accept === 'function') return walkDescendants(node, accept);
  const types = typeof accept === 'string' ? [accept] : accept;
  const key = types.join(' ');
  // Rules and hook collectors ask the same questions of the same nodes (every collector
  // looks for the fragment's function definitions, its ifs, its identifiers): the tree is
  // walked once per set of types, and a node's answer is the run of that walk inside it,
  // so no node gets a second JS object and no question a second walk.
  const index = typeIndex(node.tree, key, types);
  if (node.id === rootOf(node.tree).id) return index.nodes.slice();
  return memoOnNode(node, `descendants ${key}`, (n) => inside(index, n)).slice();
}

/** Records what descendants(root, type) gives for a tree, found another way: the caller
 *  must know it is exactly the walk's answer (same nodes, source order). */
export function knownDescendants(tree: Tree, type: string, nodes: readonly Node[]): void {
  let perTree = indexes.get(tree);
  if (!perTree) indexes.set(tree, (perTree = new Map()));
  if (!perTree.has(type)) perTree.set(type, { nodes: nodes.slice(), starts: startsOf(nodes) });
}

function typeIndex(tree: Tree, key: string, types: readonly string[]): TypeIndex {
  let perTree = indexes.get(tree);
  if (!perTree) indexes.set(tree, (perTree = new Map()));
  let index = perTree.get(key);
  if (!index) {
    const root = rootOf(tree);
    // descendantsOfType walks inside wasm with no per-query compilation (a Query costs
    // several ms to compile). It skips nodes ending at point (0,0): zero-width MISSING nodes
    // at the start of a broken tree, which only a cursor walk sees.
    const nodes = root.startIndex === 0 && treeHasError(tree) ? walkDescendants(root, types) : root.descendantsOfType(types as string[]);
    index = { nodes, starts: startsOf(nodes) };
    perTree.set(key, index);
  }
  return index;
}

/** Start indices of nodes (a plain loop: Int32Array.from with a map function is many times
 *  slower before the JIT has warmed up). */
const NO_STARTS = new Int32Array(0);

function startsOf(nodes: readonly Node[]): Int32Array {
  if (nodes.length === 0) return NO_STARTS; // never written: shared
  const starts = new Int32Array(nodes.length);
  for (let i = 0; i < nodes.length; i++) starts[i] = nodes[i]!.startIndex;
  return starts;
}

/** The indexed nodes that are `x` or below it. In pre-order they are one run: the nodes
 *  starting strictly inside x certainly are; at x's edges (same start as x, or zero-width at
 *  its end) an ancestor, a neighbour or a zero-width node can sit, and those are placed by
 *  their end or, when that does not tell, their parents. */
function inside(index: TypeIndex, x: Node): Node[] {
  const { nodes, starts } = index;
  const xs = x.startIndex;
  const xe = x.endIndex;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < xs) lo = mid + 1;
    else hi = mid;
  }
  const out: Node[] = [];
  for (let i = lo; i < starts.length && starts[i]! <= xe; i++) {
    const c = nodes[i]!;
    const cs = starts[i]!;
    if ((cs > xs && cs < xe) || c.id === x.id || isBelowAtEdge(c, cs, x, xs, xe)) out.push(c);
  }
  return out;
}

function isBelowAtEdge(c: Node, cs: number, x: Node, xs: number, xe: number): boolean {
  const ce = c.endIndex;
  if (ce > cs) {
    // Not zero-width: it starts where x starts (a later start is past x's end).
    if (cs !== xs) return false;
    if (ce > xe) return false; // an ancestor
    if (ce < xe) return true; // inside x's span
  }
  // Same span as x, or zero-width at one of x's edges: ask the parents.
  for (let p = c.parent; p; p = p.parent) {
    if (p.id === x.id) return true;
    if (p.startIndex < xs) return false;
  }
  return false;
}

function walkDescendants(node: Node, accept: string | readonly string[] | ((n: Node) => boolean)): Node[] {
  // Type filters are checked on the cursor, so only matching nodes get a JS Node object
  // (creating one per visited node dominates the cost otherwise).
  const byType = typeof accept === 'function' ? null : typeof accept === 'string' ? (t: string) => t === accept : (t: string) => accept.includes(t);
  const test = typeof accept === 'function' ? accept : null;
  const out: Node[] = [];
  walkCursor(node, (cursor) => {
    if (byType ? byType(cursor.nodeType) : test!(cursor.currentNode)) out.push(cursor.currentNode);
  });
  return out;
}

/** Visits `node` and everything below it in pre-order with one cursor (rooted at `node`:
 *  the walk stops there). Iterative: deep kernel expressions must not overflow the JS stack. */
export function walkCursor(node: Node, visit: (cursor: TreeCursor) => void): void {
  const cursor = node.walk();
  try {
    outer: for (;;) {
      visit(cursor);
      if (cursor.gotoFirstChild()) continue;
      for (;;) {
        if (cursor.gotoNextSibling()) continue outer;
        if (!cursor.gotoParent()) break outer;
      }
    }
  } finally {
    cursor.delete();
  }
}
