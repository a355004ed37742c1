// Scenarios generated for each uapi name a patch adds: use it with mmap, mprotect or madvise
// on a registered region (and on the doorbell), then fork, then let the parent write and the
// device DMA, so whatever the new name does at fork shows up in the outcome.
import type { HookChange } from './types';
import type { Scenario, Step } from '../scenarios/types';
import { scenarioFromJson } from '../scenarios/parse';

type RawStep = Record<string, unknown> & { op: string };

const AFTER_FORK: RawStep[] = [
  { op: 'fork', proc: 'parent', child: 'child' },
  { op: 'write', proc: 'parent', region: 'buf', page: 0, value: 6 },
  { op: 'ib_dma_write', mr: 'mr0', page: 0, value: 42 },
  { op: 'read', proc: 'parent', region: 'buf', page: 0 },
  { op: 'read', proc: 'child', region: 'buf', page: 0 },
];

const REGISTERED = (prot: string, flags: string): RawStep[] => [
  { op: 'mmap', proc: 'parent', region: 'buf', pages: 2, prot, flags },
  { op: 'fill', proc: 'parent', region: 'buf', value: 5 },
  { op: 'ib_open', proc: 'parent', ctx: 'ctx0' },
  { op: 'ib_reg_mr', ctx: 'ctx0', region: 'buf', mr: 'mr0' },
];

const DOORBELL_AFTER: RawStep[] = [
  { op: 'fork', proc: 'parent', child: 'child' },
  { op: 'ib_ring_doorbell', proc: 'child', ctx: 'ctx0' },
];

function make(name: string, description: string, steps: RawStep[]): Scenario | null {
  const parsed = scenarioFromJson({ scenario: name, description, steps }, `(generated for ${name})`);
  return parsed.ok ? parsed.scenario : null;
}

export interface GeneratedScenario {
  scenario: Scenario;
  /** The uapi name it exercises. */
  name: string;
}

/** Scenarios for every name the patch adds (uapi-name changes with no value before). */
export function generateScenarios(changes: readonly HookChange[]): GeneratedScenario[] {
  const out: GeneratedScenario[] = [];
  const seen = new Set<string>();
  for (const c of changes) {
    if (c.hook !== 'uapi-name' || c.before !== null || c.after === null || seen.has(c.detail)) continue;
    seen.add(c.detail);
    const n = c.detail;
    const add = (suffix: string, description: string, steps: RawStep[]) => {
      const s = make(`generated-${n.toLowerCase().replace(/_/g, '-')}-${suffix}`, description, steps);
      if (s) out.push({ scenario: s, name: n });
    };
    if (n.startsWith('PROT_')) {
      add('mmap', `mmap a registered buffer with ${n}, fork, parent writes, device DMA`, [...REGISTERED(`PROT_READ|PROT_WRITE|${n}`, 'MAP_PRIVATE|MAP_ANONYMOUS'), ...AFTER_FORK]);
      add('mprotect', `mprotect a registered buffer with ${n}, fork, parent writes, device DMA`, [
        ...REGISTERED('PROT_READ|PROT_WRITE', 'MAP_PRIVATE|MAP_ANONYMOUS'),
        { op: 'mprotect', proc: 'parent', region: 'buf', prot: `PROT_READ|PROT_WRITE|${n}` },
        ...AFTER_FORK,
      ]);
      add('doorbell', `mprotect the doorbell with ${n}, fork, the child rings it`, [
        { op: 'ib_open', proc: 'parent', ctx: 'ctx0' },
        { op: 'mprotect', proc: 'parent', region: 'ctx0.doorbell', prot: `PROT_READ|PROT_WRITE|${n}` },
        ...DOORBELL_AFTER,
      ]);
    } else if (n.startsWith('MAP_')) {
      add('mmap', `mmap a registered buffer with ${n}, fork, parent writes, device DMA`, [...REGISTERED('PROT_READ|PROT_WRITE', `MAP_PRIVATE|MAP_ANONYMOUS|${n}`), ...AFTER_FORK]);
    } else if (n.startsWith('MADV_')) {
      add('madvise', `madvise ${n} on a registered buffer, fork, parent writes, device DMA`, [
        ...REGISTERED('PROT_READ|PROT_WRITE', 'MAP_PRIVATE|MAP_ANONYMOUS'),
        { op: 'madvise', proc: 'parent', region: 'buf', advice: n },
        ...AFTER_FORK,
      ]);
      add('doorbell', `madvise ${n} on the doorbell, fork, the child rings it`, [
        { op: 'ib_open', proc: 'parent', ctx: 'ctx0' },
        { op: 'madvise', proc: 'parent', region: 'ctx0.doorbell', advice: n },
        ...DOORBELL_AFTER,
      ]);
    }
  }
  return out;
}

export type { Step };
