// PROT_*, MAP_*, MADV_* per era and architecture, with the header each lives in.
//
// Layouts:
// - v2.6.13: every architecture owns a standalone include/asm-ARCH/mman.h (no shared header).
// - v2.6.16: include/asm-generic/mman.h (Tsirkin, 2.6.16-rc) holds the common PROT/MAP/MADV
//   values; most arch headers include it, alpha, mips, parisc and xtensa stay standalone.
// - v5.4, v6.12: uapi split: include/uapi/asm-generic/mman-common.h (PROT, MAP_TYPE/FIXED/
//   ANONYMOUS, MADV), include/uapi/asm-generic/mman.h (MAP_GROWSDOWN..MAP_SYNC, MCL),
//   include/uapi/linux/mman.h (MAP_SHARED/PRIVATE/SHARED_VALIDATE/DROPPABLE, includes
//   asm/mman.h), arch/ARCH/include/uapi/asm/mman.h per arch.
import type { ArchId, EraId } from '../model';
import { r, rowInEra, type Row } from './types';
import { archInEra } from './vm-flags';

const S54 = { since: 'v5.4' as EraId };
const S612 = { since: 'v6.12' as EraId };
const S2616 = { since: 'v2.6.16' as EraId };

// ---- the common values (generic in every era) -------------------------------------------

const PROT_COMMON: Row[] = [
  r('PROT_READ', 0x1), r('PROT_WRITE', 0x2), r('PROT_EXEC', 0x4), r('PROT_SEM', 0x8), r('PROT_NONE', 0x0),
  r('PROT_GROWSDOWN', 0x01000000), r('PROT_GROWSUP', 0x02000000),
];
const PROT_SEM_0x10: Row[] = [
  r('PROT_READ', 0x1), r('PROT_WRITE', 0x2), r('PROT_EXEC', 0x4), r('PROT_SEM', 0x10, { note: '0x08 is reserved for PROT_EXEC_NOFLUSH' }),
  r('PROT_NONE', 0x0), r('PROT_GROWSDOWN', 0x01000000), r('PROT_GROWSUP', 0x02000000),
];

const MAP_TYPE_VALUES: Row[] = [r('MAP_SHARED', 0x01), r('MAP_PRIVATE', 0x02), r('MAP_SHARED_VALIDATE', 0x03, S54)];

const MAP_COMMON: Row[] = [
  r('MAP_TYPE', 0x0f), r('MAP_FIXED', 0x10), r('MAP_ANONYMOUS', 0x20),
  r('MAP_FIXED_NOREPLACE', 0x100000, S54), r('MAP_UNINITIALIZED', 0x4000000, { ...S54, note: 'honoured only with CONFIG_MMAP_ALLOW_UNINITIALIZED' }),
  r('MAP_FILE', 0, { note: 'compatibility' }),
  r('MAP_ANON', 0x20, { until: 'v5.4', note: '= MAP_ANONYMOUS (compatibility)' }),
];

// MAP_GROWSDOWN..MAP_SYNC with the generic values (asm-generic/mman.h in the uapi layout).
const MAP_GENERIC_MMAN: Row[] = [
  r('MAP_GROWSDOWN', 0x0100), r('MAP_DENYWRITE', 0x0800), r('MAP_EXECUTABLE', 0x1000), r('MAP_LOCKED', 0x2000),
  r('MAP_NORESERVE', 0x4000), r('MAP_POPULATE', 0x8000), r('MAP_NONBLOCK', 0x10000),
  r('MAP_STACK', 0x20000, S54), r('MAP_HUGETLB', 0x40000, S54), r('MAP_SYNC', 0x80000, S54),
];

