// simulatePatch: run the scenario library (plus the bridge's own scenarios, the user's
// --scenario files and scenarios generated for each new uapi name) on the base model and on
// the patched model, and turn every difference into a consequence: what changed, how bad it
// is, and which hook changes cause it. Attribution is computed by re-running the scenario
// with each hook change applied alone (and, when no change alone reproduces it, with each
// one left out), never looked up.
import type { KernelModel } from '../kernel/model';
import type { SimEvent, StepResult } from '../sim/types';
import { readPatchSet } from '../patch/index';
import { initC } from '../c/index';
import { libraryScenarios, runScenario, validateScenario, formatScenarioError, type Scenario, type ScenarioResult, type Step } from '../scenarios/index';
import { scenarioFromJson } from '../scenarios/parse';
import { applyHookChanges, changesModel } from './apply';
import { generateScenarios } from './generate';
import { patchedModelOfPatchSet, type KernelRequest } from './patched';
import type { ArchId } from '../kernel/model';
import type { Consequence, ConsequenceSeverity, EventOutcome, HookChange, Outcome, SimulationReport, StepOutcome } from './types';
import mprotectDoorbellFork from './scenarios/mprotect-doorbell-fork.json';
import mprotectRegisteredFork from './scenarios/mprotect-registered-fork.json';

export interface SimulateOptions {
  kernel?: KernelRequest;
  arch?: ArchId;
  /** Extra scenarios (`--scenario S.json`), already parsed. */
  scenarios?: Scenario[];
  /** Leave out the built-in library (tests, benchmarks of one scenario). */
  noLibrary?: boolean;
  /** Only these scenarios (by name) from the library and bridge sets. */
  only?: string[];
}

const BRIDGE_SCENARIOS: [string, unknown][] = [
  ['bridge/mprotect-doorbell-fork.json', mprotectDoorbellFork],
  ['bridge/mprotect-registered-fork.json', mprotectRegisteredFork],
];

/** The bridge's own scenarios (cases the library does not cover: mprotect on the doorbell). */
export function bridgeScenarios(): Scenario[] {
  return BRIDGE_SCENARIOS.map(([file, json]) => {
    const r = scenarioFromJson(json, file);
    if (!r.ok) throw new Error(r.errors.map(formatScenarioError).join('\n'));
    return r.scenario;
  });
}

interface Entry {
  scenario: Scenario;
  source: Consequence['source'];
  /** For generated scenarios: the uapi name they exercise. */
  name?: string;
}

type Run = { ok: true; result: ScenarioResult } | { ok: false; error: string };

function run(s: Scenario, model: KernelModel): Run {
  const problems = validateScenario(s, model);
  if (problems.length) return { ok: false, error: problems.map(formatScenarioError).join('; ') };
  let result: ScenarioResult;
  try {
    result = runScenario(s, model);
  } catch (e) {
    // A simulator failure on one scenario must not take the whole simulation down.
    return { ok: false, error: `simulator failure: ${(e as Error).message}` };
  }
  if (!result.valid) return { ok: false, error: result.errors.map(formatScenarioError).join('; ') };
  return { ok: true, result };
}

interface Diff {
  steps: number[];
  baseEvents: SimEvent[];
  patchedEvents: SimEvent[];
  error?: { base?: string; patched?: string };
}

const eventKey = (e: SimEvent) => `${e.step}:${e.kind}`;

function diffRuns(a: Run, b: Run): Diff {
  if (!a.ok || !b.ok) {
    if (!a.ok && !b.ok) return { steps: [], baseEvents: [], patchedEvents: [] };
    return { steps: [], baseEvents: [], patchedEvents: [], error: { ...(a.ok ? {} : { base: a.error }), ...(b.ok ? {} : { patched: b.error }) } };
  }
  const steps: number[] = [];
  const bs = new Map(b.result.steps.map((s) => [s.index, s]));
  for (const s of a.result.steps) {
    const o = bs.get(s.index);
    if (!o || JSON.stringify(o.result) !== JSON.stringify(s.result)) steps.push(s.index);
  }
  const count = (es: SimEvent[]) => {
    const m = new Map<string, number>();
    for (const e of es) m.set(eventKey(e), (m.get(eventKey(e)) ?? 0) + 1);
    return m;
  };
  const ca = count(a.result.events);
  const cb = count(b.result.events);
  const only = (es: SimEvent[], mine: Map<string, number>, other: Map<string, number>) => {
    const left = new Map<string, number>();
    for (const [k, n] of mine) left.set(k, n - (other.get(k) ?? 0));
    return es.filter((e) => {
      const n = left.get(eventKey(e)) ?? 0;
      if (n <= 0) return false;
      left.set(eventKey(e), n - 1);
      return true;
    });
  };
  return { steps, baseEvents: only(a.result.events, ca, cb), patchedEvents: only(b.result.events, cb, ca) };
}

