// The floor under issue 3's aim ("a 300-patch series in well under 200 ms wall, process start
// included"): wall time of fresh processes that do only what any conforming `mmlens check`
// must do before analysing anything (bench/floor-entry.ts: start Node, load the wasm, read the
// mbox, parse both sides of every hunk once), next to a bare `node -e 0` and the real one-shot
// `mmlens check`: the floor with V8's default wasm tiering and with Liftoff only, the check
// with V8's defaults, with each flag bin/mmlens sets for this input (src/cli/one-shot.ts)
// alone, and with all of them.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { median, series } from './series';
import { oneShotV8Flags } from '../src/cli/one-shot';

const RUNS = 9;
const dir = mkdtempSync(join(tmpdir(), 'mmlens-floor-bench-'));
const banner = { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" };
const floor = join(dir, 'floor.mjs');
const cli = join(dir, 'cli.mjs');
await build({ entryPoints: ['bench/floor-entry.ts'], bundle: true, platform: 'node', format: 'esm', outfile: floor, logLevel: 'warning', banner });
await build({ entryPoints: ['src/cli/main.ts'], bundle: true, platform: 'node', format: 'esm', outfile: cli, logLevel: 'warning', banner });
for (const w of ['node_modules/web-tree-sitter/web-tree-sitter.wasm', 'node_modules/tree-sitter-c/tree-sitter-c.wasm']) {
  copyFileSync(w, join(dir, w.split('/').pop()!));
}
const file = join(dir, 'series.mbox');
writeFileSync(file, series);
const runCli = join(dir, 'run-cli.mjs');
// Sets the V8 flags named in MMLENS_BENCH_FLAGS at run time, as bin/mmlens does (on Node's
// command line they would change its start-up too).
writeFileSync(runCli, [
  "import { setFlagsFromString } from 'node:v8';",
  `const { main } = await import(${JSON.stringify(cli)});`,
  "for (const f of (process.env.MMLENS_BENCH_FLAGS ?? '').split(' ').filter(Boolean)) setFlagsFromString(f);",
  'process.exitCode = await main(process.argv.slice(2));',
].join('\n'));

function wall(args: string[], flags = ''): { ms: number; stdout: string } {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, MMLENS_BENCH_FLAGS: flags } });
  const ms = performance.now() - t0;
  if (p.status !== 0 && p.status !== 1) throw new Error(`${args.join(' ')} failed: ${p.stderr}`);
  return { ms, stdout: p.stdout };
}

const oneShot = oneShotV8Flags(['check', file]);
const cases: Array<[string, string[], string?]> = [
  ['node -e 0 (process start alone)', ['-e', '0']],
  ['floor: start + wasm + read + parse, default tiering', [floor, file]],
  ['floor: same, --liftoff-only', [floor, file], '--liftoff-only'],
  ['mmlens check, V8 defaults', [runCli, 'check', file], ''],
  ...oneShot.map((f): [string, string[], string] => [`mmlens check, ${f} alone`, [runCli, 'check', file], f]),
  [`mmlens check, ${oneShot.join(' ')} (what bin/mmlens sets)`, [runCli, 'check', file], oneShot.join(' ')],
];
const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
const phases = new Map<string, Array<Record<string, number>>>();
// Interleaved rounds, so a noisy stretch of the machine hits every case alike.
for (let r = 0; r < RUNS; r++) {
  for (const [name, args, flags] of cases) {
    const { ms, stdout } = wall(args, flags);
    samples.get(name)!.push(ms);
    if (args.includes(floor)) {
      const list = phases.get(name) ?? [];
      list.push(JSON.parse(stdout).phases);
      phases.set(name, list);
    }
  }
}
console.log(`300-patch series, ${series.length} bytes; wall ms from spawn to exit, median of ${RUNS} fresh processes:`);
for (const [name] of cases) console.log(`  ${name.padEnd(76)} ${median(samples.get(name)!).toFixed(0).padStart(6)}`);
// Warm: the same parses repeated in one process; the median of rounds 4-8 (tiered code has
// had time to optimise). Why the Liftoff-only flag is kept to small inputs.
for (const flags of ['', '--liftoff-only']) {
  const warm: number[] = [];
  for (let r = 0; r < 3; r++) warm.push(median(JSON.parse(wall([floor, file, '8'], flags).stdout).rounds.slice(3)));
  console.log(`  warm parse of both sides, ${flags || 'default tiering'}: ${median(warm).toFixed(1)} ms per series`);
}
for (const [name, list] of phases) {
  console.log(`  ${name}, inside the process:`);
  for (const k of Object.keys(list[0]!)) console.log(`    ${k.padEnd(50)} ${median(list.map((p) => p[k]!)).toFixed(1).padStart(7)}`);
}
