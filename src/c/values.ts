// Symbolic 64-bit values. The evaluator folds constants eagerly and keeps anything it cannot
// resolve (a variable, a field, an unknown call) as an `atom`, so an expression such as the
// mprotect kept-flags computation stays a small tree that can be (a) read as a constant when
// it is one, (b) put in the bitwise form `C | (X & M) | (Y & N)` to tell which bits of X pass
// through, and (c) matched against patterns such as `(X & ~(X >> s)) & M`.
// All arithmetic is C `unsigned long` on a 64-bit kernel: modulo 2^64, logical right shift.

export const MASK64 = (1n << 64n) - 1n;

/** Wrap to 64 bits, unsigned. */
export function u64(v: bigint): bigint {
  return BigInt.asUintN(64, v);
}

export type BinaryOp =
  | '|' | '&' | '^' | '<<' | '>>' | '+' | '-' | '*' | '/' | '%'
  | '&&' | '||' | '==' | '!=' | '<' | '>' | '<=' | '>=';
export type UnaryOp = '~' | '!' | '-' | '+';

export const BINARY_OPS: readonly BinaryOp[] = ['|', '&', '^', '<<', '>>', '+', '-', '*', '/', '%', '&&', '||', '==', '!=', '<', '>', '<=', '>='];

export type SymValue =
  | { kind: 'const'; value: bigint }
  /** Something unresolved with a stable name: `vm_flags`, `vma->vm_flags`, `calc_vm_prot_bits(prot,0)`. */
  | { kind: 'atom'; name: string }
  | { kind: 'unary'; op: UnaryOp; arg: SymValue }
  | { kind: 'binary'; op: BinaryOp; left: SymValue; right: SymValue }
  | { kind: 'cond'; test: SymValue; then: SymValue; else: SymValue }
  /** A narrowing or sign-changing cast of a symbolic value (casts of constants are folded). */
  | { kind: 'cast'; type: string; bits: number; signed: boolean; arg: SymValue }
  /** Not an expression the evaluator understands (syntax error, string, sizeof, ...). */
  | { kind: 'unknown'; reason: string };

export function constant(value: bigint): SymValue {
  return { kind: 'const', value: u64(value) };
}

export function atom(name: string): SymValue {
  return { kind: 'atom', name };
}

export function unknown(reason: string): SymValue {
  return { kind: 'unknown', reason };
}

export function isConst(v: SymValue): v is { kind: 'const'; value: bigint } {
  return v.kind === 'const';
}

/** The C operation on two 64-bit unsigned values; null when undefined (division by zero). */
export function applyBinary(op: BinaryOp, a: bigint, b: bigint): bigint | null {
  switch (op) {
    case '|': return a | b;
    case '&': return a & b;
    case '^': return a ^ b;
    case '+': return u64(a + b);
    case '-': return u64(a - b);
    case '*': return u64(a * b);
    case '/': return b === 0n ? null : a / b;
    case '%': return b === 0n ? null : a % b;
    // Shifting by the width or more is undefined in C; 0 is what the bits would say.
    case '<<': return b >= 64n ? 0n : u64(a << b);
    case '>>': return b >= 64n ? 0n : a >> b;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
    case '==': return a === b ? 1n : 0n;
    case '!=': return a !== b ? 1n : 0n;
    case '<': return a < b ? 1n : 0n;
    case '>': return a > b ? 1n : 0n;
    case '<=': return a <= b ? 1n : 0n;
    case '>=': return a >= b ? 1n : 0n;
  }
}

export function applyUnary(op: UnaryOp, a: bigint): bigint {
  switch (op) {
    case '~': return u64(~a);
    case '!': return a === 0n ? 1n : 0n;
    case '-': return u64(-a);
    case '+': return a;
  }
}

export function unary(op: UnaryOp, arg: SymValue): SymValue {
  if (arg.kind === 'unknown') return arg;
  if (arg.kind === 'const') return constant(applyUnary(op, arg.value));
  if (op === '+') return arg;
  // ~~x and !!!x simplify; keep !!x (it normalises to 0/1).
  if (op === '~' && arg.kind === 'unary' && arg.op === '~') return arg.arg;
  return { kind: 'unary', op, arg };
}

