// The expression evaluator over tree-sitter C nodes: 64-bit unsigned BigInt arithmetic with
// constant folding, names resolved through the caller's symbol table, macros defined in the
// patch, and the kernel's bit helpers (_BITUL, BIT, _AC, _calc_vm_trans, GENMASK, ...).
// Whatever cannot be resolved stays symbolic (values.ts); evaluate() never throws.
import type { Node } from 'web-tree-sitter';
import { cParser, isCReady } from './load';
import { memoOnNode } from './memo';
import {
  atom, binary, cast, castConst, cond, constant, printValue, unary, unknown, u64,
  type BinaryOp, type SymValue, type UnaryOp,
} from './values';

/** A macro the evaluator can expand: `#define NAME BODY` or `#define NAME(a, b) BODY`. */
export interface MacroDef {
  name: string;
  /** null for an object-like macro. */
  params: string[] | null;
  body: string;
}

export type MacroTable = ReadonlyMap<string, MacroDef> | ((name: string) => MacroDef | undefined);

export interface EvalEnv {
  /** Symbol table: kernel constants (VM_*, PROT_*, ...). */
  lookup?: (name: string) => bigint | undefined;
  /** Macros (usually the ones the patch defines); they win over `lookup`. */
  macros?: MacroTable;
  /** Values of locals and lvalues known from earlier statements (dataflow.ts), by the
   *  normalised text of the lvalue (`mask`, `vma->vm_flags`). They win over everything. */
  locals?: ReadonlyMap<string, SymValue>;
  /** Calls the caller can model (`calc_vm_prot_bits(prot, 0)`); undefined leaves an atom. */
  call?: (name: string, args: SymValue[], node: Node) => SymValue | undefined;
  /** Receives every identifier that resolved to nothing (became an atom). */
  unresolved?: string[];
}

/** Text of a node with all whitespace and comments removed: a stable atom/lvalue name. */
export function normalizeText(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '').replace(/\s+/g, '');
}

/** Normalised text of an lvalue or field access. A loop macro without braces before it
 *  (`list_for_each_entry(vma, ...)` + newline + `vma->vm_flags &= ...`) makes the grammar
 *  glue the macro call onto the field access with an ERROR node in between; the access
 *  itself starts at that ERROR. */
export function lvalueText(node: Node): string {
  // Read for every field access the evaluator meets and every assignment: once per tree.
  return memoOnNode(node, 'lvalueText', readLvalueText);
}

function readLvalueText(node: Node): string {
  let from = node.startIndex;
  // Only a node with an error in it can have an ERROR child (one question instead of a
  // JS node per child).
  if (node.hasError) for (const c of node.children) {
    if (c && c.type === 'ERROR') from = c.startIndex;
  }
  if (from === node.startIndex) return normalizeText(node.text);
  return normalizeText(node.text.slice(from - node.startIndex));
}

function macroOf(table: MacroTable | undefined, name: string): MacroDef | undefined {
  if (!table) return undefined;
  return typeof table === 'function' ? table(name) : table.get(name);
}

// ---------------------------------------------------------------------------------------
// Literals

/** Value of a C integer literal (`0x20000UL`, `010`, `1ULL`, `0b101`), or null. */
export function parseIntegerLiteral(text: string): bigint | null {
  const t = text.replace(/'/g, '').trim(); // C23 digit separators
  // The grammar folds a leading minus into the literal (`-1`).
  if (/^[-+]/.test(t)) {
    const v = parseIntegerLiteral(t.slice(1));
    return v === null ? null : t[0] === '-' ? u64(-v) : v;
  }
  const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(t);
  if (!m || !/^(u?(l|ll)?|(l|ll)u)?$/i.test(m[2]!)) return null;
  const digits = m[1]!;
  let v: bigint;
  if (/^0[xXbB]/.test(digits)) v = BigInt(digits.toLowerCase());
  else if (digits.length > 1 && digits.startsWith('0')) v = BigInt('0o' + digits.slice(1));
  else v = BigInt(digits);
  return u64(v);
}

const CHAR_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };

function parseCharLiteral(text: string): bigint | null {
  const m = /^'(\\x[0-9a-fA-F]+|\\[0-7]{1,3}|\\.|[^\\'])'$/.exec(text);
  if (!m) return null;
  const body = m[1]!;
  if (body.startsWith('\\x')) return BigInt(parseInt(body.slice(2), 16));
  if (/^\\[0-7]/.test(body)) return BigInt(parseInt(body.slice(1), 8));
  if (body.startsWith('\\')) return CHAR_ESCAPES[body[1]!] !== undefined ? BigInt(CHAR_ESCAPES[body[1]!]!) : null;
  return BigInt(body.codePointAt(0)!);
}

