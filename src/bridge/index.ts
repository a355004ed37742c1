/**
 * src/bridge: from a patch to what it changes in the behaviours the simulator models.
 *
 *   await initC();                                   (the C parser; once per process)
 *   extractHookChanges(patchSet, { era?, arch? }): HookChange[]
 *
 * HookChange (types.ts):
 *   hook     'uapi-name' | 'prot-translation' | 'mprotect-kept' | 'mprotect-access-check' |
 *            'madvise-behaviour' | 'madvise-validity' | 'fork-policy' | 'driver-mmap' | 'mmap-flags'
 *   detail   which name / advice / policy:
 *              uapi-name            the constant (`PROT_DONTCOPY`); `arch` says whose header
 *              prot-translation     `calc_vm_prot_bits` | `arch_calc_vm_prot_bits` (terms), or
 *                                   `prot-valid` (PROT bits mprotect/mmap accept, a mask)
 *              mprotect-kept        `mprotectKept` (VM bits that survive mprotect, a mask)
 *              mprotect-access-check `mprotectAccessCheck`
 *              madvise-behaviour    the advice (`MADV_DOFORK`); `function` says which switch
 *              madvise-validity     the advice
 *              fork-policy          `skipFlags` | `wipeFlags` | `childClear` | `copyPinnedAnon`
 *              driver-mmap          the handler's name (`mthca_mmap_uar`)
 *              mmap-flags           `calc_vm_flag_bits` | `do_mmap` ... (MAP -> VM terms), or
 *                                   `fixedFlags` (VM bits do_mmap puts on every mapping, a mask)
 *   before, after: HookValue | null (null = did not exist / removed), one of
 *              { type: 'value', value: bigint }                       uapi-name
 *              { type: 'mask', value: bigint }                        mprotect-kept, fork-policy masks, prot-valid
 *              { type: 'flag', value: boolean }                       madvise-validity, copyPinnedAnon
 *              { type: 'translation', terms: BitTranslation[] }       prot-translation, mmap-flags
 *              { type: 'access-check', shift: number, mask: bigint }  mprotect-access-check
 *              { type: 'madvise', set?, clear?, guards?: MadviseGuard[], opaqueGuards? }
 *                   fields a hunk does not show are absent (2.6.16 keeps the VM_IO guard in
 *                   madvise_vma() and the flag update in madvise_behavior())
 *              { type: 'driver-flags', set: bigint, clear: bigint }   driver-mmap
 *   lines    1-based document lines of the hunk lines behind the change (the `+`/`-` lines of
 *            the differing term or guard; define lines of a patch macro the code uses)
 *   file, function, patch (index in the PatchSet), summary (one line), arch?, assumedZero?,
 *   unmodelled? { before, after }: conditions the model cannot hold (source text), reported
 *            but not simulated (before/after keep the base behaviour for what they test)
 *
 * Patched model and simulation:
 *   applyHookChanges(model, changes): KernelModel      base + deltas (base never mutated)
 *   await patchedModelFor(pathOrText, baseModel | { kernel?, arch?, cwd? }): KernelModel
 *       (what `mmlens scenario S.json --patch P` uses); patchedModelDetails(...) also
 *       returns { base, patched, hookChanges, kernel: { era, arch, requested, clues } }
 *   await simulatePatch(text, { kernel?: era|'auto'|'latest', arch?, scenarios?, noLibrary?, only? })
 *       : SimulationReport { kernel, hookChanges, consequences, scenariosRun, notes }
 *   Consequence: { scenario, source: library|file|generated, severity: error|warning|info,
 *       summary, base: Outcome, patched: Outcome (differing steps + events), hookChanges:
 *       indices into report.hookChanges (computed by re-running with each change alone),
 *       lines, timeline { base, patched } }
 *   reportToJson(report) (bigints as "0x..."), reportToText(report, documentText)
 *
 * Every change is proven by evaluating the pre- and post-image with the same environment
 * (era tables + the side's #defines, macros and one-return helpers) and comparing values:
 * a refactor, a comment, a rename or code moved into a helper gives no change.
 */
export { extractHookChanges } from './extract';
export { archOfPath } from './arch';
export { applyHookChanges, changesModel, uapiApplies } from './apply';
export { patchedModelFor, patchedModelDetails, patchedModelOfPatchSet, selectKernel, type PatchedModel, type PatchedModelOptions, type KernelRequest, type KernelSelection } from './patched';
export { simulatePatch, bridgeScenarios, type SimulateOptions } from './simulate';
export { generateScenarios, type GeneratedScenario } from './generate';
export { reportToJson, reportToText, bigintToHex } from './report';
export { summarize, describeValue } from './describe';
export type {
  HookChange, HookKind, HookValue, OpaqueGuard, ExtractOptions,
  Consequence, ConsequenceSeverity, Outcome, StepOutcome, EventOutcome, SimulationReport,
} from './types';
export { HOOK_KINDS } from './types';