export function binary(op: BinaryOp, left: SymValue, right: SymValue): SymValue {
  if (left.kind === 'const' && right.kind === 'const') {
    const r = applyBinary(op, left.value, right.value);
    return r === null ? unknown(`division by zero`) : constant(r);
  }
  const lc = left.kind === 'const' ? left.value : null;
  const rc = right.kind === 'const' ? right.value : null;
  // Short-circuit operators decide on a constant left side even with an unknown right side.
  if (op === '&&' && lc === 0n) return constant(0n);
  if (op === '||' && lc !== null && lc !== 0n) return constant(1n);
  if (op === '&' && (lc === 0n || rc === 0n)) return constant(0n);
  if (op === '*' && (lc === 0n || rc === 0n)) return constant(0n);
  if (op === '|' && (lc === MASK64 || rc === MASK64)) return constant(MASK64);
  if (left.kind === 'unknown') return left;
  if (right.kind === 'unknown') return right;
  switch (op) {
    case '|': case '^': case '+':
      if (lc === 0n) return right;
      if (rc === 0n) return left;
      break;
    case '&':
      if (lc === MASK64) return right;
      if (rc === MASK64) return left;
      break;
    case '-': case '<<': case '>>':
      if (rc === 0n) return left;
      if (lc === 0n && op !== '-') return constant(0n);
      break;
    case '*':
      if (lc === 1n) return right;
      if (rc === 1n) return left;
      break;
    case '/':
      if (rc === 1n) return left;
      break;
  }
  return { kind: 'binary', op, left, right };
}

export function cond(test: SymValue, then: SymValue, otherwise: SymValue): SymValue {
  if (test.kind === 'const') return test.value !== 0n ? then : otherwise;
  if (test.kind === 'unknown') return test;
  if (sameValue(then, otherwise)) return then;
  return { kind: 'cond', test, then, else: otherwise };
}

/** A cast to an integer type of `bits` width (64 = no change for unsigned). */
export function cast(type: string, bits: number, signed: boolean, arg: SymValue): SymValue {
  if (arg.kind === 'unknown') return arg;
  if (arg.kind === 'const') return constant(castConst(arg.value, bits, signed));
  if (bits >= 64) return arg;
  return { kind: 'cast', type, bits, signed, arg };
}

export function castConst(v: bigint, bits: number, signed: boolean): bigint {
  if (bits >= 64) return u64(v);
  if (bits === 1) return v === 0n ? 0n : 1n; // bool
  return u64(signed ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
}

export function sameValue(a: SymValue, b: SymValue): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'const': return a.value === (b as typeof a).value;
    case 'atom': return a.name === (b as typeof a).name;
    case 'unknown': return a.reason === (b as typeof a).reason;
    case 'unary': { const o = b as typeof a; return a.op === o.op && sameValue(a.arg, o.arg); }
    case 'binary': { const o = b as typeof a; return a.op === o.op && sameValue(a.left, o.left) && sameValue(a.right, o.right); }
    case 'cond': { const o = b as typeof a; return sameValue(a.test, o.test) && sameValue(a.then, o.then) && sameValue(a.else, o.else); }
    case 'cast': { const o = b as typeof a; return a.bits === o.bits && a.signed === o.signed && sameValue(a.arg, o.arg); }
  }
}

export function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

const PRECEDENCE: Record<BinaryOp, number> = {
  '*': 10, '/': 10, '%': 10, '+': 9, '-': 9, '<<': 8, '>>': 8, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '==': 6, '!=': 6, '&': 5, '^': 4, '|': 3, '&&': 2, '||': 1,
};

/** C-like text of a value (constants in hex), for messages and as a stable key. */
export function printValue(v: SymValue): string {
  const p = (x: SymValue, outer: number): string => {
    switch (x.kind) {
      case 'const': return x.value < 10n ? x.value.toString() : hex(x.value);
      case 'atom': return x.name;
      case 'unknown': return `<?${x.reason}>`;
      case 'unary': return x.op + p(x.arg, 11);
      case 'cast': return `(${x.type})` + p(x.arg, 11);
      case 'cond': {
        const s = `${p(x.test, 1)} ? ${p(x.then, 1)} : ${p(x.else, 0)}`;
        return outer > 0 ? `(${s})` : s;
      }
      case 'binary': {
        const prec = PRECEDENCE[x.op];
        const s = `${p(x.left, prec)} ${x.op} ${p(x.right, prec + 1)}`;
        return prec < outer ? `(${s})` : s;
      }
    }
  };
  return p(v, 0);
}

