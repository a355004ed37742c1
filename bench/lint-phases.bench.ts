// Where a one-shot `mmlens check` of the 300-patch series spends its time: each phase timed in
// a fresh process (bench/phases-entry.ts, bundled like the CLI), medians of several processes.
// This is the cold cost the process-start-included aim of issue 3 is about. The processes run
// with the V8 flags bin/mmlens sets for such an input (src/cli/one-shot.ts).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { median, series } from './series';
import { oneShotV8Flags } from '../src/cli/one-shot';

const RUNS = 7;
const dir = mkdtempSync(join(tmpdir(), 'mmlens-phases-bench-'));
const bundle = join(dir, 'phases.mjs');
await build({
  entryPoints: ['bench/phases-entry.ts'], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
for (const w of ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'node_modules/tree-sitter-c/tree-sitter-c.wasm']) {
  copyFileSync(w, join(dir, w.split('/').pop()!));
}
const file = join(dir, 'series.mbox');
writeFileSync(file, series);

const samples: Array<Record<string, number>> = [];
for (let r = 0; r < RUNS; r++) {
  const p = spawnSync(process.execPath, [bundle, file], { encoding: 'utf8', env: { ...process.env, MMLENS_BENCH_FLAGS: oneShotV8Flags(['check', file]).join(' ') } });
  if (p.status !== 0) throw new Error(`phases child failed: ${p.stderr}`);
  samples.push(JSON.parse(p.stdout));
}
console.log(`one-shot check of the 300-patch series, phase by phase (median ms of ${RUNS} fresh processes; V8 flags: ${oneShotV8Flags(['check', file]).join(' ') || 'none'}):`);
for (const name of Object.keys(samples[0]!)) {
  console.log(`  ${name.padEnd(48)} ${median(samples.map((s) => s[name]!)).toFixed(1).padStart(7)}`);
}