// ---------------------------------------------------------------------------------------
// Types of casts

const QUALIFIERS = /\b(const|volatile|__force|__bitwise|__user|__iomem|__kernel|__rcu|restrict|__restrict)\b/g;

const TYPE_WIDTHS: Record<string, [number, boolean]> = {
  bool: [1, false], _Bool: [1, false],
  char: [8, true], 'signed char': [8, true], 'unsigned char': [8, false], u8: [8, false], __u8: [8, false], s8: [8, true], __s8: [8, true], int8_t: [8, true], uint8_t: [8, false],
  short: [16, true], 'short int': [16, true], 'signed short': [16, true], 'unsigned short': [16, false], 'unsigned short int': [16, false], u16: [16, false], __u16: [16, false], s16: [16, true], __s16: [16, true], int16_t: [16, true], uint16_t: [16, false],
  int: [32, true], signed: [32, true], 'signed int': [32, true], unsigned: [32, false], 'unsigned int': [32, false], u32: [32, false], __u32: [32, false], s32: [32, true], __s32: [32, true], int32_t: [32, true], uint32_t: [32, false], gfp_t: [32, false], fmode_t: [32, false],
  long: [64, true], 'long int': [64, true], 'signed long': [64, true], 'long long': [64, true], 'long long int': [64, true], s64: [64, true], __s64: [64, true], int64_t: [64, true], ssize_t: [64, true], loff_t: [64, true],
};

/** Width and signedness of a cast's type; unknown typedefs (vm_flags_t, pgoff_t) and
 *  pointers count as unsigned long. */
export function castType(typeText: string): { type: string; bits: number; signed: boolean } {
  const type = typeText.replace(QUALIFIERS, ' ').replace(/\s+/g, ' ').trim();
  if (type.includes('*')) return { type, bits: 64, signed: false };
  const w = TYPE_WIDTHS[type];
  return w ? { type, bits: w[0], signed: w[1] } : { type, bits: 64, signed: false };
}

/** A name that is a type: a known integer type or a `_t` typedef (vm_flags_t, pgoff_t). */
export function looksLikeType(name: string): boolean {
  return TYPE_WIDTHS[name] !== undefined || /^[a-z_][a-z0-9_]*_t$/.test(name) || name === 'unsigned' || name === 'signed';
}

// ---------------------------------------------------------------------------------------
// Builtin kernel helpers

function isSingleBit(v: bigint): boolean {
  return v !== 0n && (v & (v - 1n)) === 0n;
}

/** `_calc_vm_trans(x, bit1, bit2)`: move bit1 of x to bit2 (kernel include/linux/mman.h). */
export function calcVmTrans(x: SymValue, a: SymValue, b: SymValue, text: string): SymValue {
  if (a.kind !== 'const' || b.kind !== 'const') return atom(text);
  const bit1 = a.value;
  const bit2 = b.value;
  if (bit1 === 0n || bit2 === 0n) return constant(0n);
  if (x.kind === 'const') {
    const masked = x.value & bit1;
    return constant(bit1 <= bit2 ? masked * (bit2 / bit1) : masked / (bit1 / bit2));
  }
  if (bit1 === bit2) return binary('&', x, a);
  if (isSingleBit(bit1) && isSingleBit(bit2)) return cond(binary('&', x, a), b, constant(0n));
  return atom(text);
}

type Builtin = (args: SymValue[], text: string) => SymValue | null;

const shiftOne = (args: SymValue[]) => (args.length === 1 ? binary('<<', constant(1n), args[0]!) : null);
const identity = (args: SymValue[]) => (args.length >= 1 ? args[0]! : null);

const BUILTINS: Record<string, Builtin> = {
  _BITUL: shiftOne, _BITULL: shiftOne, BIT: shiftOne, BIT_ULL: shiftOne, BIT_U64: shiftOne,
  BIT_U32: (a) => (a.length === 1 ? cast('u32', 32, false, binary('<<', constant(1n), a[0]!)) : null),
  _AC: identity, _AT: (a) => (a.length === 2 ? a[1]! : null), _UL: identity, _ULL: identity, UL: identity, ULL: identity,
  GENMASK: genmask, GENMASK_ULL: genmask, GENMASK_U64: genmask,
  _calc_vm_trans: (a, text) => (a.length === 3 ? calcVmTrans(a[0]!, a[1]!, a[2]!, text) : null),
  __stringify: () => null,
};