/** Every atom name the value depends on. */
export function atomsOf(v: SymValue, out: Set<string> = new Set()): Set<string> {
  switch (v.kind) {
    case 'atom': out.add(v.name); break;
    case 'unary': case 'cast': atomsOf(v.arg, out); break;
    case 'binary': atomsOf(v.left, out); atomsOf(v.right, out); break;
    case 'cond': atomsOf(v.test, out); atomsOf(v.then, out); atomsOf(v.else, out); break;
  }
  return out;
}

export function dependsOn(v: SymValue, name: string): boolean {
  return atomsOf(v).has(name);
}

// ---------------------------------------------------------------------------------------
// Bitwise form: value = constant | (t1 & m1) | (t2 & m2) | ...

export interface BitwiseTerm {
  /** printValue of the term: an atom name (`vma->vm_flags`) or an opaque subexpression. */
  key: string;
  value: SymValue;
  /** Bits of the term that reach the result (before `constant` forces bits to 1). */
  mask: bigint;
}

export interface BitwiseForm {
  /** Bits forced to 1 whatever the terms hold. */
  constant: bigint;
  terms: BitwiseTerm[];
}

function opaque(v: SymValue): BitwiseForm {
  return { constant: 0n, terms: [{ key: printValue(v), value: v, mask: MASK64 }] };
}

function orForms(a: BitwiseForm, b: BitwiseForm): BitwiseForm {
  const terms = a.terms.map((t) => ({ ...t }));
  for (const t of b.terms) {
    const same = terms.find((x) => x.key === t.key);
    if (same) same.mask |= t.mask;
    else terms.push({ ...t });
  }
  return { constant: a.constant | b.constant, terms };
}

/** Puts a value in the form `C | (T1 & M1) | ...`. Anything that is not an OR of ANDs with
 *  constants (a shift, a sum, an AND of two variables, a conditional) becomes one opaque
 *  term, so the form always exists and is exact. */
export function bitwiseForm(v: SymValue): BitwiseForm {
  switch (v.kind) {
    case 'const': return { constant: v.value, terms: [] };
    case 'atom': return { constant: 0n, terms: [{ key: v.name, value: v, mask: MASK64 }] };
    case 'cast':
      if (!v.signed && v.bits < 64) {
        return andConst(bitwiseForm(v.arg), (1n << BigInt(v.bits)) - 1n);
      }
      return opaque(v);
    case 'binary': {
      if (v.op === '|') return orForms(bitwiseForm(v.left), bitwiseForm(v.right));
      if (v.op === '&') {
        const l = bitwiseForm(v.left);
        const r = bitwiseForm(v.right);
        if (r.terms.length === 0) return andConst(l, r.constant);
        if (l.terms.length === 0) return andConst(r, l.constant);
        return opaque(v);
      }
      if (v.op === '^') {
        const l = bitwiseForm(v.left);
        const r = bitwiseForm(v.right);
        const k = r.terms.length === 0 ? r.constant : l.terms.length === 0 ? l.constant : null;
        const f = r.terms.length === 0 ? l : r;
        if (k === null) return opaque(v);
        const passing = f.terms.reduce((m, t) => m | t.mask, 0n) & ~f.constant;
        if ((k & passing) !== 0n) return opaque(v); // would invert variable bits
        // Bits forced to 1 and flipped by k become 0: nothing passes there any more.
        const zeroed = f.constant & k;
        return {
          constant: f.constant ^ k,
          terms: f.terms.map((t) => ({ ...t, mask: t.mask & ~zeroed })).filter((t) => t.mask !== 0n),
        };
      }
      return opaque(v);
    }
    default:
      return opaque(v);
  }
}

function andConst(f: BitwiseForm, c: bigint): BitwiseForm {
  return {
    constant: f.constant & c,
    terms: f.terms.map((t) => ({ ...t, mask: t.mask & c })).filter((t) => t.mask !== 0n),
  };
}

