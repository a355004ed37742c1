// JSON output in the DESIGN shape: {"files":[{"path","kernel","arch","findings":[...]}]}.
import type { CheckReport } from '../types';

export function formatJson(reports: CheckReport[]): string {
  const files = reports.map((r) => ({
    path: r.path ?? '-',
    kernel: { era: r.kernel.era, requested: r.kernel.requested, clues: r.kernel.clues },
    arch: r.arch,
    findings: r.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      message: f.message,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      related: f.related,
      ...(f.fix ? { fix: f.fix } : {}),
    })),
  }));
  return JSON.stringify({ files }, null, 2) + '\n';
}