function isEmpty(d: Diff): boolean {
  return d.steps.length === 0 && d.baseEvents.length === 0 && d.patchedEvents.length === 0 && !d.error;
}

/** Signatures of a diff's items, to tell whether a partial model reproduces the full one. */
function signatures(d: Diff): Set<string> {
  const out = new Set<string>();
  for (const s of d.steps) out.add(`s${s}`);
  for (const e of d.baseEvents) out.add(`b${eventKey(e)}`);
  for (const e of d.patchedEvents) out.add(`p${eventKey(e)}`);
  if (d.error?.base) out.add('eb');
  if (d.error?.patched) out.add('ep');
  return out;
}

// ---- describing outcomes ----------------------------------------------------------------

/** Prints a numeric advice with its name when the model has one (`MADV_DOFORK`); the
 *  library spells 10/11 as numbers so the same step runs on 2.6.13, which has no names. */
export type AdviceNamer = (advice: string) => string;
const plainAdvice: AdviceNamer = (a) => a;

export function adviceNamer(model: KernelModel): AdviceNamer {
  return (a) => {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(a.trim())) return a;
    const v = BigInt(a.trim());
    for (const [n, x] of model.symbols) if (x === v && n.startsWith('MADV_') && model.madvise.get(v)?.name === n) return n;
    return a;
  };
}

export function callText(s: Step, advice: AdviceNamer = plainAdvice): string {
  const at = s.region !== undefined ? (s.page !== undefined ? `${s.region}[${s.page}]` : s.region) : '';
  switch (s.op) {
    case 'mmap': return `${s.proc}: mmap(${s.region}, ${s.pages} pages, ${s.prot}, ${s.flags})`;
    case 'munmap': return `${s.proc}: munmap(${at})`;
    case 'mprotect': return `${s.proc}: mprotect(${at}, ${s.prot})`;
    case 'madvise': return `${s.proc}: madvise(${at}, ${advice(s.advice ?? '')})`;
    case 'write': return `${s.proc}: write ${at} = ${s.value}`;
    case 'read': return `${s.proc}: read ${at}`;
    case 'fill': return `${s.proc}: fill ${at} with ${s.value}`;
    case 'fork': return `${s.proc}: fork() -> ${s.child}`;
    case 'exit': return `${s.proc}: exit()`;
    case 'gup': return `${s.proc}: ${s.pin ? 'pin_user_pages' : 'get_user_pages'} ${at} as ${s.ref}`;
    case 'gup_read': return `read through ${s.ref}`;
    case 'unpin': return `release ${s.ref}`;
    case 'ib_open': return `${s.proc}: open device context ${s.ctx} (doorbell ${s.ctx}.doorbell)`;
    case 'ib_fork_init': return `${s.proc}: ibv_fork_init()`;
    case 'ib_reg_mr': return `register ${s.region} as ${s.mr}`;
    case 'ib_dereg_mr': return `deregister ${s.mr}`;
    case 'ib_dma_write': return `device DMA write ${s.mr}[${s.page}] = ${s.value}`;
    case 'ib_dma_read': return `device DMA read ${s.mr}[${s.page}]`;
    case 'ib_ring_doorbell': return `${s.proc}: ring doorbell of ${s.ctx}`;
  }
}

export function resultText(r: StepResult | undefined): string {
  if (!r) return '-';
  if (r.ok) {
    if (r.value !== undefined) return String(r.value);
    return r.status ? `ok (${r.status})` : 'ok';
  }
  return 'errno' in r ? r.errno : r.signal;
}

