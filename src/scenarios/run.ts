// Running a scenario on a model: each step on the simulated machine, its result checked
// against its expectation for the model's era, events collected, invariants optionally
// checked after every step.
import { LATEST_ERA, type KernelModel } from '../kernel/model';
import { vmFlagNames } from '../sim/constants';
import { IbDevice, withDriverPreset, type IbDriverPreset } from '../sim/drivers/ib';
import { hexAddr, Machine, type Pin } from '../sim/machine';
import { fail, ok, type StepResult } from '../sim/types';
import type { Process } from '../sim/vma';
import type { Expectation, ExpectSpec, FinalState, Scenario, ScenarioResult, StepReport } from './types';
import { resolveScenario, type ResolvedStep } from './validate';

const SEGV: StepResult = { ok: false, signal: 'SIGSEGV' };

export interface RunOptions {
  /** Run checkInvariants() after every step, and a teardown leak check at the end. */
  checkInvariants?: boolean;
  /** Overrides the scenario's `driver` preset. */
  driver?: IbDriverPreset;
}

/** The expectation that applies on this model's era (per-era keys, then latest, then default). */
export function expectationFor(spec: ExpectSpec | undefined, model: KernelModel): Expectation | undefined {
  if (!spec) return undefined;
  if (spec.kind === 'one') return spec.value;
  const v = spec.values;
  return v[model.era] ?? (model.era === LATEST_ERA ? v.latest : undefined) ?? v.default;
}

export function expectationHolds(e: Expectation, r: StepResult): boolean {
  if (typeof e === 'number') return r.ok && r.value === e;
  if (e === 'ok') return r.ok;
  if ('errno' in e) return !r.ok && 'errno' in r && r.errno === e.errno;
  return !r.ok && 'signal' in r && r.signal === e.signal;
}

/** A live run of one scenario; `runScenario` drives it to the end. */
export class ScenarioRun {
  readonly machine: Machine;
  readonly ib: IbDevice;
  private readonly refs = new Map<string, Pin>();

  constructor(model: KernelModel) {
    this.machine = new Machine(model);
    this.ib = new IbDevice(this.machine);
    this.machine.spawn('parent');
  }

  private proc(name: string): Process {
    return this.machine.proc(name);
  }

  /** The page range a step selects in its region, or null when the process has no such
   *  region (its mmap failed): the program would be holding MAP_FAILED. */
  private range(p: Process, s: ResolvedStep): { start: number; pages: number } | null {
    const r = p.regions.get(s.region!);
    if (!r) return null;
    const first = s.first ?? 0;
    return { start: r.start + first, pages: s.count ?? r.pages - first };
  }

  /** Address of one page of the step's region, or null as above. */
  private page(p: Process, s: ResolvedStep): number | null {
    const r = p.regions.get(s.region!);
    return r ? r.start + s.page! : null;
  }

  exec(s: ResolvedStep): StepResult {
    const m = this.machine;
    m.step = s.index;
    switch (s.op) {
      case 'mmap': {
        const p = this.proc(s.proc!);
        const r = m.mmap(p, s.region!, s.pages!, s.protValue!, s.flagsValue!);
        // As in `buf = mmap(...)`: after a failed call the name holds MAP_FAILED, even if an
        // earlier mmap had given it a mapping.
        if (!r.ok) p.regions.delete(s.region!);
        return r;
      }
      case 'munmap': { const p = this.proc(s.proc!); const r = this.range(p, s); return r ? m.munmap(p, r.start, r.pages) : fail('EINVAL'); }
      case 'mprotect': { const p = this.proc(s.proc!); const r = this.range(p, s); return r ? m.mprotect(p, r.start, r.pages, s.protValue!) : fail('EINVAL'); }
      case 'madvise': { const p = this.proc(s.proc!); const r = this.range(p, s); return r ? m.madvise(p, r.start, r.pages, s.adviceValue!) : fail('EINVAL'); }
      case 'write': { const p = this.proc(s.proc!); const a = this.page(p, s); return a === null ? SEGV : m.write(p, a, s.value!); }
      case 'read': { const p = this.proc(s.proc!); const a = this.page(p, s); return a === null ? SEGV : m.read(p, a); }
      case 'fill': { const p = this.proc(s.proc!); const r = this.range(p, s); return r ? m.fill(p, r.start, r.pages, s.value!) : SEGV; }
      case 'fork': return m.fork(this.proc(s.proc!), s.child!);
      case 'exit': return m.exit(this.proc(s.proc!));
      case 'gup': {
        const p = this.proc(s.proc!);
        const a = this.page(p, s);
        if (a === null) return fail('EFAULT');
        const got = m.gup(p, a, { write: !!s.write, pin: !!s.pin, longterm: !!s.longterm }, `reference '${s.ref}'`);
        if ('errno' in got) return fail(got.errno);
        this.refs.set(s.ref!, got.pin);
        // Say so when the era turned the requested pin into a plain reference.
        return s.pin && !got.pin.pin ? { ok: true, status: 'plain reference: no FOLL_PIN in this kernel' } : ok;
      }
      case 'gup_read': {
        const pin = this.refs.get(s.ref!);
        if (!pin) return fail('EINVAL'); // the gup that would have taken it failed
        return { ok: true, value: m.readPinned(pin, `reference '${s.ref}'`) };
      }
      case 'unpin': {
        const pin = this.refs.get(s.ref!);
        if (!pin) return fail('EINVAL');
        m.unpin(pin);
        this.refs.delete(s.ref!);
        return ok;
      }
      case 'ib_open': return this.ib.open(this.proc(s.proc!), s.ctx!);
      case 'ib_fork_init': return this.ib.forkInit(this.proc(s.proc!));
      case 'ib_reg_mr': return this.ib.regMr(s.ctx!, s.region!, s.mr!);
      case 'ib_dereg_mr': return this.ib.deregMr(s.mr!);
      case 'ib_dma_write': return this.ib.dmaWrite(s.mr!, s.page!, s.value!);
      case 'ib_dma_read': return this.ib.dmaRead(s.mr!, s.page!);
      case 'ib_ring_doorbell': return this.ib.ringDoorbell(this.proc(s.proc!), s.ctx!);
    }
  }

