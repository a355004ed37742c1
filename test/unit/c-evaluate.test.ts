// The 64-bit evaluator: literals, operators, casts, kernel helpers, macros, symbolic values,
// errors; plus property tests against an independent BigInt reference.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  initC, evaluateText, evaluateTextSymbolic, parseIntegerLiteral, printValue, keptBits, bitEffect, bitwiseForm,
  matchAccessCheck, substitute, applyBitwiseForm, hex, MASK64, type MacroDef, type SymValue,
} from '../../src/c/index';

const TABLE: Record<string, bigint> = {
  PROT_READ: 0x1n, PROT_WRITE: 0x2n, PROT_EXEC: 0x4n, PROT_DONTCOPY: 0x04000000n,
  VM_READ: 0x1n, VM_WRITE: 0x2n, VM_EXEC: 0x4n, VM_DONTCOPY: 0x20000n, VM_IO: 0x4000n,
  VM_HIGH_ARCH_BIT_0: 32n, MADV_DONTFORK: 10n,
};
const lookup = (n: string) => TABLE[n];

function val(expr: string, macros?: Map<string, MacroDef>): bigint {
  const r = evaluateText(expr, lookup, macros ? { macros } : {});
  assert.ok(r.ok, `${expr}: ${r.ok ? '' : r.error}`);
  return r.value;
}

before(async () => {
  await initC();
});

test('integer literals: hex, octal, decimal, binary, suffixes', () => {
  assert.equal(parseIntegerLiteral('0x00020000UL'), 0x20000n);
  assert.equal(parseIntegerLiteral('010'), 8n);
  assert.equal(parseIntegerLiteral('0'), 0n);
  assert.equal(parseIntegerLiteral('1ULL'), 1n);
  assert.equal(parseIntegerLiteral('1llu'), 1n);
  assert.equal(parseIntegerLiteral('0b101'), 5n);
  assert.equal(parseIntegerLiteral('0xFFFFFFFFFFFFFFFFUL'), MASK64);
  assert.equal(parseIntegerLiteral('09'), null);
  assert.equal(parseIntegerLiteral('1UU'), null);
  assert.equal(val("'A'"), 65n);
});

test('values above bit 31 survive every operator', () => {
  assert.equal(val('1UL << 32'), 0x100000000n);
  assert.equal(val('(1UL << 40) | (1UL << 3)'), 0x10000000008n);
  assert.equal(val('0x8000000000000000UL >> 63'), 1n);
  assert.equal(val('0xff00000000UL & 0x0f0000000fUL'), 0x0f00000000n);
  assert.equal(val('0xff00000000UL ^ 0x0100000000UL'), 0xfe00000000n);
  assert.equal(val('BIT(VM_HIGH_ARCH_BIT_0)'), 0x100000000n);
});

test('64-bit wraparound: ~, unary minus, overflow, shifts past the width', () => {
  assert.equal(val('~0'), MASK64);
  assert.equal(val('~VM_DONTCOPY'), MASK64 ^ 0x20000n);
  assert.equal(val('-1'), MASK64);
  assert.equal(val('0 - 2'), MASK64 - 1n);
  assert.equal(val('0xffffffffffffffffUL + 2'), 1n);
  assert.equal(val('0x8000000000000000UL * 2'), 0n);
  assert.equal(val('1UL << 64'), 0n);
  assert.equal(val('1UL << 63'), 1n << 63n);
  assert.equal(val('~0UL >> 4'), MASK64 >> 4n);
});

test('logical, comparison and conditional operators', () => {
  assert.equal(val('!0'), 1n);
  assert.equal(val('!5'), 0n);
  assert.equal(val('3 && 0'), 0n);
  assert.equal(val('0 || 7'), 1n);
  assert.equal(val('2 == 2'), 1n);
  assert.equal(val('2 != 2'), 0n);
  assert.equal(val('-1 > 1'), 1n); // unsigned long comparison
  assert.equal(val('1 <= 1'), 1n);
  assert.equal(val('1 >= 2'), 0n);
  assert.equal(val('0 ? 5 : 6'), 6n);
  assert.equal(val('PROT_READ ? VM_READ : 0'), 1n);
  assert.equal(val('7 % 4 + 9 / 2'), 7n);
});

