// `mmlens simulate` cost per patch over a generated series: mails built from the bridge's
// fixture hunks (every hook kind, plus behaviour-preserving ones) with varied bits, each
// simulated on its own (hook extraction + library on base and patched model + attribution
// re-runs), median of several rounds; then extraction alone, and the whole series as one mbox.
// `npm run bench -- simulate`; MMLENS_BENCH_PATCHES=N and MMLENS_BENCH_RUNS=N change the size.
import { performance } from 'node:perf_hooks';
import { readFileSync, readdirSync } from 'node:fs';
import { initC } from '../src/c/index';
import { readPatchSet } from '../src/patch/index';
import { extractHookChanges } from '../src/bridge/extract';
import { simulatePatch } from '../src/bridge/simulate';

const PATCHES = Number(process.env.MMLENS_BENCH_PATCHES ?? 60);
const RUNS = Number(process.env.MMLENS_BENCH_RUNS ?? 5);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const FIX = 'test-fixtures/bridge';
const templates = readdirSync(FIX).filter((f) => f.endsWith('.patch')).sort().map((f) => ({ name: f, text: readFileSync(`${FIX}/${f}`, 'utf8') }));
templates.push({ name: 'prot-dontcopy.patch', text: readFileSync('test-fixtures/examples/prot-dontcopy.patch', 'utf8') });

// Vary the bits so the series is not the same few patches over and over (deterministic).
const SWAPS: Array<[RegExp, string[]]> = [
  [/VM_DONTCOPY\)\);/g, ['VM_DONTCOPY));', 'VM_DONTEXPAND));', 'VM_LOCKED));', 'VM_IO));']],
  [/VM_DONTEXPAND\) \{/g, ['VM_DONTEXPAND) {', 'VM_LOCKED) {', 'VM_IO) {']],
];

function mail(i: number): string {
  const t = templates[i % templates.length]!;
  let body = t.text.replace(/^Subject: \[PATCH\] /m, `Subject: [PATCH ${i + 1}/${PATCHES}] `);
  for (const [re, alts] of SWAPS) body = body.replace(re, alts[Math.floor(i / templates.length) % alts.length]!);
  if (!/^From /.test(body)) body = `From mmlens-bench Mon Sep 17 00:00:00 2001\nFrom: Bench <bench@example.org>\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n${body}`;
  return body;
}

async function main(): Promise<void> {
  await initC();
  const series = Array.from({ length: PATCHES }, (_, i) => mail(i));
  // Warm-up: tree-sitter, the evaluator's caches, the library parse.
  await simulatePatch(series[0]!, {});

  const perPatch: number[] = [];
  const extractOnly: number[] = [];
  let consequences = 0;
  let hookChanges = 0;
  for (let r = 0; r < RUNS; r++) {
    const times: number[] = [];
    const ex: number[] = [];
    for (const m of series) {
      const t0 = performance.now();
      const rep = await simulatePatch(m, {});
      times.push(performance.now() - t0);
      if (r === 0) {
        consequences += rep.consequences.length;
        hookChanges += rep.hookChanges.length;
      }
      const ps = readPatchSet(m);
      const t1 = performance.now();
      extractHookChanges(ps, {});
      ex.push(performance.now() - t1);
    }
    perPatch.push(median(times));
    extractOnly.push(median(ex));
  }
  const whole: number[] = [];
  const mbox = series.join('\n');
  for (let r = 0; r < Math.max(1, Math.floor(RUNS / 2)); r++) {
    const t0 = performance.now();
    await simulatePatch(mbox, {});
    whole.push(performance.now() - t0);
  }
  console.log(`series: ${PATCHES} patches from ${templates.length} templates, ${hookChanges} hook changes, ${consequences} consequences`);
  console.log(`simulate, one patch at a time: median ${median(perPatch).toFixed(1)} ms per patch (median of ${RUNS} rounds)`);
  console.log(`  of which hook extraction alone: median ${median(extractOnly).toFixed(2)} ms per patch`);
  console.log(`simulate, the whole series as one mbox: median ${median(whole).toFixed(0)} ms (${(median(whole) / PATCHES).toFixed(1)} ms per patch)`);
}

await main();