/** `mprotect(PROT_READ|PROT_WRITE)` without the region, for the summary's cause. */
function shortCall(s: Step, advice: AdviceNamer = plainAdvice): string {
  switch (s.op) {
    case 'mprotect': return `mprotect(${s.prot})`;
    case 'madvise': return `madvise(${advice(s.advice ?? '')})`;
    case 'mmap': return `mmap(${s.prot}, ${s.flags})`;
    case 'fork': return 'fork()';
    default: return callText(s, advice).replace(/^\w+: /, '');
  }
}

/** How a summary names a region: the doorbell, a registered buffer, or a region. */
function regionNamer(scenario: Scenario): (region: string | undefined) => string {
  const registered = new Set(scenario.steps.filter((s) => s.op === 'ib_reg_mr' && s.region).map((s) => s.region!));
  return (region) => {
    if (!region) return 'the range';
    if (region.endsWith('.doorbell')) return 'the doorbell';
    return registered.has(region) ? `the registered buffer ${region}` : `region ${region}`;
  };
}

const ERROR_EVENTS = new Set(['dma-to-foreign-frame', 'dma-from-foreign-frame', 'foreign-doorbell', 'flag-cleared', 'cow-off-pinned', 'reference-sees-foreign-write', 'reference-detached']);

function effectOfEvent(e: SimEvent, step: Step | undefined): string {
  switch (e.kind) {
    case 'foreign-doorbell': return step?.proc === 'child' ? "the child inherits the parent's doorbell" : `${step?.proc ?? 'another process'} reaches a doorbell it did not open`;
    case 'dma-to-foreign-frame': return 'the device DMA lands in a page the registering process no longer maps: its data is lost';
    case 'dma-from-foreign-frame': return 'the device reads a page the registering process no longer maps';
    case 'cow-off-pinned': return 'a copy-on-write break moves a process off the page pinned for DMA';
    case 'reference-sees-foreign-write': return "a reference taken before fork sees another process's later write";
    case 'reference-detached': return 'a reference reads a page its process no longer maps there';
    case 'flag-cleared': return `${flagOf(e.detail)} is silently cleared`;
    default: return e.kind;
  }
}

function flagOf(detail: string): string {
  return /\b(VM_[A-Z0-9_]+)\b/.exec(detail)?.[1] ?? 'a VM flag';
}

interface Judged {
  severity: ConsequenceSeverity;
  summary: string;
  /** The summary names no call that caused the difference (only what was observed). */
  causeless: boolean;
}

/** A change that only adds something new (a name, an advice, a translation term, a flag a
 *  fork test reads) and takes nothing the base kernel had away. */
function onlyAdds(c: HookChange, base: KernelModel): boolean {
  const b = c.before;
  const a = c.after;
  if (a === null) return false;
  if (b === null) return true;
  switch (c.hook) {
    case 'madvise-validity': {
      // Accepting an advice the base kernel has no value for is new; one it refused is not.
      const v = base.symbols.get(c.detail);
      return a.type === 'flag' && a.value && (v === undefined || !base.madvise.has(v));
    }
    case 'prot-translation':
    case 'mmap-flags':
      if (b.type === 'translation' && a.type === 'translation') {
        const keys = new Set(a.terms.map((t) => `${t.from}>${t.to}`));
        return b.terms.every((t) => keys.has(`${t.from}>${t.to}`));
      }
      return false;
    case 'fork-policy':
      // A fork test of a flag the base kernel does not have (VM_WIPEONFORK on 2.6.16).
      return b.type === 'mask' && a.type === 'mask' && (b.value & ~a.value) === 0n
        && ![...base.symbols].some(([n, v]) => n.startsWith('VM_') && (v & (a.value & ~b.value)) !== 0n);
    default:
      return false;
  }
}

