// Every rule on its fixtures: the ones that must fire (with the line) and the ones that must
// stay silent (clean patches, behaviour-preserving refactors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { checkText } from '../../src/rules/check';
import { checkFixture, byRule } from './rules-helpers';

const DIR = 'test-fixtures/rules';

/** fixture -> rule -> document lines where it must fire. */
const FIRES: Record<string, Record<string, number[]>> = {
  'mm000-truncated.patch': { MM000: [3], MM002: [8] },
  'mm001-prot-dontfork-generic.patch': { MM001: [12] },
  'mm001-prot-translated-to-locked.patch': { MM001: [7] },
  'mm002-inline-dontcopy.patch': { MM002: [9] },
  'mm002-macro-in-patch.patch': { MM002: [28] },
  'mm002-quoted-printable.eml': { MM001: [35], MM002: [65] },
  'mm002-split-statements.patch': { MM002: [9] },
  'mm002-keeps-exec.patch': { MM002: [8] },
  'mm003-mask-drops-write.patch': { MM003: [8] },
  'mm003-wrong-shift.patch': { MM003: [8] },
  'mm003-new-bit-in-range.patch': { MM003: [8, 14, 15, 16, 17], MM005: [17] },
  'mm004-madv-collides-generic.patch': { MM004: [11, 11] },
  'mm004-map-collides-arch.patch': { MM004: [7] },
  'mm004-missing-standalone-arch.patch': { MM004: [12] },
  // An alias is not a collision, but it is still missing where the generic header is not included.
  'mm004-alias.patch': { MM004: [7] },
  'mm005-vm-collides.patch': { MM005: [7] },
  'mm005-vm-high-bit-unguarded.patch': { MM005: [7] },
  'mm006-prot-in-vm-flags.patch': { MM006: [8] },
  'mm006-map-into-vm-flags.patch': { MM006: [7] },
  'mm006-vm-in-prot.patch': { MM006: [7] },
  'mm007-case-not-valid.patch': { MM007: [23] },
  'mm007-case-not-valid-visible.patch': { MM007: [12] },
  'mm007-valid-not-handled.patch': { MM007: [7] },
  'mm007-read-lock.patch': { MM007: [7] },
  'mm008-dofork-guard-removed.patch': { MM008: [13] },
  'mm008-new-advice-clears-dontcopy.patch': { MM008: [7] },
  'mm008-driver-drops-dontcopy.patch': { MM008: [8] },
  'mm009-direct-write.patch': { MM009: [12, 13, 21] },
  'mm010-gup-for-dma.patch': { MM010: [16] },
  'mm010-pin-without-longterm.patch': { MM010: [7] },
  'mm010-old-gup-no-dontfork.patch': { MM010: [7] },
  // Review: new spellings and eras (do_mprotect_pkey, 2.6 asm-ARCH headers, 5.4 vs 6.12).
  'mm002-pkey-mask-variable.patch': { MM002: [16] },
  'mm002-locked-two-statements.patch': { MM002: [8] },
  'mm002-hex-literal.patch': { MM002: [8] },
  'mm002-chained-not.patch': { MM002: [8] },
  'mm002-54-mask-continuation.patch': { MM002: [9] },
  'mm001-i386-prot-nofork.patch': { MM001: [11] },
  'mm001-neutral-name-translated.patch': { MM001: [8], MM004: [8, 8] },
  'mm003-access-flags-drops-write.patch': { MM003: [8] },
  'mm003-shift-3.patch': { MM003: [8] },
  // The check split over a temporary: only VM_EXEC is no longer tested (not all three bits).
  'mm003-temp-variable-drops-exec.patch': { MM003: [9] },
  // ((f >> 4) ^ f) & f & M is the access check too; judged by what it computes.
  'mm003-xor-spelling-drops-write.patch': { MM003: [12] },
  'mm004-parisc-pre62-madv.patch': { MM004: [8, 8, 20] },
  'mm004-alpha-mips-map-2616.patch': { MM004: [8, 18] },
  // 6.12 parisc: 67 is free in the header but its madvise() still maps 67 to MADV_HUGEPAGE.
  'mm004-parisc-612-old-number.patch': { MM004: [13] },
  'mm004-prot-generic-arch-bits.patch': { MM004: [8, 8, 8, 8] },
  'mm005-rdma-pinned-dontcopy.patch': { MM005: [7] },
  'mm005-bit40-unguarded.patch': { MM005: [7, 7] },
  'mm005-high-bit-in-32bit-branch.patch': { MM005: [10, 10] },
  'mm006-madv-in-vm-flags.patch': { MM006: [7], MM009: [7] },
  'mm006-vm-exec-in-prot.patch': { MM006: [7] },
  'mm006-map-in-vm-flags-set.patch': { MM006: [7] },
  // VM_ bits passed as vm_mmap()'s prot/flags, calc_vm_prot_bits()'s prot, calc_vm_flag_bits()'s (6.12) flags.
  'mm006-vm-into-prot-arguments.patch': { MM006: [7, 7, 7, 8, 8] },
  'mm007-whitelist-54-missing.patch': { MM007: [21], MM008: [21], MM004: [10] },
  'mm008-612-dofork-guard-removed.patch': { MM008: [7] },
  // madvise_need_mmap_write()'s `return 0;` is outside the 3-line window.
  'mm007-612-read-lock-window.patch': { MM007: [7] },
  'mm009-612-driver-set-clear.patch': { MM009: [7, 8] },
  'mm009-612-self-update.patch': { MM009: [7] },
  'mm010-2616-gup-8-args.patch': { MM010: [11] },
  'mm010-612-gup-fast-write.patch': { MM010: [7] },
  'mm010-54-gup-flags.patch': { MM010: [6] },
  'mm010-pin-remote-no-longterm.patch': { MM010: [7] },
  // for_each_vma_range() is a macro tree-sitter cannot parse as a loop; the mask is still read.
  'mm002-612-for-each-vma-range.patch': { MM002: [18] },
  'mm008-612-driver-helper-drops-dontcopy.patch': { MM008: [8] },
  // The clear goes through a mask macro the patch defines (VM_WIPEONFORK is not driver-owned).
  'mm008-54-macro-mask-clear.patch': { MM008: [16], MM007: [16] },
};

