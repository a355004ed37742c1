import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  symbolTable, flagDefinitions, describeFlag, findValueCollisions, formatFlag, formatFlagSet, applyDefineChanges,
  ERAS, archesInEra, uapiHeaders, valuesAcrossArches,
} from '../../src/kernel/index';

test('MAP_ANONYMOUS per arch (v6.12)', () => {
  const expect: Record<string, bigint> = { generic: 0x20n, alpha: 0x10n, parisc: 0x10n, mips: 0x800n, xtensa: 0x800n, sparc: 0x20n, powerpc: 0x20n, arm64: 0x20n, x86: 0x20n };
  for (const [arch, v] of Object.entries(expect)) {
    assert.equal(symbolTable('v6.12', arch as never).get('MAP_ANONYMOUS'), v, arch);
  }
});

test('MADV_DONTNEED is 6 on alpha and 4 elsewhere, in every era', () => {
  for (const era of ERAS) {
    assert.equal(symbolTable(era, 'alpha').get('MADV_DONTNEED'), 6n, era);
    assert.equal(symbolTable(era, 'generic').get('MADV_DONTNEED'), 4n, era);
    assert.equal(symbolTable(era, 'mips').get('MADV_DONTNEED'), 4n, era);
  }
});

test('parisc MADV values: 65.. before 6.2, generic in v6.12', () => {
  const p54 = symbolTable('v5.4', 'parisc');
  assert.equal(p54.get('MADV_WIPEONFORK'), 71n);
  assert.equal(p54.get('MADV_KEEPONFORK'), 72n);
  assert.equal(p54.get('MADV_DONTDUMP'), 69n);
  assert.equal(p54.get('MADV_MERGEABLE'), 65n);
  const p612 = symbolTable('v6.12', 'parisc');
  assert.equal(p612.get('MADV_WIPEONFORK'), 18n);
  assert.equal(p612.get('MADV_DONTDUMP'), 16n);
});

test('MADV_DONTFORK/DOFORK: absent in 2.6.13, 10/11 on every arch afterwards', () => {
  for (const arch of archesInEra('v2.6.13')) {
    assert.equal(symbolTable('v2.6.13', arch).has('MADV_DONTFORK'), false, arch);
  }
  for (const era of ['v2.6.16', 'v5.4', 'v6.12'] as const) {
    for (const arch of archesInEra(era)) {
      const t = symbolTable(era, arch);
      assert.equal(t.get('MADV_DONTFORK'), 10n, `${era} ${arch}`);
      assert.equal(t.get('MADV_DOFORK'), 11n, `${era} ${arch}`);
    }
  }
});

test('VM_DONTCOPY is 0x20000 in every era on every arch; VM_WIPEONFORK only from v5.4', () => {
  for (const era of ERAS) {
    for (const arch of archesInEra(era)) {
      const t = symbolTable(era, arch);
      assert.equal(t.get('VM_DONTCOPY'), 0x20000n, `${era} ${arch}`);
      assert.equal(t.has('VM_WIPEONFORK'), era === 'v5.4' || era === 'v6.12', `${era} ${arch}`);
    }
  }
  assert.equal(symbolTable('v5.4').get('VM_WIPEONFORK'), 0x02000000n);
});

test('era differences of VM bits', () => {
  const t13 = symbolTable('v2.6.13');
  const t16 = symbolTable('v2.6.16');
  const t54 = symbolTable('v5.4');
  const t612 = symbolTable('v6.12');
  assert.equal(t13.get('VM_RESERVED'), 0x80000n);
  assert.equal(t13.get('VM_NONLINEAR'), 0x800000n);
  assert.equal(t13.has('VM_PFNMAP'), false);
  assert.equal(t16.get('VM_PFNMAP'), 0x400n);
  assert.equal(t16.get('VM_INSERTPAGE'), 0x02000000n);
  assert.equal(t54.has('VM_ACCESS_FLAGS'), false);
  assert.equal(t612.get('VM_ACCESS_FLAGS'), 7n);
  assert.equal(t54.get('VM_LOCKONFAULT'), 0x80000n);
  assert.equal(t612.get('VM_SPECIAL'), 0x10044400n);
  assert.equal(t612.get('VM_LOCKED_MASK'), 0x82000n);
  assert.equal(t612.has('VM_DENYWRITE'), false);
  assert.equal(t54.get('VM_DENYWRITE'), 0x800n);
});

test('VM bits above 31 are marked 64-bit only', () => {
  const defs = flagDefinitions('v6.12', 'x86').filter((d) => d.namespace === 'VM' && !d.composite);
  for (const d of defs) {
    assert.equal(Boolean(d.only64), d.value > 0xffffffffn, d.name);
  }
  assert.ok(defs.some((d) => d.name === 'VM_PKEY_BIT0' && d.value === 1n << 32n));
});

