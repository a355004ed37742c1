// One-line descriptions of hook values and hook changes, in the kernel's own names (the era's
// tables, then names the patch itself defines, such as a new VM_WIPEONFORK). A change is
// described by what it adds and takes away, not as "old value -> new value".
import type { ArchId, EraId, MadviseGuard } from '../kernel/model';
import { formatFlagSet } from '../kernel/flags';
import type { HookChange, HookValue, OpaqueGuard } from './types';
import { guardKey } from './facts';

/** Names the patch defines (`VM_WIPEONFORK` = 1 << 26), for bits the era's tables lack. */
export type PatchNames = ReadonlyMap<string, bigint>;

const NO_NAMES: PatchNames = new Map();

/** The era's name of one bit (`bit 26` when it has none), by namespace, era, arch and bit:
 *  the tables are fixed, and a summary of a kept mask asks for some sixty bits. */
const ownBitNames = new Map<string, string>();

function ownBitName(v: bigint, namespace: 'VM' | 'PROT', era: EraId, arch: ArchId): string {
  const key = `${namespace}/${era}/${arch}/${v}`;
  let name = ownBitNames.get(key);
  if (name === undefined) ownBitNames.set(key, (name = formatFlagSet(v, namespace, era, arch).replace(/ \(0x[0-9a-f]+\)$/, '')));
  return name;
}

function bitNames(bits: bigint, namespace: 'VM' | 'PROT', era: EraId, arch: ArchId, extra: PatchNames): string[] {
  const out: string[] = [];
  // The set bits of the low 64, lowest first, from the binary digits (no BigInt per bit).
  const digits = BigInt.asUintN(64, bits).toString(2);
  for (let b = 0; b < digits.length; b++) {
    if (digits[digits.length - 1 - b] !== '1') continue;
    const v = 1n << BigInt(b);
    const own = ownBitName(v, namespace, era, arch);
    if (!own.startsWith('bit ')) { out.push(own); continue; }
    const patch = [...extra].find(([n, x]) => x === v && n.startsWith(`${namespace}_`));
    out.push(patch ? patch[0] : namespace === 'PROT' ? `0x${v.toString(16)}` : own);
  }
  return out;
}

export function flagNames(bits: bigint, era: EraId, arch: ArchId, extra: PatchNames = NO_NAMES): string {
  const names = bitNames(bits, 'VM', era, arch, extra);
  return names.length ? names.join(' | ') : 'no flags';
}

function protNames(bits: bigint, era: EraId, arch: ArchId, extra: PatchNames): string {
  return bitNames(bits, 'PROT', era, arch, extra).join(' | ');
}

function popcount(v: bigint): number {
  let n = 0;
  for (let x = v; x; x &= x - 1n) n++;
  return n;
}

function guardText(g: MadviseGuard | OpaqueGuard, era: EraId, arch: ArchId, extra: PatchNames): string {
  if ('condition' in g) return `${g.errno} when ${g.condition}`;
  const on: string[] = [];
  if (g.fileOrShared) on.push('file-backed or shared VMAs');
  if (g.anyFlags) on.push(`${flagNames(g.anyFlags, era, arch, extra)} VMAs`);
  return `${g.errno} on ${on.join(' or ') || 'no VMA'}`;
}

export function describeValue(v: HookValue | null, era: EraId, arch: ArchId, extra: PatchNames = NO_NAMES): string {
  if (v === null) return 'absent';
  const names = (bits: bigint) => flagNames(bits, era, arch, extra);
  switch (v.type) {
    case 'value': return `0x${v.value.toString(16)}`;
    case 'mask': return `0x${v.value.toString(16)}`;
    case 'flag': return v.value ? 'yes' : 'no';
    case 'translation': return v.terms.length ? v.terms.map((t) => `${t.fromName}->${t.toName}`).join(', ') : 'none';
    case 'access-check': return `(newflags & ~(newflags >> ${v.shift})) & 0x${v.mask.toString(16)}`;
    case 'driver-flags': {
      const parts = [];
      if (v.set) parts.push(`sets ${names(v.set)}`);
      if (v.clear) parts.push(`clears ${names(v.clear)}`);
      return parts.join(', ') || 'sets no flags';
    }
    case 'madvise': {
      const parts = [];
      if (v.writeLock !== undefined) parts.push(`takes the mmap lock for ${v.writeLock ? 'writing' : 'reading'}`);
      if (v.set) parts.push(`sets ${names(v.set)}`);
      if (v.clear) parts.push(`clears ${names(v.clear)}`);
      if (v.set === 0n && v.clear === 0n) parts.push('changes no flags');
      for (const g of [...(v.guards ?? []), ...(v.opaqueGuards ?? [])]) parts.push(guardText(g, era, arch, extra));
      if (v.guards && v.guards.length === 0 && !v.opaqueGuards?.length && v.writeLock === undefined) parts.push('no guard');
      return parts.join('; ');
    }
  }
}

