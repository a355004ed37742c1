// MM002: the mprotect kept-flags mask. mprotect builds the VMA's new flags from the requested
// access bits plus `vma->vm_flags & KEPT`; every bit outside the access bits must survive. The
// bridge proves the mask before and after the patch by evaluation (any spelling: inline, a
// macro of the patch, VM_ACCESS_FLAGS, a mask built over several statements); this rule
// judges the difference.
import type { Rule, Finding } from './types';
import { makeFinding, listText, type RuleContext } from './context';
import { anchorHook, bareName } from './anchor';
import { archOfPath } from '../bridge/index';
import { archesInEra, flagDefinitions } from '../kernel/index';
import type { ArchId, FlagDefinition } from '../kernel/index';

const meta = {
  id: 'MM002',
  name: 'mprotect-clears-kept-flag',
  defaultSeverity: 'error' as const,
  shortDescription: 'The mprotect kept-flags mask drops a VM bit other than the access bits, so every mprotect() clears it.',
  fullDescription:
    'mprotect() computes the new flags as the requested access bits plus the old flags masked with the ' +
    'kept-flags mask. If a patch makes the mask drop a bit that is not an access bit (VM_DONTCOPY, VM_LOCKED, ' +
    'VM_IO...), every later mprotect() silently clears that bit, also where madvise() or a driver set it. ' +
    'If it makes the mask keep an access bit, mprotect() can no longer remove that access.',
  docs: 'docs/rules/MM002.md',
};

const ACCESS = 0x7n;

/** VM bits mprotect recomputes from its prot argument by design (arch access attributes and
 *  protection keys): dropping them from the kept mask is how such bits are wired up. */
const PROT_DERIVED = [
  'VM_PKEY_BIT0', 'VM_PKEY_BIT1', 'VM_PKEY_BIT2', 'VM_PKEY_BIT3', 'VM_PKEY_BIT4',
  'VM_ARM64_BTI', 'VM_MTE', 'VM_SAO', 'VM_SPARC_ADI',
];
const PROT_DERIVED_NAMES = new Set(PROT_DERIVED);

/** Prot-derived bits for the arch whose file the change is in; for generic code, the union
 *  over the era's arches (VM_ARCH_1 is VM_ARM64_BTI on arm64, VM_SAO on powerpc...). */
function protDerivedBits(ctx: RuleContext, file: string | null): bigint {
  const own = archOfPath(file);
  const arch = own && own !== 'generic' ? own : null;
  // Once per arch and document: every mprotect change asks.
  return ctx.shared(`MM002 prot-derived:${arch ?? '*'}`, () => readProtDerivedBits(ctx, arch));
}

function readProtDerivedBits(ctx: RuleContext, own: ArchId | null): bigint {
  const arches = own ? [own] : archesInEra(ctx.era);
  let bits = 0n;
  for (const a of arches) {
    // The era's definitions themselves (one per name, kept per era and arch for MM004 too),
    // not a name table built for each arch to look up nine names.
    let defs: readonly FlagDefinition[] = [];
    try {
      defs = flagDefinitions(ctx.era, a);
    } catch {
      /* no table: as an empty one */
    }
    for (const d of defs) if (PROT_DERIVED_NAMES.has(d.name)) bits |= d.value;
  }
  const patched = ctx.symbols();
  for (const n of PROT_DERIVED) bits |= patched.get(n) ?? 0n;
  return bits;
}

function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

/** `~0x20007` reads better than `0xfffffffffffdfff8`. */
function maskText(v: bigint): string {
  const inv = BigInt.asUintN(64, ~v);
  return inv < v ? `~${hex(inv)}` : hex(v);
}

/** Who sets a VM bit that mprotect must keep, for the message. */
function setBy(name: string): string {
  switch (name) {
    case 'VM_DONTCOPY': return 'MADV_DONTFORK or a driver keeping a device page out of children';
    case 'VM_WIPEONFORK': return 'MADV_WIPEONFORK';
    case 'VM_LOCKED': case 'VM_LOCKONFAULT': return 'mlock() or MAP_LOCKED';
    case 'VM_DONTDUMP': return 'MADV_DONTDUMP or a driver';
    case 'VM_IO': case 'VM_PFNMAP': case 'VM_MIXEDMAP': case 'VM_DONTEXPAND': return 'the driver that mapped the device';
    case 'VM_MAYREAD': case 'VM_MAYWRITE': case 'VM_MAYEXEC': case 'VM_MAYSHARE': case 'VM_SHARED': return 'mmap()';
    case 'VM_HUGEPAGE': case 'VM_NOHUGEPAGE': case 'VM_MERGEABLE': case 'VM_SEQ_READ': case 'VM_RAND_READ': return 'madvise()';
    default: return 'mmap(), madvise() or a driver';
  }
}

export const mm002: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    for (const h of ctx.hookChanges()) {
      if (h.hook !== 'mprotect-kept' || h.before?.type !== 'mask' || h.after?.type !== 'mask') continue;
      const derived = protDerivedBits(ctx, h.file);
      const before = h.before.value;
      const after = h.after.value;
      const dropped = before & ~after & ~ACCESS & ~derived;
      const nowKeptAccess = after & ~before & ACCESS;
      const where = h.function ? ` in ${h.function}()` : '';
      const change = `(kept mask ${maskText(before)} -> ${maskText(after)})`;
      if (dropped) {
        const bits = ctx.describeBits(dropped);
        const names = bits.map(bareName);
        const anchor = anchorHook(ctx, h, names);
        const it = bits.length > 1 ? 'them' : 'it';
        const msg =
          `mprotect${where} no longer keeps ${listText(bits)}: every mprotect() that does not ask for ${it} again ` +
          `clears ${it}, also where ${listText([...new Set(names.map(setBy))])} set ${it} ${change}`;
        out.push(makeFinding(meta, msg, anchor.at, anchor.related));
      }
      if (nowKeptAccess) {
        const bits = ctx.describeBits(nowKeptAccess);
        const anchor = anchorHook(ctx, h, bits.map(bareName));
        const msg =
          `mprotect${where} now keeps the access bit${bits.length > 1 ? 's' : ''} ${listText(bits)} from the old flags: ` +
          `mprotect() can no longer take ${bits.length > 1 ? 'these accesses' : 'this access'} away ${change}`;
        out.push(makeFinding(meta, msg, anchor.at, anchor.related));
      }
    }
    return out;
  },
};