  /** Exits every process and drops every reference (for the leak check). */
  teardown(): void {
    for (const p of this.machine.procs.values()) if (p.alive) this.machine.exit(p);
    for (const name of [...this.ib.mrs.keys()]) this.ib.deregMr(name);
    for (const pin of this.refs.values()) this.machine.unpin(pin);
    this.refs.clear();
  }

  finalState(): FinalState {
    const m = this.machine;
    const processes: FinalState['processes'] = {};
    for (const p of m.procs.values()) {
      processes[p.name] = {
        alive: p.alive,
        vmas: p.vmas.map((v) => {
          const pages: string[] = [];
          for (let i = 0; i < v.pt.length && pages.length < 16; i++) {
            const f = v.pt[i];
            if (f < 0) continue;
            pages.push(`${i}:${f === 0 ? 'zero' : 'f' + f}${v.wr[i] ? 'w' : ''}=${m.frames.content[f]}`);
          }
          return {
            start: hexAddr(v.start), end: hexAddr(v.end), flags: vmFlagNames(m.model, v.flags),
            region: p.regionAt(v.start), backing: v.backing, pages,
          };
        }),
      };
    }
    return { processes, liveFrames: m.frames.live };
  }
}

export function runScenario(scenario: Scenario, model: KernelModel, options: RunOptions = {}): ScenarioResult {
  const driver = options.driver ?? scenario.driver;
  const eff = driver ? withDriverPreset(model, driver) : model;
  const { steps, errors } = resolveScenario(scenario, eff);
  const base = { scenario: scenario.name, file: scenario.file, kernel: model.era };
  if (errors.length) {
    return { ...base, valid: false, errors, passed: false, steps: [], events: [], final: { processes: {}, liveFrames: 0 }, invariantViolations: [] };
  }
  const run = new ScenarioRun(eff);
  const reports: StepReport[] = [];
  const violations: ScenarioResult['invariantViolations'] = [];
  let passed = true;
  for (const s of steps) {
    const result = run.exec(s);
    const report: StepReport = { index: s.index, op: s.op, result };
    const e = expectationFor(s.expect, model);
    if (e !== undefined) {
      report.expect = e;
      report.passed = expectationHolds(e, result);
      if (!report.passed) passed = false;
    }
    reports.push(report);
    if (options.checkInvariants) {
      const v = run.machine.checkInvariants();
      if (v.length) violations.push({ step: s.index, messages: v });
    }
  }
  const final = run.finalState();
  const events = run.machine.events.slice();
  if (options.checkInvariants) {
    run.machine.step = steps.length;
    run.teardown();
    const v = run.machine.checkInvariants();
    if (run.machine.frames.live !== 0) v.push(`${run.machine.frames.live} frame(s) still live after teardown`);
    if (v.length) violations.push({ step: steps.length, messages: v });
  }
  return { ...base, valid: true, errors: [], passed, steps: reports, events, final, invariantViolations: violations };
}
