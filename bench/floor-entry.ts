// Child of bench/floor.bench.ts, bundled and run once per fresh process: the least work any
// `mmlens check` that meets issue 3 must do: start Node, load tree-sitter's wasm, read the mbox
// with src/patch, and parse the pre- and post-image of every hunk once (the post-image
// incrementally from the pre-image, as the engine does), with no analysis at all. Prints the
// phases as JSON.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Edit, type Tree } from 'web-tree-sitter';
import { readPatchSet } from '../src/patch/index';
import { cParser, initC } from '../src/c/index';
import { setFlagsFromString } from 'node:v8';

// V8 flags at run time, as bin/mmlens sets them (bench/floor.bench.ts passes them).
for (const f of (process.env.MMLENS_BENCH_FLAGS ?? '').split(' ').filter(Boolean)) setFlagsFromString(f);

const phases: Record<string, number> = { 'process start to first line': performance.now() };
let last = performance.now();
const mark = (name: string) => {
  const now = performance.now();
  phases[name] = now - last;
  last = now;
};
// The parser first: loaded alongside a large read it waits behind it and then costs a full GC
// (see src/cli/check.ts).
await initC();
mark('load C parser (wasm)');
const text = readFileSync(process.argv[2]!, 'utf8');
const patchSet = readPatchSet(text);
mark('read file + patches');

/** Row and column of a string index. */
function pointAt(s: string, index: number): { row: number; column: number } {
  let row = 0;
  let start = 0;
  for (let i = s.indexOf('\n'); i !== -1 && i < index; i = s.indexOf('\n', i + 1)) { row++; start = i + 1; }
  return { row, column: index - start };
}

const parser = cParser();
let parses = 0;
let nodes = 0;
/** Parses both sides of every hunk once. */
function parseAll(): void {
  for (const p of patchSet.patches) for (const f of p.files) for (const h of f.hunks) {
    const side = (drop: string) => `void f(void) {\n${h.lines.filter((l) => l.kind !== drop).map((l) => l.text).join('\n')}\n}\n`;
    const a = side('+');
    const b = side('-');
    const pre = parser.parse(a)!;
    let s = 0;
    while (s < a.length && s < b.length && a.charCodeAt(s) === b.charCodeAt(s)) s++;
    let e = 0;
    while (e < a.length - s && e < b.length - s && a.charCodeAt(a.length - 1 - e) === b.charCodeAt(b.length - 1 - e)) e++;
    pre.edit(new Edit({
      startIndex: s, oldEndIndex: a.length - e, newEndIndex: b.length - e,
      startPosition: pointAt(a, s), oldEndPosition: pointAt(a, a.length - e), newEndPosition: pointAt(b, b.length - e),
    }));
    const post: Tree = parser.parse(b, pre)!;
    parses += 2;
    nodes += pre.rootNode.descendantCount + post.rootNode.descendantCount;
    pre.delete();
    post.delete();
  }
}
parseAll();
mark(`parse both sides of every hunk (${parses} parses)`);
phases['total since process start'] = performance.now();
// With a round count: the same parses again, each round timed (how the tiers compare warm).
const rounds: number[] = [];
for (let r = 0; r < Number(process.argv[3] ?? 0); r++) {
  const t0 = performance.now();
  parseAll();
  rounds.push(performance.now() - t0);
}
console.log(JSON.stringify({ phases, nodes, rounds }));