const MADV_BASIC: Row[] = [
  r('MADV_NORMAL', 0), r('MADV_RANDOM', 1), r('MADV_SEQUENTIAL', 2), r('MADV_WILLNEED', 3), r('MADV_DONTNEED', 4),
];
// The "keep these consistent across architectures" block (2.6.16: REMOVE, DONTFORK, DOFORK).
const MADV_SHARED_FROM_2616: Row[] = [
  r('MADV_FREE', 8, S54), r('MADV_REMOVE', 9, S2616),
  r('MADV_DONTFORK', 10, { ...S2616, note: "don't inherit across fork (2.6.16, f822566165dd)" }),
  r('MADV_DOFORK', 11, { ...S2616, note: 'do inherit across fork; EINVAL on VM_IO (2.6.16)' }),
];
const madvKsmToKeep = (base: number): Row[] => [
  r('MADV_MERGEABLE', base, S54), r('MADV_UNMERGEABLE', base + 1, S54),
  r('MADV_HUGEPAGE', base + 2, S54), r('MADV_NOHUGEPAGE', base + 3, S54),
  r('MADV_DONTDUMP', base + 4, S54), r('MADV_DODUMP', base + 5, S54),
  r('MADV_WIPEONFORK', base + 6, { ...S54, note: 'zero memory on fork, child only (4.14, d2cd9ede6e19)' }),
  r('MADV_KEEPONFORK', base + 7, { ...S54, note: 'undo MADV_WIPEONFORK' }),
];
const MADV_LATER: Row[] = [
  r('MADV_COLD', 20, S54), r('MADV_PAGEOUT', 21, S54),
  r('MADV_POPULATE_READ', 22, S612), r('MADV_POPULATE_WRITE', 23, S612),
  r('MADV_DONTNEED_LOCKED', 24, S612), r('MADV_COLLAPSE', 25, S612),
];
const MADV_TESTING: Row[] = [r('MADV_HWPOISON', 100, S54), r('MADV_SOFT_OFFLINE', 101, S54)];

const MADV_COMMON: Row[] = [...MADV_BASIC, ...MADV_SHARED_FROM_2616, ...madvKsmToKeep(12), ...MADV_LATER, ...MADV_TESTING];

// ---- architectures with their own full header ------------------------------------------

const ALPHA: Row[] = [
  ...PROT_COMMON,
  r('MAP_SHARED', 0x01), r('MAP_PRIVATE', 0x02), r('MAP_TYPE', 0x0f),
  r('MAP_FIXED', 0x100), r('MAP_ANONYMOUS', 0x10),
  r('MAP_GROWSDOWN', 0x01000), r('MAP_DENYWRITE', 0x02000), r('MAP_EXECUTABLE', 0x04000), r('MAP_LOCKED', 0x08000),
  r('MAP_NORESERVE', 0x10000), r('MAP_POPULATE', 0x20000), r('MAP_NONBLOCK', 0x40000),
  r('MAP_STACK', 0x80000, S54), r('MAP_HUGETLB', 0x100000, S54), r('MAP_FIXED_NOREPLACE', 0x200000, S54),
  r('MAP_FILE', 0), r('MAP_ANON', 0x10, { until: 'v5.4', note: '= MAP_ANONYMOUS' }),
  r('MADV_NORMAL', 0), r('MADV_RANDOM', 1), r('MADV_SEQUENTIAL', 2), r('MADV_WILLNEED', 3),
  r('MADV_SPACEAVAIL', 5, { note: 'alpha only' }), r('MADV_DONTNEED', 6, { note: 'alpha: 6, not 4' }),
  ...MADV_SHARED_FROM_2616, ...madvKsmToKeep(12), ...MADV_LATER, ...MADV_TESTING,
];

