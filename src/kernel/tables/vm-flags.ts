// VM_* flags of include/linux/mm.h, per era. One list; `since`/`until` give the era range,
// `arches` restricts a row to the architectures that define that alias. Values and history:
// ../../../docs/kernel-eras.md (what was checked against source and what was not).
import type { ArchId, EraId } from '../model';
import { bit, r, rowInEra, type Row } from './types';

export const VM_HEADER = 'include/linux/mm.h';

export interface VmRow extends Row {
  /** Only these architectures define it (VM_ARCH_1 aliases, pkey bits). */
  arches?: ArchId[];
}

const A = (arches: ArchId[], row: Row): VmRow => ({ ...row, arches });

// Abbreviations for era ranges.
const OLD = { until: 'v5.4' as EraId }; // 2.6.x only
const NEW = { since: 'v5.4' as EraId }; // 5.4 and 6.12

const SINGLE_BITS: VmRow[] = [
  r('VM_NONE', 0, { ...NEW, note: 'no flags' }),
  bit('VM_READ', 0),
  bit('VM_WRITE', 1),
  bit('VM_EXEC', 2),
  bit('VM_SHARED', 3),
  bit('VM_MAYREAD', 4, { note: 'mprotect ceiling for VM_READ (VM_READ << 4)' }),
  bit('VM_MAYWRITE', 5, { note: 'mprotect ceiling for VM_WRITE (VM_WRITE << 4)' }),
  bit('VM_MAYEXEC', 6, { note: 'mprotect ceiling for VM_EXEC (VM_EXEC << 4)' }),
  bit('VM_MAYSHARE', 7),
  bit('VM_GROWSDOWN', 8),
  bit('VM_GROWSUP', 9, { ...OLD, note: 'bit 9 until 2.6.x; later VM_ARCH_1 on parisc' }),
  bit('VM_UFFD_MISSING', 9, { ...NEW, note: 'userfaultfd missing-page tracking (4.3)' }),
  bit('VM_SHM', 10, { until: 'v2.6.16', note: 'shared memory area; bit reused by VM_PFNMAP (2.6.15)' }),
  bit('VM_PFNMAP', 10, { since: 'v2.6.16', note: 'page ranges without struct page (2.6.15, 6aab341e0a28)' }),
  bit('VM_DENYWRITE', 11, { until: 'v6.12', note: 'removed in 5.15' }),
  bit('VM_EXECUTABLE', 12, OLD),
  bit('VM_UFFD_WP', 12, { ...NEW, note: 'userfaultfd write-protect tracking' }),
  bit('VM_LOCKED', 13),
  bit('VM_IO', 14, { note: 'memory-mapped I/O or similar' }),
  bit('VM_SEQ_READ', 15),
  bit('VM_RAND_READ', 16),
  bit('VM_DONTCOPY', 17, { note: 'do not copy this vma on fork; same value since 2.6.11' }),
  bit('VM_DONTEXPAND', 18),
  bit('VM_RESERVED', 19, { ...OLD, note: 'removed in 3.7; bit reused by VM_LOCKONFAULT (4.4)' }),
  bit('VM_LOCKONFAULT', 19, NEW),
  bit('VM_ACCOUNT', 20),
  bit('VM_NORESERVE', 21, NEW),
  bit('VM_HUGETLB', 22),
  bit('VM_NONLINEAR', 23, { ...OLD, note: 'remap_file_pages; removed ~4.0, bit reused by VM_SYNC (4.15)' }),
  bit('VM_SYNC', 23, { ...NEW, note: 'synchronous page faults (MAP_SYNC, 4.15)' }),
  bit('VM_MAPPED_COPY', 24, { until: 'v5.4', note: 'nommu only (bit 24 is VM_ARCH_1 from 3.x)' }),
  bit('VM_ARCH_1', 24, { ...NEW, note: 'architecture-specific flag' }),
  bit('VM_INSERTPAGE', 25, { since: 'v2.6.16', until: 'v5.4', note: 'vm_insert_page() was done on the vma (2.6.15/16); removed in 3.7' }),
  bit('VM_WIPEONFORK', 25, { ...NEW, note: 'wipe vma contents in the child (4.14, d2cd9ede6e19)' }),
  bit('VM_DONTDUMP', 26, NEW),
  bit('VM_SOFTDIRTY', 27, { ...NEW, note: 'VM_NONE without CONFIG_MEM_SOFT_DIRTY' }),
  bit('VM_MIXEDMAP', 28, NEW),
  bit('VM_HUGEPAGE', 29, NEW),
  bit('VM_NOHUGEPAGE', 30, NEW),
  bit('VM_MERGEABLE', 31, NEW),
];

