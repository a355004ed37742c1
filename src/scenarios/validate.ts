// Checking a parsed scenario against a model before it runs: expressions evaluate, and every
// process, region, context, memory region and reference exists when a step uses it.
import type { KernelModel } from '../kernel/model';
import { evaluateScenarioExpr } from './expression';
import type { Scenario, ScenarioError, Step } from './types';

/** A step with its expressions evaluated. */
export interface ResolvedStep extends Step {
  protValue?: bigint;
  flagsValue?: bigint;
  adviceValue?: bigint;
}

interface ProcState {
  alive: boolean;
  regions: Map<string, number>;
}

export function resolveScenario(scenario: Scenario, model: KernelModel): { steps: ResolvedStep[]; errors: ScenarioError[] } {
  const errors: ScenarioError[] = [];
  const file = scenario.file;
  const procs = new Map<string, ProcState>([['parent', { alive: true, regions: new Map() }]]);
  const ctxs = new Map<string, string>();
  const mrs = new Map<string, number>();
  const refs = new Set<string>();
  const steps: ResolvedStep[] = [];
  for (const s of scenario.steps) {
    const err = (field: string, message: string) => errors.push({ file, step: s.index, field, message });
    const r: ResolvedStep = { ...s };
    const expr = (field: 'prot' | 'flags' | 'advice') => {
      const text = s[field];
      if (text === undefined) return undefined;
      const v = evaluateScenarioExpr(text, model);
      if (!v.ok) { err(field, v.message); return undefined; }
      return v.value;
    };
    r.protValue = expr('prot');
    r.flagsValue = expr('flags');
    r.adviceValue = expr('advice');
    const proc = (field = 'proc', name = s.proc): ProcState | undefined => {
      if (name === undefined) return undefined;
      const p = procs.get(name);
      if (!p) { err(field, `process '${name}' does not exist at this step (processes: ${[...procs.keys()].join(', ')})`); return undefined; }
      if (!p.alive) { err(field, `process '${name}' has exited before this step`); return undefined; }
      return p;
    };
    const region = (p: ProcState | undefined, owner: string | undefined): number | undefined => {
      if (!p || s.region === undefined) return undefined;
      const pages = p.regions.get(s.region);
      if (pages === undefined) { err('region', `region '${s.region}' is used before it exists in process '${owner}'`); return undefined; }
      return pages;
    };
    const pageIn = (pages: number | undefined) => {
      if (pages !== undefined && s.page !== undefined && s.page >= pages) err('page', `page ${s.page} is outside region '${s.region}' (${pages} pages)`);
    };
    const range = (pages: number | undefined) => {
      if (pages === undefined) return;
      const first = s.first ?? 0;
      const count = s.count ?? pages - first;
      if (first >= pages) err('first', `first page ${first} is outside region '${s.region}' (${pages} pages)`);
      else if (first + count > pages) err('count', `pages ${first}..${first + count - 1} run past region '${s.region}' (${pages} pages)`);
    };
    switch (s.op) {
      case 'mmap': {
        const p = proc();
        if (p) p.regions.set(s.region!, s.pages!);
        break;
      }
      case 'munmap': case 'mprotect': case 'madvise': case 'fill': {
        const p = proc();
        range(region(p, s.proc));
        break;
      }
      case 'read': case 'write': case 'gup': {
        const p = proc();
        pageIn(region(p, s.proc));
        if (s.op === 'gup') {
          if (refs.has(s.ref!)) err('ref', `reference '${s.ref}' already exists`);
          refs.add(s.ref!);
        }
        break;
      }
      case 'gup_read': case 'unpin':
        if (!refs.has(s.ref!)) err('ref', `reference '${s.ref}' is used before it exists (or after unpin)`);
        if (s.op === 'unpin') refs.delete(s.ref!);
        break;
      case 'fork': {
        const p = proc();
        if (procs.has(s.child!)) err('child', `process '${s.child}' already exists`);
        else if (p) procs.set(s.child!, { alive: true, regions: new Map(p.regions) });
        break;
      }
      case 'exit': {
        const p = proc();
        if (p) p.alive = false;
        break;
      }
      case 'ib_open': {
        const p = proc();
        if (ctxs.has(s.ctx!)) err('ctx', `context '${s.ctx}' already exists`);
        else if (p) { ctxs.set(s.ctx!, s.proc!); p.regions.set(`${s.ctx}.doorbell`, 1); }
        break;
      }
      case 'ib_fork_init':
        proc();
        break;
      case 'ib_reg_mr': {
        const owner = ctxs.get(s.ctx!);
        if (owner === undefined) { err('ctx', `context '${s.ctx}' is used before ib_open`); break; }
        const p = proc('ctx', owner);
        const pages = region(p, owner);
        if (mrs.has(s.mr!)) err('mr', `memory region '${s.mr}' already exists`);
        else if (pages !== undefined) mrs.set(s.mr!, pages);
        break;
      }
      case 'ib_dereg_mr':
        if (!mrs.has(s.mr!)) err('mr', `memory region '${s.mr}' is used before ib_reg_mr (or after ib_dereg_mr)`);
        mrs.delete(s.mr!);
        break;
      case 'ib_dma_write': case 'ib_dma_read': {
        const pages = mrs.get(s.mr!);
        if (pages === undefined) err('mr', `memory region '${s.mr}' is used before ib_reg_mr (or after ib_dereg_mr)`);
        else if (s.page! >= pages) err('page', `page ${s.page} is outside memory region '${s.mr}' (${pages} pages)`);
        break;
      }
      case 'ib_ring_doorbell': {
        const p = proc();
        if (!ctxs.has(s.ctx!)) err('ctx', `context '${s.ctx}' is used before ib_open`);
        else if (p && !p.regions.has(`${s.ctx}.doorbell`)) err('ctx', `process '${s.proc}' never had a mapping of ${s.ctx}'s doorbell (neither opened nor inherited)`);
        break;
      }
    }
    steps.push(r);
  }
  return { steps, errors };
}

/** The problems that make the scenario not runnable on this model (empty when valid). */
export function validateScenario(scenario: Scenario, model: KernelModel): ScenarioError[] {
  return resolveScenario(scenario, model).errors;
}