function judge(entry: Entry, d: Diff, base: Run, patched: Run, advice: AdviceNamer, newCapability = false): Judged {
  const steps = new Map(entry.scenario.steps.map((s) => [s.index, s]));
  const regionText = regionNamer(entry.scenario);
  if (d.error) {
    if (d.error.patched) return { severity: 'warning', summary: `the scenario no longer runs on the patched kernel: ${d.error.patched}`, causeless: true };
    return { severity: 'info', summary: `the scenario runs only on the patched kernel (${d.error.base})`, causeless: true };
  }
  const b = base.ok ? new Map(base.result.steps.map((s) => [s.index, s.result])) : new Map();
  const p = patched.ok ? new Map(patched.result.steps.map((s) => [s.index, s.result])) : new Map();
  // The process that registered a region with the device (its DMA data is meant for it).
  const ctxOwner = new Map(entry.scenario.steps.filter((s) => s.op === 'ib_open' && s.ctx).map((s) => [s.ctx!, s.proc]));
  const regOwner = new Map(entry.scenario.steps.filter((s) => s.op === 'ib_reg_mr' && s.region && s.ctx).map((s) => [s.region!, ctxOwner.get(s.ctx!)]));
  const ownerOf = (region: string | undefined) => (region ? regOwner.get(region) : undefined);
  const dmaValues = (i: number) => new Set(entry.scenario.steps.filter((s) => s.index < i && s.op === 'ib_dma_write').map((s) => s.value));

  // The cause: a flag the patched run clears, else the first step that differs.
  const cleared = d.patchedEvents.find((e) => e.kind === 'flag-cleared');
  const firstStep = d.steps[0];
  let cause = '';
  let causeStep: number | undefined;
  if (cleared && (firstStep === undefined || cleared.step <= firstStep)) {
    const s = steps.get(cleared.step);
    cause = s ? `${shortCall(s, advice)} now clears ${flagOf(cleared.detail)} on ${regionText(s.region)}` : `${flagOf(cleared.detail)} is now cleared`;
    causeStep = cleared.step;
  } else if (firstStep !== undefined) {
    const s = steps.get(firstStep)!;
    const pr = p.get(firstStep);
    const br = b.get(firstStep);
    const verb = pr?.ok ? (pr.value !== undefined ? `reads ${pr.value}` : 'succeeds') : `fails with ${resultText(pr)}`;
    cause = `${shortCall(s, advice)}${s.region && !['mprotect', 'madvise', 'mmap'].includes(s.op) ? '' : s.region ? ` on ${regionText(s.region)}` : ''} now ${verb} (was ${resultText(br)})`;
    // Who made the call, for calls any process makes (a write, a read, a ring).
    if (s.proc && !['mprotect', 'madvise', 'mmap', 'fork'].includes(s.op)) cause = `${s.proc}: ${cause}`;
    causeStep = firstStep;
  }

  // The worst effect after the cause.
  const bad = d.patchedEvents.filter((e) => ERROR_EVENTS.has(e.kind) && !(cleared && e.kind === 'flag-cleared'));
  const effects: string[] = [];
  for (const e of bad) {
    const t = effectOfEvent(e, steps.get(e.step));
    if (!effects.includes(t)) effects.push(t);
  }
  let lostData = false;
  let improved = false;
  let inherited = false;
  for (const i of d.steps) {
    const s = steps.get(i)!;
    const br = b.get(i);
    const pr = p.get(i);
    if (s.op === 'read' && br?.ok && pr?.ok && br.value !== pr.value) {
      const dma = dmaValues(i);
      const owner = ownerOf(s.region);
      if (owner && s.proc !== owner && dma.has(br.value) && !dma.has(pr.value)) {
        // Device data in another process's copy was a leak before the patch, not data it owned.
        improved = true;
        const t = `${s.proc} no longer sees the device's ${br.value} meant for ${owner} in ${regionText(s.region)} (reads ${pr.value})`;
        if (!effects.includes(t)) effects.push(t);
      } else if (owner && s.proc !== owner && dma.has(pr.value) && !dma.has(br.value)) {
        lostData = true;
        const t = `${s.proc} now sees the device's ${pr.value} meant for ${owner} in ${regionText(s.region)} (was ${br.value})`;
        if (!effects.includes(t)) effects.push(t);
      } else if (dma.has(br.value) && !dma.has(pr.value)) {
        lostData = true;
        const t = `${s.proc} reads ${pr.value} instead of the device's ${br.value} from ${regionText(s.region)} (device data lost)`;
        if (!effects.includes(t)) effects.push(t);
      } else if (dma.has(pr.value) && !dma.has(br.value)) {
        improved = true;
        const t = `${s.proc} now sees the device's ${pr.value} in ${regionText(s.region)} (was ${br.value})`;
        if (!effects.includes(t)) effects.push(t);
      } else {
        const t = `${s.proc} reads ${pr.value} instead of ${br.value} from ${regionText(s.region)}`;
        if (!effects.includes(t)) effects.push(t);
      }
    } else if ((s.op === 'read' || s.op === 'ib_ring_doorbell') && s.proc === 'child' && br && !br.ok && 'signal' in br && pr?.ok) {
      inherited = true;
      const t = s.op === 'ib_ring_doorbell' ? "the child inherits the parent's doorbell" : `the child inherits ${regionText(s.region)}`;
      if (!effects.includes(t)) effects.push(t);
    } else if ((s.op === 'read' || s.op === 'ib_ring_doorbell') && s.proc === 'child' && pr && !pr.ok && 'signal' in pr && br?.ok) {
      const t = s.op === 'ib_ring_doorbell' ? 'the child no longer inherits the doorbell' : `the child no longer inherits ${regionText(s.region)}`;
      if (!effects.includes(t)) effects.push(t);
    }
  }
  if (effects.length === 0 && d.baseEvents.some((e) => ERROR_EVENTS.has(e.kind))) {
    effects.push(`no longer: ${[...new Set(d.baseEvents.filter((e) => ERROR_EVENTS.has(e.kind)).map((e) => effectOfEvent(e, steps.get(e.step))))].join('; ')}`);
  }
  // A read or a doorbell ring that differs is an observation: the effects say it better.
  const observed = causeStep !== undefined && !cleared && effects.length > 0 && ['read', 'ib_ring_doorbell', 'ib_dma_read', 'gup_read'].includes(steps.get(causeStep)!.op);
  if (observed) cause = '';
  // A generated scenario: say which call used the new name when the cause is a later step.
  if (entry.name && causeStep !== undefined) {
    const use = entry.scenario.steps.find((s) => [s.prot, s.flags, s.advice].some((x) => x !== undefined && new RegExp(`\\b${entry.name}\\b`).test(x)));
    if (use && use.index !== causeStep) cause = `after ${shortCall(use, advice)}${use.region ? ` on ${regionText(use.region)}` : ''}${cause ? `, ${cause}` : ''}`;
  }
  const summary = [cause, ...effects.filter((e) => !cause.includes(e)).slice(0, 2)].filter(Boolean).join(': ') || 'the run differs';
  const causeless = !cause;

  const owners = new Set(entry.scenario.steps.filter((s) => (s.op === 'mmap' || s.op === 'ib_open') && s.proc).map((s) => s.proc!));
  const ownerCallsFail = () => d.steps.some((i) => {
    const s = steps.get(i)!;
    return (!s.proc || owners.has(s.proc)) && b.get(i)?.ok && p.get(i) && !p.get(i).ok;
  });
  let severity: ConsequenceSeverity;
  if (bad.length > 0 || cleared || lostData || (inherited && !!d.patchedEvents.length)) severity = 'error';
  // What a name the patch adds does, when nothing goes wrong, is a new capability; so is a
  // difference that only changes added by the patch cause (a new advice now accepted).
  else if (entry.source === 'generated' || newCapability) severity = 'info';
  // Bad outcomes went away (and none came), without a call of a process that set things up
  // (mmap, device open) starting to fail: an improvement.
  else if (improved || (d.steps.length === 0 && d.patchedEvents.length === 0) || (d.baseEvents.some((e) => ERROR_EVENTS.has(e.kind)) && !d.patchedEvents.some((e) => ERROR_EVENTS.has(e.kind)) && !ownerCallsFail())) severity = 'info';
  else severity = 'warning';
  return { severity, summary, causeless };
}

