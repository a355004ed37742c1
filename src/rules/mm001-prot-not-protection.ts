// MM001: a new PROT_ value that is not an access protection. PROT_ bits say how a page may be
// accessed; a mapping property ("not in the child after fork", "locked", "not in core dumps")
// passed through prot must be repeated by every later mprotect() or it is lost, and it slips
// past the access check. The meaning is judged from what the patch translates the bit into
// (calc_vm_prot_bits), and from the name when the patch does not show a translation.
import type { Rule, Finding, RelatedLocation } from './types';
import { makeFinding, trimmedLineRange, type RuleContext } from './context';
import { anchorLines } from './anchor';
import { formatFlag } from '../kernel/index';
import type { HookChange } from '../bridge/index';

const meta = {
  id: 'MM001',
  name: 'prot-not-a-protection',
  defaultSeverity: 'warning' as const,
  shortDescription: 'A new PROT_ value that is not an access protection (e.g. PROT_DONTCOPY): it belongs in madvise() or a MAP_ flag.',
  fullDescription:
    'PROT_ bits describe access to memory (read, write, execute and a few hardware access attributes). A new PROT_ ' +
    'value that stands for a property of the mapping, such as "do not copy into a child at fork", is translated into a ' +
    'VM bit that is not an access bit: every later mprotect() must repeat it or lose it, and mprotect\'s access check ' +
    'never looks at it. Use a madvise() advice (MADV_DONTFORK sets VM_DONTCOPY) or a MAP_ flag instead.',
  docs: 'docs/rules/MM001.md',
};

/** VM bits a PROT_ bit may legitimately become: access bits and arch access attributes. */
const ACCESS_LIKE = new Set([
  'VM_READ', 'VM_WRITE', 'VM_EXEC', 'VM_SAO', 'VM_SPARC_ADI', 'VM_ARM64_BTI', 'VM_MTE',
  'VM_PKEY_BIT0', 'VM_PKEY_BIT1', 'VM_PKEY_BIT2', 'VM_PKEY_BIT3', 'VM_PKEY_BIT4', 'VM_SHADOW_STACK',
  'VM_ARCH_1', 'VM_HIGH_ARCH_0', 'VM_HIGH_ARCH_1', 'VM_HIGH_ARCH_2', 'VM_HIGH_ARCH_3', 'VM_HIGH_ARCH_4', 'VM_HIGH_ARCH_5',
]);

/** Mapping properties by what a name or VM bit says, with the interface that already exists. */
const PROPERTIES: Array<{ pattern: RegExp; what: string; instead: string }> = [
  { pattern: /DONT_?COPY|DONT_?FORK|NO_?FORK|NO_?COPY|NO_?CHILD|NO_?INHERIT/, what: 'whether a child inherits the range at fork', instead: 'madvise(MADV_DONTFORK) / MADV_DOFORK (VM_DONTCOPY, since 2.6.16)' },
  { pattern: /WIPE/, what: 'whether a child sees the contents after fork', instead: 'madvise(MADV_WIPEONFORK) (VM_WIPEONFORK, since 4.14)' },
  { pattern: /(^|_)(M?LOCK(ED)?|PIN(NED)?)(_|$)/, what: 'whether the pages stay resident', instead: 'mlock()/mlock2() or MAP_LOCKED (VM_LOCKED)' },
  { pattern: /DUMP/, what: 'whether the range appears in core dumps', instead: 'madvise(MADV_DONTDUMP) (VM_DONTDUMP)' },
  { pattern: /HUGE/, what: 'how the range is backed', instead: 'madvise(MADV_HUGEPAGE/MADV_NOHUGEPAGE) or MAP_HUGETLB' },
  { pattern: /MERGE|KSM/, what: 'whether KSM may merge the pages', instead: 'madvise(MADV_MERGEABLE)' },
  { pattern: /SEQ|RAND|READAHEAD/, what: 'read-ahead behaviour', instead: 'madvise(MADV_SEQUENTIAL/MADV_RANDOM)' },
  { pattern: /SHARED|PRIVATE|ANON|POPULATE|NORESERVE|(^|_)STACK(_|$)/, what: 'how the mapping is created', instead: 'a MAP_ flag of mmap()' },
  { pattern: /IO$|PFNMAP|DONTEXPAND|ACCOUNT/, what: 'a property drivers and the core own', instead: 'the driver\'s mmap handler, not a user flag' },
];