test('casts truncate and sign-extend', () => {
  assert.equal(val('(unsigned long)~0'), MASK64);
  assert.equal(val('(u32)~0UL'), 0xffffffffn);
  assert.equal(val('(unsigned int)(1UL << 32)'), 0n);
  assert.equal(val('(int)0xffffffff'), MASK64);
  assert.equal(val('(u8)0x1ff'), 0xffn);
  assert.equal(val('(short)0x8000'), MASK64 - 0x7fffn);
  assert.equal(val('(bool)42'), 1n);
  assert.equal(val('(vm_flags_t)VM_IO'), 0x4000n);
  assert.equal(val('(__force vm_flags_t)VM_IO'), 0x4000n);
  assert.equal(val('(const unsigned long)3'), 3n);
});

test('kernel bit helpers', () => {
  assert.equal(val('_BITUL(17)'), 0x20000n);
  assert.equal(val('BIT_ULL(40)'), 1n << 40n);
  assert.equal(val('_AC(0x10, UL)'), 0x10n);
  assert.equal(val('_UL(1) << 5'), 32n);
  assert.equal(val('GENMASK(7, 4)'), 0xf0n);
  assert.equal(val('GENMASK_ULL(63, 62)'), 3n << 62n);
  assert.equal(val('_calc_vm_trans(PROT_READ|PROT_WRITE, PROT_WRITE, VM_WRITE)'), 2n);
  assert.equal(val('_calc_vm_trans(PROT_READ, PROT_WRITE, VM_WRITE)'), 0n);
  assert.equal(val('_calc_vm_trans(PROT_DONTCOPY, PROT_DONTCOPY, VM_DONTCOPY)'), 0x20000n);
  assert.equal(val('_calc_vm_trans(VM_DONTCOPY, VM_DONTCOPY, PROT_DONTCOPY)'), 0x04000000n);
  assert.equal(val('_calc_vm_trans(~0UL, 0, VM_WRITE)'), 0n);
  assert.equal(val('_calc_vm_trans(~0UL, PROT_READ, 0)'), 0n);
});

test('_calc_vm_trans on a symbolic value', () => {
  const same = evaluateTextSymbolic('_calc_vm_trans(prot, PROT_READ, VM_READ)', { lookup });
  assert.equal(printValue(same), 'prot & 1');
  const moved = evaluateTextSymbolic('_calc_vm_trans(prot, PROT_DONTCOPY, VM_DONTCOPY)', { lookup });
  assert.equal(moved.kind, 'cond');
  assert.equal(printValue(substitute(moved, () => 0x04000000n)), '0x20000');
  assert.equal(printValue(substitute(moved, () => 0x3n)), '0');
});

test('macros from the patch: object-like, function-like, nested, self-referencing', () => {
  const macros = new Map<string, MacroDef>([
    ['MPROTECT_KEEP', { name: 'MPROTECT_KEEP', params: null, body: '(~(VM_READ|VM_WRITE|VM_EXEC|VM_DONTCOPY))' }],
    ['VM_ACCESS_FLAGS', { name: 'VM_ACCESS_FLAGS', params: null, body: '(VM_READ | VM_WRITE | VM_EXEC)' }],
    ['TRANS', { name: 'TRANS', params: ['x', 'a', 'b'], body: '(((x) & (a)) ? (b) : 0)' }],
    ['TWICE', { name: 'TWICE', params: ['v'], body: 'TRANS(v, PROT_READ, VM_READ) << 1' }],
    ['LOOP', { name: 'LOOP', params: null, body: 'LOOP + 1' }],
    ['VM_ARCH_1', { name: 'VM_ARCH_1', params: null, body: 'BIT(VM_HIGH_ARCH_BIT_0)' }],
  ]);
  assert.equal(val('MPROTECT_KEEP', macros), MASK64 ^ 0x20007n);
  assert.equal(val('VM_ACCESS_FLAGS', macros), 7n);
  assert.equal(val('TRANS(PROT_WRITE, PROT_WRITE, VM_DONTCOPY)', macros), 0x20000n);
  assert.equal(val('TWICE(1)', macros), 2n);
  assert.equal(val('VM_ARCH_1', macros), 1n << 32n);
  const r = evaluateText('LOOP', lookup, { macros });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.identifier, 'LOOP');
});