function outcome(entry: Entry, r: Run, d: Diff, side: 'base' | 'patched', advice: AdviceNamer): Outcome {
  if (!r.ok) return { steps: [], events: [], error: r.error };
  const steps = new Map(entry.scenario.steps.map((s) => [s.index, s]));
  const diffSteps: StepOutcome[] = r.result.steps
    .filter((s) => d.steps.includes(s.index))
    .map((s) => {
      const step = steps.get(s.index)!;
      const call = callText(step, advice);
      return { index: s.index, op: s.op, call, text: call, ...(step.proc ? { proc: step.proc } : {}), result: s.result };
    });
  const events: EventOutcome[] = (side === 'base' ? d.baseEvents : d.patchedEvents).map((e) => ({ step: e.step, kind: e.kind, detail: e.detail }));
  return { steps: diffSteps, events };
}

function timeline(entry: Entry, r: Run, d: Diff, advice: AdviceNamer): string[] {
  if (!r.ok) return [`(not valid here: ${r.error})`];
  const steps = new Map(entry.scenario.steps.map((s) => [s.index, s]));
  const marked = new Set([...d.steps, ...d.baseEvents.map((e) => e.step), ...d.patchedEvents.map((e) => e.step)]);
  const last = Math.max(...marked, 0);
  const out: string[] = [];
  for (const s of r.result.steps) {
    if (s.index > last) break;
    const mark = d.steps.includes(s.index) ? '*' : ' ';
    out.push(`${mark}${String(s.index).padStart(2)} ${callText(steps.get(s.index)!, advice)} -> ${resultText(s.result)}`);
    for (const e of r.result.events) if (e.step === s.index) out.push(`      ! ${e.kind}: ${e.detail}`);
  }
  return out;
}

