// The engine shapes the extension consumes, written structurally so the adapter depends only on
// the fields it reads. Lint types come from the rules engine itself; simulation shapes follow
// issue 5 / docs/scenario-format.md and every field the engine may leave out is optional here,
// so a richer engine result still fits and a poorer one still renders.
export type { Finding, RelatedLocation, TextEdit, Fix, Severity, SeveritySetting, RuleMeta, CheckOptions, CheckReport, KernelChoice } from '../rules/types';

export type ConsequenceSeverity = 'error' | 'warning' | 'info';

/** One step's result as the scenario runner reports it. */
export interface StepResultLike {
  ok: boolean;
  errno?: string;
  signal?: string;
  value?: number | string;
  addr?: string | number;
}

export interface StepLike {
  index: number;
  op: string;
  proc?: string;
  /** A one-line rendering of the step (`mprotect(parent, buf, PROT_READ)`), when the engine has one. */
  text?: string;
  result?: StepResultLike;
  passed?: boolean;
  /** The machine state after this step, when the runner kept snapshots. */
  state?: MachineStateLike;
}

export interface EventLike {
  step: number;
  kind: string;
  detail?: string;
}

export interface VmaLike {
  start: string | number | bigint;
  end: string | number | bigint;
  flags: string[] | string;
  region?: string;
  /** Per page: which frame backs it, when the snapshot has page tables. */
  pages?: PageLike[];
}

export interface PageLike {
  index?: number;
  frame?: string | number | null;
  /** Shared copy-on-write with another process. */
  cow?: boolean;
  writable?: boolean;
}

export interface FrameLike {
  id: string | number;
  /** Pins (FOLL_PIN / get_user_pages references held for DMA). */
  pins?: number;
  refs?: number;
  mapcount?: number;
  value?: number | string;
  /** The device owns this frame (doorbell/UAR page). */
  device?: boolean;
  anonExclusive?: boolean;
}

export interface ProcessStateLike {
  vmas: VmaLike[];
}

export interface MachineStateLike {
  processes: Record<string, ProcessStateLike>;
  frames?: FrameLike[] | Record<string, FrameLike>;
}

/** One run of a scenario on one model (base or patched). */
export interface OutcomeLike {
  steps?: StepLike[];
  events?: EventLike[];
  final?: MachineStateLike;
  passed?: boolean;
}

export interface HookChangeLike {
  hook: string;
  before?: unknown;
  after?: unknown;
  lines: number[];
  description?: string;
  summary?: string;
}

export interface ConsequenceLike {
  scenario: string;
  severity: ConsequenceSeverity;
  summary: string;
  base: OutcomeLike;
  patched: OutcomeLike;
  lines: number[];
  /** Indexes into the report's hookChanges, or the changes themselves. */
  hookChanges?: Array<number | HookChangeLike>;
}

export interface SimulationReportLike {
  kernel: unknown;
  hookChanges: HookChangeLike[];
  consequences: ConsequenceLike[];
}
