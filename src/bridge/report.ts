// Printing a SimulationReport: JSON (bigints as hex strings) and a text report a reviewer
// can paste into a mail reply (per consequence: the quoted hunk lines behind it and the
// scenario as a short timeline before and after the patch).
import type { Consequence, HookChange, SimulationReport } from './types';

/** JSON.stringify replacer: bigint -> "0x..." */
export function bigintToHex(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `0x${value.toString(16)}` : value;
}

export function reportToJson(report: SimulationReport): string {
  const doc = {
    kernel: report.kernel,
    hookChanges: report.hookChanges,
    consequences: report.consequences,
    scenariosRun: report.scenariosRun,
    notes: report.notes,
  };
  return JSON.stringify(doc, bigintToHex, 2) + '\n';
}

function where(c: HookChange, series = false): string {
  // In a series, which patch (1-based) the change comes from.
  return [series ? `patch ${c.patch + 1}` : null, c.file, c.function].filter(Boolean).join(', ');
}

function quoted(lines: number[], docLines: string[]): string[] {
  return lines.map((n) => `  > ${(docLines[n - 1] ?? '').replace(/\s+$/, '')}`);
}

export interface TextOptions {
  /** Shown in the heading. */
  path?: string | null;
}

export function reportToText(report: SimulationReport, documentText: string, options: TextOptions = {}): string {
  const docLines = documentText.split(/\r\n|\r|\n/);
  const series = report.hookChanges.some((c) => c.patch > 0);
  const out: string[] = [];
  const k = report.kernel;
  const how = k.requested === 'auto' ? `chosen automatically${k.clues.length ? ' from:' : ' (no clues: the newest era)'}` : `as requested`;
  out.push(`mmlens simulate${options.path ? ` ${options.path}` : ''}: kernel ${k.era}${k.arch !== 'generic' ? ` (${k.arch})` : ''}, ${how}`);
  for (const c of k.clues) out.push(`  - ${c}`);
  out.push('');
  if (report.hookChanges.length === 0) {
    out.push('The patch changes no behaviour the simulator models (no hook changes).');
  } else {
    out.push(`What the patch changes (${report.hookChanges.length}):`);
    for (const c of report.hookChanges) {
      out.push(`  line ${c.lines.join(',') || '?'}${where(c, series) ? ` (${where(c, series)})` : ''}: ${c.summary}`);
    }
  }
  out.push('');
  const n = (s: Consequence['severity']) => report.consequences.filter((c) => c.severity === s).length;
  if (report.scenariosRun === 0) out.push('Consequences: none (the patched kernel model is the base model; no scenario needed running).');
  else if (report.consequences.length === 0) out.push(`Consequences: none: ${report.scenariosRun} scenario(s) run before and after the patch behave the same.`);
  else out.push(`Consequences: ${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info, from ${report.scenariosRun} scenario(s) run before and after the patch.`);
  for (const c of report.consequences) {
    out.push('');
    out.push(`[${c.severity}] ${c.summary}`);
    out.push(`  scenario: ${c.scenario}${c.source === 'generated' ? ' (generated for a name the patch adds)' : c.source === 'file' ? ' (from --scenario)' : ''}`);
    if (c.hookChanges.length) {
      out.push('  caused by:');
      for (const i of c.hookChanges) {
        const h = report.hookChanges[i];
        if (!h) continue;
        out.push(`  ${h.summary}${where(h, series) ? ` (${where(h, series)})` : ''}`);
        out.push(...quoted(h.lines, docLines));
      }
    }
    if (c.timeline) {
      out.push('  before the patch:');
      for (const l of c.timeline.base) out.push(`    ${l}`);
      out.push('  after the patch:');
      for (const l of c.timeline.patched) out.push(`    ${l}`);
    }
  }
  for (const note of report.notes) out.push(`note: ${note}`);
  return out.join('\n') + '\n';
}
