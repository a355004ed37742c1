// Printing scenario results: a timeline a reviewer can paste into a mail, and the JSON shape
// of docs/scenario-format.md.
import { kernelModel, parseEra } from '../kernel/index';
import type { StepResult } from '../sim/types';
import type { Expectation, Scenario, ScenarioError, ScenarioResult, Step } from './types';

/** A number written where a name is expected (`"advice": "10"`), with the era's name for it. */
function withName(expr: string | undefined, prefix: string, era: string): string | undefined {
  if (expr === undefined || !/^\s*(?:0x[0-9a-f]+|\d+)\s*$/i.test(expr)) return expr;
  const id = parseEra(era);
  if (!id) return expr;
  const value = BigInt(expr.trim());
  for (const [name, v] of kernelModel(id).symbols) if (v === value && name.startsWith(prefix)) return `${expr.trim()} (${name})`;
  return expr;
}

function describeStep(s0: Step, era: string): string {
  const s: Step = { ...s0, advice: withName(s0.advice, 'MADV_', era) };
  const at = s.region !== undefined ? (s.page !== undefined ? `${s.region}[${s.page}]` : s.region) : '';
  const sel = s.first !== undefined || s.count !== undefined ? ` pages ${s.first ?? 0}+${s.count ?? 'rest'}` : '';
  switch (s.op) {
    case 'mmap': return `${s.proc}: mmap ${s.region} (${s.pages} page${s.pages === 1 ? '' : 's'}, ${s.prot}, ${s.flags})`;
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

/** Lines of a timeline are kept to this width where they can be broken, so that it can be
 *  pasted into a mail. */
const MAIL_WIDTH = 78;
/** Step descriptions are aligned up to this width; a longer one gets its result on the next line. */
const STEP_COLUMN = 46;

/** `text` broken at spaces (or after `|`, for flag lists) into lines of at most `width`
 *  chars, the first starting with `first` and the others with `rest` (a word longer than a
 *  line stays whole). */
export function wrapText(text: string, first: string, rest: string, width = MAIL_WIDTH): string[] {
  const words = text.split(/(?<=\|)|(?<= )/);
  const lines: string[] = [];
  let cur = first;
  let empty = true;
  for (const w of words) {
    if (!empty && (cur + w).trimEnd().length > width) {
      lines.push(cur.trimEnd());
      cur = rest;
      empty = true;
    }
    cur += empty ? w.trimStart() : w;
    empty = false;
  }
  lines.push(cur.trimEnd());
  return lines;
}

/** The timeline of one run (`scenario` gives the step descriptions). */
export function formatTimeline(scenario: Scenario, r: ScenarioResult): string {
  const out: string[] = [];
  const verdict = !r.valid ? 'NOT VALID' : r.passed ? 'passed' : 'FAILED';
  out.push(`scenario ${r.scenario} on ${r.kernel}: ${verdict}   (${r.file})`);
  if (scenario.description) out.push(...wrapText(scenario.description, '  ', '  '));
  const byIndex = new Map(scenario.steps.map((s) => [s.index, s]));
  const rows = r.steps.map((st) => {
    const step = byIndex.get(st.index)!;
    const left = `  ${String(st.index).padStart(2)}  ${describeStep(step, r.kernel)}${step.note ? ` (${step.note})` : ''}`;
    let right = `-> ${formatResult(st.result)}`;
    if (st.expect !== undefined) right += st.passed ? '  (as expected)' : `  (MISMATCH: expected ${formatExpect(st.expect)})`;
    return { st, left, right };
  });
  const width = Math.min(STEP_COLUMN, Math.max(0, ...rows.map((x) => x.left.length)));
  let signalNoted = false;
  for (const { st, left, right } of rows) {
    // A long description is wrapped; the result goes after its last line, aligned when it fits.
    const lines = wrapText(left.trimStart(), left.slice(0, left.length - left.trimStart().length), '        ');
    const last = lines.pop()!;
    out.push(...lines);
    if (last.length <= width) out.push(`${last.padEnd(width)}  ${right}`);
    else if (last.length + 2 + right.length <= MAIL_WIDTH) out.push(`${last}  ${right}`);
    else {
      out.push(last);
      const indent = ' '.repeat(Math.min(width, Math.max(6, MAIL_WIDTH - 2 - right.length)) + 2);
      out.push(...wrapText(right, indent, indent + '   '));
    }
    if (!signalNoted && !st.result.ok && 'signal' in st.result) {
      // The simulator does not kill on a fault (docs/simulator.md): say so once, where it matters.
      signalNoted = true;
      out.push(...wrapText(`(the fault is taken as caught, like a test program's signal handler: the process goes on and keeps its memory)`, '        ', '        '));
    }
    for (const e of r.events) if (e.step === st.index) out.push(...wrapText(`${e.kind}: ${e.detail}`, '        ! ', '          '));
  }
  out.push('  final state:');
  for (const [name, p] of Object.entries(r.final.processes)) {
    out.push(`    ${name}${p.alive ? '' : ' (exited)'}`);
    for (const v of p.vmas) {
      out.push(...wrapText(`${v.start}-${v.end} ${v.region ?? '-'} ${v.backing} ${v.flags.join('|')}`, '      ', '          '));
      if (v.pages.length) out.push(...wrapText(`pages ${v.pages.join(' ')}`, '        ', '          '));
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
