// A fact: what one side (pre or post image) of a patch says about one hook, as a typed value
// with the document lines it came from. Hook changes are the facts whose values differ
// between the sides; comparing evaluated values (not text) is what makes a refactor, a
// renamed macro or a reordered expression come out as "no change".
import type { MadviseGuard } from '../kernel/model';
import type { HookKind, HookValue, OpaqueGuard } from './types';

export interface Fact {
  hook: HookKind;
  detail: string;
  /** Distinguishes facts with the same hook and detail (the function they are in). */
  scope: string;
  value: HookValue;
  /** Document lines of changed hunk lines (on this side) that produced the fact. */
  changedLines: number[];
  /** Document lines of every hunk line that produced the fact. */
  lines: number[];
  /** Per element (translation term, guard), the changed lines behind it, so a change can
   *  point at the term that differs rather than at the whole expression. */
  elementLines?: Map<string, number[]>;
  file: string | null;
  function: string | null;
  patch: number;
  /** Macros from the patch the fact's expressions used (their define lines matter too). */
  macros?: string[];
  /** Conditions of this hook the model cannot hold (printed); the value keeps the base
   *  kernel's behaviour for the flags they test. A change in them is reported, not applied. */
  unmodelled?: string[];
  /** The same conditions as the source spells them (for people). */
  unmodelledText?: string[];
}

export function factKey(f: Pick<Fact, 'hook' | 'detail' | 'scope' | 'patch'>): string {
  return `${f.patch}\u0000${f.hook}\u0000${f.scope}\u0000${f.detail}`;
}

export function guardKey(g: MadviseGuard | OpaqueGuard): string {
  if ('condition' in g) return `?${g.condition}:${g.errno}`;
  return `${g.anyFlags !== undefined ? g.anyFlags.toString(16) : '-'}:${g.fileOrShared ? 'fs' : '-'}:${g.errno}`;
}

export function termKey(t: { from: bigint; to: bigint }): string {
  return `${t.from.toString(16)}>${t.to.toString(16)}`;
}

function sameSet(a: string[], b: string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** The same elements by key, as sets; no keys are built when a side has none (most guards). */
function sameElements<T>(a: readonly T[], b: readonly T[], key: (x: T) => string): boolean {
  if (a.length === 0 || b.length === 0) return a.length === b.length;
  return sameSet(a.map(key), b.map(key));
}

/** Two hook values mean the same behaviour. Translations and guards compare as sets (order
 *  of terms or guards does not matter to the kernel). */
export function sameHookValue(a: HookValue | null, b: HookValue | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.type !== b.type) return false;
  switch (a.type) {
    case 'value':
    case 'mask':
    case 'flag':
      return a.value === (b as typeof a).value;
    case 'translation':
      return sameElements(a.terms, (b as typeof a).terms, termKey);
    case 'access-check': {
      const o = b as typeof a;
      return a.shift === o.shift && a.mask === o.mask;
    }
    case 'driver-flags': {
      const o = b as typeof a;
      return a.set === o.set && a.clear === o.clear;
    }
    case 'madvise': {
      const o = b as typeof a;
      if (a.set !== o.set || a.clear !== o.clear || a.action !== o.action || a.writeLock !== o.writeLock) return false;
      return sameElements(a.guards ?? [], o.guards ?? [], guardKey)
        && sameElements(a.opaqueGuards ?? [], o.opaqueGuards ?? [], guardKey)
        && (a.guards === undefined) === (o.guards === undefined);
    }
  }
}

/** Keys of the elements (terms, guards) of a value, for pointing at what differs. */
export function elementKeys(v: HookValue | null): string[] {
  if (!v) return [];
  if (v.type === 'translation') return v.terms.map(termKey);
  if (v.type === 'madvise') return [...(v.guards ?? []), ...(v.opaqueGuards ?? [])].map(guardKey);
  return [];
}

export function uniqueSorted(xs: Iterable<number>): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}
