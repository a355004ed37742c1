// Flag facts for hovers, from the kernel tables (src/kernel): every arch's value of a name,
// or every name a value has, and the collisions, for the era and arch in use.
import { describeFlag, findValueCollisions, valuesAcrossArches, namespaceOf, symbolTable, LATEST_ERA } from '../kernel/index';
import { collectDefineChanges, isCReady } from '../c/index';
import { readPatchSet } from '../patch/index';
import { archOfPath } from '../bridge/index';
import type { ArchId, EraId, Namespace } from '../kernel/index';
import type { FlagDescriptionLike, FlagFact } from './flag-hover';
import type { FlagToken } from './flag-token';

const NAMESPACES: readonly Namespace[] = ['VM', 'PROT', 'MAP', 'MADV'];

/** The namespace a value on this line most likely belongs to (`#define PROT_X 0x4` -> PROT). */
export function namespaceOnLine(lineText: string): Namespace | null {
  const m = /\b(VM|PROT|MAP|MADV)_[A-Z0-9_]+/.exec(lineText);
  return m ? (m[1] as Namespace) : null;
}

export function flagFacts(token: FlagToken, options: { era?: string; arch: string; lineText?: string; text?: string }): FlagDescriptionLike | null {
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
    // The patch's own defines need the C parser (loaded by the caller when the gate matches).
    const patch = options.text !== undefined && isCReady() ? patchDefineFacts(options.text, name, era) : [];
    return { era, definitions, collisions, patch };
  }
  const value = token.value!;
  const ns = options.lineText ? namespaceOnLine(options.lineText) : null;
  const definitions: FlagFact[] = [];
  for (const n of ns ? [ns] : NAMESPACES.filter((x) => x !== 'MADV'))
    for (const c of findValueCollisions(n, value, era)) if (keep(c.arch)) definitions.push({ name: c.name, value: c.value, namespace: c.namespace, arch: c.arch, header: c.header });
  return { era, definitions };
}

/** What the patch itself does to a name: its own `#define`s (added, changed, removed), with
 *  values evaluated by the engine (through the patch's macros and the era's constants), and
 *  the existing names that value collides with. */
export function patchDefineFacts(text: string, name: string, era: string | undefined): PatchDefineFact[] {
  if (!mayDefine(text, name)) return [];
  const e = (era ?? LATEST_ERA) as EraId;
  const symbols = symbolTable(e, 'generic');
  const ns = namespaceOf(name);
  const out: PatchDefineFact[] = [];
  for (const d of collectDefineChanges(readPatchSet(text), { lookup: (n) => symbols.get(n) })) {
    if (d.name !== name || d.status === 'unchanged' || d.status === 'context') continue;
    const def = d.after ?? d.before!;
    const v = d.status === 'removed' ? d.beforeValue : d.afterValue;
    const value = v && v.ok ? v.value : null;
    const arch = archOfPath(d.path);
    const collisions: FlagFact[] = [];
    if (value !== null && ns)
      for (const c of findValueCollisions(ns, value, e))
        if (c.name !== name && (arch === null || arch === 'generic' || c.arch === arch || c.arch === 'generic')) collisions.push({ name: c.name, value: c.value, namespace: c.namespace, arch: c.arch, header: c.header });
    out.push({ status: d.status, path: d.path, line: def.line, value, error: v && !v.ok ? v.error : undefined, collisions });
  }
  return out;
}

export interface PatchDefineFact {
  status: 'added' | 'removed' | 'changed';
  path: string | null;
  line: number;
  value: bigint | null;
  error?: string;
  collisions: FlagFact[];
}

/** Cheap gate before parsing: most hovers are on names the patch does not define. */
export function mayDefine(text: string, name: string): boolean {
  return /^[A-Z0-9_]+$/.test(name) && new RegExp(`#\\s*define\\s+${name}\\b`).test(text);
}
