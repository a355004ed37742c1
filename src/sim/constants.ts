// The handful of VM_/MAP_ values the simulator itself needs, read from the model's symbol
// table (so an arch or a patch that moves a bit moves it here too). A name the model lacks
// becomes 0n: a flag that does not exist can never be set.
import type { KernelModel } from '../kernel/model';

export interface SimConstants {
  VM_READ: bigint; VM_WRITE: bigint; VM_EXEC: bigint; VM_SHARED: bigint;
  VM_MAYREAD: bigint; VM_MAYWRITE: bigint; VM_MAYEXEC: bigint; VM_MAYSHARE: bigint;
  VM_IO: bigint; VM_PFNMAP: bigint; VM_MIXEDMAP: bigint; VM_DONTEXPAND: bigint;
  VM_ACCOUNT: bigint; VM_NORESERVE: bigint; VM_HUGETLB: bigint; VM_LOCKED: bigint;
  VM_DONTCOPY: bigint; VM_WIPEONFORK: bigint; VM_DONTDUMP: bigint; VM_DROPPABLE: bigint;
  MAP_SHARED: bigint; MAP_PRIVATE: bigint; MAP_TYPE: bigint; MAP_ANONYMOUS: bigint;
  MAP_DROPPABLE: bigint; MAP_NORESERVE: bigint; MAP_FIXED: bigint;
  MADV_DONTFORK: bigint | undefined; MADV_DOFORK: bigint | undefined;
}

const cache = new WeakMap<KernelModel, SimConstants>();

export function simConstants(model: KernelModel): SimConstants {
  let c = cache.get(model);
  if (c) return c;
  const s = (name: string, fallback = 0n) => model.symbols.get(name) ?? fallback;
  c = {
    VM_READ: s('VM_READ', 0x1n), VM_WRITE: s('VM_WRITE', 0x2n), VM_EXEC: s('VM_EXEC', 0x4n),
    VM_SHARED: s('VM_SHARED', 0x8n), VM_MAYREAD: s('VM_MAYREAD', 0x10n),
    VM_MAYWRITE: s('VM_MAYWRITE', 0x20n), VM_MAYEXEC: s('VM_MAYEXEC', 0x40n),
    VM_MAYSHARE: s('VM_MAYSHARE', 0x80n),
    VM_IO: s('VM_IO'), VM_PFNMAP: s('VM_PFNMAP'), VM_MIXEDMAP: s('VM_MIXEDMAP'),
    VM_DONTEXPAND: s('VM_DONTEXPAND'), VM_ACCOUNT: s('VM_ACCOUNT'), VM_NORESERVE: s('VM_NORESERVE'),
    VM_HUGETLB: s('VM_HUGETLB'), VM_LOCKED: s('VM_LOCKED'), VM_DONTCOPY: s('VM_DONTCOPY'),
    VM_WIPEONFORK: s('VM_WIPEONFORK'), VM_DONTDUMP: s('VM_DONTDUMP'), VM_DROPPABLE: s('VM_DROPPABLE'),
    MAP_SHARED: s('MAP_SHARED', 0x1n), MAP_PRIVATE: s('MAP_PRIVATE', 0x2n), MAP_TYPE: s('MAP_TYPE', 0xfn),
    MAP_ANONYMOUS: s('MAP_ANONYMOUS', s('MAP_ANON')), MAP_DROPPABLE: s('MAP_DROPPABLE'),
    MAP_NORESERVE: s('MAP_NORESERVE'), MAP_FIXED: s('MAP_FIXED'),
    MADV_DONTFORK: model.symbols.get('MADV_DONTFORK'), MADV_DOFORK: model.symbols.get('MADV_DOFORK'),
  };
  cache.set(model, c);
  return c;
}

/** Names of the set bits of a vm_flags value, using the model's VM_ names (one per bit). */
export function vmFlagNames(model: KernelModel, flags: bigint): string[] {
  const names: string[] = [];
  const byBit = vmBitNames(model);
  for (let bit = 0n; bit < 64n; bit++) {
    const v = 1n << bit;
    if (flags & v) names.push(byBit.get(v) ?? `0x${v.toString(16)}`);
  }
  return names;
}

const bitNameCache = new WeakMap<KernelModel, Map<bigint, string>>();
function vmBitNames(model: KernelModel): Map<bigint, string> {
  let m = bitNameCache.get(model);
  if (m) return m;
  m = new Map();
  for (const [name, value] of model.symbols) {
    if (!name.startsWith('VM_') || value <= 0n || (value & (value - 1n)) !== 0n) continue;
    // First single-bit name wins; generic names come before arch aliases in the tables.
    if (!m.has(value) && !/^VM_(ARCH|HIGH_ARCH)_/.test(name)) m.set(value, name);
  }
  bitNameCache.set(model, m);
  return m;
}
