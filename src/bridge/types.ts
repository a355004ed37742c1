// The bridge's public types: hook changes (what a patch changes in a behaviour the simulator
// models) and the simulation report (what those changes do when scenarios run). See the
// comment at the top of ./index.ts for how to read them.
import type { ArchId, BitTranslation, EraId, MadviseGuard } from '../kernel/model';

export type HookKind =
  | 'uapi-name'
  | 'prot-translation'
  | 'mprotect-kept'
  | 'mprotect-access-check'
  | 'madvise-behaviour'
  | 'madvise-validity'
  | 'fork-policy'
  | 'driver-mmap'
  | 'mmap-flags';

export const HOOK_KINDS: readonly HookKind[] = [
  'uapi-name', 'prot-translation', 'mprotect-kept', 'mprotect-access-check', 'madvise-behaviour',
  'madvise-validity', 'fork-policy', 'driver-mmap', 'mmap-flags',
];

/** A madvise guard the evaluator could not put in the model's terms (kept so that a change
 *  to it is still seen; it is not applied to the model). */
export interface OpaqueGuard {
  condition: string;
  errno: string;
}

/** The typed value of one hook before or after the patch. */
export type HookValue =
  /** A uapi constant (`PROT_DONTCOPY` = 0x04000000). */
  | { type: 'value'; value: bigint }
  /** A set of VM bits: mprotect kept flags, fork skip/wipe/child-clear flags, valid PROT bits. */
  | { type: 'mask'; value: bigint }
  /** A yes/no policy: an advice is accepted; pinned pages are copied at fork. */
  | { type: 'flag'; value: boolean }
  /** `_calc_vm_trans` terms: user bit -> VM bit. */
  | { type: 'translation'; terms: BitTranslation[] }
  /** `(newflags & ~(newflags >> shift)) & mask`. */
  | { type: 'access-check'; shift: number; mask: bigint }
  /** What one madvise case does, as far as the hunk shows it: fields the hunk does not show
   *  are absent (2.6.16 keeps guards in madvise_vma() and flag updates in
   *  madvise_behavior(); each hunk shows one of them). */
  | { type: 'madvise'; set?: bigint; clear?: bigint; guards?: MadviseGuard[]; opaqueGuards?: OpaqueGuard[]; action?: 'flags' | 'dontneed' | 'noop';
      /** madvise_need_mmap_write(): the mmap lock is taken for writing. */
      writeLock?: boolean }
  /** vm_flags a driver's mmap handler sets and clears on the VMA it maps. */
  | { type: 'driver-flags'; set: bigint; clear: bigint };

export interface HookChange {
  hook: HookKind;
  /** Which name, advice, bit or policy: `PROT_DONTCOPY`, `MADV_DOFORK`, `skipFlags`,
   *  `calc_vm_prot_bits`, `prot-valid`, the driver handler's name. */
  detail: string;
  /** null: the hook did not exist before the patch (a new name, a new madvise case). */
  before: HookValue | null;
  /** null: the patch removes it (a deleted define or case). */
  after: HookValue | null;
  /** 1-based document lines of the hunk lines that produced the change (changed lines
   *  first; the define lines of macros the changed code uses). */
  lines: number[];
  /** The file the hunk changes (null for a quoted fragment without a file header). */
  file: string | null;
  /** The kernel function the hunk is in, when known. */
  function: string | null;
  /** Index of the patch in the PatchSet (a series has several). */
  patch: number;
  /** One line for people: `mprotect keeps 0xfffffffffffffff8 -> ... (VM_DONTCOPY no longer kept)`. */
  summary: string;
  /** The architecture whose file the change is in (uapi-name: 'generic' for generic
   *  headers; other hooks: only set for an arch's own files). The change applies to models of
   *  that arch only. */
  arch?: ArchId | 'generic';
  /** Names the evaluator could not resolve and took as 0 (a VM_ flag this era/arch lacks). */
  assumedZero?: string[];
  /** Conditions the model cannot express (a fork skip test such as `(flags & (A|B)) == A`):
   *  before/after keep the base kernel's behaviour for what they test, so this part of the
   *  change is reported but not simulated. */
  unmodelled?: { before: string[]; after: string[] };
}

export interface ExtractOptions {
  /** Era whose tables resolve names (default: detected from the patch, else latest). */
  era?: EraId;
  arch?: ArchId;
}

// ---- simulation --------------------------------------------------------------------------

export type ConsequenceSeverity = 'error' | 'warning' | 'info';

/** One step's outcome in one run, as the scenario runner reports it. */
export interface StepOutcome {
  index: number;
  op: string;
  /** Short text of the call: `parent: mprotect(buf, PROT_READ)`. */
  call: string;
  /** The same text under the name the extension's views read. */
  text: string;
  proc?: string;
  result: unknown;
}

export interface EventOutcome {
  step: number;
  kind: string;
  detail: string;
}

export interface Outcome {
  /** Steps whose result differs between the runs (this run's side). */
  steps: StepOutcome[];
  /** Events present in this run and not in the other. */
  events: EventOutcome[];
  /** A run that could not start: the scenario is invalid on this model. */
  error?: string;
}

export interface Consequence {
  scenario: string;
  /** Where the scenario came from: the library, a --scenario file, or generated for a name. */
  source: 'library' | 'file' | 'generated';
  severity: ConsequenceSeverity;
  summary: string;
  base: Outcome;
  patched: Outcome;
  /** Indices into SimulationReport.hookChanges of the changes that, applied alone, reproduce
   *  a difference (computed by re-running). */
  hookChanges: number[];
  lines: number[];
  /** Timeline lines for text output: the steps up to the last differing one. */
  timeline?: { base: string[]; patched: string[] };
}

export interface SimulationReport {
  kernel: { era: EraId; arch: ArchId; requested: string; clues: string[] };
  hookChanges: HookChange[];
  consequences: Consequence[];
  /** Scenarios run on both models. */
  scenariosRun: number;
  /** Problems met on the way (an invalid --scenario file is an error at the CLI). */
  notes: string[];
}
