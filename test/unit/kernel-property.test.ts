import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ERAS, archesInEra, flagDefinitions, symbolTable, describeFlag, formatFlag, applyDefineChanges, detectEra, bitsOf,
} from '../../src/kernel/index';
import type { PatchSet, LineKind } from '../../src/patch/types';

test('every definition is consistent across symbolTable, describeFlag and formatFlag', () => {
  for (const era of ERAS) {
    for (const arch of archesInEra(era)) {
      const table = symbolTable(era, arch);
      const names = new Set<string>();
      for (const d of flagDefinitions(era, arch)) {
        assert.equal(names.has(d.name), false, `${era}/${arch} defines ${d.name} twice`);
        names.add(d.name);
        assert.equal(table.get(d.name), d.value, `${era}/${arch} ${d.name}`);
        const desc = describeFlag(d.name, { era, arch })!;
        assert.equal(desc.value, d.value);
        assert.equal(desc.header, d.header);
        if (d.namespace === 'VM' && !d.composite && bitsOf(d.value).length === 1) {
          const [b] = bitsOf(d.value);
          assert.equal(1n << BigInt(b!), d.value);
          assert.match(formatFlag(d.name, d.value), new RegExp(`, bit ${b}\\)$`));
          assert.equal(Boolean(d.only64), b! > 31, `${era}/${arch} ${d.name} only64`);
        }
      }
      // Within one arch and era, two single-bit VM flags never share a bit unless one is a
      // documented alias of VM_ARCH_1 / VM_HIGH_ARCH_n / a pkey bit.
      const seen = new Map<bigint, string>();
      for (const d of flagDefinitions(era, arch)) {
        if (d.namespace !== 'VM' || d.composite || d.value === 0n) continue;
        const prev = seen.get(d.value);
        if (prev) {
          const aliasy = /ARCH|PKEY|PAT|SAO|GROWSUP|ADI|BTI|MTE|MPX|SHADOW/;
          assert.ok(aliasy.test(prev) || aliasy.test(d.name), `${era}/${arch}: ${prev} and ${d.name} share ${d.value}`);
        } else seen.set(d.value, d.name);
      }
    }
  }
});

test('applyDefineChanges never mutates its input and ends in the last change per name', () => {
  const change = fc.record({
    name: fc.constantFrom('VM_A', 'VM_B', 'PROT_C', 'MADV_D', 'VM_DONTCOPY'),
    value: fc.option(fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), { nil: undefined }),
    change: fc.constantFrom('added' as const, 'removed' as const, 'changed' as const),
  });
  fc.assert(fc.property(fc.array(change, { maxLength: 12 }), (changes) => {
    const base = symbolTable('v6.12');
    const before = [...base];
    const out = applyDefineChanges(base, changes.map((c) => (c.value === undefined ? { name: c.name, change: c.change } : c)));
    assert.deepEqual([...base], before);
    const last = new Map(changes.map((c) => [c.name, c]));
    for (const [name, c] of last) {
      if (c.change === 'removed' || c.value === undefined) assert.equal(out.has(name), false);
      else assert.equal(out.get(name), BigInt.asUintN(64, c.value));
    }
  }), { numRuns: 200, seed: 42 });
});

test('detectEra never throws and always answers an era with clues', () => {
  const line = fc.record({ kind: fc.constantFrom<LineKind>('+', '-', ' '), text: fc.string({ maxLength: 60 }) });
  fc.assert(fc.property(fc.array(line, { maxLength: 8 }), fc.option(fc.string({ maxLength: 40 }), { nil: null }), fc.string({ maxLength: 30 }), (lines, date, path) => {
    const ps: PatchSet = {
      problems: [],
      patches: [{
        subject: null, version: null, index: null, total: null, from: null, date, line: 1, message: '', isCoverLetter: false, quoteDepth: 0,
        files: [{ oldPath: path, newPath: path, line: 2, hunks: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 0, header: path, functionName: null, line: 3, column: 1, lines: lines.map((l, i) => ({ ...l, line: 4 + i, column: 2 })) }] }],
      }],
    };
    const r = detectEra(ps);
    assert.ok(ERAS.includes(r.era));
    assert.ok(r.clues.length >= 1);
  }), { numRuns: 300, seed: 7 });
});