// ---- the whole run --------------------------------------------------------------------------

/** Base model with the names the patch adds (values only, no behaviour), so scenarios that
 *  use them run on the base kernel too: the old kernel sees the same number. */
function baseWithNames(base: KernelModel, changes: HookChange[]): KernelModel {
  const added = changes.filter((c) => c.hook === 'uapi-name' && c.before === null && c.after?.type === 'value' && changesModel(base, c));
  if (added.length === 0) return base;
  const symbols = new Map(base.symbols);
  for (const c of added) if (!symbols.has(c.detail) && c.after?.type === 'value') symbols.set(c.detail, c.after.value);
  return { ...base, symbols };
}

export async function simulatePatch(text: string, options: SimulateOptions = {}): Promise<SimulationReport> {
  await initC();
  const patchSet = readPatchSet(text);
  const pm = patchedModelOfPatchSet(text, patchSet, { kernel: options.kernel ?? 'auto', arch: options.arch ?? 'generic' });
  const changes = pm.hookChanges;
  const base = baseWithNames(pm.base, changes);
  const patched = pm.patched;
  const notes: string[] = [];
  for (const p of patchSet.problems) if (p.severity !== 'info') notes.push(`line ${p.line}: ${p.message}`);
  notes.push(...unreachableProtBits(changes, patched));

  const entries: Entry[] = [];
  if (!options.noLibrary) {
    for (const s of libraryScenarios()) entries.push({ scenario: s, source: 'library' });
    for (const s of bridgeScenarios()) entries.push({ scenario: s, source: 'library' });
  }
  if (options.only) {
    const keep = new Set(options.only);
    entries.splice(0, entries.length, ...entries.filter((e) => keep.has(e.scenario.name)));
  }
  for (const s of options.scenarios ?? []) entries.push({ scenario: s, source: 'file' });
  for (const g of generateScenarios(changes.filter((c) => changesModel(pm.base, c)))) entries.push({ scenario: g.scenario, source: 'generated', name: g.name });

  // Advice numbers are named as the patched kernel names them (the base may lack the name).
  const names = adviceNamer(patched);
  const relevant = changes.map((c, i) => ({ c, i })).filter((x) => changesModel(pm.base, x.c));
  const consequences: Consequence[] = [];
  let scenariosRun = 0;
  // Nothing the model holds changed: every run would be identical.
  const anything = relevant.length > 0;
  for (const entry of entries) {
    if (!anything && entry.source !== 'file') continue;
    const rb = run(entry.scenario, base);
    const rp = run(entry.scenario, patched);
    scenariosRun++;
    if (!rb.ok && !rp.ok) {
      if (entry.source === 'file') notes.push(`${entry.scenario.file}: not valid: ${rp.error}`);
      continue;
    }
    const d = diffRuns(rb, rp);
    if (isEmpty(d)) continue;
    const responsible = attribute(entry, d, pm.base, changes, relevant.map((x) => x.i));
    const j = judge(entry, d, rb, rp, names, responsible.length > 0 && responsible.every((i) => onlyAdds(changes[i]!, pm.base)));
    const lines = [...new Set(responsible.flatMap((i) => changes[i]!.lines))].sort((a, b) => a - b);
    consequences.push({
      scenario: entry.scenario.name,
      source: entry.source,
      severity: j.severity,
      // Only an observation (a read, a ring): lead with the hook change behind it.
      summary: j.causeless && responsible.length ? `${changes[responsible[0]!]!.summary}: ${j.summary}` : j.summary,
      base: outcome(entry, rb, d, 'base', names),
      patched: outcome(entry, rp, d, 'patched', names),
      hookChanges: responsible,
      lines,
      timeline: { base: timeline(entry, rb, d, names), patched: timeline(entry, rp, d, names) },
    });
  }
  const order: Record<ConsequenceSeverity, number> = { error: 0, warning: 1, info: 2 };
  consequences.sort((a, b) => order[a.severity] - order[b.severity] || (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0)); // code units: the same in every locale
  return {
    kernel: { era: pm.kernel.era, arch: pm.kernel.arch, requested: pm.kernel.requested, clues: pm.kernel.clues },
    hookChanges: changes,
    consequences,
    scenariosRun,
    notes,
  };
}

