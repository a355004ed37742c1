// Every rule on its fixtures: the ones that must fire (with the line) and the ones that must
// stay silent (clean patches, behaviour-preserving refactors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
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
