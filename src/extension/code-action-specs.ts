// Findings -> code action descriptions: a quick fix where the engine gave fix edits, and
// "Explain MM00X" for every finding under the cursor. Pure; the vscode layer builds
// WorkspaceEdits and CodeActions from these.
import type { Finding } from './engine-types';
import { type PlainRange, toPlainRange } from './positions';

export interface EditSpec {
  range: PlainRange;
  newText: string;
}

export interface CodeActionSpec {
  title: string;
  kind: 'quickfix';
  /** The finding this action is for (its diagnostic is attached by the vscode layer). */
  finding: Finding;
  edits?: EditSpec[];
  command?: { command: string; title: string; arguments: unknown[] };
  isPreferred?: boolean;
}

function overlaps(a: PlainRange, b: PlainRange): boolean {
  const before = (x: PlainRange['start'], y: PlainRange['start']) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Edits of a fix; an edit whose range is unusable is dropped with the whole fix (a partial
 *  fix would leave the document half-edited). */
export function fixEdits(finding: Finding): EditSpec[] | null {
  if (!finding.fix || finding.fix.edits.length === 0) return null;
  const out: EditSpec[] = [];
  for (const e of finding.fix.edits) {
    if (![e.line, e.column, e.endLine, e.endColumn].every((n) => Number.isInteger(n) && n >= 1)) return null;
    if (e.endLine < e.line || (e.endLine === e.line && e.endColumn < e.column)) return null;
    out.push({ range: { start: { line: e.line - 1, character: e.column - 1 }, end: { line: e.endLine - 1, character: e.endColumn - 1 } }, newText: e.newText });
  }
  // Overlapping edits are rejected by VS Code; refuse them here with the same effect.
  for (let i = 0; i < out.length; i++) for (let j = i + 1; j < out.length; j++) if (overlaps(out[i].range, out[j].range) && !(isEmpty(out[i].range) || isEmpty(out[j].range))) return null;
  return out;
}

function isEmpty(r: PlainRange): boolean {
  return r.start.line === r.end.line && r.start.character === r.end.character;
}

/** Code actions for the findings whose range touches `range`. */
export function codeActionSpecs(findings: readonly Finding[], range: PlainRange): CodeActionSpec[] {
  const out: CodeActionSpec[] = [];
  const explained = new Set<string>();
  for (const f of findings) {
    const fr = toPlainRange(f.line, f.column, f.endLine, f.endColumn);
    if (!overlaps(fr, range)) continue;
    const edits = fixEdits(f);
    if (edits) out.push({ title: `${f.fix!.description} (${f.rule})`, kind: 'quickfix', finding: f, edits, isPreferred: true });
    if (!explained.has(f.rule)) {
      explained.add(f.rule);
      out.push({ title: `Explain ${f.rule}`, kind: 'quickfix', finding: f, command: { command: 'mmlens.explainRule', title: `Explain ${f.rule}`, arguments: [f.rule] } });
    }
  }
  return out;
}