test('headers follow each era layout', () => {
  const d = (era: never, arch: never, name: string) => flagDefinitions(era, arch).find((x) => x.name === name)!;
  assert.equal(d('v2.6.13' as never, 'generic' as never, 'PROT_READ').header, 'include/asm-i386/mman.h');
  assert.equal(d('v2.6.16' as never, 'generic' as never, 'MADV_DONTFORK').header, 'include/asm-generic/mman.h');
  assert.equal(d('v2.6.16' as never, 'alpha' as never, 'MADV_DONTFORK').header, 'include/asm-alpha/mman.h');
  assert.equal(d('v6.12' as never, 'generic' as never, 'MADV_DONTFORK').header, 'include/uapi/asm-generic/mman-common.h');
  assert.equal(d('v6.12' as never, 'generic' as never, 'MAP_SHARED').header, 'include/uapi/linux/mman.h');
  assert.equal(d('v6.12' as never, 'generic' as never, 'MAP_LOCKED').header, 'include/uapi/asm-generic/mman.h');
  assert.equal(d('v6.12' as never, 'mips' as never, 'MAP_ANONYMOUS').header, 'arch/mips/include/uapi/asm/mman.h');
  assert.equal(d('v6.12' as never, 'x86' as never, 'MAP_32BIT').header, 'arch/x86/include/uapi/asm/mman.h');
  assert.equal(d('v6.12' as never, 'generic' as never, 'VM_DONTCOPY').header, 'include/linux/mm.h');
  for (const arch of ['alpha', 'mips', 'parisc', 'xtensa'] as const) {
    assert.equal(uapiHeaders('v6.12', arch).standalone, true, arch);
    assert.equal(uapiHeaders('v6.12', arch).includesGeneric, false, arch);
  }
  for (const arch of ['sparc', 'powerpc', 'x86', 'arm64'] as const) assert.equal(uapiHeaders('v6.12', arch).includesGeneric, true, arch);
  assert.deepEqual(archesInEra('v2.6.13').includes('arm64'), false);
});

test('PROT extras per arch', () => {
  assert.equal(symbolTable('v6.12', 'mips').get('PROT_SEM'), 0x10n);
  assert.equal(symbolTable('v6.12', 'xtensa').get('PROT_SEM'), 0x10n);
  assert.equal(symbolTable('v6.12', 'generic').get('PROT_SEM'), 0x8n);
  assert.equal(symbolTable('v6.12', 'powerpc').get('PROT_SAO'), 0x10n);
  assert.equal(symbolTable('v6.12', 'sparc').get('PROT_ADI'), 0x10n);
  assert.equal(symbolTable('v6.12', 'arm64').get('PROT_BTI'), 0x10n);
  assert.equal(symbolTable('v6.12', 'arm64').get('PROT_MTE'), 0x20n);
  assert.equal(symbolTable('v5.4', 'arm64').has('PROT_BTI'), false);
});

test('collisions across arches', () => {
  const c = findValueCollisions('PROT', 0x10n, 'v6.12').map((d) => `${d.name}@${d.arch}`).sort();
  assert.deepEqual(c, ['PROT_ADI@sparc', 'PROT_BTI@arm64', 'PROT_SAO@powerpc', 'PROT_SEM@mips', 'PROT_SEM@xtensa']);
  const m = findValueCollisions('MADV', 71n, 'v5.4').map((d) => `${d.name}@${d.arch}`);
  assert.deepEqual(m, ['MADV_WIPEONFORK@parisc']);
  assert.deepEqual(findValueCollisions('MADV', 71n, 'v6.12'), []);
  // A would-be PROT_DONTCOPY of 0x10 collides with the arch extras, 0x4000000 with nothing.
  assert.deepEqual(findValueCollisions('PROT', 0x04000000n, 'v2.6.13'), []);
});

test('describeFlag by name and by value', () => {
  const d = describeFlag('VM_DONTCOPY', { era: 'v2.6.13' })!;
  assert.equal(d.value, 0x20000n);
  assert.deepEqual(d.bits, [17]);
  assert.equal(d.header, 'include/linux/mm.h');
  assert.match(d.hover, /VM_DONTCOPY \(0x00020000, bit 17\)/);
  const v = describeFlag(0x80000n, { era: 'v2.6.13' })!;
  assert.equal(v.name, 'VM_RESERVED');
  const v2 = describeFlag('0x80000', { era: 'v6.12' })!;
  assert.equal(v2.name, 'VM_LOCKONFAULT');
  const p = describeFlag('PROT_SEM', { era: 'v6.12', arch: 'generic' })!;
  assert.ok(p.collisions.some((c) => c.name === 'PROT_SEM' && c.arch === 'mips') === false, 'PROT_SEM on mips has another value');
  const m = describeFlag('MAP_FIXED', { era: 'v6.12', arch: 'generic' })!;
  assert.ok(m.collisions.some((c) => c.name === 'MAP_ANONYMOUS' && c.arch === 'alpha'));
  assert.equal(describeFlag('VM_NO_SUCH_FLAG'), null);
  const w = describeFlag('MADV_WIPEONFORK', { era: 'v5.4', arch: 'generic' })!;
  assert.equal(w.value, 18n);
  assert.ok(!w.collisions.some((c) => c.arch === 'parisc'));
});