test('errors name the unknown identifier and never throw', () => {
  const r = evaluateText('PROT_READ | PROT_BOGUS', lookup);
  assert.deepEqual(r, { ok: false, error: "unknown identifier 'PROT_BOGUS'", identifier: 'PROT_BOGUS' });
  for (const bad of ['', '   ', '1 +', 'a b', '1); x = (2', '"str"', '1 / 0', '#define X 1', '{', 'sizeof(int)', '((((', '\u0000', 'x = 3']) {
    const res = evaluateText(bad, lookup);
    assert.equal(res.ok, false, bad);
    assert.equal(typeof (res as { error: string }).error, 'string');
  }
  assert.equal(evaluateText(undefined as unknown as string, lookup).ok, false);
});

test('symbolic: mprotect kept-flags mask gives the bits of vma->vm_flags that survive', () => {
  const v = evaluateTextSymbolic('vm_flags | (vma->vm_flags & ~(VM_READ|VM_WRITE|VM_EXEC|VM_DONTCOPY))', { lookup });
  assert.equal(keptBits(v, 'vma->vm_flags'), MASK64 & ~0x20007n);
  assert.equal(keptBits(v, 'vm_flags'), MASK64);
  const old = evaluateTextSymbolic('vm_flags | (vma -> vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC))', { lookup });
  assert.equal(hex(keptBits(old, 'vma->vm_flags')), hex(MASK64 & ~7n));
  // Newer spelling: newflags |= (vma->vm_flags & ~mask_off_old_flags) with the mask a macro.
  const macros = new Map<string, MacroDef>([['VM_ACCESS_FLAGS', { name: 'VM_ACCESS_FLAGS', params: null, body: '(VM_READ|VM_WRITE|VM_EXEC)' }]]);
  const newer = evaluateTextSymbolic('calc_vm_prot_bits(prot, pkey) | (vma->vm_flags & ~VM_ACCESS_FLAGS)', { lookup, macros });
  assert.equal(keptBits(newer, 'vma->vm_flags'), MASK64 & ~7n);
  assert.deepEqual(bitwiseForm(newer).terms.map((t) => t.key).sort(), ['calc_vm_prot_bits(prot,pkey)', 'vma->vm_flags']);
});

test('symbolic: bit effects of compound updates', () => {
  const set = bitEffect(evaluateTextSymbolic('new_flags | VM_DONTCOPY', { lookup }), 'new_flags');
  assert.equal(set.set, 0x20000n);
  assert.equal(set.keep, MASK64 & ~0x20000n);
  assert.equal(set.clear, 0n);
  const clear = bitEffect(evaluateTextSymbolic('new_flags & ~VM_DONTCOPY', { lookup }), 'new_flags');
  assert.equal(clear.set, 0n);
  assert.equal(clear.clear, 0x20000n);
  const xor = bitEffect(evaluateTextSymbolic('(x | VM_IO) ^ VM_IO', { lookup }), 'x');
  assert.equal(xor.clear, 0x4000n);
});

test('symbolic: the VM_MAY* access check exposes subject, shift and mask', () => {
  for (const e of ['(newflags & ~(newflags >> 4)) & 0xf', 'newflags & ~(newflags >> 4) & VM_READ', '0xf & (~(newflags >> 4) & newflags)', '((newflags & ~(newflags >> 4)) & 0xf) != 0']) {
    const m = matchAccessCheck(evaluateTextSymbolic(e, { lookup }));
    assert.ok(m, e);
    assert.equal(printValue(m.subject), 'newflags');
    assert.equal(m.shift, 4n);
  }
  assert.equal(matchAccessCheck(evaluateTextSymbolic('(newflags & ~(newflags >> 4)) & 0xf', {}))!.mask, 0xfn);
  assert.equal(matchAccessCheck(evaluateTextSymbolic('(newflags & ~(newflags >> 5)) & 0xf', {}))!.shift, 5n);
  assert.equal(matchAccessCheck(evaluateTextSymbolic('(newflags & ~(other >> 4)) & 0xf', {})), null);
  assert.equal(matchAccessCheck(evaluateTextSymbolic('newflags & 0xf', {})), null);
});

// ---------------------------------------------------------------------------------------
// Property tests: an independent reference over random expression trees.

const M = (1n << 64n) - 1n;
type Gen = { text: string; value: bigint | null };
const NAMES = Object.keys(TABLE);

