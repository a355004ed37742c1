// Which architecture a kernel path belongs to (old include/asm-ARCH/ and arch/ARCH/ layouts).
import type { ArchId } from '../kernel/model';

const ARCH_DIRS: Record<string, ArchId> = {
  i386: 'x86', x86_64: 'x86', x86: 'x86', ppc: 'powerpc', ppc64: 'powerpc', powerpc: 'powerpc', sparc: 'sparc', sparc64: 'sparc',
  mips: 'mips', parisc: 'parisc', alpha: 'alpha', xtensa: 'xtensa', arm64: 'arm64',
};

// The answer depends on the path text only, and the rules and the bridge ask it for the same
// few paths many times per document (MM004: every define on every arch).
const archByPath = new Map<string, ArchId | 'generic' | null>();

/** The architecture a header path belongs to. */
export function archOfPath(path: string | null): ArchId | 'generic' | null {
  if (!path) return null;
  let arch = archByPath.get(path);
  if (arch === undefined) {
    // A long-lived engine (the extension, `mmlens server`) sees paths without end: bounded.
    if (archByPath.size >= 10_000) archByPath.clear();
    archByPath.set(path, (arch = readArch(path)));
  }
  return arch;
}

function readArch(path: string): ArchId | 'generic' | null {
  const m = /^(?:include\/asm-([\w-]+)\/|arch\/([\w-]+)\/)/.exec(path);
  const a = m ? (m[1] ?? m[2])! : null;
  if (!a) return /^include\/(uapi\/)?(asm-generic|linux)\//.test(path) ? 'generic' : null;
  if (a === 'generic') return 'generic';
  // Own keys only: `arch/constructor/` names no architecture.
  return Object.hasOwn(ARCH_DIRS, a) ? ARCH_DIRS[a]! : null;
}