/** fixture -> rules that must not fire on it. */
const SILENT: Record<string, string[]> = {
  'clean-comment-only.patch': ['MM000', 'MM001', 'MM002', 'MM003', 'MM004', 'MM005', 'MM006', 'MM007', 'MM008', 'MM009', 'MM010'],
  'mm001-clean-arch-access.patch': ['MM001', 'MM004'],
  'mm002-clean-access-flags.patch': ['MM002', 'MM003'],
  'mm002-clean-reformat.patch': ['MM002', 'MM006'],
  'mm002-clean-arch-clear.patch': ['MM002', 'MM003', 'MM005'],
  'mm003-clean-mask-spelling.patch': ['MM003'],
  'mm004-clean-all-arches.patch': ['MM004'],
  'mm005-clean-high-bit-guarded.patch': ['MM005'],
  'mm005-clean-bit-numbers.patch': ['MM003', 'MM005'],
  'mm006-clean-calc.patch': ['MM006'],
  'mm007-clean-complete.patch': ['MM007'],
  'mm007-clean-read-lock.patch': ['MM007'],
  'mm008-clean-guard-kept.patch': ['MM008'],
  'mm008-clean-new-advice-guarded.patch': ['MM008'],
  'mm008-clean-guard-elsewhere.patch': ['MM007', 'MM008'],
  'mm009-clean-helpers.patch': ['MM009'],
  'mm009-old-era-direct-write.patch': ['MM009'],
  'mm010-clean-pin-longterm.patch': ['MM010'],
  'mm010-clean-short-term.patch': ['MM010'],
  'mm010-old-gup-with-dontfork.patch': ['MM010'],
  'mm002-clean-named-mask.patch': ['MM002', 'MM003', 'MM006'],
  'mm002-clean-pkey-spelled-out.patch': ['MM002', 'MM003'],
  'mm001-clean-prot-sao-comment.patch': ['MM001', 'MM004'],
  'mm003-clean-access-flags-spelled-out.patch': ['MM002', 'MM003'],
  'mm004-clean-guard-advices-all-arches.patch': ['MM004'],
  'mm003-clean-temp-variable.patch': ['MM003'],
  'mm003-clean-xor-spelling.patch': ['MM002', 'MM003'],
  'mm008-clean-driver-uses-helper.patch': ['MM008', 'MM009'],
  'mm008-clean-dofork-case-moved.patch': ['MM007', 'MM008'],
  'mm005-clean-bit41-guarded.patch': ['MM005'],
  'mm006-clean-split-translation.patch': ['MM006'],
  // The MM007 quick fix applied to mm007-whitelist-54-missing.patch.
  'mm007-whitelist-54-fixed.patch': ['MM000', 'MM007'],
  'mm008-clean-guard-reworded.patch': ['MM008'],
  'mm007-clean-612-read-lock-window.patch': ['MM007'],
  // 2.6.16: madvise_vma() dispatches the new advice and madvise_behavior() handles it.
  'mm007-clean-2616-dispatch.patch': ['MM007', 'MM008'],
  'mm009-clean-54-driver.patch': ['MM009'],
  'mm010-clean-pin-fast-longterm.patch': ['MM010'],
  'mm010-clean-2616-dontfork-changelog.patch': ['MM010'],
  'mm010-clean-gup-fast-read-and-put.patch': ['MM010'],
};