// mips and xtensa share the SVR4-derived layout.
const MIPS_LIKE = (withUninit: boolean): Row[] => [
  ...PROT_SEM_0x10,
  r('MAP_SHARED', 0x001), r('MAP_PRIVATE', 0x002), r('MAP_SHARED_VALIDATE', 0x003, S54), r('MAP_TYPE', 0x00f), r('MAP_FIXED', 0x010),
  r('MAP_RENAME', 0x020, { note: 'SVR4 ABI name, unused by Linux' }), r('MAP_AUTOGROW', 0x040, { note: 'unused by Linux' }),
  r('MAP_LOCAL', 0x080, { note: 'unused by Linux' }), r('MAP_AUTORSRV', 0x100, { note: 'unused by Linux' }),
  r('MAP_NORESERVE', 0x0400), r('MAP_ANONYMOUS', 0x0800), r('MAP_GROWSDOWN', 0x1000), r('MAP_DENYWRITE', 0x2000),
  r('MAP_EXECUTABLE', 0x4000), r('MAP_LOCKED', 0x8000), r('MAP_POPULATE', 0x10000), r('MAP_NONBLOCK', 0x20000),
  r('MAP_STACK', 0x40000, S54), r('MAP_HUGETLB', 0x80000, S54), r('MAP_FIXED_NOREPLACE', 0x100000, S54),
  ...(withUninit ? [r('MAP_UNINITIALIZED', 0x4000000, { ...S54, note: '0 unless CONFIG_MMAP_ALLOW_UNINITIALIZED' })] : []),
  r('MAP_FILE', 0), r('MAP_ANON', 0x800, { until: 'v5.4', note: '= MAP_ANONYMOUS' }),
  ...MADV_COMMON,
];

const PARISC: Row[] = [
  ...PROT_COMMON,
  r('MAP_SHARED', 0x01), r('MAP_PRIVATE', 0x02), r('MAP_TYPE', 0x03, { until: 'v6.12' }),
  r('MAP_TYPE', 0x2b, { ...S612, note: 'includes bits 0x08 and 0x20' }),
  r('MAP_FIXED', 0x04), r('MAP_ANONYMOUS', 0x10),
  r('MAP_DENYWRITE', 0x0800), r('MAP_EXECUTABLE', 0x1000), r('MAP_LOCKED', 0x2000), r('MAP_NORESERVE', 0x4000),
  r('MAP_GROWSDOWN', 0x8000), r('MAP_POPULATE', 0x10000), r('MAP_NONBLOCK', 0x20000),
  r('MAP_STACK', 0x40000, S54), r('MAP_HUGETLB', 0x80000, S54), r('MAP_FIXED_NOREPLACE', 0x100000, S54),
  r('MAP_UNINITIALIZED', 0, { ...S54, note: 'not supported on parisc' }), r('MAP_FILE', 0),
  r('MAP_ANON', 0x10, { until: 'v5.4', note: '= MAP_ANONYMOUS' }), r('MAP_VARIABLE', 0, { until: 'v6.12', note: 'compatibility, removed in 6.2' }),
  ...MADV_BASIC,
  r('MADV_SPACEAVAIL', 5, { until: 'v5.4', note: 'parisc only' }),
  r('MADV_VPS_PURGE', 6, { until: 'v5.4', note: 'parisc only' }),
  r('MADV_VPS_INHERIT', 7, { until: 'v5.4', note: 'parisc only' }),
  // "The range 12-64 is reserved for page size specification" (2.6 parisc header).
  ...[4, 16, 64, 256].map((k, i) => r(`MADV_${k}K_PAGES`, 12 + 2 * i, { until: 'v5.4', note: 'parisc page-size advice' })),
  ...[1, 4, 16, 64].map((m, i) => r(`MADV_${m}M_PAGES`, 20 + 2 * i, { until: 'v5.4', note: 'parisc page-size advice' })),
  ...MADV_SHARED_FROM_2616,
  // parisc used 65.. for these until 6.2 (71bdea6f798b aligned them with the generic values).
  ...madvKsmToKeep(65).map((row) => ({ ...row, until: 'v6.12' as EraId, note: `parisc value before 6.2${row.note ? '; ' + row.note : ''}` })),
  ...madvKsmToKeep(12).map((row) => ({ ...row, since: 'v6.12' as EraId })),
  ...MADV_LATER, ...MADV_TESTING,
];