function property(name: string) {
  const bare = name.replace(/^(PROT|VM)_/, '');
  // A name of an access attribute (PROT_SHADOW_STACK for VM_SHADOW_STACK) says nothing against it.
  if (ACCESS_LIKE.has(`VM_${bare}`)) return null;
  return PROPERTIES.find((p) => p.pattern.test(bare)) ?? null;
}

interface Translation {
  to: bigint;
  toName: string;
  hook: HookChange;
}

/** VM bits the patch's prot translation (calc_vm_prot_bits and arch hooks) maps `value` to. */
function translationsOf(ctx: RuleContext, name: string, value: bigint, patch: number): Translation[] {
  const out: Translation[] = [];
  // Grouped by patch once per document: asked for every new PROT_ name.
  const byPatch = ctx.shared('MM001 translations', () => {
    const m = new Map<number, HookChange[]>();
    for (const h of ctx.hookChanges()) {
      if (h.hook !== 'prot-translation' || h.after?.type !== 'translation') continue;
      const list = m.get(h.patch);
      if (list) list.push(h);
      else m.set(h.patch, [h]);
    }
    return m;
  });
  for (const h of byPatch.get(patch) ?? []) {
    if (h.after?.type !== 'translation') continue;
    const before = h.before?.type === 'translation' ? h.before.terms : [];
    for (const t of h.after.terms) {
      if (t.fromName !== name && t.from !== value) continue;
      if (before.some((b) => b.from === t.from && b.to === t.to)) continue;
      out.push({ to: t.to, toName: t.toName || ctx.nameOf(t.to) || `0x${t.to.toString(16)}`, hook: h });
    }
  }
  return out;
}

export const mm001: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    const check = ctx.model().mprotectAccessCheck;
    for (const h of ctx.hookChanges()) {
      if (h.hook !== 'uapi-name' || !h.detail.startsWith('PROT_') || h.after?.type !== 'value') continue;
      const value = h.after.value;
      if (h.before?.type === 'value' && h.before.value === value) continue;
      const name = h.detail;
      const translations = translationsOf(ctx, name, value, h.patch);
      const nonAccess = translations.filter((t) => !ACCESS_LIKE.has(t.toName));
      const accessOnly = translations.length > 0 && nonAccess.length === 0;
      const prop = property(name) ?? (nonAccess.length ? property(nonAccess[0]!.toName) : null);
      if (accessOnly || (!nonAccess.length && !prop)) continue;

      const anchor = anchorLines(ctx, h.lines, [name]);
      const related: RelatedLocation[] = [...anchor.related];
      let msg = `${formatFlag(name, value)} is not an access protection`;
      if (nonAccess.length) {
        const t = nonAccess[0]!;
        msg += `: the patch translates it into ${formatFlag(t.toName, t.to)}, a property of the mapping, so every later mprotect() must repeat it or lose it`;
        const shifted = check.mask << BigInt(check.shift);
        if (((check.mask | shifted) & t.to) === 0n) {
          msg += `, and mprotect's access check ((newflags & ~(newflags >> ${check.shift})) & 0x${check.mask.toString(16)}) never looks at it`;
        }
        for (const tr of nonAccess) {
          const where = anchorLines(ctx, tr.hook.lines, [name]);
          related.push({ message: `${name} becomes ${tr.toName} here`, ...where.at });
        }
      } else if (prop) {
        msg += `: its name says it controls ${prop.what}, which is not an access right`;
      }
      if (prop) msg += `; use ${prop.instead}`;
      else msg += '; use a madvise() advice or a MAP_ flag';
      out.push(makeFinding(meta, msg, anchor.line ? trimmedLineRange(anchor.line.line) : anchor.at, dedupe(related)));
    }
    return out;
  },
};

function dedupe(r: RelatedLocation[]): RelatedLocation[] {
  const seen = new Set<string>();
  return r.filter((x) => {
    const k = `${x.line}:${x.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
