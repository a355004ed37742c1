// Child of bench/lint-phases.bench.ts, bundled and run once per fresh process: times each phase
// of checking one input the way `mmlens check` does it, cold (first run in the process), and
// prints them as JSON. Parsing is forced before extraction so the two show apart.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { readPatchSet } from '../src/patch/index';
import { initC, parseHunk } from '../src/c/index';
import { RuleContext } from '../src/rules/context';
import { RULES } from '../src/rules/registry';
import { chooseKernel } from '../src/rules/check';
import { setFlagsFromString } from 'node:v8';

// V8 flags at run time, as bin/mmlens sets them (bench/lint-phases.bench.ts passes them).
for (const f of (process.env.MMLENS_BENCH_FLAGS ?? '').split(' ').filter(Boolean)) setFlagsFromString(f);

const phases: Record<string, number> = {};
let last = performance.now();
const mark = (name: string) => {
  const now = performance.now();
  phases[name] = now - last;
  last = now;
};
phases['process start to first line'] = last;
const text = readFileSync(process.argv[2]!, 'utf8');
mark('read file');
await initC();
mark('load C parser (wasm)');
const patchSet = readPatchSet(text);
mark('read patches (src/patch)');
for (const p of patchSet.patches) for (const f of p.files) for (const h of f.hunks) {
  const t = parseHunk(h);
  void t.pre.root;
  void t.post.root;
}
mark('tree-sitter parse, both sides of every hunk');
const kernel = chooseKernel(patchSet, 'auto');
mark('choose kernel era');
const ctx = new RuleContext(text, 'series.mbox', patchSet, kernel, 'all');
ctx.hookChanges();
mark('hook changes (src/bridge)');
for (const rule of RULES) {
  rule.check(ctx);
  mark(rule.meta.id);
}
phases['total since process start'] = performance.now();
process.stdout.write(JSON.stringify(phases));