// ---- architectures that include the shared header, with their overrides ----------------

const SPARC_OWN: Row[] = [
  r('PROT_ADI', 0x10, { ...S54, note: 'application data integrity (sparc64, 4.17)' }),
  r('MAP_RENAME', 0x20, { note: '= MAP_ANONYMOUS (SunOS name)' }), r('MAP_NORESERVE', 0x40), r('MAP_INHERIT', 0x80),
  r('MAP_LOCKED', 0x100), r('_MAP_NEW', 0x80000000, { note: 'SunOS binary compatibility' }),
  r('MAP_GROWSDOWN', 0x0200), r('MAP_DENYWRITE', 0x0800), r('MAP_EXECUTABLE', 0x1000),
  r('MAP_POPULATE', 0x8000), r('MAP_NONBLOCK', 0x10000), r('MAP_STACK', 0x20000, S54), r('MAP_HUGETLB', 0x40000, S54),
  r('MADV_FREE', 5, { until: 'v5.4', note: 'Solaris value on sparc; sparc uses the generic 8 since MADV_FREE became generic (4.5)' }),
];
const POWERPC_OWN: Row[] = [
  r('PROT_SAO', 0x10, { ...S54, note: 'strong access ordering (ppc64)' }),
  r('MAP_RENAME', 0x20, { note: '= MAP_ANONYMOUS (SunOS name)' }), r('MAP_NORESERVE', 0x40), r('MAP_LOCKED', 0x80),
  r('MAP_GROWSDOWN', 0x0100), r('MAP_DENYWRITE', 0x0800), r('MAP_EXECUTABLE', 0x1000),
  r('MAP_POPULATE', 0x8000), r('MAP_NONBLOCK', 0x10000), r('MAP_STACK', 0x20000, S54), r('MAP_HUGETLB', 0x40000, S54),
];
const X86_OWN: Row[] = [
  r('MAP_32BIT', 0x40, { note: 'x86-64: only give out 32-bit addresses' }),
  r('MAP_ABOVE4G', 0x80, { ...S612, note: 'only map above 4GB (6.6)' }),
];
const ARM64_OWN: Row[] = [
  r('PROT_BTI', 0x10, { ...S612, note: 'branch target identification (5.8)' }),
  r('PROT_MTE', 0x20, { ...S612, note: 'memory tagging (5.10)' }),
];

// ---- header assembly per era ------------------------------------------------------------

export interface HeaderContent {
  path: string;
  rows: Row[];
}

export interface ArchHeaders {
  /** The headers that define this arch's values, most specific first. */
  headers: HeaderContent[];
  /** The arch header includes the shared generic one. */
  includesGeneric: boolean;
  /** Standalone: the arch header defines everything itself. */
  standalone: boolean;
}

const OLD_DIR: Record<ArchId, string> = {
  generic: 'include/asm-i386/mman.h', alpha: 'include/asm-alpha/mman.h', mips: 'include/asm-mips/mman.h',
  parisc: 'include/asm-parisc/mman.h', sparc: 'include/asm-sparc64/mman.h', powerpc: 'include/asm-ppc64/mman.h',
  xtensa: 'include/asm-xtensa/mman.h', arm64: '(no arm64 port before 3.7)', x86: 'include/asm-x86_64/mman.h',
};

const STANDALONE: Partial<Record<ArchId, Row[]>> = {
  alpha: ALPHA, mips: MIPS_LIKE(false), parisc: PARISC, xtensa: MIPS_LIKE(true),
};

const uapiArch = (arch: ArchId) => `arch/${arch}/include/uapi/asm/mman.h`;
export const GENERIC_COMMON_UAPI = 'include/uapi/asm-generic/mman-common.h';
export const GENERIC_MMAN_UAPI = 'include/uapi/asm-generic/mman.h';
export const LINUX_MMAN_UAPI = 'include/uapi/linux/mman.h';
export const GENERIC_MMAN_2616 = 'include/asm-generic/mman.h';

