// Reader throughput and memory. Prints lines per second for readPatchSet on a large generated
// series (median of several runs), then streams a generated ~100 MB mbox with readMboxFile in a
// fresh child process and prints its throughput and peak RSS (the bounded-memory claim).
// `npm run bench -- parse`; MMLENS_BENCH_MB=N changes the mbox size.
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPatchSet } from '../src/patch/index';
import { readMboxFile } from '../src/patch/mbox-stream';

const T = '\t';

/** One generated mail: a format-patch with a few files and hunks, sometimes quoted in a reply,
 *  sometimes quoted-printable. Written for the benchmark, no kernel text. */
export function generatedMail(n: number): string {
  const hunks: string[] = [];
  for (let f = 0; f < 3; f++) {
    hunks.push(`diff --git a/mm/file${f}_${n}.c b/mm/file${f}_${n}.c`, `index ${(n * 7919 + f).toString(16).padStart(7, '0')}..abcdef0 100644`, `--- a/mm/file${f}_${n}.c`, `+++ b/mm/file${f}_${n}.c`);
    for (let h = 0; h < 2; h++) {
      const at = 10 + h * 40;
      hunks.push(
        `@@ -${at},7 +${at},8 @@ static int handler_${f}_${h}(struct vm_area_struct *vma, unsigned long flags)`,
        ` ${T}unsigned long newflags = flags;`,
        ` ${T}int error = 0;`,
        ` `,
        `-${T}newflags |= vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC);`,
        `+${T}newflags |= vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_SHARED);`,
        `+${T}error = check_${n}_${f}_${h}(vma, newflags);`,
        ` ${T}if (error)`,
        ` ${T}${T}return error;`,
        ` ${T}return 0;`,
      );
    }
  }
  const body = [
    `Change number ${n} to the flag handling of the generated series.`,
    '',
    'It keeps one more bit across the call and checks the result.',
    '',
    `Signed-off-by: Bench Author <bench${n % 17}@example.org>`,
    '---',
    ' 3 files changed, 12 insertions(+), 6 deletions(-)',
    '',
    ...hunks,
    '-- ',
    '2.43.0',
    '',
  ];
  const kind = n % 10;
  const head = [`From ${n.toString(16).padStart(40, '0')} Mon Sep 17 00:00:00 2001`, `From: Bench Author <bench${n % 17}@example.org>`, `Date: Mon, 14 Nov 2005 09:00:00 +0100`];
  if (kind === 7) {
    // A reply quoting the patch, with the quoting's whitespace mangling.
    const quoted = body.map((l) => (l.startsWith(' ') ? '>' + l : '> ' + l));
    return [...head, `Subject: Re: [PATCH v2 ${n}/99999] mm: change ${n}`, '', 'Someone wrote:', ...quoted, '', 'Looks fine to me.', ''].join('\n');
  }
  if (kind === 3) {
    const qp = body.map((l) => l.replace(/=/g, '=3D')).join('\n');
    return [...head, `Subject: [PATCH ${n}/99999] mm: change ${n}`, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', qp].join('\n');
  }
  return [...head, `Subject: [PATCH v2 ${n}/99999] mm: change ${n}`, '', ...body].join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function streamChild(path: string): Promise<void> {
  const t0 = performance.now();
  let patches = 0;
  let hunkLines = 0;
  let peakHeap = 0;
  const result = await readMboxFile(path, (p) => {
    patches++;
    for (const f of p.files) for (const h of f.hunks) hunkLines += h.lines.length;
    if ((patches & 255) === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  });
  const secs = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ ...result, patches, hunkLines, secs, peakRssMB: process.resourceUsage().maxRSS / 1024, peakHeapMB: peakHeap / 2 ** 20 }));
}

async function mainBench(): Promise<void> {
  // 1. In memory: readPatchSet on one large series document.
  const MAILS = 4000;
  const doc = Array.from({ length: MAILS }, (_, i) => generatedMail(i)).join('\n');
  const lines = doc.split('\n').length;
  const rates: number[] = [];
  let patches = 0;
  for (let run = 0; run < 7; run++) {
    const t0 = performance.now();
    const set = readPatchSet(doc);
    const ms = performance.now() - t0;
    patches = set.patches.length;
    if (run > 0) rates.push(lines / (ms / 1000)); // run 0 warms up the JIT
  }
  console.log(`readPatchSet: ${lines} lines, ${(doc.length / 2 ** 20).toFixed(1)} MB, ${patches} patches`);
  console.log(`  median ${Math.round(median(rates)).toLocaleString('en')} lines/s over ${rates.length} runs (min ${Math.round(Math.min(...rates)).toLocaleString('en')}, max ${Math.round(Math.max(...rates)).toLocaleString('en')})`);

  // 2. Streaming mboxes of growing size in fresh processes: peak memory must not grow with the file.
  const sizes = (process.env.MMLENS_BENCH_MB ?? '25,100').split(',').map(Number);
  for (const mb of sizes) await benchStream(mb);
}

async function benchStream(targetMB: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-bench-'));
  const path = join(dir, 'series.mbox');
  try {
    const out = createWriteStream(path);
    let bytes = 0;
    for (let n = 0; bytes < targetMB * 2 ** 20; n++) {
      const m = generatedMail(n) + '\n';
      bytes += Buffer.byteLength(m);
      if (!out.write(m)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(r));
    const size = statSync(path).size;
    const runs: { secs: number; lines: number; peakRssMB: number; peakHeapMB: number; patches: number }[] = [];
    for (let run = 0; run < 3; run++) {
      const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--stream', path], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(child.stderr);
      runs.push(JSON.parse(child.stdout.trim().split('\n').pop()!));
    }
    // The same read with the V8 heap capped at 32 MB: it completes, so the reader's memory does
    // not grow with the file (RSS above that is V8's young generation, buffers and tsx).
    const capped = spawnSync(process.execPath, ['--max-old-space-size=32', '--import', 'tsx', fileURLToPath(import.meta.url), '--stream', path], { encoding: 'utf8' });
    const cappedRun = capped.status === 0 ? JSON.parse(capped.stdout.trim().split('\n').pop()!) : null;
    const baseline = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--baseline'], { encoding: 'utf8' });
    const r = runs[0];
    console.log(`readMboxFile: ${(size / 2 ** 20).toFixed(0)} MB mbox, ${r.lines.toLocaleString('en')} lines, ${r.patches} patches`);
    console.log(`  median ${Math.round(median(runs.map((x) => x.lines / x.secs))).toLocaleString('en')} lines/s over ${runs.length} runs`);
    console.log(
      `  peak RSS median ${median(runs.map((x) => x.peakRssMB)).toFixed(0)} MB for the whole process ` +
        `(Node + tsx + reader loaded, nothing read: ${Number(baseline.stdout.trim()).toFixed(0)} MB); peak heap used ${median(runs.map((x) => x.peakHeapMB)).toFixed(0)} MB`,
    );
    console.log(
      cappedRun
        ? `  with --max-old-space-size=32: completed, peak RSS ${cappedRun.peakRssMB.toFixed(0)} MB, peak heap used ${cappedRun.peakHeapMB.toFixed(0)} MB`
        : `  with --max-old-space-size=32: FAILED (${capped.stderr.split('\n').slice(-3).join(' ')})`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain && process.argv[2] === '--stream') await streamChild(process.argv[3]);
else if (isMain && process.argv[2] === '--baseline') console.log(process.resourceUsage().maxRSS / 1024);
else if (isMain) await mainBench();
