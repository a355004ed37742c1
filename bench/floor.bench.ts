// The floor under issue 3's aim ("a 300-patch series in well under 200 ms wall, process start
// included"): wall time of fresh processes that do only what any conforming `mmlens check`
// must do before analysing anything (bench/floor-entry.ts: start Node, load the wasm, read the
// mbox, parse both sides of every hunk once), next to a bare `node -e 0` and the real one-shot
// `mmlens check`. Each with V8's default wasm tiering and with Liftoff only (what bin/mmlens
// sets for small inputs, src/cli/one-shot.ts).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { median, series } from './series';

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
writeFileSync(runCli, `const { main } = await import(${JSON.stringify(cli)});\nprocess.exitCode = await main(process.argv.slice(2));\n`);

function wall(args: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const p = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  if (p.status !== 0 && p.status !== 1) throw new Error(`${args.join(' ')} failed: ${p.stderr}`);
  return { ms, stdout: p.stdout };
}

const cases: Array<[string, string[]]> = [
  ['node -e 0 (process start alone)', ['-e', '0']],
  ['floor: start + wasm + read + parse, default tiering', [floor, file]],
  ['floor: same, --liftoff-only', ['--liftoff-only', floor, file]],
  ['mmlens check, default tiering', [runCli, 'check', file]],
  ['mmlens check, --liftoff-only (bin/mmlens default)', ['--liftoff-only', runCli, 'check', file]],
];
const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
const phases = new Map<string, Array<Record<string, number>>>();
// Interleaved rounds, so a noisy stretch of the machine hits every case alike.
for (let r = 0; r < RUNS; r++) {
  for (const [name, args] of cases) {
    const { ms, stdout } = wall(args);
    samples.get(name)!.push(ms);
    if (args.includes(floor)) {
      const list = phases.get(name) ?? [];
      list.push(JSON.parse(stdout).phases);
      phases.set(name, list);
    }
  }
}
console.log(`300-patch series, ${series.length} bytes; wall ms from spawn to exit, median of ${RUNS} fresh processes:`);
for (const [name] of cases) console.log(`  ${name.padEnd(52)} ${median(samples.get(name)!).toFixed(0).padStart(6)}`);
// Warm: the same parses repeated in one process; the median of rounds 4-8 (tiered code has
// had time to optimise). Why the Liftoff-only flag is kept to small inputs.
for (const flags of [[], ['--liftoff-only']]) {
  const warm: number[] = [];
  for (let r = 0; r < 3; r++) warm.push(median(JSON.parse(wall([...flags, floor, file, '8']).stdout).rounds.slice(3)));
  console.log(`  warm parse of both sides, ${flags.join(' ') || 'default tiering'}: ${median(warm).toFixed(1)} ms per series`);
}
for (const [name, list] of phases) {
  console.log(`  ${name}, inside the process:`);
  for (const k of Object.keys(list[0]!)) console.log(`    ${k.padEnd(50)} ${median(list.map((p) => p[k]!)).toFixed(1).padStart(7)}`);
}
