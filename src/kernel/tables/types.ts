// Shared shapes of the flag tables. A table row is a name and a value; the era range says in
// which of our four eras the kernel defined it, so one readable list covers all eras.
import type { ArchId, EraId } from '../model';
import { ERAS } from '../model';

export type Namespace = 'VM' | 'PROT' | 'MAP' | 'MADV';
export const NAMESPACES: readonly Namespace[] = ['VM', 'PROT', 'MAP', 'MADV'];

export interface FlagDefinition {
  name: string;
  value: bigint;
  namespace: Namespace;
  /** Kernel header that defines it in this era's layout. */
  header: string;
  arch: ArchId;
  note?: string;
  /** A mask built from other flags (VM_SPECIAL), not a flag of its own. */
  composite?: boolean;
  /** Defined only on 64-bit kernels (VM bits above 31). */
  only64?: boolean;
}

/** One row of a data table: present in eras [since, until). */
export interface Row {
  name: string;
  value: bigint;
  since?: EraId;
  until?: EraId;
  note?: string;
  composite?: boolean;
  only64?: boolean;
}

export function eraIndex(era: EraId): number {
  return ERAS.indexOf(era);
}

export function rowInEra(row: Row, era: EraId): boolean {
  const i = eraIndex(era);
  if (row.since && i < eraIndex(row.since)) return false;
  if (row.until && i >= eraIndex(row.until)) return false;
  return true;
}

type RowOpts = Omit<Row, 'name' | 'value'>;

/** Row builder that keeps the tables one line per define. */
export function r(name: string, value: number | bigint, opts: RowOpts = {}): Row {
  return { name, value: BigInt(value), ...opts };
}

/** `1UL << bit` as a row. */
export function bit(name: string, n: number, opts: RowOpts = {}): Row {
  return { name, value: 1n << BigInt(n), ...opts };
}

/** The namespace of a constant's name (`VM_`, `PROT_`, `MAP_`, `MADV_`, after leading `_`s).
 *  Asked of every identifier the rules and the bridge read: prefix tests, not a RegExp match. */
export function namespaceOf(name: string): Namespace | null {
  let i = 0;
  while (name.charCodeAt(i) === 95 /* _ */) i++;
  if (name.startsWith('VM_', i)) return 'VM';
  if (name.startsWith('PROT_', i)) return 'PROT';
  if (name.startsWith('MAP_', i)) return 'MAP';
  if (name.startsWith('MADV_', i)) return 'MADV';
  return null;
}