const literal: fc.Arbitrary<Gen> = fc
  .tuple(fc.bigInt({ min: 0n, max: M }), fc.constantFrom('hex', 'dec', 'oct'), fc.constantFrom('', 'U', 'UL', 'ULL', 'L'))
  .map(([v, base, suffix]) => {
    const digits = base === 'hex' ? '0x' + v.toString(16) : base === 'oct' ? (v === 0n ? '0' : '0' + v.toString(8)) : v.toString();
    return { text: digits + suffix, value: v };
  });
const small: fc.Arbitrary<Gen> = fc.integer({ min: 0, max: 70 }).map((n) => ({ text: String(n), value: BigInt(n) }));
const name: fc.Arbitrary<Gen> = fc.constantFrom(...NAMES).map((n) => ({ text: n, value: TABLE[n]! }));

function ref(op: string, a: bigint | null, b: bigint | null): bigint | null {
  if (a === null || b === null) return null;
  const w = (x: bigint) => ((x % (M + 1n)) + (M + 1n)) % (M + 1n);
  switch (op) {
    case '|': return a | b; case '&': return a & b; case '^': return a ^ b;
    case '+': return w(a + b); case '-': return w(a - b); case '*': return w(a * b);
    case '/': return b === 0n ? null : a / b; case '%': return b === 0n ? null : a % b;
    case '<<': return b > 63n ? 0n : w(a * 2n ** b); case '>>': return b > 63n ? 0n : a / 2n ** b;
    case '==': return a === b ? 1n : 0n; case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n; case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n; case '>=': return a >= b ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n; case '||': return a !== 0n || b !== 0n ? 1n : 0n;
  }
  throw new Error(op);
}

const expr: fc.Arbitrary<Gen> = fc.letrec<{ e: Gen }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    literal,
    name,
    fc.tuple(fc.constantFrom('|', '&', '^', '+', '-', '*', '/', '%', '==', '!=', '<', '>', '<=', '>=', '&&', '||'), tie('e'), tie('e'))
      .map(([op, l, r]) => ({ text: `(${l.text}) ${op} (${r.text})`, value: op === '&&' && l.value === 0n ? 0n : op === '||' && l.value !== null && l.value !== 0n ? 1n : ref(op, l.value, r.value) })),
    fc.tuple(fc.constantFrom('<<', '>>'), tie('e'), small).map(([op, l, r]) => ({ text: `(${l.text}) ${op} ${r.text}`, value: ref(op, l.value, r.value) })),
    fc.tuple(fc.constantFrom('~', '!', '-'), tie('e')).map(([op, a]) => ({
      text: `${op}(${a.text})`,
      value: a.value === null ? null : op === '~' ? M ^ a.value : op === '!' ? (a.value === 0n ? 1n : 0n) : (M + 1n - a.value) % (M + 1n),
    })),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, t, e]) => ({
      text: `(${c.text}) ? (${t.text}) : (${e.text})`,
      value: c.value === null ? null : c.value !== 0n ? t.value : e.value,
    })),
    fc.tuple(fc.constantFrom(['u32', 32], ['unsigned long', 64], ['u8', 8], ['u16', 16]) as fc.Arbitrary<[string, number]>, tie('e')).map(([[t, bits], a]) => ({
      text: `(${t})(${a.text})`,
      value: a.value === null ? null : a.value % 2n ** BigInt(bits),
    })),
    fc.tuple(small, tie('e')).map(([n, a]) => ({ text: `BIT(${n.text}) | (${a.text})`, value: a.value === null ? null : ((n.value! > 63n ? 0n : 2n ** n.value!) | a.value) })),
  ),
})).e;

test('property: evaluator equals the BigInt reference on random expressions', () => {
  fc.assert(
    fc.property(expr, (g) => {
      const r = evaluateText(g.text, lookup);
      if (g.value === null) assert.equal(r.ok, false, g.text);
      else {
        assert.ok(r.ok, `${g.text}: ${r.ok ? '' : r.error}`);
        assert.equal(r.value, g.value, g.text);
      }
    }),
    { seed: 4242, numRuns: 300 },
  );
});

