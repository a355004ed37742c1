// MM008: flags a driver owns on a device mapping (VM_DONTCOPY on a VM_IO/VM_PFNMAP page that
// must never reach a child) must not become clearable from userspace. MADV_DOFORK refuses
// VM_IO mappings for that reason. The rule reads the madvise changes (guards removed, new
// advices clearing driver-owned bits without a device-mapping guard) and driver mmap handlers
// that stop setting VM_DONTCOPY on their hardware page.
import type { Rule, Finding } from './types';
import { makeFinding, listText, type RuleContext } from './context';
import { anchorHook, anchorLines, bareName } from './anchor';
import { nodeRange } from './added-code';
import { madviseSwitches } from './madvise-cases';
import type { MadviseGuard } from '../kernel/model';

const meta = {
  id: 'MM008',
  name: 'user-clears-driver-flags',
  defaultSeverity: 'error' as const,
  shortDescription: 'Userspace can clear VM_DONTCOPY (or other driver-owned bits) on VM_IO/VM_PFNMAP mappings, e.g. the MADV_DOFORK guard removed.',
  fullDescription:
    'A driver may set VM_DONTCOPY on a device mapping (a doorbell, a queue, a register window) so that a child never ' +
    'inherits the hardware page. MADV_DOFORK fails with EINVAL on VM_IO mappings to keep that decision with the ' +
    'driver. A patch that removes the guard, adds an advice that clears driver-owned bits without a device-mapping ' +
    'guard, or stops a driver setting VM_DONTCOPY on its hardware page lets the page reach a child after fork().',
  docs: 'docs/rules/MM008.md',
};

function ownedBits(ctx: RuleContext): bigint {
  const t = ctx.symbols();
  return ['VM_DONTCOPY', 'VM_IO', 'VM_PFNMAP', 'VM_DONTEXPAND', 'VM_MIXEDMAP'].reduce((m, n) => m | (t.get(n) ?? 0n), 0n);
}

function deviceBits(ctx: RuleContext): bigint {
  const t = ctx.symbols();
  return (t.get('VM_IO') ?? 0n) | (t.get('VM_PFNMAP') ?? 0n);
}

function guardCovers(guards: readonly MadviseGuard[] | undefined, bits: bigint): bigint {
  return (guards ?? []).reduce((m, g) => m | ((g.anyFlags ?? 0n) & bits), 0n);
}

export const mm008: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    const owned = ownedBits(ctx);
    const device = deviceBits(ctx);
    const reported = new Set<string>();
    // 2.6.16 keeps the VM_IO guard of an advice in madvise_vma() and its flag update in
    // madvise_behavior(): a guard anywhere in the patch for the same advice counts.
    const guardedAdvices = new Set<string>();
    for (const h of ctx.hookChanges()) {
      if (h.hook === 'madvise-behaviour' && h.after?.type === 'madvise' && guardCovers(h.after.guards, device)) guardedAdvices.add(h.detail);
    }
    for (const c of madviseSwitches(ctx).added) if (c.guardsDeviceMappings) guardedAdvices.add(c.name);
    for (const h of ctx.hookChanges()) {
      if (h.hook === 'madvise-behaviour' && h.after?.type === 'madvise') {
        const before = h.before?.type === 'madvise' ? h.before : null;
        const after = h.after;
        const clears = (after.clear ?? before?.clear ?? 0n) & owned;
        if (!clears) continue;
        const bits = ctx.describeBits(clears);
        const lost = before ? guardCovers(before.guards, device) & ~guardCovers(after.guards ?? before.guards, device) : 0n;
        if (before && after.guards !== undefined && lost) {
          const guardNames = ctx.describeBits(lost).map(bareName);
          const anchor = anchorHook(ctx, h, guardNames);
          reported.add(h.detail);
          out.push(makeFinding(meta,
            `${ctx.nameWithValue(h.detail)} no longer refuses ${listText(guardNames)} mappings: userspace can now clear ${listText(bits)} that a driver set ` +
            `on a device page, so a child inherits the hardware page after fork()`, anchor.at, anchor.related));
        } else if (!before && !guardedAdvices.has(h.detail)) {
          const anchor = anchorHook(ctx, h, [h.detail, ...bits.map(bareName)]);
          reported.add(h.detail);
          out.push(makeFinding(meta,
            `new advice ${ctx.nameWithValue(h.detail)} clears ${listText(bits)} with no guard for VM_IO/VM_PFNMAP mappings: userspace can undo a ` +
            `driver's decision to keep a device page out of children (MADV_DOFORK refuses VM_IO for this reason)`, anchor.at, anchor.related));
        }
      }
      if (h.hook === 'driver-mmap' && h.before?.type === 'driver-flags' && h.after?.type === 'driver-flags') {
        const t = ctx.symbols().get('VM_DONTCOPY') ?? 0n;
        if ((h.before.set & t) && !(h.after.set & t)) {
          const anchor = anchorHook(ctx, h, ['VM_DONTCOPY']);
          out.push(makeFinding(meta,
            `${h.detail}() no longer sets ${ctx.describeBits(t)[0]} on the page it maps: a child now inherits the device page after fork()`,
            anchor.at, anchor.related));
        }
      }
    }
    // Advices the bridge cannot evaluate (no #define in view): judge the case body itself.
    const evaluated = new Set(ctx.hookChanges().filter((h) => h.hook === 'madvise-behaviour').map((h) => h.detail));
    for (const c of madviseSwitches(ctx).added) {
      if (c.validity || reported.has(c.name) || evaluated.has(c.name) || !c.effect) continue;
      const clears = c.effect.clear & owned;
      if (!clears || guardedAdvices.has(c.name)) continue;
      const r = nodeRange(c.hunk.trees.post, c.label);
      if (!r) continue;
      reported.add(c.name);
      const bits = ctx.describeBits(clears);
      const anchor = anchorLines(ctx, [r.line], [c.name]);
      out.push(makeFinding(meta,
        `new advice ${ctx.nameWithValue(c.name)} clears ${listText(bits)} with no guard for VM_IO/VM_PFNMAP mappings: userspace can undo a ` +
        `driver's decision to keep a device page out of children (MADV_DOFORK refuses VM_IO for this reason)`, anchor.at));
    }
    return out;
  },
};
