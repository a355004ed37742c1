// MM005: new VM_ bits. A single-bit VM_ define the patch adds or changes must not take a bit
// another flag of the era already uses (aliases such as `#define VM_PAT VM_ARCH_1` are names,
// not new bits), and a bit above 31 only exists where vm_flags is 64 bits wide: its define
// must sit under a 64-bit guard.
import type { Rule, Finding, RelatedLocation } from './types';
import { makeFinding, listText, type RuleContext, type Range } from './context';
import { defineLocation } from './define-lines';
import { isBitNumberName } from './flag-names';
import { bitsOf, flagDefinitions, formatFlag } from '../kernel/index';
import type { DefineChange } from '../c/index';

const meta = {
  id: 'MM005',
  name: 'vm-bit-collision',
  defaultSeverity: 'error' as const,
  shortDescription: 'A new VM_ bit collides with an existing one, or passes bit 31 without the 64-bit guard.',
  fullDescription:
    'The low 32 bits of vm_flags are all taken; bits are reused only when a flag goes away. A new VM_ define whose ' +
    'bit is already used by another flag of the era (or by another new define in the patch) makes the two ' +
    'indistinguishable. Bits 32 and up exist only on 64-bit kernels and must be defined under CONFIG_64BIT (or ' +
    'CONFIG_ARCH_USES_HIGH_VMA_FLAGS).',
  docs: 'docs/rules/MM005.md',
};

/** Preprocessor conditions open at hunk line `index` on the post side (innermost last). */
function openConditions(d: DefineChange): string[] {
  const a = d.after!;
  const stack: string[] = [];
  a.hunk.lines.slice(0, a.hunkLine).forEach((l) => {
    if (l.kind === '-') return;
    const m = /^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$/.exec(l.text);
    if (!m) return;
    if (m[1] === 'if' || m[1] === 'ifdef' || m[1] === 'ifndef') stack.push(`${m[1]}${m[2]}`);
    else if (m[1] === 'endif') stack.pop();
    else if (stack.length) stack[stack.length - 1] = `${m[1]}${m[2]}`;
  });
  return stack;
}

const GUARD_64 = /CONFIG_64BIT|HIGH_VMA_FLAGS|BITS_PER_LONG\s*[>=]=?\s*64|__LP64__|CONFIG_ARCH_HAS_PKEYS|CONFIG_X86_64|CONFIG_ARM64|CONFIG_PPC64|CONFIG_SPARC64/;

/** The hunk header's function context can also carry the condition (`@@ ... @@ #ifdef CONFIG_64BIT`). */
function guardedBy64(d: DefineChange): boolean {
  const conds = openConditions(d);
  if (conds.some((c) => !/^ifndef/.test(c) && GUARD_64.test(c))) return true;
  return GUARD_64.test(d.after!.hunk.header);
}

function isAliasBody(body: string): boolean {
  // `VM_ARCH_1`, `(VM_HIGH_ARCH_4)`, `VM_NONE`: another name for an existing value.
  return /^\(?\s*[A-Z_][A-Z0-9_]*\s*\)?$/.test(body.trim()) && !/^\(?\s*0/.test(body.trim());
}

function rangeOf(d: DefineChange): Range {
  const a = d.after!;
  return { line: a.line, column: a.column, endLine: a.endLine, endColumn: a.endColumn };
}

export const mm005: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    const base = ctx.baseSymbols();
    const patched = ctx.symbols();
    const defs = ctx.defineChanges().filter(
      (d) => (d.status === 'added' || d.status === 'changed') && d.name.startsWith('VM_') && d.after && d.afterValue?.ok,
    );
    if (defs.length === 0) return out;
    const newNames = new Set(defs.map((d) => d.name));
    // Masks and alias names of the era (VM_STACK, VM_ACCESS_FLAGS) are not bits of their own.
    const composite = new Set(flagDefinitions(ctx.era, ctx.tableArch).filter((f) => f.composite).map((f) => f.name));
    // Single-bit VM_ flags of the patched table (the era's and the patch's new ones) by value,
    // in table order, and the first define of each name: one pass each instead of one per define.
    const bitsByValue = new Map<bigint, string[]>();
    for (const [n, v] of patched) {
      if (!n.startsWith('VM_') || composite.has(n) || isBitNumberName(n) || !(base.has(n) || newNames.has(n)) || bitsOf(v).length !== 1) continue;
      const list = bitsByValue.get(v);
      if (list) list.push(n);
      else bitsByValue.set(v, [n]);
    }
    const defOf = new Map<string, DefineChange>();
    for (const d of defs) if (!defOf.has(d.name)) defOf.set(d.name, d);
    const seen = new Set<string>();
    for (const d of defs) {
      const value = (d.afterValue as { ok: true; value: bigint }).value;
      if (bitsOf(value).length !== 1) continue; // masks and VM_NONE are not flags
      if (isBitNumberName(d.name)) continue; // VM_HIGH_ARCH_BIT_0 = 32 is a bit number
      if (base.get(d.name) === value) continue; // unchanged meaning (a moved define)
      if (isAliasBody(d.after!.body)) continue;
      const at = rangeOf(d);
      // Collisions with the era's flags as the patch leaves them, and with other new defines.
      const others = (bitsByValue.get(value) ?? []).filter((n) => n !== d.name);
      const colliding = others.filter((n) => !seen.has(`${n}\u0000${d.name}`));
      const aliasesOfIt = colliding.filter((n) => {
        const o = defOf.get(n);
        return o ? isAliasBody(o.after!.body) : false;
      });
      const real = colliding.filter((n) => !aliasesOfIt.includes(n));
      if (real.length) {
        for (const n of real) seen.add(`${d.name}\u0000${n}`);
        const related: RelatedLocation[] = [];
        for (const n of real) {
          const loc = defineLocation(ctx, n, `${n} is defined here`);
          if (loc) related.push(loc);
        }
        const fromPatch = real.filter((n) => newNames.has(n) && !base.has(n));
        const what = real.map((n) => (fromPatch.includes(n) ? `${n} (also added by this patch)` : n));
        out.push(makeFinding(meta,
          `${formatFlag(d.name, value)} takes the bit of ${listText(what)} (kernel ${ctx.era}): code testing one flag ` +
          `now also sees the other${real.includes('VM_DONTCOPY') ? '; VM_DONTCOPY already means "do not copy at fork"' : ''}`,
          at, related));
      }
      if (value > 0xffffffffn && !guardedBy64(d)) {
        out.push(makeFinding(meta,
          `${formatFlag(d.name, value)} is above bit 31 but not under a 64-bit guard (#ifdef CONFIG_64BIT or ` +
          `CONFIG_ARCH_USES_HIGH_VMA_FLAGS): on 32-bit kernels vm_flags is 32 bits wide and the flag is silently lost`, at));
      }
    }
    return out;
  },
};