for (const [fixture, expected] of Object.entries(FIRES)) {
  test(`fires: ${fixture}`, async () => {
    const report = await checkFixture(`${DIR}/${fixture}`);
    for (const [rule, lines] of Object.entries(expected)) {
      const got = byRule(report, rule).map((f) => f.line).sort((a, b) => a - b);
      assert.deepEqual(got, [...lines].sort((a, b) => a - b), `${rule} lines on ${fixture}: ${JSON.stringify(report.findings)}`);
    }
  });
}

for (const [fixture, rules] of Object.entries(SILENT)) {
  test(`silent: ${fixture}`, async () => {
    const report = await checkFixture(`${DIR}/${fixture}`);
    for (const rule of rules) assert.deepEqual(byRule(report, rule), [], `${rule} on ${fixture}`);
  });
}

test('every rule fixture is a well-formed patch (no MM000) except the truncated one', async () => {
  for (const f of readdirSync(DIR)) {
    if (f === 'mm000-truncated.patch') continue;
    const report = await checkFixture(`${DIR}/${f}`);
    assert.deepEqual(byRule(report, 'MM000'), [], f);
  }
});

test('every fixture is listed as firing or silent', () => {
  for (const f of readdirSync(DIR)) assert.ok(f in FIRES || f in SILENT, `${f} is not used by a test`);
});

test('each rule MM001-MM010 has at least one firing and one silent fixture', () => {
  for (let i = 1; i <= 10; i++) {
    const id = `MM0${String(i).padStart(2, '0')}`;
    assert.ok(Object.values(FIRES).some((e) => id in e), `${id} fires somewhere`);
    assert.ok(Object.values(SILENT).some((r) => r.includes(id)), `${id} is silent somewhere`);
  }
});

/** fixture -> rule -> document lines its findings must point at as related information. */
const RELATED: Record<string, Record<string, number[]>> = {
  'mm002-macro-in-patch.patch': { MM002: [15] }, // the macro the mask uses
  'mm004-map-collides-arch.patch': { MM004: [6] }, // the PROT_SEM it collides with
  'mm005-vm-collides.patch': { MM005: [6] }, // VM_DONTCOPY
  'mm007-case-not-valid-visible.patch': { MM007: [19] }, // the validity switch lacking the case
  'mm001-prot-translated-to-locked.patch': { MM001: [18] }, // the _calc_vm_trans line
  'mm001-i386-prot-nofork.patch': { MM001: [24] }, // PROT_NOFORK -> VM_DONTCOPY in calc_vm_prot_bits
  'mm004-parisc-pre62-madv.patch': { MM004: [18] }, // parisc's MADV_WIPEONFORK 71, shown as context
  'mm004-alpha-mips-map-2616.patch': { MM004: [16] }, // mips's MAP_NORESERVE
  'mm007-whitelist-54-missing.patch': { MM007: [29], MM008: [22] }, // the whitelist; the line clearing VM_DONTCOPY
};

for (const [fixture, expected] of Object.entries(RELATED)) {
  test(`related locations: ${fixture}`, async () => {
    const report = await checkFixture(`${DIR}/${fixture}`);
    for (const [rule, lines] of Object.entries(expected)) {
      const related = byRule(report, rule).flatMap((f) => f.related.map((r) => r.line));
      for (const l of lines) assert.ok(related.includes(l), `${rule} related ${l} on ${fixture}: ${JSON.stringify(byRule(report, rule))}`);
    }
  });
}

