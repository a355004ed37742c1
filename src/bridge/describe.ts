// One-line descriptions of hook values and hook changes, in the kernel's own names.
import type { ArchId, EraId } from '../kernel/model';
import { formatFlagSet } from '../kernel/flags';
import type { HookChange, HookValue } from './types';

export function flagNames(bits: bigint, era: EraId, arch: ArchId): string {
  return formatFlagSet(bits, 'VM', era, arch).replace(/ \(0x[0-9a-f]+\)$/, '');
}

export function describeValue(v: HookValue | null, era: EraId, arch: ArchId): string {
  if (v === null) return 'absent';
  switch (v.type) {
    case 'value': return `0x${v.value.toString(16)}`;
    case 'mask': return `0x${v.value.toString(16)}`;
    case 'flag': return v.value ? 'yes' : 'no';
    case 'translation': return v.terms.length ? v.terms.map((t) => `${t.fromName}->${t.toName}`).join(', ') : 'none';
    case 'access-check': return `(newflags & ~(newflags >> ${v.shift})) & 0x${v.mask.toString(16)}`;
    case 'driver-flags': {
      const parts = [];
      if (v.set) parts.push(`sets ${flagNames(v.set, era, arch)}`);
      if (v.clear) parts.push(`clears ${flagNames(v.clear, era, arch)}`);
      return parts.join(', ') || 'sets no flags';
    }
    case 'madvise': {
      const parts = [];
      if (v.writeLock !== undefined) parts.push(`takes the mmap lock for ${v.writeLock ? 'writing' : 'reading'}`);
      if (v.set) parts.push(`sets ${flagNames(v.set, era, arch)}`);
      if (v.clear) parts.push(`clears ${flagNames(v.clear, era, arch)}`);
      if (v.set === 0n && v.clear === 0n) parts.push('changes no flags');
      for (const g of v.guards ?? []) {
        parts.push(g.fileOrShared ? `${g.errno} on file-backed or shared VMAs` : `${g.errno} on ${flagNames(g.anyFlags ?? 0n, era, arch)}`);
      }
      for (const g of v.opaqueGuards ?? []) parts.push(`${g.errno} when ${g.condition}`);
      if (v.guards && v.guards.length === 0 && !v.opaqueGuards?.length && v.writeLock === undefined) parts.push('no guard');
      return parts.join('; ');
    }
  }
}

/** The summary line of a hook change. */
export function summarize(c: Omit<HookChange, 'summary'>, era: EraId, arch: ArchId): string {
  const b = c.before;
  const a = c.after;
  const names = (bits: bigint) => flagNames(bits, era, arch);
  switch (c.hook) {
    case 'uapi-name':
      if (!b) return `new ${c.detail} = ${describeValue(a, era, arch)}${c.arch && c.arch !== 'generic' ? ` (${c.arch})` : ''}`;
      if (!a) return `${c.detail} removed (was ${describeValue(b, era, arch)})`;
      return `${c.detail} changes from ${describeValue(b, era, arch)} to ${describeValue(a, era, arch)}`;
    case 'mprotect-kept': {
      if (b?.type !== 'mask' || a?.type !== 'mask') break;
      const lost = b.value & ~a.value;
      const gained = a.value & ~b.value;
      const parts = [];
      if (lost) parts.push(`every mprotect() now clears ${names(lost)}`);
      if (gained) parts.push(`mprotect() now keeps ${names(gained)}`);
      return parts.join('; ');
    }
    case 'mprotect-access-check':
      return `mprotect access check changes from ${describeValue(b, era, arch)} to ${describeValue(a, era, arch)}`;
    case 'prot-translation':
    case 'mmap-flags': {
      if (c.detail === 'prot-valid' && b?.type === 'mask' && a?.type === 'mask') {
        const added = a.value & ~b.value;
        const removed = b.value & ~a.value;
        const parts = [];
        if (added) parts.push(`${c.function ?? 'the check'} now accepts PROT bits 0x${added.toString(16)}`);
        if (removed) parts.push(`${c.function ?? 'the check'} now rejects PROT bits 0x${removed.toString(16)}`);
        return parts.join('; ');
      }
      const bt = b?.type === 'translation' ? b.terms : [];
      const at = a?.type === 'translation' ? a.terms : [];
      const key = (t: { from: bigint; to: bigint }) => `${t.from}>${t.to}`;
      const added = at.filter((t) => !bt.some((x) => key(x) === key(t)));
      const removed = bt.filter((t) => !at.some((x) => key(x) === key(t)));
      const parts = [];
      if (added.length) parts.push(`${c.detail} now turns ${added.map((t) => `${t.fromName} into ${t.toName}`).join(', ')}`);
      if (removed.length) parts.push(`${c.detail} no longer turns ${removed.map((t) => `${t.fromName} into ${t.toName}`).join(', ')}`);
      return parts.join('; ') || `${c.detail} changes`;
    }
    case 'madvise-behaviour':
      if (!b) return `new madvise case ${c.detail}: ${describeValue(a, era, arch)}`;
      if (!a) return `madvise case ${c.detail} removed (was: ${describeValue(b, era, arch)})`;
      return `madvise ${c.detail}: ${describeValue(b, era, arch)} -> ${describeValue(a, era, arch)}`;
    case 'madvise-validity':
      return a?.type === 'flag' && a.value ? `madvise now accepts ${c.detail}` : `madvise now rejects ${c.detail} with EINVAL`;
    case 'fork-policy':
      if (c.detail === 'copyPinnedAnon') {
        return a?.type === 'flag' && a.value ? 'fork now copies possibly pinned anonymous pages for the child' : 'fork no longer copies possibly pinned anonymous pages: parent and child share them copy-on-write';
      }
      if (b?.type === 'mask' && a?.type === 'mask') {
        const what = c.detail === 'skipFlags' ? 'fork skips VMAs with' : c.detail === 'wipeFlags' ? 'fork gives an empty copy of VMAs with' : 'the child loses';
        return `${what} ${names(b.value) || 'nothing'} -> ${names(a.value) || 'nothing'}`;
      }
      break;
    case 'driver-mmap':
      return `${c.detail}: the doorbell VMA ${describeValue(b, era, arch)} -> ${describeValue(a, era, arch)}`;
  }
  return `${c.hook} ${c.detail}: ${describeValue(b, era, arch)} -> ${describeValue(a, era, arch)}`;
}
