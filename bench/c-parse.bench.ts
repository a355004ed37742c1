// Tree-sitter parse of hunk fragments and the evaluator on them, over a generated series of
// hunks shaped like mm patches (mid-function mprotect/madvise windows, header #define blocks,
// driver mmap handlers). Median of several runs: hunks/s and lines/s for parse alone, then
// parse + query + evaluate, and evaluateText throughput for scenario-style strings.
// `npm run bench -- c-parse`; MMLENS_BENCH_HUNKS=N and MMLENS_BENCH_RUNS=N change the size.
import { performance } from 'node:perf_hooks';
import {
  initC, parseHunk, assignmentValues, findSwitchCases, caseEffect, findConditions, collectDefineChanges,
  evaluate, evaluateText, keptBits, matchAccessCheck,
} from '../src/c/index';
import type { Hunk, HunkLine, PatchSet } from '../src/patch/types';

const HUNKS = Number(process.env.MMLENS_BENCH_HUNKS ?? 1200);
const RUNS = Number(process.env.MMLENS_BENCH_RUNS ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const TABLE: Record<string, bigint> = {
  VM_READ: 1n, VM_WRITE: 2n, VM_EXEC: 4n, VM_SHARED: 8n, VM_IO: 0x4000n, VM_DONTCOPY: 0x20000n, VM_DONTEXPAND: 0x40000n,
  VM_RAND_READ: 0x10000n, VM_SEQ_READ: 0x8000n, PROT_READ: 1n, PROT_WRITE: 2n, PROT_EXEC: 4n, MADV_DONTFORK: 10n,
};
const lookup = (n: string) => TABLE[n];

// Deterministic variety without Math.random.
function pick<T>(xs: T[], i: number, salt: number): T {
  return xs[(i * 2654435761 + salt * 40503) % xs.length >>> 0]!;
}

function templates(i: number): string[] {
  const bits = pick(['VM_DONTCOPY', 'VM_IO', 'VM_SHARED', 'VM_DONTEXPAND', 'BIT(40)'], i, 1);
  switch (i % 4) {
    case 0:
      return [
        ' \t\t\tgoto out;', ' \t\t}', ' ',
        `-\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));`,
        `+\t\tmask = ~(VM_READ | VM_WRITE | VM_EXEC | ${bits});`,
        `+\t\tnewflags = vm_flags | (vma->vm_flags & mask);`, ' ',
        ' \t\t/* VM_MAY* bits sit four above */', ' \t\tif ((newflags & ~(newflags >> 4)) & 0xf) {',
        ' \t\t\terror = -EACCES;', ' \t\t\tgoto out;', ' \t\t}',
      ];
    case 1:
      return [
        ' \tcase MADV_RANDOM:', ' \t\tnew_flags |= VM_RAND_READ;', ' \t\tbreak;',
        '+\tcase MADV_DONTFORK:', `+\t\tnew_flags |= ${bits};`, '+\t\tbreak;',
        ' \tcase MADV_DOFORK:', '-\t\tif (vma->vm_flags & VM_IO) {', '-\t\t\terror = -EINVAL;', '-\t\t\tgoto out;', '-\t\t}',
        ` \t\tnew_flags &= ~${bits};`, ' \t\tbreak;', ' \tdefault:', ' \t\tbreak;', ' \t}',
      ];
    case 2:
      return [
        ' #define PROT_READ\t0x1\t\t/* page can be read */', ' #define PROT_WRITE\t0x2\t\t/* page can be written */',
        ' #define PROT_EXEC\t0x4\t\t/* page can be executed */', `+#define PROT_NEW_${i}\t0x${(0x10 << (i % 20)).toString(16)}\t/* new */`,
        ' #define PROT_SEM\t0x8', ' ', ' #define MAP_SHARED\t0x01', ' #define MAP_PRIVATE\t0x02',
      ];
    default:
      return [
        ` static int drv${i}_mmap(struct file *filp, struct vm_area_struct *vma)`, ' {',
        ' \tunsigned long pfn = dev->bar + (vma->vm_pgoff << PAGE_SHIFT);', ' ',
        `-\tvma->vm_flags |= VM_IO | VM_DONTEXPAND;`, `+\tvm_flags_set(vma, VM_IO | VM_DONTEXPAND | ${bits});`,
        ' \tvma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);',
        ' \treturn io_remap_pfn_range(vma, vma->vm_start, pfn >> PAGE_SHIFT, PAGE_SIZE, vma->vm_page_prot);', ' }',
      ];
  }
}

function makeHunks(): Hunk[] {
  const out: Hunk[] = [];
  let line = 1;
  for (let i = 0; i < HUNKS; i++) {
    const lines: HunkLine[] = templates(i).map((t) => ({ kind: t[0] as HunkLine['kind'], text: t.slice(1), line: line++, column: 2 }));
    out.push({ oldStart: 1, oldLines: 0, newStart: 1, newLines: 0, header: '', functionName: i % 4 === 0 ? 'sys_mprotect' : i % 4 === 1 ? 'madvise_behavior' : null, line: line++, column: 1, lines });
  }
  return out;
}

function analyse(h: Hunk): number {
  const t = parseHunk(h);
  let n = 0;
  for (const f of [t.pre, t.post]) {
    for (const a of assignmentValues(f.scope, { lookup })) {
      if (a.value) n += Number(keptBits(a.value, 'vma->vm_flags') & 1n);
    }
    for (const c of findConditions(f.scope)) n += matchAccessCheck(evaluate(c.test, { lookup })) ? 1 : 0;
    for (const sw of findSwitchCases(f.root)) for (const g of sw.groups) n += Number(caseEffect(g, 'new_flags', { lookup }).set & 1n);
  }
  return n;
}

await initC();
const lineCount = makeHunks().reduce((s, h) => s + h.lines.length, 0);
const parseTimes: number[] = [];
const fullTimes: number[] = [];
const defineTimes: number[] = [];
for (let r = 0; r < RUNS; r++) {
  // Fresh hunk objects each run: parseHunk caches per object.
  let hunks = makeHunks();
  let t0 = performance.now();
  for (const h of hunks) {
    const t = parseHunk(h);
    if (t.pre.errorCount + t.post.errorCount < 0) console.log(t); // both sides parsed (they are lazy)
  }
  parseTimes.push(performance.now() - t0);

  hunks = makeHunks();
  t0 = performance.now();
  let sink = 0;
  for (const h of hunks) sink += analyse(h);
  fullTimes.push(performance.now() - t0);
  if (sink < 0) console.log(sink);

  hunks = makeHunks();
  const ps: PatchSet = { problems: [], patches: [{ subject: null, version: null, index: null, total: null, from: null, date: null, line: 1, message: '', isCoverLetter: false, quoteDepth: 0, files: [{ oldPath: 'a.h', newPath: 'a.h', line: 1, hunks }] }] };
  t0 = performance.now();
  collectDefineChanges(ps, { lookup });
  defineTimes.push(performance.now() - t0);
}

const exprs = ['PROT_READ|PROT_WRITE', 'MADV_DONTFORK', '0x3', '_BITUL(40) | VM_IO', '(VM_READ|VM_WRITE) & ~VM_EXEC', 'PROT_BOGUS'];
// Half take the `a|b` fast path, half need the full parse.
const evalTimes: number[] = [];
const EVALS = 20000;
for (let r = 0; r < RUNS; r++) {
  const t0 = performance.now();
  // Distinct strings defeat the parse cache, like a scenario library with many values.
  for (let i = 0; i < EVALS; i++) evaluateText(`${exprs[i % exprs.length]} | ${i}`, lookup);
  evalTimes.push(performance.now() - t0);
}

const fmt = (ms: number, what: number) => `${ms.toFixed(1)} ms (${Math.round((what / ms) * 1000).toLocaleString('en-US')}/s)`;
const p = median(parseTimes);
const f = median(fullTimes);
console.log(`${HUNKS} hunks, ${lineCount} lines, median of ${RUNS} runs`);
console.log(`parse pre+post images:        ${fmt(p, HUNKS)} hunks; ${Math.round((lineCount / p) * 1000).toLocaleString('en-US')} lines/s`);
console.log(`parse + queries + evaluation: ${fmt(f, HUNKS)} hunks; ratio to parse alone ${(f / p).toFixed(2)}x`);
console.log(`collectDefineChanges:         ${fmt(median(defineTimes), HUNKS)} hunks (parse included)`);
console.log(`evaluateText (uncached):      ${fmt(median(evalTimes), EVALS)} expressions (half simple a|b, half parsed)`);
