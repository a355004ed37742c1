// Hooks the patch changes only through a macro: `#define VM_ACCESS_FLAGS (... | VM_DONTCOPY)`
// in a header, with mm/mprotect.c untouched. The kernel function that uses the macro is not in
// the patch, so its expression comes from here: each era's hook expressions as the kernel has
// them (written for this model, by era), evaluated on both sides with that side's macros.
import type { EraId } from '../../kernel/model';
import { evaluateTextSymbolic, keptBits, MASK64, parseExpressionText, descendants } from '../../c/index';
import { VMA_FLAGS, type SideEnv } from '../env';
import type { Fact } from '../facts';
import type { HookKind } from '../types';

interface Template {
  hook: HookKind;
  detail: string;
  /** The kernel function whose code this is (the fact's scope). */
  fn: string;
  eras: EraId[];
  expr: string;
  read: 'kept' | 'const' | 'access';
}

const OLD: EraId[] = ['v2.6.13', 'v2.6.16'];
const TEMPLATES: Template[] = [
  { hook: 'mprotect-kept', detail: 'mprotectKept', fn: 'sys_mprotect', eras: OLD, expr: 'vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)', read: 'kept' },
  { hook: 'mprotect-kept', detail: 'mprotectKept', fn: 'do_mprotect_pkey', eras: ['v5.4'], expr: 'vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_FLAGS_CLEAR)', read: 'kept' },
  { hook: 'mprotect-kept', detail: 'mprotectKept', fn: 'do_mprotect_pkey', eras: ['v6.12'], expr: 'vma->vm_flags & ~(VM_ACCESS_FLAGS | VM_FLAGS_CLEAR)', read: 'kept' },
  { hook: 'mprotect-access-check', detail: 'mprotectAccessCheck', fn: 'sys_mprotect', eras: ['v2.6.16'], expr: 'VM_READ | VM_WRITE | VM_EXEC', read: 'access' },
  { hook: 'mprotect-access-check', detail: 'mprotectAccessCheck', fn: 'do_mprotect_pkey', eras: ['v5.4'], expr: 'VM_READ | VM_WRITE | VM_EXEC', read: 'access' },
  { hook: 'mprotect-access-check', detail: 'mprotectAccessCheck', fn: 'do_mprotect_pkey', eras: ['v6.12'], expr: 'VM_ACCESS_FLAGS', read: 'access' },
  { hook: 'fork-policy', detail: 'skipFlags', fn: 'dup_mmap', eras: ['v2.6.13', 'v2.6.16', 'v5.4', 'v6.12'], expr: 'VM_DONTCOPY', read: 'const' },
  { hook: 'fork-policy', detail: 'wipeFlags', fn: 'dup_mmap', eras: ['v5.4', 'v6.12'], expr: 'VM_WIPEONFORK', read: 'const' },
  { hook: 'fork-policy', detail: 'childClear', fn: 'dup_mmap', eras: OLD, expr: 'VM_LOCKED', read: 'const' },
  { hook: 'fork-policy', detail: 'childClear', fn: 'dup_mmap', eras: ['v5.4'], expr: 'VM_LOCKED | VM_LOCKONFAULT', read: 'const' },
  { hook: 'fork-policy', detail: 'childClear', fn: 'dup_mmap', eras: ['v6.12'], expr: 'VM_LOCKED_MASK', read: 'const' },
];

function identifiers(expr: string): string[] {
  const p = parseExpressionText(expr);
  return p.node ? descendants(p.node, 'identifier').map((n) => n.text) : [];
}

/** Facts of the era's template expressions that use a macro the patch changes, for one
 *  side; `changed` maps macro names to the define lines that change them. */
export function templateFacts(env: SideEnv, changed: Map<string, number[]>): Fact[] {
  const out: Fact[] = [];
  for (const t of TEMPLATES) {
    if (!t.eras.includes(env.era)) continue;
    const ids = identifiers(t.expr);
    const used = expandUses(ids, env, new Set()).filter((n) => changed.has(n));
    if (used.length === 0) continue;
    const v = evaluateTextSymbolic(t.expr, { lookup: env.lookup, macros: env.macros });
    let value: Fact['value'] | null = null;
    if (t.read === 'kept') {
      const k = keptBits(v, VMA_FLAGS);
      if (k !== 0n) value = { type: 'mask', value: k & MASK64 };
    } else if (v.kind === 'const') {
      value = t.read === 'access' ? { type: 'access-check', shift: 4, mask: v.value } : { type: 'mask', value: v.value };
    }
    if (!value) continue;
    const lines = [...new Set(used.flatMap((n) => changed.get(n)!))].sort((a, b) => a - b);
    out.push({
      hook: t.hook, detail: t.detail, scope: t.fn, value, changedLines: lines, lines,
      file: null, function: t.fn, patch: 0, macros: used,
    });
  }
  return out;
}

/** Names an expression uses, through the side's macros (VM_ACCESS_FLAGS -> VM_READ ...). */
function expandUses(ids: string[], env: SideEnv, seen: Set<string>): string[] {
  const out: string[] = [];
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    const m = env.macros.get(id);
    if (m && m.params === null) out.push(...expandUses(identifiers(m.body), env, seen));
  }
  return out;
}
