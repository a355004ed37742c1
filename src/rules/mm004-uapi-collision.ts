// MM004: uapi PROT_/MAP_/MADV_ values. A new or changed value must not collide with another
// constant of its family on any architecture whose headers see it, and a name added to the
// generic header must also reach the architectures whose headers stand alone (they do not
// include the generic one). Tables per era and arch come from src/kernel; the patch's own
// changes to those tables (renumberings, other new names) are taken into account.
import type { Rule, Finding, RelatedLocation } from './types';
import { makeFinding, listText, type RuleContext } from './context';
import { anchorLines } from './anchor';
import { defineLocationIn } from './define-lines';
import { archesInEra, flagDefinitions, formatFlag, kernelModel, namespaceOf, uapiHeaders } from '../kernel/index';
import type { ArchId, FlagDefinition } from '../kernel/index';
import { archOfPath } from '../bridge/index';
import type { HookChange } from '../bridge/index';

const meta = {
  id: 'MM004',
  name: 'uapi-value-collision',
  defaultSeverity: 'error' as const,
  shortDescription: 'A uapi PROT_/MAP_/MADV_ value collides with an existing one on some architecture, or is missing from an arch header that does not include the generic one.',
  fullDescription:
    'PROT_, MAP_ and MADV_ values differ between architectures (alpha, mips, parisc, sparc, powerpc, xtensa keep ' +
    'values of their own). A new value is checked against every constant of its family that the headers of each ' +
    'architecture define, for the chosen era; a name added only to the generic header is reported for the ' +
    'architectures whose header does not include it. --arch restricts the check to one architecture.',
  docs: 'docs/rules/MM004.md',
};

/** An era's definitions on an arch by name (names are unique in them), built once per table:
 *  the tables are frozen and shared, so a server checking many documents builds it once. */
const byNameCache = new WeakMap<readonly FlagDefinition[], Map<string, FlagDefinition>>();

function definitionsByName(defs: readonly FlagDefinition[]): Map<string, FlagDefinition> {
  let m = byNameCache.get(defs);
  if (!m) {
    m = new Map();
    for (const d of defs) m.set(d.name, d);
    byNameCache.set(defs, m);
  }
  return m;
}

function hookArch(h: HookChange): ArchId {
  return (h.arch ?? 'generic') as ArchId;
}

