// Engine positions (1-based line and column, end exclusive) to VS Code's (0-based line and
// character). Pure: the vscode layer turns these plain ranges into vscode.Range.
export interface PlainPosition {
  line: number;
  character: number;
}
export interface PlainRange {
  start: PlainPosition;
  end: PlainPosition;
}

function clampIndex(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.max(0, Math.floor(n) - 1) : 0;
}

/** A range never runs backwards and is never empty when the engine gave one column: an empty
 *  squiggle is invisible, so a point becomes one character wide. */
export function toPlainRange(line: number, column: number, endLine?: number, endColumn?: number): PlainRange {
  const start = { line: clampIndex(line), character: clampIndex(column) };
  let end = { line: clampIndex(endLine ?? line), character: clampIndex(endColumn ?? (column ?? 1) + 1) };
  if (end.line < start.line || (end.line === start.line && end.character <= start.character)) {
    end = { line: start.line, character: start.character + 1 };
  }
  return { start, end };
}

/** Whether 1-based document line `line` falls in the range. */
export function rangeCoversLine(range: PlainRange, line: number): boolean {
  const l = line - 1;
  return l >= range.start.line && l <= range.end.line;
}
