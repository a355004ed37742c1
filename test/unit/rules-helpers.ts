// Shared helpers for the rule tests: check a fixture or an inline patch, list findings.
import { readFileSync } from 'node:fs';
import { checkText } from '../../src/rules/check';
import type { CheckOptions, CheckReport, Finding, TextEdit } from '../../src/rules/types';

export async function checkFixture(path: string, options: CheckOptions = {}): Promise<CheckReport> {
  return checkText(readFileSync(path, 'utf8'), { path, ...options });
}

export function byRule(report: CheckReport, rule: string): Finding[] {
  return report.findings.filter((f) => f.rule === rule);
}

/** Applies text edits (1-based, end exclusive) to a document. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (line: number, column: number) => {
    let o = 0;
    for (let i = 0; i < line - 1; i++) o += lines[i]!.length + 1;
    return o + column - 1;
  };
  const sorted = [...edits].sort((a, b) => offset(b.line, b.column) - offset(a.line, a.column));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.line, e.column)) + e.newText + out.slice(offset(e.endLine, e.endColumn));
  return out;
}

/** A bare one-hunk diff of `file` with hunk header function `fn`. Line counts are computed. */
export function diff(file: string, fn: string, raw: string[], start = 100): string {
  // Lines without a diff marker are context lines.
  const lines = raw.map((l) => (l[0] === '+' || l[0] === '-' || l[0] === ' ' ? l : ' ' + l));
  const old = lines.filter((l) => l[0] !== '+').length;
  const nu = lines.filter((l) => l[0] !== '-').length;
  return `--- a/${file}\n+++ b/${file}\n@@ -${start},${old} +${start},${nu} @@ ${fn}\n${lines.join('\n')}\n`;
}
