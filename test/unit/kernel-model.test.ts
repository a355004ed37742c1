import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  kernelModel, parseEra, ERAS, LATEST_ERA, archesInEra, DOORBELL_PRESETS, doorbellVmaFlags, symbolTable,
} from '../../src/kernel/index';

const ALL64 = (1n << 64n) - 1n;

test('parseEra', () => {
  assert.equal(parseEra('latest'), 'v6.12');
  assert.equal(LATEST_ERA, 'v6.12');
  assert.equal(parseEra('v2.6.16'), 'v2.6.16');
  assert.equal(parseEra('5.4'), 'v5.4');
  assert.equal(parseEra('V6.12'), 'v6.12');
  assert.equal(parseEra('v5.10'), null);
  assert.equal(parseEra('auto'), null);
});

test('every era/arch model builds; arm64 only where it exists', () => {
  for (const era of ERAS) for (const arch of archesInEra(era)) assert.equal(kernelModel(era, arch).arch, arch);
  assert.throws(() => kernelModel('v2.6.13', 'arm64'), /no arm64 port/);
});

test('mprotect: kept mask and access check per era', () => {
  assert.equal(kernelModel('v2.6.13').mprotectKept, ALL64 ^ 7n);
  assert.deepEqual(kernelModel('v2.6.13').mprotectAccessCheck, { shift: 4, mask: 0xfn });
  assert.deepEqual(kernelModel('v2.6.16').mprotectAccessCheck, { shift: 4, mask: 0x7n });
  assert.deepEqual(kernelModel('v6.12').mprotectAccessCheck, { shift: 4, mask: 0x7n });
  // VM_DONTCOPY survives mprotect in every era.
  for (const era of ERAS) assert.notEqual(kernelModel(era).mprotectKept & 0x20000n, 0n, era);
  // pkey bits are recomputed by mprotect on x86 (VM_FLAGS_CLEAR), ADI on sparc.
  assert.equal(kernelModel('v6.12', 'x86').mprotectKept & 0xf00000000n, 0n);
  assert.equal(kernelModel('v6.12', 'sparc').mprotectKept & 0x01000000n, 0n);
  assert.notEqual(kernelModel('v6.12', 'generic').mprotectKept & 0x01000000n, 0n);
});

test('prot translation and validity', () => {
  const g = kernelModel('v6.12');
  assert.deepEqual(g.protToVm.map((t) => [t.fromName, t.toName]), [['PROT_READ', 'VM_READ'], ['PROT_WRITE', 'VM_WRITE'], ['PROT_EXEC', 'VM_EXEC']]);
  assert.equal(g.protValid, 0xfn);
  assert.equal(kernelModel('v6.12', 'mips').protValid, 0x17n);
  const ppc = kernelModel('v6.12', 'powerpc');
  assert.ok(ppc.protToVm.some((t) => t.fromName === 'PROT_SAO' && t.to === 0x01000000n));
  assert.equal(ppc.protValid, 0x1fn);
  const arm = kernelModel('v6.12', 'arm64');
  assert.equal(arm.protValid, 0x3fn);
  assert.equal(kernelModel('v5.4', 'arm64').protValid, 0xfn);
});

test('map translation', () => {
  const names = (era: never) => kernelModel(era).mapToVm.map((t) => t.fromName);
  assert.deepEqual(names('v2.6.13' as never), ['MAP_GROWSDOWN', 'MAP_DENYWRITE', 'MAP_EXECUTABLE', 'MAP_LOCKED']);
  assert.deepEqual(names('v5.4' as never), ['MAP_GROWSDOWN', 'MAP_DENYWRITE', 'MAP_LOCKED', 'MAP_SYNC']);
  assert.deepEqual(names('v6.12' as never), ['MAP_GROWSDOWN', 'MAP_LOCKED', 'MAP_SYNC', 'MAP_STACK']);
  const mips = kernelModel('v6.12', 'mips').mapToVm;
  assert.equal(mips.find((t) => t.fromName === 'MAP_LOCKED')!.from, 0x8000n);
  assert.equal(mips.find((t) => t.fromName === 'MAP_SYNC'), undefined);
});

test('madvise tables per era', () => {
  const names = (era: never) => [...kernelModel(era).madvise.values()].map((b) => b.name).sort();
  assert.deepEqual(names('v2.6.13' as never), ['MADV_DONTNEED', 'MADV_NORMAL', 'MADV_RANDOM', 'MADV_SEQUENTIAL', 'MADV_WILLNEED']);
  assert.deepEqual(names('v2.6.16' as never), ['MADV_DOFORK', 'MADV_DONTFORK', 'MADV_DONTNEED', 'MADV_NORMAL', 'MADV_RANDOM', 'MADV_REMOVE', 'MADV_SEQUENTIAL', 'MADV_WILLNEED']);
  const m16 = kernelModel('v2.6.16').madvise;
  const dofork = m16.get(11n)!;
  assert.equal(dofork.clear, 0x20000n);
  assert.deepEqual(dofork.guards, [{ anyFlags: 0x4000n, errno: 'EINVAL' }]);
  assert.equal(m16.get(10n)!.set, 0x20000n);
  assert.equal(m16.get(10n)!.writeLock, true);
  const m54 = kernelModel('v5.4').madvise;
  const wipe = m54.get(18n)!;
  assert.equal(wipe.set, 0x02000000n);
  assert.deepEqual(wipe.guards, [{ fileOrShared: true, errno: 'EINVAL' }]);
  assert.equal(m54.get(19n)!.clear, 0x02000000n);
  assert.equal(m54.get(4n)!.writeLock, false);
  assert.equal(m54.get(22n), undefined);
  assert.ok(kernelModel('v6.12').madvise.get(25n));
  assert.equal(kernelModel('v6.12').madvise.get(102n), undefined, 'GUARD_INSTALL is 6.13');
  // parisc before 6.2 keys WIPEONFORK by 71.
  assert.equal(kernelModel('v5.4', 'parisc').madvise.get(71n)!.name, 'MADV_WIPEONFORK');
  assert.equal(kernelModel('v5.4', 'parisc').madvise.get(18n), undefined);
  assert.equal(kernelModel('v5.4', 'alpha').madvise.get(6n)!.name, 'MADV_DONTNEED');
});

