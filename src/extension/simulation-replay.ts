// The bridge's report keeps, per consequence, only the steps and events that differ. The
// simulation view shows whole runs with a picture after every step, so for the scenarios that
// have consequences this re-runs them on the same two models (replay.ts). Engine only.
import { readPatchSet } from '../patch/index';
import { patchedModelOfPatchSet, bridgeScenarios, generateScenarios, changesModel, describeValue } from '../bridge/index';
import type { SimulationReport, Outcome } from '../bridge/index';
import { libraryScenarios } from '../scenarios/index';
import type { Scenario } from '../scenarios/index';
import type { KernelModel, ArchId } from '../kernel/model';
import type { ConsequenceLike, OutcomeLike, SimulationReportLike, StepLike } from './engine-types';
import { replay } from './replay';

export interface ReplayOptions {
  kernel: 'auto' | 'latest' | KernelModel['era'];
  arch: ArchId;
  scenarios?: Scenario[];
}

/** A bridge outcome (differing steps only) in the view's shape. */
export function outcomeLike(o: Outcome | undefined): OutcomeLike {
  if (!o) return { steps: [], events: [] };
  return {
    steps: o.steps.map((s): StepLike => ({ index: s.index, op: s.op, text: s.call, result: s.result as StepLike['result'] })),
    events: o.events.map((e) => ({ step: e.step, kind: e.kind, detail: e.detail })),
  };
}

function hookChangesLike(report: SimulationReport): SimulationReportLike['hookChanges'] {
  const { era, arch } = report.kernel;
  return report.hookChanges.map((h) => ({
    hook: `${h.hook} ${h.detail}${h.function ? ` in ${h.function}()` : ''}`,
    before: describeValue(h.before, era, arch),
    after: describeValue(h.after, era, arch),
    lines: h.lines,
    summary: h.summary,
  }));
}

/** The report in the view's shape, runs as the bridge gave them (differing steps only). */
export function reportLike(report: SimulationReport): SimulationReportLike {
  return {
    kernel: report.kernel,
    hookChanges: hookChangesLike(report),
    consequences: report.consequences.map((c) => ({ scenario: c.scenario, severity: c.severity, summary: c.summary, lines: c.lines, hookChanges: c.hookChanges, base: outcomeLike(c.base), patched: outcomeLike(c.patched) })),
  };
}

/** The report with each consequence's runs replaced by full replays where they can be made. */
export function withReplays(report: SimulationReport, text: string, options: ReplayOptions): SimulationReportLike {
  const pm = patchedModelOfPatchSet(text, readPatchSet(text), { kernel: options.kernel, arch: options.arch });
  // As simulatePatch: the base model knows the names the patch adds, so a scenario written
  // with them runs on both models (the base kernel just does not act on them).
  const added = pm.hookChanges.filter((c) => c.hook === 'uapi-name' && c.before === null && c.after?.type === 'value' && changesModel(pm.base, c));
  let base: KernelModel = pm.base;
  if (added.length) {
    const symbols = new Map(pm.base.symbols);
    for (const c of added) if (!symbols.has(c.detail) && c.after?.type === 'value') symbols.set(c.detail, c.after.value);
    base = { ...pm.base, symbols };
  }
  const byName = new Map<string, Scenario>();
  for (const s of [...libraryScenarios(), ...bridgeScenarios(), ...generateScenarios(pm.hookChanges).map((g) => g.scenario), ...(options.scenarios ?? [])]) byName.set(s.name, s);
  const consequences: ConsequenceLike[] = report.consequences.map((c) => {
    const s = byName.get(c.scenario);
    const b = s ? replay(s, base) : null;
    const p = s ? replay(s, pm.patched) : null;
    return {
      scenario: c.scenario,
      severity: c.severity,
      summary: c.summary,
      lines: c.lines,
      hookChanges: c.hookChanges,
      base: b ?? outcomeLike(c.base),
      patched: p ?? outcomeLike(c.patched),
    };
  });
  return { kernel: report.kernel, hookChanges: hookChangesLike(report), consequences };
}
