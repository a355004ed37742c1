// Markdown for a hover on a flag name or value. The facts come from the engine's flag tables
// (describeFlag); this module only decides how they read.
import { bitsOf, hex, type FlagToken } from './flag-token';
import { escapeMarkdown } from './hover-content';

/** One definition of a name in one arch (the engine's table row, structurally). */
export interface FlagFact {
  name: string;
  value: bigint;
  namespace: string;
  arch: string;
  header?: string;
  note?: string;
}

export interface FlagDescriptionLike {
  era: string;
  /** The patch's own defines of the hovered name. */
  patch?: Array<{ status: string; path: string | null; line: number; value: bigint | null; error?: string; collisions: FlagFact[] }>;
  /** Definitions matching the hovered name or value, per arch. */
  definitions: FlagFact[];
  /** Other names with the same value in the same namespace (collisions), per arch. */
  collisions?: FlagFact[];
}

function bitText(v: bigint): string {
  const bits = bitsOf(v);
  if (bits.length === 0) return 'no bits';
  return bits.length === 1 ? `bit ${bits[0]}` : `bits ${bits.join(', ')}`;
}

function patchLines(name: string, d: FlagDescriptionLike): string[] {
  const out: string[] = [];
  for (const p of d.patch ?? []) {
    const where = `${p.path ? ` in \`${p.path}\`` : ''} (line ${p.line})`;
    const value = p.value !== null ? ` = \`${hex(p.value)}\` (${bitText(p.value)})` : p.error ? ` (value not constant: ${escapeMarkdown(p.error)})` : '';
    out.push(`**This patch** ${p.status === 'added' ? 'adds' : p.status === 'removed' ? 'removes' : 'changes'} \`${name}\`${p.status === 'removed' ? '' : value}${where}`);
    for (const c of p.collisions.slice(0, 8)) out.push(`- same value as \`${c.name}\` on ${escapeMarkdown(c.arch)}${c.header ? ` (\`${c.header}\`)` : ''}`);
  }
  return out;
}

export function flagHoverMarkdown(token: FlagToken, d: FlagDescriptionLike | null): string | null {
  if (!d) return null;
  const out: string[] = [];
  if (token.kind === 'name') {
    const own = patchLines(token.text, d);
    if (d.definitions.length === 0) return [`**${escapeMarkdown(token.text)}**: not defined in ${escapeMarkdown(d.era)} (any modelled arch)`, ...own].join('\n\n');
    // Group arches that agree on the value.
    const byValue = new Map<bigint, FlagFact[]>();
    for (const f of d.definitions) byValue.set(f.value, [...(byValue.get(f.value) ?? []), f]);
    const first = d.definitions[0];
    out.push(`**${escapeMarkdown(first.name)}** (${escapeMarkdown(first.namespace)} namespace, ${escapeMarkdown(d.era)})`);
    for (const [v, facts] of byValue) {
      const arches = facts.map((f) => f.arch).join(', ');
      // One header when they all share it; arch headers differ per arch, so say how many.
      const headers = [...new Set(facts.map((f) => f.header).filter(Boolean))];
      const header = headers.length === 1 ? ` in \`${headers[0]}\`` : headers.length > 1 ? ` (${headers.length} headers)` : '';
      out.push(`- \`${hex(v)}\` (${bitText(v)}) on ${escapeMarkdown(arches)}${header}`);
    }
    if (first.note) out.push(escapeMarkdown(first.note));
    out.push(...own);
  } else {
    const v = token.value!;
    out.push(`**${escapeMarkdown(token.text)}** = \`${hex(v)}\` (${bitText(v)}), ${escapeMarkdown(d.era)}`);
    if (d.definitions.length === 0) out.push('No modelled flag has this value.');
    const byName = new Map<string, FlagFact[]>();
    for (const f of d.definitions) byName.set(f.name, [...(byName.get(f.name) ?? []), f]);
    for (const [name, facts] of [...byName].slice(0, 12)) out.push(`- \`${name}\` (${facts[0].namespace}) on ${escapeMarkdown(facts.map((f) => f.arch).join(', '))}`);
  }
  const col = d.collisions ?? [];
  if (col.length) {
    out.push('**Collisions**');
    for (const c of col.slice(0, 12)) out.push(`- \`${c.name}\` = \`${hex(c.value)}\` on ${escapeMarkdown(c.arch)}${c.header ? ` (\`${c.header}\`)` : ''}`);
  }
  return out.join('\n\n');
}