test('MM004: an alias of an existing value is not reported as a collision', async () => {
  const report = await checkFixture(`${DIR}/mm004-alias.patch`);
  const f = byRule(report, 'MM004');
  assert.equal(f.length, 1);
  assert.doesNotMatch(f[0]!.message, /collides/);
  assert.match(f[0]!.message, /as the same alias/);
});

test('MM004: a context define of an arch header is that arch\'s value, whatever the era table says', async () => {
  // parisc numbered MADV_WIPEONFORK 71 until 6.2; the patch shows that header, auto picks 6.12.
  const report = await checkFixture(`${DIR}/mm004-parisc-pre62-madv.patch`);
  const f = byRule(report, 'MM004').find((x) => x.line === 20);
  assert.ok(f, JSON.stringify(report.findings));
  assert.match(f.message, /MADV_KEEPCHILD \(71\) collides with MADV_WIPEONFORK \(71\).*on parisc/);
});

test('MM004: related locations stay in the header of the arch that collides', async () => {
  // The mips hunk also shows a MAP_GROWSDOWN define (same value as alpha's): alpha's collision
  // must not point at it.
  const report = await checkFixture(`${DIR}/mm004-alpha-mips-map-2616.patch`);
  const alpha = byRule(report, 'MM004').find((x) => x.line === 8)!;
  assert.match(alpha.message, /MAP_GROWSDOWN.*on alpha/);
  assert.deepEqual(alpha.related, []);
  const mips = byRule(report, 'MM004').find((x) => x.line === 18)!;
  assert.deepEqual(mips.related.map((r) => r.line), [16]);
});

test('MM004: --arch restricts the arches checked', async () => {
  const report = await checkFixture(`${DIR}/mm004-prot-generic-arch-bits.patch`, { arch: 'powerpc' });
  const msgs = byRule(report, 'MM004').map((f) => f.message);
  assert.equal(msgs.length, 1, JSON.stringify(msgs));
  assert.match(msgs[0]!, /PROT_SAO/);
});

test('MM006: a value read as VM_ flags is named bit by bit', async () => {
  const report = await checkFixture(`${DIR}/mm006-madv-in-vm-flags.patch`);
  const [f] = byRule(report, 'MM006');
  assert.match(f!.message, /0xa is VM_WRITE \(0x00000002, bit 1\) \| VM_SHARED \(0x00000008, bit 3\)/);
});

test('MM002 messages name the dropped bit by name and value in every era', async () => {
  for (const [fixture, bit] of [
    ['mm002-pkey-mask-variable.patch', 'VM_DONTCOPY (0x00020000, bit 17)'],
    ['mm002-locked-two-statements.patch', 'VM_LOCKED (0x00002000, bit 13)'],
    ['mm002-hex-literal.patch', 'VM_DONTCOPY (0x00020000, bit 17)'],
  ] as const) {
    const [f] = byRule(await checkFixture(`${DIR}/${fixture}`), 'MM002');
    assert.ok(f!.message.includes(bit), `${fixture}: ${f!.message}`);
  }
});

test('related locations: no trivial lines (break;, braces)', async () => {
  for (const f of readdirSync(DIR)) {
    const report = await checkFixture(`${DIR}/${f}`);
    for (const x of report.findings) for (const r of x.related) assert.doesNotMatch(r.message, /: (break;|[{}])$/, `${f}: ${r.message}`);
  }
});

test('MM001 judges a name by its words: PIN but not SPINACH, not an access attribute like SHADOW_STACK', async () => {
  const text = readFileSync(`${DIR}/mm004-prot-generic-arch-bits.patch`, 'utf8');
  const fires = async (name: string) => byRule(await checkText(text.replace('PROT_UNCACHED', name), {}), 'MM001').length > 0;
  assert.equal(await fires('PROT_PINNED'), true);
  assert.equal(await fires('PROT_MLOCK'), true);
  assert.equal(await fires('PROT_NOFORK'), true);
  assert.equal(await fires('PROT_SPINACH'), false);
  assert.equal(await fires('PROT_SHADOW_STACK'), false);
  assert.equal(await fires('PROT_UNCACHED'), false);
});
