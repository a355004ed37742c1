// Flag facts for hovers, from the kernel tables (src/kernel): every arch's value of a name,
// or every name a value has, and the collisions, for the era and arch in use.
import { describeFlag, findValueCollisions, valuesAcrossArches, namespaceOf, LATEST_ERA } from '../kernel/index';
import type { ArchId, EraId, Namespace } from '../kernel/index';
import type { FlagDescriptionLike, FlagFact } from './flag-hover';
import type { FlagToken } from './flag-token';

const NAMESPACES: readonly Namespace[] = ['VM', 'PROT', 'MAP', 'MADV'];

/** The namespace a value on this line most likely belongs to (`#define PROT_X 0x4` -> PROT). */
export function namespaceOnLine(lineText: string): Namespace | null {
  const m = /\b(VM|PROT|MAP|MADV)_[A-Z0-9_]+/.exec(lineText);
  return m ? (m[1] as Namespace) : null;
}

export function flagFacts(token: FlagToken, options: { era?: string; arch: string; lineText?: string }): FlagDescriptionLike | null {
  const era = (options.era ?? LATEST_ERA) as EraId;
  const oneArch = options.arch === 'all' ? null : (options.arch as ArchId);
  const keep = (arch: string) => oneArch === null || arch === oneArch;
  if (token.kind === 'name') {
    const name = token.name!;
    const ns = namespaceOf(name);
    if (!ns) return null;
    const d = describeFlag(name, { era, arch: oneArch ?? 'generic' });
    const definitions: FlagFact[] = valuesAcrossArches(name, era)
      .filter((v) => v.value !== null && keep(v.arch))
      .map((v) => ({ name, value: v.value!, namespace: ns, arch: v.arch, header: v.header ?? undefined, note: d?.note }));
    const values = new Set(definitions.map((f) => f.value));
    const collisions: FlagFact[] = [];
    for (const value of values)
      for (const c of findValueCollisions(ns, value, era))
        if (c.name !== name && keep(c.arch) && definitions.some((f) => f.arch === c.arch && f.value === value)) collisions.push({ name: c.name, value: c.value, namespace: c.namespace, arch: c.arch, header: c.header });
    return { era, definitions, collisions };
  }
  const value = token.value!;
  const ns = options.lineText ? namespaceOnLine(options.lineText) : null;
  const definitions: FlagFact[] = [];
  for (const n of ns ? [ns] : NAMESPACES.filter((x) => x !== 'MADV'))
    for (const c of findValueCollisions(n, value, era)) if (keep(c.arch)) definitions.push({ name: c.name, value: c.value, namespace: c.namespace, arch: c.arch, header: c.header });
  return { era, definitions };
}