/** PROT bits the patch teaches calc_vm_prot_bits that the patched mprotect still refuses
 *  (its own PROT check is unchanged): only mmap can set them. */
function unreachableProtBits(changes: HookChange[], patched: KernelModel): string[] {
  const out: string[] = [];
  for (const c of changes) {
    if (c.hook !== 'prot-translation' || c.detail === 'prot-valid' || !changesModel(patched, c)) continue;
    const before = new Set(c.before?.type === 'translation' ? c.before.terms.map((t) => t.from) : []);
    for (const t of c.after?.type === 'translation' ? c.after.terms : []) {
      if (before.has(t.from) || (t.from & ~patched.mprotectProtValid) === 0n) continue;
      out.push(`line ${c.lines.join(',')}: ${c.detail} now turns ${t.fromName} into ${t.toName}, but mprotect() still fails with EINVAL for ${t.fromName} (its PROT check does not accept it): only mmap() can set it`);
    }
  }
  return out;
}

/** Which hook changes cause a scenario's difference: each applied alone reproduces part of
 *  it, or its removal from the whole patch takes part of it away. Names the patch adds are applied in every trial (they change nothing by
 *  themselves); for a generated scenario its name's define counts as responsible too. */
function attribute(entry: Entry, full: Diff, base0: KernelModel, changes: HookChange[], relevant: number[]): number[] {
  const names = changes.filter((c) => c.hook === 'uapi-name' && c.before === null);
  const want = signatures(full);
  const base = baseWithNames(base0, changes);
  const baseRun = run(entry.scenario, base);
  const overlaps = (d: Diff) => [...signatures(d)].some((s) => want.has(s));
  const out = new Set<number>();
  for (const i of relevant) {
    const c = changes[i]!;
    if (c.hook === 'uapi-name' && c.before === null) continue;
    const model = applyHookChanges(base0, [...names, c]);
    if (overlaps(diffRuns(baseRun, run(entry.scenario, model)))) out.add(i);
  }
  // Changes that act only together (a new advice needs its validity, its flag and the fork
  // policy that reads the flag): each one whose removal from the full set takes part of the
  // difference away is responsible too.
  const fullRun = run(entry.scenario, applyHookChanges(base0, changes));
  for (const i of relevant) {
    const c = changes[i]!;
    if (out.has(i) || (c.hook === 'uapi-name' && c.before === null)) continue;
    const without = applyHookChanges(base0, changes.filter((_, k) => k !== i));
    const d = diffRuns(run(entry.scenario, without), fullRun);
    if (!isEmpty(d) && overlaps(d)) out.add(i);
  }
  if (entry.source === 'generated' && entry.name) {
    const k = changes.findIndex((c) => c.hook === 'uapi-name' && c.detail === entry.name);
    if (k >= 0) out.add(k);
  }
  return [...out].sort((a, b) => a - b);
}