test('property: random junk never throws', () => {
  const alphabet = fc.constantFrom(...'()~!|&^<>=?:+-*/%,;{}[]#"\'\\ \t\n0x1fUL_abcXYZ'.split(''), 'VM_READ', 'BIT(', '_calc_vm_trans(', '0x', '<<', '>>');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 40 }).map((a) => a.join('')), (junk) => {
      const r = evaluateText(junk, lookup);
      assert.equal(typeof r.ok, 'boolean');
      const s = evaluateTextSymbolic(junk, { lookup });
      assert.equal(typeof s.kind, 'string');
    }),
    { seed: 7, numRuns: 300 },
  );
  fc.assert(fc.property(fc.string({ maxLength: 30 }), (s) => typeof evaluateText(s, lookup).ok === 'boolean'), { seed: 8, numRuns: 200 });
});

// Symbolic folding must agree with evaluating after the fact.
const symExpr: fc.Arbitrary<{ text: string }> = fc.letrec<{ e: { text: string } }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('x', 'y', 'vma->vm_flags').map((text) => ({ text })),
    literal.map((l) => ({ text: l.text })),
    fc.tuple(fc.constantFrom('|', '&', '^', '+', '-', '<<', '>>', '==', '&&'), tie('e'), tie('e')).map(([op, l, r]) => ({ text: `(${l.text}) ${op} (${op === '<<' || op === '>>' ? '3' : r.text})` })),
    fc.tuple(fc.constantFrom('~', '!'), tie('e')).map(([op, a]) => ({ text: `${op}(${a.text})` })),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([c, t, e]) => ({ text: `(${c.text}) ? (${t.text}) : (${e.text})` })),
  ),
})).e;

test('property: symbolic folding then substitution equals direct evaluation', () => {
  fc.assert(
    fc.property(symExpr, fc.bigInt({ min: 0n, max: M }), fc.bigInt({ min: 0n, max: M }), fc.bigInt({ min: 0n, max: M }), (g, x, y, f) => {
      const bind: Record<string, bigint> = { x, y, 'vma->vm_flags': f };
      const direct = evaluateText(g.text.replaceAll('vma->vm_flags', 'F'), (n) => (n === 'F' ? f : bind[n]));
      const sym = evaluateTextSymbolic(g.text, {});
      const after = substitute(sym, (n) => bind[n]);
      assert.ok(direct.ok);
      assert.equal(after.kind, 'const', printValue(after));
      assert.equal((after as Extract<SymValue, { kind: 'const' }>).value, direct.value, g.text);
    }),
    { seed: 99, numRuns: 300 },
  );
});

test('property: the bitwise form reproduces the value for OR/AND/XOR/NOT expressions', () => {
  const bitExpr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom('x', 'y'),
      literal.map((l) => l.text),
      fc.tuple(fc.constantFrom('|', '&', '^'), tie('e'), tie('e')).map(([op, l, r]) => `(${l}) ${op} (${r})`),
      literal.map((l) => `~(${l.text})`),
      fc.tuple(tie('e'), literal).map(([e, l]) => `(${e}) & ~(${l.text})`),
    ),
  })).e;
  fc.assert(
    fc.property(bitExpr, fc.bigInt({ min: 0n, max: M }), fc.bigInt({ min: 0n, max: M }), (text, x, y) => {
      const sym = evaluateTextSymbolic(text, {});
      const form = bitwiseForm(sym);
      const bind = (k: string): bigint => {
        const v = substitute(form.terms.find((t) => t.key === k)!.value, (n) => (n === 'x' ? x : n === 'y' ? y : undefined));
        assert.equal(v.kind, 'const');
        return (v as Extract<SymValue, { kind: 'const' }>).value;
      };
      const expect = evaluateText(text, (n) => (n === 'x' ? x : n === 'y' ? y : undefined));
      assert.ok(expect.ok);
      assert.equal(applyBitwiseForm(form, bind), expect.value, text);
    }),
    { seed: 5, numRuns: 300 },
  );
});

test('property: the a|b fast path agrees with the full parse', () => {
  const word = fc.oneof(fc.constantFrom(...NAMES, 'UNKNOWN_NAME'), literal.map((l) => l.text));
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), (words) => {
      const fast = evaluateText(words.join(' | '), lookup);
      const full = evaluateText(words.map((w) => `(${w})`).join('|'), lookup);
      assert.deepEqual(fast, full);
    }),
    { seed: 11, numRuns: 200 },
  );
});
