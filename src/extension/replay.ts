// Re-runs one scenario step by step to record the machine after every step (VMAs, frames,
// pins, COW sharing, device pages) for the simulation view's pictures. The bridge's report
// keeps only what differs; the view shows the whole run. Engine only, no vscode.
import { ScenarioRun, resolveScenario, expectationFor, expectationHolds } from '../scenarios/index';
import type { Scenario, Step } from '../scenarios/index';
import type { KernelModel } from '../kernel/model';
import { withDriverPreset } from '../sim/drivers/ib';
import type { FrameLike, MachineStateLike, OutcomeLike, PageLike, StepLike, VmaLike } from './engine-types';

/** Replays are for people to look at: bound the work a huge scenario could cause. */
const MAX_REPLAY_STEPS = 200;

export function stepText(s: Step): string {
  const at = s.region !== undefined ? (s.page !== undefined ? `${s.region}[${s.page}]` : s.region) : '';
  const parts: string[] = [];
  switch (s.op) {
    case 'mmap': parts.push(`mmap ${s.region} ${s.pages}p ${s.prot ?? ''} ${s.flags ?? ''}`); break;
    case 'mprotect': parts.push(`mprotect ${at} ${s.prot ?? ''}`); break;
    case 'madvise': parts.push(`madvise ${at} ${s.advice ?? ''}`); break;
    case 'write': parts.push(`write ${at} = ${s.value}`); break;
    case 'fill': parts.push(`fill ${at} = ${s.value}`); break;
    case 'fork': parts.push(`fork -> ${s.child}`); break;
    case 'gup': parts.push(`${s.pin ? 'pin' : 'gup'}${s.write ? ' write' : ''}${s.longterm ? ' longterm' : ''} ${at} as ${s.ref}`); break;
    case 'gup_read': case 'unpin': parts.push(`${s.op} ${s.ref}`); break;
    case 'ib_open': case 'ib_ring_doorbell': parts.push(`${s.op} ${s.ctx}`); break;
    case 'ib_reg_mr': parts.push(`ib_reg_mr ${s.mr} on ${s.region}`); break;
    case 'ib_dereg_mr': parts.push(`ib_dereg_mr ${s.mr}`); break;
    case 'ib_dma_write': parts.push(`device writes ${s.mr}[${s.page}] = ${s.value}`); break;
    case 'ib_dma_read': parts.push(`device reads ${s.mr}[${s.page}]`); break;
    default: parts.push(`${s.op} ${at}`);
  }
  const text = parts.join(' ').replace(/\s+/g, ' ').trim();
  return s.proc && !s.op.startsWith('ib_dma') && s.op !== 'ib_reg_mr' && s.op !== 'ib_dereg_mr' ? `${s.proc}: ${text}` : text;
}

const PAGE = /^(\d+):(zero|f(\d+))(w?)=(.*)$/;

/** The machine now, in the view's shape. */
export function snapshot(run: ScenarioRun): MachineStateLike {
  const fin = run.finalState();
  const frames = run.machine.frames;
  const seen = new Map<string, FrameLike>();
  const processes: MachineStateLike['processes'] = {};
  for (const [name, p] of Object.entries(fin.processes)) {
    if (!p.alive) continue;
    const vmas: VmaLike[] = p.vmas.map((v) => {
      const pages: PageLike[] = [];
      for (const s of v.pages) {
        const m = PAGE.exec(s);
        if (!m) continue;
        const index = Number(m[1]);
        const f = m[3] !== undefined ? Number(m[3]) : 0;
        const id = m[2] === 'zero' ? 'zero' : `f${f}`;
        const writable = m[4] === 'w';
        const mapcount = f > 0 ? frames.mapcount[f] : 0;
        pages.push({ index, frame: id, writable, cow: f > 0 && !writable && mapcount > 1 && v.backing === 'anon' });
        if (!seen.has(id)) {
          seen.set(id, {
            id,
            pins: f > 0 ? frames.pincount[f] + frames.refs[f] : 0,
            refs: f > 0 ? frames.refcount[f] : undefined,
            mapcount: f > 0 ? mapcount : undefined,
            value: m[5],
            device: v.backing === 'device',
          } as FrameLike);
        }
      }
      return { start: v.start, end: v.end, flags: v.flags, region: v.region, pages };
    });
    processes[name] = { vmas };
  }
  return { processes, frames: [...seen.values()] };
}

/** The whole run with the state after each step. */
export function replay(scenario: Scenario, baseModel: KernelModel): OutcomeLike | null {
  // As runScenario: a scenario may pick the driver's doorbell preset.
  const model = scenario.driver ? withDriverPreset(baseModel, scenario.driver) : baseModel;
  const { steps, errors } = resolveScenario(scenario, model);
  if (errors.length || steps.length > MAX_REPLAY_STEPS) return null;
  const run = new ScenarioRun(model);
  const out: StepLike[] = [];
  let passed = true;
  for (const s of steps) {
    const result = run.exec(s);
    const e = expectationFor(s.expect, model);
    const ok = e === undefined ? undefined : expectationHolds(e, result);
    if (ok === false) passed = false;
    out.push({ index: s.index, op: s.op, proc: s.proc, text: stepText(scenario.steps[s.index] ?? s), result: result as StepLike['result'], passed: ok, state: snapshot(run) });
  }
  return { steps: out, events: run.machine.events.map((e) => ({ step: e.step, kind: e.kind, detail: e.detail })), final: out.at(-1)?.state, passed };
}