// 64-bit only: the high VMA bits (CONFIG_ARCH_USES_HIGH_VMA_FLAGS and friends).
const HIGH = { only64: true };
const HIGH_BITS: VmRow[] = [
  // CONFIG_ARCH_USES_HIGH_VMA_FLAGS: x86 and powerpc (pkeys) in 5.4; arm64 from 5.10 (MTE).
  ...[0, 1, 2, 3, 4].map((n) => A(['x86', 'powerpc'], bit(`VM_HIGH_ARCH_${n}`, 32 + n, { ...NEW, ...HIGH }))),
  ...[0, 1, 2, 3, 4].map((n) => A(['arm64'], bit(`VM_HIGH_ARCH_${n}`, 32 + n, { since: 'v6.12', ...HIGH }))),
  A(['x86', 'powerpc', 'arm64'], bit('VM_HIGH_ARCH_5', 37, { since: 'v6.12', ...HIGH })),
  // protection keys: x86 uses 4 key bits, powerpc 5, arm64 POE 3 (6.12)
  ...[0, 1, 2, 3].map((n) => A(['x86', 'powerpc'], bit(`VM_PKEY_BIT${n}`, 32 + n, { ...NEW, ...HIGH, note: 'protection key bit' }))),
  A(['powerpc'], bit('VM_PKEY_BIT4', 36, { ...NEW, ...HIGH, note: 'protection key bit' })),
  ...[0, 1, 2].map((n) => A(['arm64'], bit(`VM_PKEY_BIT${n}`, 32 + n, { since: 'v6.12', ...HIGH, note: 'arm64 POE protection key bit' }))),
  A(['x86'], bit('VM_MPX', 36, { ...NEW, until: 'v6.12', ...HIGH, note: 'Intel MPX bounds tables (VM_HIGH_ARCH_4); removed in 5.6' })),
  A(['x86'], bit('VM_SHADOW_STACK', 37, { since: 'v6.12', ...HIGH, note: 'VM_HIGH_ARCH_5, X86_USER_SHADOW_STACK (6.6)' })),
  A(['arm64'], bit('VM_MTE', 36, { since: 'v6.12', ...HIGH, note: 'VM_HIGH_ARCH_4 (memory tagging)' })),
  A(['arm64'], bit('VM_MTE_ALLOWED', 37, { since: 'v6.12', ...HIGH, note: 'VM_HIGH_ARCH_5' })),
  bit('VM_UFFD_MINOR', 38, { since: 'v6.12', ...HIGH, note: 'userfaultfd minor faults (5.13); 64-bit' }),
  bit('VM_ALLOW_ANY_UNCACHED', 39, { since: 'v6.12', ...HIGH }),
  bit('VM_DROPPABLE', 40, { since: 'v6.12', ...HIGH, note: 'MAP_DROPPABLE (6.11); VM_ARCH_1 on PPC32' }),
  bit('VM_SEALED', 63, { since: 'v6.12', ...HIGH, note: 'mseal (6.10); bit 63 until it moved to bit 42 in 2025' }),
];

// VM_ARCH_1 (bit 24) aliases.
const ARCH_ALIASES: VmRow[] = [
  A(['x86'], bit('VM_PAT', 24, { ...NEW, note: 'VM_ARCH_1: PAT reserves the range' })),
  A(['powerpc'], bit('VM_SAO', 24, { ...NEW, note: 'VM_ARCH_1: strong access ordering (PROT_SAO)' })),
  A(['parisc'], bit('VM_GROWSUP', 24, { ...NEW, note: 'VM_ARCH_1: the parisc stack grows up' })),
  A(['sparc'], bit('VM_SPARC_ADI', 24, { ...NEW, note: 'VM_ARCH_1: application data integrity (PROT_ADI)' })),
  A(['arm64'], bit('VM_ARM64_BTI', 24, { since: 'v6.12', note: 'VM_ARCH_1: branch target identification (PROT_BTI, 5.8)' })),
  A(['generic', 'alpha', 'mips', 'xtensa', 'x86', 'powerpc', 'sparc', 'arm64'], r('VM_GROWSUP', 0, { ...NEW, note: 'VM_NONE: only stack-grows-up arches have it' })),
  A(['sparc'], bit('VM_ARCH_CLEAR', 24, { ...NEW, composite: true, note: 'VM_SPARC_ADI: recomputed by mprotect' })),
];

