// A design question, measured: what would it cost to mirror every parsed side of the 300-patch
// series into JavaScript arrays (one TreeCursor walk per tree: type, start, end, parent of
// every node), so that later questions ask no wasm? About a third of a warm check goes to
// web-tree-sitter's per-node glue (docs/performance.md); a mirror pays off only if building it
// costs clearly less than that.
import { performance } from 'node:perf_hooks';
import type { Tree } from 'web-tree-sitter';
import { readPatchSet } from '../src/patch/index';
import { initC, parseHunk } from '../src/c/index';
import { median, series } from './series';

await initC();
const trees: Tree[] = [];
for (const p of readPatchSet(series).patches) for (const f of p.files) for (const h of f.hunks) {
  const t = parseHunk(h);
  trees.push(t.pre.tree, t.post.tree);
}

interface Mirror {
  type: Uint16Array;
  start: Int32Array;
  end: Int32Array;
  parent: Int32Array;
  size: number;
}

function grow(m: Mirror): void {
  const cap = m.type.length * 2;
  const copy = <T extends Uint16Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
  m.type = copy(m.type, new Uint16Array(cap));
  m.start = copy(m.start, new Int32Array(cap));
  m.end = copy(m.end, new Int32Array(cap));
  m.parent = copy(m.parent, new Int32Array(cap));
}

function mirror(tree: Tree): Mirror {
  const cap = 128; // a hunk side has ~60 nodes; grown when it has more
  const m: Mirror = { type: new Uint16Array(cap), start: new Int32Array(cap), end: new Int32Array(cap), parent: new Int32Array(cap), size: 0 };
  const open: number[] = [-1];
  const c = tree.walk();
  outer: for (;;) {
    if (m.size === m.type.length) grow(m);
    const i = m.size++;
    m.type[i] = c.nodeTypeId;
    m.start[i] = c.startIndex;
    m.end[i] = c.endIndex;
    m.parent[i] = open[open.length - 1]!;
    if (c.gotoFirstChild()) {
      open.push(i);
      continue;
    }
    for (;;) {
      if (c.gotoNextSibling()) continue outer;
      if (!c.gotoParent()) break outer;
      open.pop();
    }
  }
  c.delete();
  return m;
}

const times: number[] = [];
let nodes = 0;
for (let r = 0; r < 7; r++) {
  const t0 = performance.now();
  nodes = 0;
  for (const t of trees) nodes += mirror(t).size;
  times.push(performance.now() - t0);
}
console.log(`mirror of ${trees.length} parsed sides (${nodes.toLocaleString('en-US')} nodes): first (cold) ${times[0]!.toFixed(1)} ms, warm median ${median(times.slice(1)).toFixed(1)} ms`);
