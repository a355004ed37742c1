// MM003: the VM_* / VM_MAY* access check `(newflags & ~(newflags >> 4)) & MASK`. It only works
// while every checked access bit has its VM_MAY* partner exactly `shift` places above it. The
// bridge evaluates the check before and after the patch; this rule also reads the patch's
// #defines for VM bits that move into, or out of, that pairing.
import type { Rule, Finding, RelatedLocation } from './types';
import { makeFinding, listText, type RuleContext, type Range } from './context';
import { anchorHook } from './anchor';
import type { DefineChange } from '../c/index';
import { bitsOf, formatFlag } from '../kernel/index';
import { isBitNumberName } from './flag-names';

const meta = {
  id: 'MM003',
  name: 'broken-access-check',
  defaultSeverity: 'error' as const,
  shortDescription: 'The VM_*/VM_MAY* access check no longer pairs each access bit with its VM_MAY* bit, or a new VM bit lands in the checked range.',
  fullDescription:
    'mprotect() refuses an access the mapping may not have with (newflags & ~(newflags >> 4)) & MASK: each VM_MAY* ' +
    'bit sits four places above its access bit. A patch that changes the shift, stops checking an access bit, checks a ' +
    'bit whose partner is not a VM_MAY* bit, or defines VM bits that break the pairing lets mprotect() grant access ' +
    'the mapping was never allowed (PROT_WRITE on a read-only file mapping) or refuse access it was.',
  docs: 'docs/rules/MM003.md',
};

const PAIRS: Array<[string, string]> = [
  ['VM_READ', 'VM_MAYREAD'],
  ['VM_WRITE', 'VM_MAYWRITE'],
  ['VM_EXEC', 'VM_MAYEXEC'],
  ['VM_SHARED', 'VM_MAYSHARE'],
];

const WHAT_IT_ALLOWS: Record<string, string> = {
  VM_READ: 'mprotect(PROT_READ) succeeds on a mapping without VM_MAYREAD',
  VM_WRITE: 'mprotect(PROT_WRITE) succeeds on a mapping without VM_MAYWRITE, such as a shared mapping of a file opened read-only',
  VM_EXEC: 'mprotect(PROT_EXEC) succeeds on a mapping without VM_MAYEXEC, such as a file on a noexec mount',
};

function defineRange(d: DefineChange): Range | null {
  const a = d.after;
  return a ? { line: a.line, column: a.column, endLine: a.endLine, endColumn: a.endColumn } : null;
}

export const mm003: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const h of ctx.hookChanges()) {
      if (h.hook !== 'mprotect-access-check' || h.after?.type !== 'access-check') continue;
      const after = h.after;
      const before = h.before?.type === 'access-check' ? h.before : null;
      const beforeMask = before?.mask ?? ctx.model().mprotectAccessCheck.mask;
      const where = h.function ? ` in ${h.function}()` : '';
      const names = ['VM_READ', 'VM_WRITE', 'VM_EXEC', 'VM_SHARED', 'VM_ACCESS_FLAGS'];
      const anchor = anchorHook(ctx, h, names);
      if (after.shift !== 4) {
        out.push(makeFinding(meta,
          `the mprotect access check${where} shifts by ${after.shift}, not 4: VM_MAY* bits sit exactly four places above their access bits ` +
          `(VM_MAYREAD 0x10 over VM_READ 0x1), so the check now compares unrelated bits`, anchor.at, anchor.related));
      }
      const unchecked = beforeMask & ~after.mask & 0x7n;
      for (const b of bitsOf(unchecked)) {
        const bit = 1n << BigInt(b);
        const name = ctx.nameOf(bit) ?? `bit ${b}`;
        out.push(makeFinding(meta,
          `the mprotect access check${where} no longer tests ${formatFlag(name, bit)}: ${WHAT_IT_ALLOWS[name] ?? 'that access is granted without its VM_MAY* bit'} ` +
          `(mask 0x${beforeMask.toString(16)} -> 0x${after.mask.toString(16)})`, anchor.at, anchor.related));
      }
      const added = after.mask & ~beforeMask & ~0xfn;
      if (added && after.shift === 4) {
        const bad = bitsOf(added).map((b) => ctx.describeBits(1n << BigInt(b))[0]!);
        out.push(makeFinding(meta,
          `the mprotect access check${where} now also tests ${listText(bad)}: the bit four places above is not its VM_MAY* partner, ` +
          `so mprotect() fails with EACCES depending on an unrelated flag`, anchor.at, anchor.related));
      }
    }
    out.push(...pairingDefines(ctx));
    return out;
  },
};

/** #defines of the patch that put a new VM bit into the checked low byte or move a VM_MAY*
 *  bit away from four places above its access bit. */
function pairingDefines(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const base = ctx.baseSymbols();
  const patched = ctx.symbols();
  const changes = ctx.defineChanges().filter((d) => (d.status === 'added' || d.status === 'changed') && d.name.startsWith('VM_') && d.afterValue?.ok);
  const byName = new Map(changes.map((d) => [d.name, d]));
  const pairNames = new Set(PAIRS.flat());
  // The era's VM_ names by value, in table order: one pass instead of one per define.
  const vmNamesByValue = new Map<bigint, string[]>();
  for (const [n, v] of base) {
    if (!n.startsWith('VM_')) continue;
    const list = vmNamesByValue.get(v);
    if (list) list.push(n);
    else vmNamesByValue.set(v, [n]);
  }
  for (const d of changes) {
    const value = (d.afterValue as { ok: true; value: bigint }).value;
    const at = defineRange(d);
    if (!at || pairNames.has(d.name) || isBitNumberName(d.name)) continue;
    if (value === 0n || value > 0xffn || base.get(d.name) === value) continue;
    // A name for an existing bit (an alias such as VM_ACCESS_FLAGS) is not a new bit.
    const isAlias = /^\s*\(?\s*VM_\w+(\s*\|\s*VM_\w+)*\s*\)?\s*$/.test(d.after?.body ?? '');
    if (isAlias) continue;
    const existing = (vmNamesByValue.get(value) ?? []).filter((n) => n !== d.name);
    out.push(makeFinding(meta,
      `${formatFlag(d.name, value)} lies in the low byte the mprotect access check reads: bits 0-3 are access bits paired with ` +
      `VM_MAY* bits 4-7 four places above, and a new bit there takes part in (newflags & ~(newflags >> 4))` +
      (existing.length ? ` (the value of ${listText(existing)})` : ''), at));
  }
  for (const [acc, may] of PAIRS) {
    const a = patched.get(acc);
    const m = patched.get(may);
    if (a === undefined || m === undefined) continue;
    if (m === a << 4n) continue;
    const d = byName.get(may) ?? byName.get(acc);
    const at = d ? defineRange(d) : null;
    if (!at) continue;
    const related: RelatedLocation[] = [];
    const other = d === byName.get(may) ? byName.get(acc) : byName.get(may);
    const oat = other ? defineRange(other) : null;
    if (oat) related.push({ message: `${other!.name} is defined here`, ...oat });
    out.push(makeFinding(meta,
      `${formatFlag(may, m)} is no longer four places above ${formatFlag(acc, a)}: mprotect's access check pairs them by shifting ` +
      `by 4, so it now tests the wrong ceiling for ${acc}`, at, related));
  }
  return out;
}
