// fork() of a process with 1,048,576 resident private pages: the simulator against the real
// kernel (a small C program compiled with gcc here), one VMA and 10,000 VMAs, median of
// several runs each, side by side as a ratio; plus the simulator's memory per page.
// `npm run bench -- fork`; MMLENS_BENCH_PAGES=N and MMLENS_BENCH_RUNS=N change the size.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernelModel } from '../src/kernel/index';
import { Machine } from '../src/sim/machine';
import { FrameTable } from '../src/sim/frames';

const PAGES = Number(process.env.MMLENS_BENCH_PAGES ?? 1 << 20);
const RUNS = Number(process.env.MMLENS_BENCH_RUNS ?? 7);
const LAYOUTS = [1, 10_000];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The real kernel: map `vmas` private anonymous mappings (separated by unmapped pages so they
// stay distinct VMAs), write every page, then time fork() in the parent; the child exits at once.
const C_SOURCE = String.raw`
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long pages = atol(argv[1]), vmas = atol(argv[2]), runs = atol(argv[3]);
  long ps = sysconf(_SC_PAGESIZE);
  char *base = mmap(NULL, (pages + vmas) * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) { perror("mmap"); return 1; }
  char *p = base;
  for (long v = 0; v < vmas; v++) {
    long n = pages / vmas + (v < pages % vmas ? 1 : 0);
    for (long i = 0; i < n; i++) p[i * ps] = 1;
    p += n * ps;
    if (munmap(p, ps)) { perror("munmap"); return 1; }
    p += ps;
  }
  for (long r = 0; r < runs; r++) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    if (pid < 0) { perror("fork"); return 1; }
    waitpid(pid, NULL, 0);
    printf("%.3f\n", (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6);
  }
  return 0;
}
`;

function kernelTimes(vmas: number): number[] | string {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-forkbench-'));
  try {
    writeFileSync(join(dir, 'fork.c'), C_SOURCE);
    const cc = spawnSync('gcc', ['-O2', '-o', join(dir, 'fork'), join(dir, 'fork.c')], { encoding: 'utf8' });
    if (cc.error || cc.status !== 0) return `gcc unavailable or failed: ${cc.error?.message ?? cc.stderr}`;
    const run = spawnSync(join(dir, 'fork'), [String(PAGES), String(vmas), String(RUNS)], { encoding: 'utf8' });
    if (run.status !== 0) return `the C program failed: ${run.stderr}`;
    return run.stdout.trim().split('\n').map(Number);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function simulatorRun(vmas: number): { times: number[]; bytesPerPage: number } {
  const model = kernelModel('v6.12');
  const s = (n: string) => model.symbols.get(n)!;
  const m = new Machine(model, { frames: PAGES + 1024 });
  const parent = m.spawn('parent');
  for (let v = 0; v < vmas; v++) {
    const n = Math.floor(PAGES / vmas) + (v < PAGES % vmas ? 1 : 0);
    m.mmap(parent, `r${v}`, n, s('PROT_READ') | s('PROT_WRITE'), s('MAP_PRIVATE') | s('MAP_ANONYMOUS'));
    const r = parent.regions.get(`r${v}`)!;
    m.fill(parent, r.start, r.pages, 1);
  }
  // Bytes held by the typed arrays: frame slots (allocated capacity) and the page tables.
  let ptBytes = 0;
  for (const v of parent.vmas) ptBytes += v.pt.byteLength + v.wr.byteLength;
  const bytesPerPage = (m.frames.capacity * FrameTable.bytesPerFrame() + ptBytes) / PAGES;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    m.fork(parent, `child${i}`);
    const t1 = process.hrtime.bigint();
    times.push(Number(t1 - t0) / 1e6);
    m.exit(m.proc(`child${i}`));
  }
  return { times, bytesPerPage };
}

console.log(`fork of ${PAGES} resident private pages, median of ${RUNS} runs`);
console.log('layout        simulator ms   kernel ms   ratio   simulator bytes/page');
for (const vmas of LAYOUTS) {
  const sim = simulatorRun(vmas);
  const k = kernelTimes(vmas);
  const simMs = median(sim.times);
  const kMs = typeof k === 'string' ? NaN : median(k);
  const label = `${vmas} VMA${vmas > 1 ? 's' : ''}`.padEnd(13);
  const ratio = Number.isNaN(kMs) ? 'n/a' : (simMs / kMs).toFixed(2) + 'x';
  console.log(`${label} ${simMs.toFixed(1).padStart(12)}   ${Number.isNaN(kMs) ? '   n/a' : kMs.toFixed(1).padStart(9)}   ${ratio.padStart(5)}   ${sim.bytesPerPage.toFixed(1).padStart(8)}`);
  if (typeof k === 'string') console.log(`  kernel side skipped: ${k}`);
}
console.log(`(frame arrays: ${FrameTable.bytesPerFrame()} bytes per frame slot; page tables: 4 + 1 bytes per mapped page per process)`);
