// Compiler-style text output, one finding per line (`file:line:col: severity MM00X message`),
// the shape editors' problem matchers, CI log scanners and checkpatch's --emacs mode use.
import type { CheckReport } from '../types';

export function displayPath(report: CheckReport): string {
  return report.path ?? '<stdin>';
}

export function formatText(reports: CheckReport[]): string {
  let out = '';
  for (const r of reports) {
    const path = displayPath(r);
    for (const f of r.findings) {
      out += `${path}:${f.line}:${f.column}: ${f.severity} ${f.rule} ${oneLine(f.message)}\n`;
    }
  }
  return out;
}

/** The era line printed on stderr in text mode, with the clues that chose it. */
export function formatKernelChoice(report: CheckReport): string {
  const k = report.kernel;
  const how = k.requested === 'auto'
    ? k.clues.length ? `auto: ${k.clues.join('; ')}` : 'auto: no clues in the patch, newest era'
    : k.requested === 'latest' ? 'latest' : 'requested';
  return `${displayPath(report)}: kernel ${k.era} (${how}), arch ${report.arch}\n`;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}