/** The summary line of a hook change. `extra`: names the patch defines. */
export function summarize(c: Omit<HookChange, 'summary'>, era: EraId, arch: ArchId, extra: PatchNames = NO_NAMES): string {
  const main = summarizeValues(c, era, arch, extra);
  const um = c.unmodelled;
  if (!um) return main;
  const what = c.hook === 'fork-policy' && c.detail === 'skipFlags' ? "fork's skip test" : `${c.function ?? c.hook} (${c.detail})`;
  const now = um.after.length ? `${what} now reads ${um.after.map((t) => `\`${t}\``).join(', ')}` : `${what} no longer reads ${um.before.map((t) => `\`${t}\``).join(', ')}`;
  const lead = sameValues(c) ? now : `${main}; ${now}`;
  return `${lead} (not expressible in the model: reported, not simulated)`;
}

function sameValues(c: Omit<HookChange, 'summary'>): boolean {
  const b = c.before;
  const a = c.after;
  return b?.type === 'mask' && a?.type === 'mask' && a.value === b.value;
}

/** "no longer X; now Y" from what a mask loses and gains. */
function maskChange(b: bigint, a: bigint, lost: (bits: bigint) => string, gained: (bits: bigint) => string): string {
  const parts = [];
  if (b & ~a) parts.push(lost(b & ~a));
  if (a & ~b) parts.push(gained(a & ~b));
  return parts.join('; ');
}

function summarizeValues(c: Omit<HookChange, 'summary'>, era: EraId, arch: ArchId, extra: PatchNames): string {
  const b = c.before;
  const a = c.after;
  const names = (bits: bigint) => flagNames(bits, era, arch, extra);
  switch (c.hook) {
    case 'uapi-name':
      if (!b) return `new ${c.detail} = ${describeValue(a, era, arch)}${c.arch && c.arch !== 'generic' ? ` (${c.arch})` : ''}`;
      if (!a) return `${c.detail} removed (was ${describeValue(b, era, arch)})`;
      return `${c.detail} changes from ${describeValue(b, era, arch)} to ${describeValue(a, era, arch)}`;
    case 'mprotect-kept': {
      if (b?.type !== 'mask' || a?.type !== 'mask') break;
      return maskChange(b.value, a.value, (x) => `every mprotect() now clears ${names(x)}`, (x) => `mprotect() now keeps ${names(x)}`);
    }
    case 'mprotect-access-check': {
      if (b?.type === 'access-check' && a?.type === 'access-check' && a.shift === b.shift && a.shift === 4) {
        return maskChange(b.mask, a.mask,
          (x) => `mprotect() no longer refuses ${names(x)} without the matching VM_MAY* bit (EACCES)`,
          (x) => `mprotect() now refuses ${names(x)} without the matching VM_MAY* bit (EACCES)`);
      }
      return `mprotect access check changes from ${describeValue(b, era, arch)} to ${describeValue(a, era, arch)}`;
    }
    case 'prot-translation':
    case 'mmap-flags': {
      if (c.detail === 'fixedFlags' && b?.type === 'mask' && a?.type === 'mask') {
        return maskChange(b.value, a.value, (x) => `mmap() no longer puts ${names(x)} on every new mapping`, (x) => `mmap() now puts ${names(x)} on every new mapping`);
      }
      if (c.detail === 'prot-valid' && b?.type === 'mask' && a?.type === 'mask') {
        const who = c.function ?? 'the PROT check';
        // Dozens of bits at once: say it as a whole rather than naming each.
        const names = (v: bigint) => protNames(v, era, arch, extra) || 'none';
        return maskChange(b.value, a.value,
          (x) => (popcount(x) > 8 ? `${who} now rejects every PROT bit but ${names(a.value)} (EINVAL)` : `${who} now rejects ${names(x)} (EINVAL)`),
          (x) => (popcount(x) > 8 ? `${who} now accepts any PROT bit, not only ${names(b.value)}` : `${who} now accepts ${names(x)}`));
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
    case 'madvise-behaviour': {
      if (!b) return `new madvise case ${c.detail}: ${describeValue(a, era, arch, extra)}`;
      if (!a) return `madvise case ${c.detail} removed (was: ${describeValue(b, era, arch, extra)})`;
      if (b.type !== 'madvise' || a.type !== 'madvise') break;
      const parts: string[] = [];
      const bits = (x: bigint | undefined, y: bigint | undefined, verb: string) => {
        if (x === undefined || y === undefined) return;
        const m = maskChange(x, y, (z) => `no longer ${verb}s ${names(z)}`, (z) => `now ${verb}s ${names(z)}`);
        if (m) parts.push(m);
      };
      bits(b.set, a.set, 'set');
      bits(b.clear, a.clear, 'clear');
      const bg = [...(b.guards ?? []), ...(b.opaqueGuards ?? [])];
      const ag = [...(a.guards ?? []), ...(a.opaqueGuards ?? [])];
      const bk = new Set(bg.map(guardKey));
      const ak = new Set(ag.map(guardKey));
      for (const g of bg) if (!ak.has(guardKey(g))) parts.push(`no longer fails with ${guardText(g, era, arch, extra)}`);
      for (const g of ag) if (!bk.has(guardKey(g))) parts.push(`now fails with ${guardText(g, era, arch, extra)}`);
      if (a.writeLock !== undefined && a.writeLock !== b.writeLock) parts.push(`now takes the mmap lock for ${a.writeLock ? 'writing' : 'reading'}`);
      if (parts.length === 0) break;
      return `madvise(${c.detail}) ${parts.join('; ')}`;
    }
    case 'madvise-validity':
      return a?.type === 'flag' && a.value ? `madvise now accepts ${c.detail}` : `madvise now rejects ${c.detail} with EINVAL`;
    case 'fork-policy':
      if (c.detail === 'copyPinnedAnon') {
        return a?.type === 'flag' && a.value ? 'fork now copies possibly pinned anonymous pages for the child' : 'fork no longer copies possibly pinned anonymous pages: parent and child share them copy-on-write';
      }
      if (b?.type === 'mask' && a?.type === 'mask') {
        if (c.detail === 'skipFlags') return maskChange(b.value, a.value, (x) => `fork no longer skips VMAs with ${names(x)}: the child gets them`, (x) => `fork now skips VMAs with ${names(x)}: the child does not get them`);
        if (c.detail === 'wipeFlags') return maskChange(b.value, a.value, (x) => `fork no longer empties VMAs with ${names(x)}: the child gets their pages`, (x) => `fork now gives the child an empty copy of VMAs with ${names(x)}`);
        if (c.detail === 'childClear') return maskChange(b.value, a.value, (x) => `the child now keeps ${names(x)}`, (x) => `the child now loses ${names(x)}`);
      }
      break;
    case 'driver-mmap': {
      const bf = b?.type === 'driver-flags' ? b : { set: 0n, clear: 0n };
      const af = a?.type === 'driver-flags' ? a : { set: 0n, clear: 0n };
      const parts = [];
      const ALL = (1n << 64n) - 1n;
      if ((af.set | af.clear) === ALL && (bf.set | bf.clear) !== ALL) {
        // `vma->vm_flags = X`: every other flag goes; listing 60 names helps nobody.
        if (bf.set & ~af.set) parts.push(`no longer sets ${names(bf.set & ~af.set)}`);
        parts.push(`now sets vm_flags to exactly ${names(af.set)} (every other flag cleared)`);
      } else {
        const s = maskChange(bf.set, af.set, (x) => `no longer sets ${names(x)}`, (x) => `now sets ${names(x)}`);
        if (s) parts.push(s);
        const k = maskChange(bf.clear, af.clear, (x) => `no longer clears ${names(x)}`, (x) => `now clears ${names(x)}`);
        if (k) parts.push(k);
      }
      if (parts.length) return `${c.detail} ${parts.join('; ')} on the doorbell VMA`;
      break;
    }
  }
  return `${c.hook} ${c.detail}: ${describeValue(b, era, arch, extra)} -> ${describeValue(a, era, arch, extra)}`;
}
