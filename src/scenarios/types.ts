// The scenario format of docs/scenario-format.md as TypeScript types.
import type { IbDriverPreset } from '../sim/drivers/ib';
import type { SimEvent, StepResult } from '../sim/types';

export const OPS = [
  'mmap', 'munmap', 'mprotect', 'madvise', 'write', 'read', 'fill', 'fork', 'exit',
  'gup', 'gup_read', 'unpin',
  'ib_open', 'ib_fork_init', 'ib_reg_mr', 'ib_dereg_mr', 'ib_dma_write', 'ib_dma_read', 'ib_ring_doorbell',
] as const;
export type Op = (typeof OPS)[number];

/** What a step's result is checked against. */
export type Expectation = number | 'ok' | { errno: string } | { signal: string };

/** An expectation, or one per era (keys: era ids, `latest`, `default`). */
export type ExpectSpec = { kind: 'one'; value: Expectation } | { kind: 'byEra'; values: Record<string, Expectation> };

export interface Step {
  index: number;
  op: Op;
  proc?: string;
  region?: string;
  page?: number;
  pages?: number;
  prot?: string;
  flags?: string;
  advice?: string;
  value?: number;
  child?: string;
  ctx?: string;
  mr?: string;
  ref?: string;
  write?: boolean;
  pin?: boolean;
  longterm?: boolean;
  first?: number;
  count?: number;
  expect?: ExpectSpec;
  /** A free-text note shown in the timeline. */
  note?: string;
}

export interface Scenario {
  file: string;
  name: string;
  description?: string;
  kernel?: string;
  /** Extension: the IB driver's doorbell flags preset (default: the model's doorbellFlags). */
  driver?: IbDriverPreset;
  /** Extension: whether the oracle can run it on the live kernel (computed, see oracle). */
  steps: Step[];
}

/** A problem that makes a scenario not valid: names the file, the step and the field. */
export interface ScenarioError {
  file: string;
  /** Step index (0-based), absent for top-level problems. */
  step?: number;
  field?: string;
  message: string;
}

export function formatScenarioError(e: ScenarioError): string {
  const where = [e.step === undefined ? '' : `step ${e.step}`, e.field ? `field '${e.field}'` : ''].filter(Boolean).join(' ');
  return where ? `${e.file}: ${where}: ${e.message}` : `${e.file}: ${e.message}`;
}

export interface StepReport {
  index: number;
  op: Op;
  result: StepResult;
  expect?: Expectation;
  passed?: boolean;
}

export interface FinalVma {
  start: string;
  end: string;
  flags: string[];
  region?: string;
  backing: 'anon' | 'shmem' | 'device';
  /** Present pages as "index:frame[w]=value" (frame 0 is the zero page), at most 16. */
  pages: string[];
}

export interface FinalState {
  processes: Record<string, { alive: boolean; vmas: FinalVma[] }>;
  liveFrames: number;
}

export interface ScenarioResult {
  scenario: string;
  file: string;
  kernel: string;
  valid: boolean;
  errors: ScenarioError[];
  passed: boolean;
  steps: StepReport[];
  events: SimEvent[];
  final: FinalState;
  /** With checkInvariants: violations found after a step (or at teardown, step = steps.length). */
  invariantViolations: { step: number; messages: string[] }[];
}