const M = { composite: true };
const COMPOSITES: VmRow[] = [
  r('VM_READHINTMASK', 0x18000, { ...OLD, ...M, note: 'VM_SEQ_READ | VM_RAND_READ' }),
  r('VM_ACCESS_FLAGS', 0x7, { since: 'v6.12', ...M, note: 'VM_READ | VM_WRITE | VM_EXEC (5.8)' }),
  r('VM_SPECIAL', 0x10044400, { ...NEW, ...M, note: 'VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP' }),
  r('VM_NO_KHUGEPAGED', 0x10444400, { ...NEW, ...M, note: 'VM_SPECIAL | VM_HUGETLB' }),
  r('VM_STACK_INCOMPLETE_SETUP', 0x18000, { ...NEW, ...M, note: 'VM_RAND_READ | VM_SEQ_READ' }),
  r('VM_INIT_DEF_MASK', 0x40000000, { ...NEW, ...M, note: 'VM_NOHUGEPAGE' }),
  r('VM_LOCKED_CLEAR_MASK', 0xfffffffffff7dfffn, { since: 'v5.4', until: 'v6.12', ...M, note: '~(VM_LOCKED | VM_LOCKONFAULT)' }),
  r('VM_LOCKED_MASK', 0x82000, { since: 'v6.12', ...M, note: 'VM_LOCKED | VM_LOCKONFAULT' }),
  r('__VM_UFFD_FLAGS', (1n << 38n) | 0x1200n, { since: 'v6.12', ...M, only64: true, note: 'VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR' }),
  A(['x86'], r('VM_FLAGS_CLEAR', 0xf00000000n, { ...NEW, ...M, only64: true, note: 'ARCH_VM_PKEY_FLAGS | VM_ARCH_CLEAR' })),
  A(['powerpc'], r('VM_FLAGS_CLEAR', 0x1f00000000n, { ...NEW, ...M, only64: true, note: 'ARCH_VM_PKEY_FLAGS | VM_ARCH_CLEAR' })),
  A(['arm64'], r('VM_FLAGS_CLEAR', 0x701000000n, { since: 'v6.12', ...M, only64: true, note: 'ARCH_VM_PKEY_FLAGS (POE) | VM_ARCH_CLEAR (VM_ARM64_BTI)' })),
  A(['arm64'], bit('VM_ARCH_CLEAR', 24, { since: 'v6.12', ...M, note: 'VM_ARM64_BTI: recomputed by mprotect' })),
  A(['arm64'], r('VM_FLAGS_CLEAR', 0, { since: 'v5.4', until: 'v6.12', ...M, note: 'no pkeys, no VM_ARCH_CLEAR' })),
  A(['sparc'], bit('VM_FLAGS_CLEAR', 24, { ...NEW, ...M, note: 'ARCH_VM_PKEY_FLAGS | VM_ARCH_CLEAR = VM_SPARC_ADI' })),
  A(['generic', 'alpha', 'mips', 'parisc', 'xtensa'], r('VM_FLAGS_CLEAR', 0, { ...NEW, ...M, note: 'no pkeys, no VM_ARCH_CLEAR' })),
  A(['parisc'], bit('VM_STACK', 24, { ...NEW, ...M, note: 'VM_GROWSUP' })),
  A(['generic', 'alpha', 'mips', 'xtensa', 'x86', 'powerpc', 'sparc', 'arm64'], bit('VM_STACK', 8, { ...NEW, ...M, note: 'VM_GROWSDOWN' })),
];

export const VM_ROWS: readonly VmRow[] = [...SINGLE_BITS, ...HIGH_BITS, ...ARCH_ALIASES, ...COMPOSITES];

/** Does `arch` exist as a Linux port in `era`? arm64 arrived in 3.7. */
export function archInEra(era: EraId, arch: ArchId): boolean {
  return !(arch === 'arm64' && (era === 'v2.6.13' || era === 'v2.6.16'));
}

export function vmRows(era: EraId, arch: ArchId): VmRow[] {
  if (!archInEra(era, arch)) return [];
  return VM_ROWS.filter((row) => rowInEra(row, era) && (!row.arches || row.arches.includes(arch)));
}
