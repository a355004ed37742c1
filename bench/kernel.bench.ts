// Cost of the kernel-facts queries the rules and hovers make: describeFlag (hover),
// findValueCollisions (MM004/MM005 per new define), symbolTable (one per checked file),
// kernelModel (cached after the first call per era/arch). Medians of 7 runs.
import { describeFlag, findValueCollisions, symbolTable, kernelModel, ERAS, archesInEra } from '../src/kernel/index';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function measure(label: string, n: number, fn: (i: number) => void): void {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    runs.push(performance.now() - t);
  }
  const ms = median(runs);
  console.log(`${label}: ${n} calls in ${ms.toFixed(1)} ms median (${((ms * 1000) / n).toFixed(2)} us/call)`);
}

const t0 = performance.now();
for (const era of ERAS) for (const arch of archesInEra(era)) kernelModel(era, arch);
console.log(`first build of all ${ERAS.reduce((n, e) => n + archesInEra(e).length, 0)} era/arch models: ${(performance.now() - t0).toFixed(1)} ms`);

const names = ['VM_DONTCOPY', 'MADV_WIPEONFORK', 'MAP_ANONYMOUS', 'PROT_SEM', 'VM_PKEY_BIT0'];
measure('describeFlag', 10000, (i) => describeFlag(names[i % names.length]!, { era: 'v6.12', arch: 'x86' }));
measure('findValueCollisions', 10000, (i) => findValueCollisions('PROT', BigInt(1 << (i % 8)), 'v6.12'));
measure('symbolTable', 2000, () => symbolTable('v6.12', 'generic'));