test('fork, fault and gup policies per era', () => {
  const f13 = kernelModel('v2.6.13');
  assert.deepEqual(f13.fork, { skipFlags: 0x20000n, wipeFlags: 0n, childClear: 0x2000n, copyPinnedAnon: false });
  assert.equal(f13.fault.cowReuse, 'mapcount');
  assert.equal(f13.gup.ibRegistration, 'get_user_pages_write');
  const f54 = kernelModel('v5.4');
  assert.deepEqual(f54.fork, { skipFlags: 0x20000n, wipeFlags: 0x02000000n, childClear: 0x82000n, copyPinnedAnon: false });
  assert.equal(f54.gup.hasFollPin, false);
  const f612 = kernelModel('v6.12');
  assert.equal(f612.fork.copyPinnedAnon, true);
  assert.deepEqual(f612.fault, { cowReuse: 'exclusive', anonExclusive: true });
  assert.deepEqual(f612.gup, { hasFollPin: true, readPinUnshares: true, ibRegistration: 'pin_user_pages_longterm' });
  assert.equal(f612.hasVmFlagsHelpers, true);
  assert.equal(f612.hasMmapLock, true);
  assert.equal(f54.hasMmapLock, false);
});

test('doorbell flags: 2005 design by default, mainline preset without VM_DONTCOPY', () => {
  assert.equal(kernelModel('v6.12').doorbellFlags, 0x4000n | 0x400n | 0x20000n | 0x40000n);
  assert.equal(DOORBELL_PRESETS.mainline['v6.12'], 0x4000n | 0x400n | 0x40000n | 0x04000000n);
  assert.equal(DOORBELL_PRESETS.mainline['v6.12'] & 0x20000n, 0n);
  assert.equal(kernelModel('v2.6.13').doorbellFlags, 0x4000n | 0x80000n | 0x20000n | 0x40000n);
  const all = doorbellVmaFlags(kernelModel('v6.12'));
  assert.equal(all & 0xffn, 0xffn - 0x4n, 'R/W/SHARED and the four MAY bits, no VM_EXEC');
});

test('models are immutable values', () => {
  const m = kernelModel('v6.12');
  assert.ok(Object.isFrozen(m));
  assert.ok(Object.isFrozen(m.fork));
  assert.ok(Object.isFrozen(m.protToVm));
  assert.throws(() => { (m as { mprotectKept: bigint }).mprotectKept = 0n; });
  assert.throws(() => (m.symbols as Map<string, bigint>).set('VM_DONTCOPY', 0n));
  assert.throws(() => (m.madvise as Map<bigint, unknown>).delete(10n));
  assert.ok(Object.isFrozen(m.madvise.get(11n)!.guards));
  // a derived model by copying works and leaves the preset alone
  const patched = { ...m, mprotectKept: m.mprotectKept & ~0x20000n, symbols: new Map(m.symbols) };
  patched.symbols.set('PROT_DONTCOPY', 0x04000000n);
  assert.equal(kernelModel('v6.12').symbols.has('PROT_DONTCOPY'), false);
  assert.notEqual(kernelModel('v6.12').mprotectKept & 0x20000n, 0n);
  // symbolTable hands out fresh copies
  symbolTable('v6.12').set('VM_DONTCOPY', 1n);
  assert.equal(symbolTable('v6.12').get('VM_DONTCOPY'), 0x20000n);
});

test('arch details: parisc keeps accepting its pre-6.2 advice numbers, arm64 recomputes BTI', () => {
  const p = kernelModel('v6.12', 'parisc').madvise;
  assert.equal(p.get(71n)!.name, 'MADV_WIPEONFORK');
  assert.equal(p.get(18n)!.name, 'MADV_WIPEONFORK');
  assert.equal(kernelModel('v5.4', 'generic').madvise.get(71n), undefined);
  assert.equal(kernelModel('v6.12', 'arm64').mprotectKept & 0x01000000n, 0n);
  assert.notEqual(kernelModel('v5.4', 'arm64').mprotectKept & 0x01000000n, 0n);
  // MADV_FREE refuses file-backed/shared and locked vmas
  const free = kernelModel('v5.4').madvise.get(8n)!;
  assert.ok(free.guards.some((g) => g.fileOrShared));
  assert.ok(free.guards.some((g) => g.anyFlags !== undefined && (g.anyFlags & 0x2000n) !== 0n));
});
