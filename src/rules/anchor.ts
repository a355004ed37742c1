// Where to put a finding built from a hook change: the bridge gives the document lines behind
// a change (removed and added lines, and the #define lines of macros the code uses). A finding
// belongs on the added line that does the damage; the other lines become related locations.
import type { HookChange } from '../bridge/index';
import type { RelatedLocation } from './types';
import { trimmedLineRange, type LocatedLine, type Range, type RuleContext } from './context';

const DEFINE = /^\s*#\s*define\b/;
/** Lines that carry no meaning of their own (`break;`, a lone brace, a blank line): not worth
 *  a related location. */
const TRIVIAL = /^\s*(break\s*;|continue\s*;|[{}]\s*;?|\}\s*else\s*\{?|else\s*\{?|default\s*:|)\s*$/;

export interface Anchor {
  at: Range;
  line: LocatedLine | null;
  related: RelatedLocation[];
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** `\bNAME\b` in `text`. Names here are identifiers or `bit N`; those are matched without
 *  compiling a RegExp per name and line (MM004 asks once per new name). */
function mentionsWord(text: string, name: string): boolean {
  if (!/^\w(?:[\w ]*\w)?$/.test(name)) return new RegExp(`\\b${name}\\b`).test(text);
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const end = i + name.length;
    if ((i === 0 || !isWordChar(text.charCodeAt(i - 1))) && (end === text.length || !isWordChar(text.charCodeAt(end)))) return true;
  }
  return false;
}

function mentions(text: string, names: readonly string[]): boolean {
  return names.some((n) => mentionsWord(text, n));
}

/** Picks the `+` line of `lines` that best carries the finding: a code line (not a #define)
 *  naming one of `names`, else the first code line, else the first added line. */
export function anchorLines(ctx: RuleContext, lines: readonly number[], names: readonly string[] = []): Anchor {
  const located = lines.map((l) => ctx.lineAt(l)).filter((x): x is LocatedLine => x !== null);
  const added = located.filter((l) => l.line.kind === '+');
  const code = added.filter((l) => !DEFINE.test(l.line.text));
  const pick =
    code.find((l) => mentions(l.line.text, names)) ??
    code[0] ??
    added.find((l) => mentions(l.line.text, names)) ??
    added[0] ??
    located.find((l) => l.line.kind === '-') ??
    located[0] ??
    null;
  if (!pick) {
    const first = lines[0] ?? 1;
    return { at: { line: first, column: 1, endLine: first, endColumn: 2 }, line: null, related: [] };
  }
  const related: RelatedLocation[] = [];
  for (const l of added) {
    if (l === pick || TRIVIAL.test(l.line.text)) continue;
    const r = trimmedLineRange(l.line);
    const what = DEFINE.test(l.line.text) ? `macro defined by the patch: ${l.line.text.trim()}` : `also part of this change: ${l.line.text.trim()}`;
    related.push({ message: what, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn });
  }
  return { at: trimmedLineRange(pick.line), line: pick, related };
}

export function anchorHook(ctx: RuleContext, hook: HookChange, names: readonly string[] = []): Anchor {
  return anchorLines(ctx, hook.lines, names);
}

/** Name of a single-bit constant without its value: `VM_DONTCOPY (0x..., bit 17)` -> `VM_DONTCOPY`. */
export function bareName(described: string): string {
  return described.replace(/\s*\(.*$/, '');
}