function genmask(args: SymValue[]): SymValue | null {
  if (args.length !== 2) return null;
  const [h, l] = args;
  if (h!.kind !== 'const' || l!.kind !== 'const' || h!.value > 63n || l!.value > h!.value) return null;
  return constant(((1n << (h!.value + 1n)) - 1n) & ~((1n << l!.value) - 1n));
}

// ---------------------------------------------------------------------------------------
// Expression text -> node (macro bodies, scenario strings)

const WRAP_HEAD = 'void __mmlens_expr(void) { __mmlens_v = (\n';
const WRAP_TAIL = '\n); }\n';
const SPARSE_WORDS = /\b(__force|__bitwise|__user|__iomem|__rcu|__kernel)\b/g;
const textCache = new Map<string, { node: Node | null; error: string | null }>();
const TEXT_CACHE_LIMIT = 2000;

/** Parses an expression string; the node is null with an error when it is not one
 *  complete C expression. Cached (macro bodies are evaluated often). */
export function parseExpressionText(text: string): { node: Node | null; error: string | null } {
  const hit = textCache.get(text);
  if (hit) return hit;
  let result: { node: Node | null; error: string | null };
  if (!isCReady()) return { node: null, error: 'the C parser is not loaded (await initC() first)' };
  if (!text.trim()) result = { node: null, error: 'empty expression' };
  else if (/\n/.test(text) && /^\s*#/m.test(text)) result = { node: null, error: 'not an expression (preprocessor line)' };
  else {
    // Sparse annotations (`(__force vm_flags_t)x`) are not C; blank them, keeping offsets.
    const source = WRAP_HEAD + text.replace(SPARSE_WORDS, (w) => ' '.repeat(w.length)) + WRAP_TAIL;
    const tree = cParser().parse(source);
    const start = WRAP_HEAD.length - 2; // the `(`
    const end = WRAP_HEAD.length + text.length + 2; // after the `)`
    const paren = tree?.rootNode.descendantForIndex(start, start + 1)?.parent ?? null;
    if (!tree || !paren || paren.type !== 'parenthesized_expression' || paren.startIndex !== start || paren.endIndex !== end) {
      result = { node: null, error: 'not a single C expression' };
    } else if (paren.hasError) {
      const bad = firstError(paren);
      const col = bad ? Math.max(1, bad.startIndex - WRAP_HEAD.length + 1) : 1;
      result = { node: null, error: `syntax error at column ${col}` };
    } else {
      const inner = paren.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? null;
      result = inner ? { node: inner, error: null } : { node: null, error: 'empty expression' };
    }
  }
  if (textCache.size >= TEXT_CACHE_LIMIT) textCache.clear();
  textCache.set(text, result);
  return result;
}

function firstError(n: Node): Node | null {
  if (n.isError || n.isMissing) return n;
  for (const c of n.children) {
    if (c && c.hasError) return firstError(c) ?? c;
    if (c && (c.isError || c.isMissing)) return c;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// The evaluator

interface State {
  env: EvalEnv;
  expanding: Set<string>;
  depth: number;
  /** Function-like macro parameters currently bound. */
  params: Map<string, SymValue> | null;
}

const MAX_DEPTH = 64;

/** Evaluates a C expression node to a (possibly symbolic) 64-bit value. Never throws. */
export function evaluate(node: Node, env: EvalEnv = {}): SymValue {
  try {
    return ev(node, { env, expanding: new Set(), depth: 0, params: null });
  } catch (e) {
    return unknown(`evaluator failure: ${(e as Error).message}`);
  }
}

function named(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}

function operatorOf(node: Node): string {
  return node.childForFieldName('operator')?.type ?? '';
}

function ev(node: Node, st: State): SymValue {
  if (st.depth > MAX_DEPTH) return unknown('expression nested too deeply');
  st.depth++;
  try {
    return evNode(node, st);
  } finally {
    st.depth--;
  }
}

function evNode(node: Node, st: State): SymValue {
  switch (node.type) {
    case 'number_literal': {
      const v = parseIntegerLiteral(node.text);
      return v === null ? unknown(`not an integer literal: ${node.text}`) : constant(v);
    }
    case 'char_literal': {
      const v = parseCharLiteral(node.text);
      return v === null ? unknown(`character literal ${node.text}`) : constant(v);
    }
    case 'true': return constant(1n);
    case 'false': case 'null': return constant(0n);
    case 'identifier': return resolveName(node.text, st);
    case 'field_expression': case 'subscript_expression': case 'pointer_expression': {
      const key = lvalueText(node);
      const local = st.env.locals?.get(key);
      return local ?? atom(key);
    }
    case 'parenthesized_expression': {
      const inner = named(node);
      return inner.length === 1 ? ev(inner[0]!, st) : unknown('empty or broken parentheses');
    }
    case 'comma_expression': {
      const right = node.childForFieldName('right');
      return right ? ev(right, st) : unknown('broken comma expression');
    }
    case 'unary_expression': {
      const op = operatorOf(node) as UnaryOp;
      const arg = node.childForFieldName('argument');
      if (!arg || !['~', '!', '-', '+'].includes(op)) return unknown(`unary ${op}`);
      return unary(op, ev(arg, st));
    }
    case 'binary_expression': {
      const op = operatorOf(node) as BinaryOp;
      const l = node.childForFieldName('left');
      const r = node.childForFieldName('right');
      if (!l || !r) return unknown('incomplete binary expression');
      return binary(op, ev(l, st), ev(r, st));
    }
    case 'conditional_expression': {
      const c = node.childForFieldName('condition');
      const t = node.childForFieldName('consequence');
      const e = node.childForFieldName('alternative');
      if (!c || !e) return unknown('incomplete conditional expression');
      const test = ev(c, st);
      // GNU `a ?: b`
      return cond(test, t ? ev(t, st) : test, ev(e, st));
    }
    case 'cast_expression': {
      const typeNode = node.childForFieldName('type');
      const value = node.childForFieldName('value');
      if (!typeNode || !value) return unknown('incomplete cast');
      const t = castType(typeNode.text);
      return cast(t.type, t.bits, t.signed, ev(value, st));
    }
    case 'call_expression': return evCall(node, st);
    case 'assignment_expression': {
      // The value of `a = b` is b; of `a |= b` it is a | b.
      const right = node.childForFieldName('right');
      const left = node.childForFieldName('left');
      if (!right || !left) return unknown('incomplete assignment');
      const op = operatorOf(node);
      const rv = ev(right, st);
      if (op === '=') return rv;
      return binary(op.slice(0, -1) as BinaryOp, ev(left, st), rv);
    }
    case 'ERROR': {
      // Kernel macros confuse the grammar; a single expression inside is still usable.
      const inner = named(node);
      return inner.length === 1 ? ev(inner[0]!, st) : unknown(`unparsable: ${node.text.slice(0, 40)}`);
    }
    case 'expression_statement': {
      const inner = named(node);
      return inner.length === 1 ? ev(inner[0]!, st) : unknown('empty statement');
    }
    case 'sizeof_expression': case 'alignof_expression': case 'offsetof_expression':
      return atom(normalizeText(node.text));
    case 'update_expression':
      return atom(normalizeText(node.text));
    default:
      return unknown(`${node.type} is not an integer expression`);
  }
}

function resolveName(name: string, st: State): SymValue {
  const param = st.params?.get(name);
  if (param) return param;
  const local = st.env.locals?.get(name);
  if (local) return local;
  const macro = macroOf(st.env.macros, name);
  if (macro && macro.params === null && !st.expanding.has(name)) {
    const v = expand(macro, null, st);
    if (v) return v;
  }
  const v = st.env.lookup?.(name);
  if (v !== undefined) return constant(v);
  if (st.env.unresolved && !st.env.unresolved.includes(name)) st.env.unresolved.push(name);
  return atom(name);
}

/** Expands a macro body with its parameters bound; null when the body is not an expression. */
function expand(macro: MacroDef, args: SymValue[] | null, st: State): SymValue | null {
  const parsed = parseExpressionText(macro.body);
  if (!parsed.node) return null;
  let params: Map<string, SymValue> | null = null;
  if (macro.params) {
    if (!args || args.length !== macro.params.length) return null;
    params = new Map(macro.params.map((p, i) => [p, args[i]!]));
  }
  st.expanding.add(macro.name);
  const saved = st.params;
  st.params = params; // a macro body sees its own parameters, not the caller's
  try {
    return ev(parsed.node, st);
  } finally {
    st.params = saved;
    st.expanding.delete(macro.name);
  }
}

function evCall(node: Node, st: State): SymValue {
  const fn = node.childForFieldName('function');
  const argList = node.childForFieldName('arguments');
  const text = normalizeText(node.text);
  if (!fn || !argList) return atom(text);
  // `(u32)(x)` parses as a call through a parenthesised name: it is a cast when the name
  // is a type.
  if (fn.type === 'parenthesized_expression') {
    const inner = named(fn);
    const args = named(argList);
    if (inner.length === 1 && inner[0]!.type === 'identifier' && args.length === 1 && looksLikeType(inner[0]!.text)) {
      const t = castType(inner[0]!.text);
      return cast(t.type, t.bits, t.signed, ev(args[0]!, st));
    }
  }
  const name = fn.type === 'identifier' ? fn.text : null;
  if (!name) return atom(text);
  const argNodes = named(argList);
  const macro = macroOf(st.env.macros, name);
  if (macro && macro.params !== null && !st.expanding.has(name)) {
    const v = expand(macro, argNodes.map((a) => ev(a, st)), st);
    if (v) return v;
  }
  const builtin = BUILTINS[name];
  if (builtin) {
    // `_AC(0x1, UL)`: the suffix argument is a token, not a value.
    const args = name === '_AC' ? [ev(argNodes[0]!, st)] : name === '_AT' ? [constant(0n), ev(argNodes[1]!, st)] : argNodes.map((a) => ev(a, st));
    if (argNodes.length === 0) return atom(text);
    const v = builtin(args, text);
    if (v) return v;
  }
  if (st.env.call) {
    const v = st.env.call(name, argNodes.map((a) => ev(a, st)), node);
    if (v) return v;
  }
  return atom(text);
}

// ---------------------------------------------------------------------------------------
// Constant results

export type ConstResult = { ok: true; value: bigint } | { ok: false; error: string; identifier?: string };

/** A value as a constant result: names the first unresolved identifier when there is one. */
export function toConstResult(v: SymValue, unresolved: string[] = []): ConstResult {
  if (unresolved.length > 0) {
    return { ok: false, error: `unknown identifier '${unresolved[0]}'`, identifier: unresolved[0] };
  }
  if (v.kind === 'const') return { ok: true, value: v.value };
  if (v.kind === 'unknown') return { ok: false, error: v.reason };
  return { ok: false, error: `not a constant: ${printValue(v)}` };
}

/** Evaluates an expression string (`"PROT_READ|PROT_WRITE"`, `"0x3"`, `"MADV_DONTFORK"`)
 *  to a constant. Synchronous once initC() has resolved; never throws. */
export function evaluateText(
  expr: string,
  lookup?: (name: string) => bigint | undefined,
  options: Omit<EvalEnv, 'lookup' | 'unresolved'> = {},
): ConstResult {
  try {
    if (typeof expr !== 'string') return { ok: false, error: 'expression is not a string' };
    const simple = simpleOr(expr, lookup, options.macros);
    if (simple) return simple;
    const parsed = parseExpressionText(expr);
    if (!parsed.node) return { ok: false, error: parsed.error ?? 'not an expression' };
    const unresolved: string[] = [];
    const effect = sideEffect(parsed.node);
    if (effect) return { ok: false, error: `not a constant expression: contains ${effect}` };
    const v = evaluate(parsed.node, { ...options, lookup, unresolved });
    return toConstResult(v, unresolved);
  } catch (e) {
    return { ok: false, error: `evaluator failure: ${(e as Error).message}` };
  }
}

const SIMPLE_OR = /^\s*[A-Za-z_0-9]+(\s*\|\s*[A-Za-z_0-9]+)*\s*$/;

/** Fast path for the common scenario strings (`PROT_READ|PROT_WRITE`, `MADV_DONTFORK`,
 *  `0x3`): names and literals joined by `|`, none of them a macro. Null: take the full path. */
function simpleOr(expr: string, lookup: ((name: string) => bigint | undefined) | undefined, macros: MacroTable | undefined): ConstResult | null {
  if (expr.length > 400 || !SIMPLE_OR.test(expr)) return null;
  let value = 0n;
  for (const raw of expr.split('|')) {
    const word = raw.trim();
    if (/^[0-9]/.test(word)) {
      const v = parseIntegerLiteral(word);
      if (v === null) return null;
      value |= v;
      continue;
    }
    if (macroOf(macros, word)) return null;
    const v = lookup?.(word);
    if (v === undefined) return { ok: false, error: `unknown identifier '${word}'`, identifier: word };
    value |= u64(v);
  }
  return { ok: true, value };
}

function sideEffect(node: Node): string | null {
  if (node.type === 'assignment_expression') return 'an assignment';
  if (node.type === 'update_expression') return `'${node.text}'`;
  for (const c of node.namedChildren) {
    const e = c ? sideEffect(c) : null;
    if (e) return e;
  }
  return null;
}

/** Evaluates an expression string symbolically (unresolved names stay atoms). */
export function evaluateTextSymbolic(expr: string, env: EvalEnv = {}): SymValue {
  const parsed = parseExpressionText(expr);
  if (!parsed.node) return unknown(parsed.error ?? 'not an expression');
  return evaluate(parsed.node, env);
}

export { castConst };
