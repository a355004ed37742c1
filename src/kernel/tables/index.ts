// Assembles the per-era, per-arch flag definitions from the VM and uapi data tables.
import type { ArchId, EraId } from '../model';
import { ARCHES, ERAS } from '../model';
import type { FlagDefinition, Namespace } from './types';
import { namespaceOf } from './types';
import { uapiHeaders } from './uapi-flags';
import { VM_HEADER, archInEra, vmRows } from './vm-flags';

const cache = new Map<string, readonly FlagDefinition[]>();

/** Every VM/PROT/MAP/MADV definition of `era` on `arch`; the first definition of a name wins
 *  (the arch header before the generic one it includes). Frozen, shared. */
export function definitionsOf(era: EraId, arch: ArchId): readonly FlagDefinition[] {
  const key = `${era}/${arch}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out: FlagDefinition[] = [];
  const seen = new Set<string>();
  for (const row of vmRows(era, arch)) {
    if (seen.has(row.name)) continue;
    seen.add(row.name);
    out.push(Object.freeze({
      name: row.name, value: row.value, namespace: 'VM' as Namespace, header: VM_HEADER, arch,
      ...(row.note ? { note: row.note } : {}), ...(row.composite ? { composite: true } : {}), ...(row.only64 ? { only64: true } : {}),
    }));
  }
  for (const header of uapiHeaders(era, arch).headers) {
    for (const row of header.rows) {
      if (seen.has(row.name)) continue;
      const namespace = namespaceOf(row.name);
      if (!namespace) continue;
      seen.add(row.name);
      out.push(Object.freeze({
        name: row.name, value: row.value, namespace, header: header.path, arch,
        ...(row.note ? { note: row.note } : {}), ...(row.composite ? { composite: true } : {}),
      }));
    }
  }
  const frozen = Object.freeze(out);
  cache.set(key, frozen);
  return frozen;
}

export function archesInEra(era: EraId): ArchId[] {
  return ARCHES.filter((arch) => archInEra(era, arch));
}

export function isEra(value: string): value is EraId {
  return (ERAS as readonly string[]).includes(value);
}

export function isArch(value: string): value is ArchId {
  return (ARCHES as readonly string[]).includes(value);
}

export { archInEra } from './vm-flags';
export { uapiHeaders } from './uapi-flags';
export type { ArchHeaders, HeaderContent } from './uapi-flags';
export type { FlagDefinition, Namespace } from './types';
export { NAMESPACES, namespaceOf } from './types';
