// Which scenarios a plain userspace program can run on a real kernel (the oracle's subset).
import type { Scenario } from './types';

const USERSPACE_OPS = new Set(['mmap', 'munmap', 'mprotect', 'madvise', 'write', 'read', 'fill', 'fork', 'exit']);

export function isUserspaceExpressible(s: Scenario): boolean {
  return s.steps.every((x) => USERSPACE_OPS.has(x.op));
}