export const mm004: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    const era = ctx.era;
    const checkArches = archesInEra(era).filter((a) => ctx.arch === 'all' || a === ctx.arch);
    const uapi = ctx.hookChanges().filter((h) => h.hook === 'uapi-name' && namespaceOf(h.detail) && namespaceOf(h.detail) !== 'VM');
    if (uapi.length === 0) return out;
    const headers = new Map(checkArches.map((a) => [a, uapiHeaders(era, a)]));
    const defsOf = new Map(checkArches.map((a) => [a, flagDefinitions(era, a)]));
    const appliesTo = (h: HookChange, a: ArchId): boolean => {
      const ha = hookArch(h);
      return ha === a || (ha === 'generic' && (headers.get(a)?.includesGeneric ?? false));
    };
    // The new names by the arch of their header (generic for the generic one): an arch touches
    // its own and, when its header includes the generic one, the generic ones.
    const addedOn = new Map<ArchId, Set<string>>();
    for (const h of uapi) {
      const ha = hookArch(h);
      const set = addedOn.get(ha);
      if (set) set.add(h.detail);
      else addedOn.set(ha, new Set([h.detail]));
    }
    const noNames = new Set<string>();
    const genericNames = addedOn.get('generic') ?? noNames;
    const touches = (a: ArchId, name: string): boolean =>
      (addedOn.get(a) ?? noNames).has(name) || ((headers.get(a)?.includesGeneric ?? false) && genericNames.has(name));
    // Definitions by name, per arch: asked for a few names only (shown defines, new names).
    const byNameOn = (a: ArchId) => definitionsByName(defsOf.get(a)!);
    const uapiNames = new Set(uapi.map((h) => h.detail));
    // A file of the patch that arch `a` sees (its own header, or the generic one it includes).
    const fileApplies = (path: string | null, a: ArchId): boolean => {
      const pa = archOfPath(path);
      return pa === a || (pa === 'generic' && (headers.get(a)?.includesGeneric ?? false));
    };
    // Context #defines the patch shows are facts of the tree it applies to: they win over the
    // era's table for that arch (a parisc header still numbering MADV_WIPEONFORK 71 is pre-6.2,
    // whatever era was chosen).
    const shown = ctx.allDefineChanges().filter((d) => {
      const ns = namespaceOf(d.name);
      return d.status === 'context' && ns !== null && ns !== 'VM' && d.afterValue?.ok && !uapiNames.has(d.name);
    });
    // `#define MAP_ANON MAP_ANONYMOUS`-like bodies: a name for another constant, not a value.
    const namesOnly = new Set(shown.filter((d) => /^\(?\s*[A-Z_][A-Z0-9_]*\s*\)?$/.test(d.after?.body ?? '')));
    const addsMadvise = uapi.some((h) => namespaceOf(h.detail) === 'MADV');

    // Per arch and namespace: the era's definitions by value, and the patch's new values.
    // Only values the patch gives are ever looked up: the others are not indexed (every arch
    // has a few hundred definitions, and this is the first time the run builds such keys).
    type Def = { name: string; value: bigint; header: string | null; inPatch: boolean };
    // arch -> namespace -> value -> definitions (no key string built per entry and lookup).
    const index = new Map<ArchId, Map<string, Map<bigint, Def[]>>>();
    const wanted = new Set<bigint>();
    for (const o of uapi) if (o.after?.type === 'value') wanted.add(o.after.value);
    const add = (a: ArchId, ns: string, d: Def) => {
      let byNs = index.get(a);
      if (!byNs) index.set(a, (byNs = new Map()));
      let byValue = byNs.get(ns);
      if (!byValue) byNs.set(ns, (byValue = new Map()));
      const list = byValue.get(d.value);
      if (list) list.push(d);
      else byValue.set(d.value, [d]);
    };
    // The patch's new values, one entry each, shared by every arch that sees them.
    const patchValues = uapi.flatMap((o) =>
      o.after?.type === 'value' ? [{ hook: o, namespace: namespaceOf(o.detail), def: { name: o.detail, value: o.after.value, header: o.file, inPatch: true } }] : [],
    );
    // The arch of each shown define's file, read once (not once per arch).
    const shownArch = shown.map((d) => archOfPath(d.path));
    for (const a of checkArches) {
      const seesGeneric = headers.get(a)?.includesGeneric ?? false;
      const shownHere = shown.filter((_, i) => shownArch[i] === a || (shownArch[i] === 'generic' && seesGeneric));
      const shownNames = new Set(shownHere.map((d) => d.name));
      for (const d of defsOf.get(a)!) {
        if (!wanted.has(d.value)) continue;
        if (d.namespace === 'VM' || d.composite || touches(a, d.name) || shownNames.has(d.name)) continue;
        add(a, d.namespace, { name: d.name, value: d.value, header: d.header, inPatch: false });
      }
      // Numbers the arch's madvise() still accepts for an advice that has another value in its
      // header (parisc's wrapper translates the pre-6.2 numbers 65-73): taken as well.
      if (addsMadvise) {
        const table = byNameOn(a);
        let accepted: Iterable<[bigint, { name: string }]> = [];
        try {
          accepted = kernelModel(era, a).madvise;
        } catch {
          /* no model for this arch in this era */
        }
        for (const [value, b] of accepted) {
          if (!wanted.has(value)) continue;
          const own = table.get(b.name)?.value;
          if (own !== undefined && own !== value) {
            add(a, 'MADV', { name: b.name, value, header: `its old number, still translated by ${a}'s madvise()`, inPatch: false });
          }
        }
      }
      for (const d of shownHere) {
        const value = (d.afterValue as { ok: true; value: bigint }).value;
        if (!wanted.has(value)) continue;
        const composite = byNameOn(a).get(d.name)?.composite === true || namesOnly.has(d);
        if (!composite) add(a, namespaceOf(d.name)!, { name: d.name, value, header: d.path, inPatch: false });
      }
      for (const { hook, namespace, def } of patchValues) if (appliesTo(hook, a)) add(a, namespace!, def);
    }

    // `#define MAP_ANON MAP_ANONYMOUS` is a second name for a value, not a new value.
    const aliases = new Set(
      ctx.defineChanges().filter((d) => d.after && /^\(?\s*[A-Z_][A-Z0-9_]*\s*\)?$/.test(d.after.body)).map((d) => d.name),
    );
    for (const h of uapi) {
      if (h.after?.type !== 'value') continue;
      const value = h.after.value;
      if (value === 0n) continue;
      if (h.before?.type === 'value' && h.before.value === value) continue;
      const ns = namespaceOf(h.detail)!;
      // Colliding name -> the arches where it collides (and the header it lives in).
      const hits = new Map<string, { arches: ArchId[]; header: string | null; inPatch: boolean }>();
      for (const a of checkArches) {
        if (!appliesTo(h, a) || aliases.has(h.detail)) continue;
        for (const d of index.get(a)?.get(ns)?.get(value) ?? []) {
          if (d.name === h.detail || aliases.has(d.name)) continue;
          const e = hits.get(d.name) ?? { arches: [], header: d.header, inPatch: d.inPatch };
          if (!e.arches.includes(a)) e.arches.push(a);
          hits.set(d.name, e);
        }
      }
      const anchor = anchorLines(ctx, h.lines, [h.detail]);
      const described = formatFlag(h.detail, value);
      for (const [name, e] of hits) {
        const related: RelatedLocation[] = [];
        // Most colliding names have no #define in the document: no location to look for.
        if (ctx.defineLines(name).length) for (const a of e.arches) {
          const loc = defineLocationIn(ctx, name, `${name} is defined here (${a})`, (p) => fileApplies(p, a));
          if (loc) {
            related.push(loc);
            break;
          }
        }
        const where = e.header && !e.inPatch ? ` (${e.header})` : e.inPatch ? ' (also added by this patch)' : '';
        out.push(makeFinding(meta,
          `${described} collides with ${formatFlag(name, value)}${where} on ${listText(e.arches)}: ` +
          `userspace cannot tell the two apart`, anchor.at, related));
      }
      // New name in the generic header: the standalone arch headers must define it too.
      if (h.before === null && hookArch(h) === 'generic') {
        const missing = checkArches.filter((a) => {
          const hd = headers.get(a)!;
          if (!hd.standalone || hd.headers.length === 0) return false;
          return !(addedOn.get(a)?.has(h.detail) ?? false) && !byNameOn(a).has(h.detail);
        });
        if (missing.length) {
          const paths = missing.map((a) => headers.get(a)!.headers[0]!.path);
          out.push(makeFinding(meta,
            `${described} is added to the generic header only: ${listText(missing)} do not include it ` +
            `(${listText(paths)}), so userspace there has no ${h.detail}; add it to those headers ` +
            (aliases.has(h.detail) ? 'as the same alias' : 'with a value that is free there'),
            anchor.at));
        }
      }
    }
    return out;
  },
};
