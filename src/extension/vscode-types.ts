// Plain ranges (positions.ts) <-> vscode ranges.
import * as vscode from 'vscode';
import type { PlainRange } from './positions';

export function toRange(r: PlainRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toPlainRange(r: vscode.Range): PlainRange {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}