test('formatFlag and formatFlagSet', () => {
  assert.equal(formatFlag('VM_DONTCOPY', 0x20000n), 'VM_DONTCOPY (0x00020000, bit 17)');
  assert.equal(formatFlag('VM_PKEY_BIT0', 1n << 32n), 'VM_PKEY_BIT0 (0x0000000100000000, bit 32)');
  assert.equal(formatFlag('MADV_DONTFORK', 10n), 'MADV_DONTFORK (10)');
  assert.equal(formatFlag('VM_READHINTMASK', 0x18000n), 'VM_READHINTMASK (0x00018000, bits 15,16)');
  assert.equal(formatFlagSet(0x24000n, 'VM', 'v6.12'), 'VM_IO | VM_DONTCOPY (0x00024000)');
  assert.equal(formatFlagSet(0x80000n, 'VM', 'v2.6.13'), 'VM_RESERVED (0x00080000)');
  assert.equal(formatFlagSet(0x800n, 'VM', 'v6.12'), 'bit 11 (0x00000800)');
  assert.equal(formatFlagSet(10n, 'MADV', 'v6.12'), 'MADV_DONTFORK (10)');
});

test('applyDefineChanges adds, changes and removes without touching the input', () => {
  const base = symbolTable('v2.6.13');
  const out = applyDefineChanges(base, [
    { name: 'PROT_DONTCOPY', value: 0x04000000n, change: 'added', path: 'include/asm-i386/mman.h', line: 10, column: 2 },
    { name: 'VM_DONTCOPY', value: 0x40000n, change: 'changed', path: 'include/linux/mm.h', line: 20, column: 2 },
    { name: 'VM_RESERVED', change: 'removed', path: 'include/linux/mm.h', line: 21, column: 2 },
    { name: 'VM_WEIRD', change: 'added', path: 'include/linux/mm.h', line: 22, column: 2 },
  ]);
  assert.equal(out.get('PROT_DONTCOPY'), 0x04000000n);
  assert.equal(out.get('VM_DONTCOPY'), 0x40000n);
  assert.equal(out.has('VM_RESERVED'), false);
  assert.equal(out.has('VM_WEIRD'), false);
  assert.equal(base.get('VM_DONTCOPY'), 0x20000n);
  assert.equal(base.has('PROT_DONTCOPY'), false);
});

test('valuesAcrossArches reports arches lacking a name', () => {
  const v = valuesAcrossArches('MAP_SYNC', 'v6.12');
  assert.equal(v.find((x) => x.arch === 'generic')!.value, 0x80000n);
  assert.equal(v.find((x) => x.arch === 'mips')!.value, null);
});

test('2.6 headers: compatibility names and arch-only advice (checked against 2.6.12-rc2 headers)', () => {
  assert.equal(symbolTable('v2.6.13', 'mips').get('MAP_ANON'), 0x800n);
  assert.equal(symbolTable('v2.6.13', 'alpha').get('MAP_ANON'), 0x10n);
  assert.equal(symbolTable('v2.6.16', 'generic').get('MAP_ANON'), 0x20n);
  assert.equal(symbolTable('v6.12', 'generic').has('MAP_ANON'), false);
  assert.equal(symbolTable('v2.6.13', 'sparc').get('MADV_FREE'), 5n);
  assert.equal(symbolTable('v5.4', 'sparc').get('MADV_FREE'), 8n);
  assert.equal(symbolTable('v2.6.13', 'parisc').get('MADV_4K_PAGES'), 12n);
  assert.equal(symbolTable('v2.6.13', 'parisc').get('MADV_64M_PAGES'), 26n);
  assert.equal(symbolTable('v2.6.13', 'parisc').get('MAP_TYPE'), 0x03n);
  assert.equal(symbolTable('v2.6.13', 'generic').get('VM_MAPPED_COPY'), 0x01000000n);
  const five = findValueCollisions('MADV', 5n, 'v2.6.13').map((d) => `${d.name}@${d.arch}`).sort();
  assert.deepEqual(five, ['MADV_FREE@sparc', 'MADV_SPACEAVAIL@alpha', 'MADV_SPACEAVAIL@parisc']);
});

test('describeFlag lists the arches where the same name has another value', () => {
  const w = describeFlag('MADV_WIPEONFORK', { era: 'v5.4', arch: 'generic' })!;
  assert.deepEqual(w.variants.map((v) => [v.arch, v.value]), [['parisc', 71n]]);
  assert.match(w.hover, /Differs on: parisc 71/);
  const a = describeFlag('MAP_ANONYMOUS', { era: 'v6.12', arch: 'generic' })!;
  assert.deepEqual(a.variants.map((v) => v.arch).sort(), ['alpha', 'mips', 'parisc', 'xtensa']);
  const s = describeFlag('MAP_SYNC', { era: 'v6.12', arch: 'x86' })!;
  assert.ok(s.variants.some((v) => v.arch === 'mips' && v.value === null));
  assert.deepEqual(describeFlag('VM_DONTCOPY', { era: 'v6.12' })!.variants, []);
});