function keep(rows: Row[], era: EraId): Row[] {
  return rows.filter((row) => rowInEra(row, era));
}

function without(rows: Row[], names: Set<string>): Row[] {
  return rows.filter((row) => !names.has(row.name));
}

function archOwn(arch: ArchId): Row[] {
  switch (arch) {
    case 'sparc': return SPARC_OWN;
    case 'powerpc': return POWERPC_OWN;
    case 'x86': return X86_OWN;
    case 'arm64': return ARM64_OWN;
    default: return [];
  }
}

/** The headers (with rows already filtered to `era`) that define PROT/MAP/MADV for `arch`. */
export function uapiHeaders(era: EraId, arch: ArchId): ArchHeaders {
  if (!archInEra(era, arch)) return { headers: [], includesGeneric: false, standalone: false };
  const standalone = STANDALONE[arch];
  const own = archOwn(arch);
  const ownNames = new Set(own.map((row) => row.name));
  const commonPart = [...PROT_COMMON, ...MAP_COMMON, ...MADV_COMMON];

  if (era === 'v2.6.13') {
    // One standalone header per arch; the common values were copied into each of them.
    const rows = standalone ?? [...own, ...MAP_TYPE_VALUES, ...without([...commonPart, ...MAP_GENERIC_MMAN], ownNames)];
    return { headers: [{ path: OLD_DIR[arch], rows: keep(rows, era) }], includesGeneric: false, standalone: true };
  }
  if (era === 'v2.6.16') {
    if (standalone) return { headers: [{ path: OLD_DIR[arch].replace('asm-ppc64', 'asm-powerpc'), rows: keep(standalone, era) }], includesGeneric: false, standalone: true };
    const archPath = OLD_DIR[arch].replace('asm-ppc64', 'asm-powerpc');
    const archRows = [...own, ...without(MAP_GENERIC_MMAN, ownNames)];
    return {
      headers: [
        { path: archPath, rows: keep(archRows, era) },
        { path: GENERIC_MMAN_2616, rows: keep([...MAP_TYPE_VALUES, ...commonPart], era) },
      ],
      includesGeneric: true, standalone: false,
    };
  }
  // uapi layout (v5.4, v6.12)
  const linuxMman: HeaderContent = {
    path: LINUX_MMAN_UAPI,
    rows: keep([...MAP_TYPE_VALUES, r('MAP_DROPPABLE', 0x08, { ...S612, note: 'a MAP_TYPE value, not a bit (6.11)' })], era),
  };
  if (standalone) {
    return { headers: [{ path: uapiArch(arch), rows: keep(standalone, era) }, linuxMman], includesGeneric: false, standalone: true };
  }
  const common: HeaderContent = { path: GENERIC_COMMON_UAPI, rows: keep(commonPart, era) };
  const genericMman: HeaderContent = { path: GENERIC_MMAN_UAPI, rows: keep(MAP_GENERIC_MMAN, era) };
  if (arch === 'generic') return { headers: [genericMman, common, linuxMman], includesGeneric: true, standalone: false };
  // sparc and powerpc include only mman-common.h and define the rest themselves; x86 and
  // arm64 include asm-generic/mman.h (arm64 had no uapi mman.h of its own before 5.8).
  if (arch === 'sparc' || arch === 'powerpc') {
    return { headers: [{ path: uapiArch(arch), rows: keep(own, era) }, common, linuxMman], includesGeneric: true, standalone: false };
  }
  const ownRows = keep(own, era);
  const headers = ownRows.length || arch === 'x86' ? [{ path: uapiArch(arch), rows: ownRows }] : [];
  return { headers: [...headers, genericMman, common, linuxMman], includesGeneric: true, standalone: false };
}