/** Bits of atom (or opaque term) `name` that pass through `v` unchanged: for
 *  `vm_flags | (vma->vm_flags & ~0x20007)`, keptBits(v, 'vma->vm_flags') = ~0x20007. */
export function keptBits(v: SymValue, name: string): bigint {
  const f = bitwiseForm(v);
  const t = f.terms.find((x) => x.key === name);
  return t ? t.mask & ~f.constant & MASK64 : 0n;
}

export interface BitEffect {
  /** Bits the expression sets to 1. */
  set: bigint;
  /** Bits of `name` kept as they were. */
  keep: bigint;
  /** Bits forced to 0 (neither set, kept, nor fed by another term). */
  clear: bigint;
  /** Terms other than `name` that also feed the result (their keys). */
  others: string[];
}

/** What an update of variable `name` does to its bits: `new_flags |= VM_DONTCOPY` gives
 *  set = 0x20000, keep = ~0x20000, clear = 0. */
export function bitEffect(v: SymValue, name: string): BitEffect {
  const f = bitwiseForm(v);
  const own = f.terms.find((t) => t.key === name);
  const keep = own ? own.mask & ~f.constant & MASK64 : 0n;
  const fed = f.terms.reduce((m, t) => m | t.mask, 0n);
  return {
    set: f.constant,
    keep,
    clear: ~(f.constant | fed) & MASK64,
    others: f.terms.filter((t) => t.key !== name).map((t) => t.key),
  };
}

// ---------------------------------------------------------------------------------------
// The mprotect access check `(X & ~(X >> s)) & M`, in any association/order of the `&`s.

export interface AccessCheck {
  /** The tested value (`newflags`). */
  subject: SymValue;
  /** The shift that lines VM_MAY* bits up with VM_* bits (4 in every kernel so far). */
  shift: bigint;
  /** The checked bits (0xf, VM_ACCESS_FLAGS = 0x7, ...); MASK64 when there is no mask. */
  mask: bigint;
}

function conjuncts(v: SymValue, out: SymValue[] = []): SymValue[] {
  if (v.kind === 'binary' && v.op === '&') {
    conjuncts(v.left, out);
    conjuncts(v.right, out);
  } else out.push(v);
  return out;
}

export function matchAccessCheck(v: SymValue): AccessCheck | null {
  // `if (x)` and `if (x != 0)` test the same thing.
  if (v.kind === 'binary' && v.op === '!=' && v.right.kind === 'const' && v.right.value === 0n) v = v.left;
  const parts = conjuncts(v);
  let mask = MASK64;
  const others: SymValue[] = [];
  for (const p of parts) {
    if (p.kind === 'const') mask &= p.value;
    else others.push(p);
  }
  for (const neg of others) {
    if (neg.kind !== 'unary' || neg.op !== '~') continue;
    const sh = neg.arg;
    if (sh.kind !== 'binary' || sh.op !== '>>' || sh.right.kind !== 'const') continue;
    const subject = sh.left;
    const rest = others.filter((o) => o !== neg);
    if (rest.length === 1 && sameValue(rest[0]!, subject)) {
      return { subject, shift: sh.right.value, mask };
    }
  }
  return null;
}

/** Replaces atoms by values (`bind` returns undefined to keep an atom) and refolds: evaluate
 *  a symbolic expression for concrete inputs, e.g. the kept-flags computation for one VMA. */
export function substitute(v: SymValue, bind: (name: string) => SymValue | bigint | undefined): SymValue {
  switch (v.kind) {
    case 'const': case 'unknown': return v;
    case 'atom': {
      const b = bind(v.name);
      return b === undefined ? v : typeof b === 'bigint' ? constant(b) : b;
    }
    case 'unary': return unary(v.op, substitute(v.arg, bind));
    case 'binary': return binary(v.op, substitute(v.left, bind), substitute(v.right, bind));
    case 'cond': return cond(substitute(v.test, bind), substitute(v.then, bind), substitute(v.else, bind));
    case 'cast': return cast(v.type, v.bits, v.signed, substitute(v.arg, bind));
  }
}

/** Value of a bitwise form for concrete term values (by key). */
export function applyBitwiseForm(f: BitwiseForm, valueOf: (key: string) => bigint): bigint {
  return f.terms.reduce((acc, t) => acc | (valueOf(t.key) & t.mask), f.constant) & MASK64;
}
