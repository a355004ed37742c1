// Printing scenario results: a timeline a reviewer can paste into a mail, and the JSON shape
// of docs/scenario-format.md.
import type { StepResult } from '../sim/types';
import type { Expectation, Scenario, ScenarioError, ScenarioResult, Step } from './types';

function describeStep(s: Step): string {
  const at = s.region !== undefined ? (s.page !== undefined ? `${s.region}[${s.page}]` : s.region) : '';
  const sel = s.first !== undefined || s.count !== undefined ? ` pages ${s.first ?? 0}+${s.count ?? 'rest'}` : '';
  switch (s.op) {
    case 'mmap': return `${s.proc}: mmap ${s.region} (${s.pages} pages, ${s.prot}, ${s.flags})`;
    case 'munmap': return `${s.proc}: munmap ${at}${sel}`;
    case 'mprotect': return `${s.proc}: mprotect ${at}${sel} ${s.prot}`;
    case 'madvise': return `${s.proc}: madvise ${at}${sel} ${s.advice}`;
    case 'write': return `${s.proc}: write ${at} = ${s.value}`;
    case 'read': return `${s.proc}: read ${at}`;
    case 'fill': return `${s.proc}: fill ${at} with ${s.value}`;
    case 'fork': return `${s.proc}: fork -> ${s.child}`;
    case 'exit': return `${s.proc}: exit`;
    case 'gup': return `${s.proc}: ${s.pin ? 'pin_user_pages' : 'get_user_pages'}(${[s.write ? 'FOLL_WRITE' : '', s.longterm ? 'FOLL_LONGTERM' : ''].filter(Boolean).join('|') || 'read'}) ${at} as ${s.ref}`;
    case 'gup_read': return `read through reference ${s.ref}`;
    case 'unpin': return `release reference ${s.ref}`;
    case 'ib_open': return `${s.proc}: ib_open ${s.ctx} (doorbell mapped as ${s.ctx}.doorbell)`;
    case 'ib_fork_init': return `${s.proc}: ibv_fork_init()`;
    case 'ib_reg_mr': return `ib_reg_mr ${s.mr} on ${s.region} (context ${s.ctx})`;
    case 'ib_dereg_mr': return `ib_dereg_mr ${s.mr}`;
    case 'ib_dma_write': return `device DMA write ${s.mr}[${s.page}] = ${s.value}`;
    case 'ib_dma_read': return `device DMA read ${s.mr}[${s.page}]`;
    case 'ib_ring_doorbell': return `${s.proc}: ring doorbell of ${s.ctx}`;
  }
}

export function formatResult(r: StepResult): string {
  if (r.ok) {
    if (r.value !== undefined) return String(r.value);
    if (r.addr !== undefined) return `ok ${r.addr}`;
    return r.status ? `ok (${r.status})` : 'ok';
  }
  return 'errno' in r ? r.errno : r.signal;
}

function formatExpect(e: Expectation): string {
  if (typeof e === 'number' || e === 'ok') return String(e);
  return 'errno' in e ? e.errno : e.signal;
}

/** The timeline of one run (`scenario` gives the step descriptions). */
export function formatTimeline(scenario: Scenario, r: ScenarioResult): string {
  const out: string[] = [];
  const verdict = !r.valid ? 'NOT VALID' : r.passed ? 'passed' : 'FAILED';
  out.push(`scenario ${r.scenario} on ${r.kernel}: ${verdict}   (${r.file})`);
  if (scenario.description) out.push(`  ${scenario.description}`);
  const byIndex = new Map(scenario.steps.map((s) => [s.index, s]));
  const rows = r.steps.map((st) => {
    const step = byIndex.get(st.index)!;
    const left = `  ${String(st.index).padStart(2)}  ${describeStep(step)}${step.note ? ` (${step.note})` : ''}`;
    let right = `-> ${formatResult(st.result)}`;
    if (st.expect !== undefined) right += st.passed ? `   (expected ${formatExpect(st.expect)}: ok)` : `   (expected ${formatExpect(st.expect)}: MISMATCH)`;
    return { st, left, right };
  });
  const width = Math.min(72, Math.max(0, ...rows.map((x) => x.left.length)));
  for (const { st, left, right } of rows) {
    out.push(`${left.padEnd(width)}  ${right}`);
    for (const e of r.events) if (e.step === st.index) out.push(`        ! ${e.kind}: ${e.detail}`);
  }
  out.push('  final state:');
  for (const [name, p] of Object.entries(r.final.processes)) {
    out.push(`    ${name}${p.alive ? '' : ' (exited)'}`);
    for (const v of p.vmas) {
      out.push(`      ${v.start}-${v.end} ${v.region ?? '-'} ${v.backing} ${v.flags.join('|')}`);
      if (v.pages.length) out.push(`        pages ${v.pages.join(' ')}`);
    }
  }
  out.push(`    live frames: ${r.final.liveFrames}`);
  return out.join('\n') + '\n';
}

/** The JSON document of `mmlens scenario --format json`; `errors` (scenarios refused as not
 *  valid) is an extension, present only when there are some. */
export function resultsToJson(results: ScenarioResult[], errors: ScenarioError[] = []): string {
  return JSON.stringify(errors.length ? { results, errors } : { results }, null, 2) + '\n';
}
