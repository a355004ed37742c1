// Which architecture a kernel path belongs to (old include/asm-ARCH/ and arch/ARCH/ layouts).
import type { ArchId } from '../kernel/model';

/** The architecture a header path belongs to. */
export function archOfPath(path: string | null): ArchId | 'generic' | null {
  if (!path) return null;
  const m = /^(?:include\/asm-([\w-]+)\/|arch\/([\w-]+)\/)/.exec(path);
  const a = m ? (m[1] ?? m[2])! : null;
  if (!a) return /^include\/(uapi\/)?(asm-generic|linux)\//.test(path) ? 'generic' : null;
  if (a === 'generic') return 'generic';
  const map: Record<string, ArchId> = {
    i386: 'x86', x86_64: 'x86', x86: 'x86', ppc: 'powerpc', ppc64: 'powerpc', powerpc: 'powerpc', sparc: 'sparc', sparc64: 'sparc',
    mips: 'mips', parisc: 'parisc', alpha: 'alpha', xtensa: 'xtensa', arm64: 'arm64',
  };
  return map[a] ?? null;
}

