// PROT/MAP -> VM translation: the `_calc_vm_trans` terms of calc_vm_prot_bits /
// calc_vm_flag_bits (and their arch hooks), `if (flags & MAP_X) vm_flags |= VM_Y` in
// do_mmap, and the PROT bits mmap/mprotect accept (`if (prot & ~(...)) return -EINVAL`).
import type { Node } from 'web-tree-sitter';
import type { BitTranslation } from '../../kernel/model';
import { bitwiseForm, descendants, findAssignments, MASK64, type SymValue } from '../../c/index';
import type { SideEnv, SideFragment } from '../env';
import type { Fact } from '../facts';
import { termKey } from '../facts';
import { changedLinesOf, errnoOf, functionScopes, linesOf, macrosUsed, ownNodes, ownIfStatements } from './common';

const PROT_TRANSLATORS = new Set(['calc_vm_prot_bits', 'arch_calc_vm_prot_bits']);
const MAP_TRANSLATORS = new Set(['calc_vm_flag_bits', 'arch_calc_vm_flag_bits']);
const MMAP_FUNCTIONS = /^(do_mmap|do_mmap_pgoff|mmap_region|ksys_mmap_pgoff|sys_mmap\w*)$/;
const PROT_CHECKERS = /^(sys_mprotect|do_mprotect_pkey|arch_validate_prot|do_mmap|do_mmap_pgoff|sys_mmap\w*)$/;

function nameOf(node: Node): string {
  return node.text.replace(/\s+/g, '');
}

function oneBitName(v: bigint, names: Map<string, bigint>, prefix: string): string {
  for (const [n, x] of names) if (x === v && n.startsWith(prefix)) return n;
  return `0x${v.toString(16)}`;
}

export function collectTranslationFacts(sf: SideFragment, env: SideEnv): Fact[] {
  const { fragment } = sf;
  const facts: Fact[] = [];
  for (const scope of functionScopes(fragment)) {
    const fn = scope.name;
    if (!fn) continue;
    const isProt = PROT_TRANSLATORS.has(fn);
    const isMap = MAP_TRANSLATORS.has(fn);
    if (isProt || isMap) {
      const calls = ownNodes(scope, fragment, 'call_expression').filter((c) => c.childForFieldName('function')?.text === '_calc_vm_trans');
      if (calls.length > 0) facts.push(termsFact(sf, env, fn, isProt ? 'prot-translation' : 'mmap-flags', calls));
      else {
        // Spelled without _calc_vm_trans: `return (prot & PROT_SAO) ? VM_SAO : 0;`.
        const f = returnTermsFact(sf, env, fn, isProt ? 'prot-translation' : 'mmap-flags', scope);
        if (f) facts.push(f);
      }
    }
    if (MMAP_FUNCTIONS.test(fn)) {
      const f = mmapIfTerms(sf, env, fn, scope);
      if (f) facts.push(f);
      const fixed = mmapFixedFlags(sf, env, fn, scope);
      if (fixed) facts.push(fixed);
    }
    if (PROT_CHECKERS.test(fn)) facts.push(...protValidFacts(sf, env, fn, scope));
  }
  return facts;
}

function termsFact(sf: SideFragment, env: SideEnv, fn: string, hook: 'prot-translation' | 'mmap-flags', calls: Node[]): Fact {
  const { fragment } = sf;
  const terms: BitTranslation[] = [];
  const elementLines = new Map<string, number[]>();
  const macros = new Set<string>();
  for (const call of calls) {
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => a !== null && a.type !== 'comment');
    if (args.length !== 3) continue;
    const from = env.evaluate(args[1]!, fragment);
    const to = env.evaluate(args[2]!, fragment);
    macrosUsed(call, env, fragment).forEach((m) => macros.add(m));
    // `_calc_vm_trans` yields 0 when either constant is 0 on this configuration.
    if (from.kind !== 'const' || to.kind !== 'const' || from.value === 0n || to.value === 0n) continue;
    const t: BitTranslation = { from: from.value, to: to.value, fromName: nameOf(args[1]!), toName: nameOf(args[2]!) };
    terms.push(t);
    elementLines.set(termKey(t), changedLinesOf(fragment, [call]));
  }
  return {
    hook, detail: fn, scope: fn, value: { type: 'translation', terms },
    changedLines: changedLinesOf(fragment, calls), lines: linesOf(fragment, calls), elementLines,
    file: sf.path, function: fn, patch: sf.patch, macros: [...macros],
  };
}

/** The bit moves an evaluated translation expression makes: `(x & A) ? B : 0` terms, `x & C`
 *  identity terms, ORed; calls the model does not know stay out (they are the same on both
 *  sides). Null when the value is something else. */
function movesOf(v: SymValue): Array<{ from: bigint; to: bigint }> | null {
  if (v.kind === 'const') return v.value === 0n ? [] : null;
  if (v.kind === 'atom') return /\(/.test(v.name) ? [] : null;
  if (v.kind === 'binary' && v.op === '|') {
    const l = movesOf(v.left);
    const r = movesOf(v.right);
    return l && r ? [...l, ...r] : null;
  }
  if (v.kind === 'binary' && v.op === '&') {
    const c = v.right.kind === 'const' ? v.right.value : v.left.kind === 'const' ? v.left.value : null;
    if (c === null) return null;
    const out: Array<{ from: bigint; to: bigint }> = [];
    for (let b = 1n; b <= c && b !== 0n; b <<= 1n) if (c & b) out.push({ from: b, to: b });
    return out;
  }
  if (v.kind === 'cond' && v.else.kind === 'const' && v.else.value === 0n && v.then.kind === 'const') {
    const t = v.test.kind === 'binary' && v.test.op === '!=' && v.test.right.kind === 'const' && v.test.right.value === 0n ? v.test.left : v.test;
    const f = bitwiseForm(t);
    if (f.constant !== 0n || f.terms.length !== 1) return null;
    const from = f.terms[0]!.mask;
    if ((from & (from - 1n)) !== 0n || v.then.value === 0n) return null;
    return [{ from, to: v.then.value }];
  }
  return null;
}

function returnTermsFact(sf: SideFragment, env: SideEnv, fn: string, hook: 'prot-translation' | 'mmap-flags', scope: { node: Node; whole: boolean }): Fact | null {
  const { fragment } = sf;
  const rets = ownNodes(scope, fragment, 'return_statement');
  if (rets.length !== 1) return null;
  const e = rets[0]!.namedChildren.find((c): c is Node => c !== null && c.type !== 'comment');
  if (!e) return null;
  const moves = movesOf(env.evaluate(e, fragment));
  if (!moves) return null;
  // Names for messages: the identifiers the expression uses, by value.
  const names = new Map<string, string>();
  for (const id of descendants(e, 'identifier')) {
    const v = env.evaluate(id, fragment);
    if (v.kind === 'const') names.set(`${/^VM_/.test(id.text) ? 'vm' : 'user'}:${v.value}`, id.text);
  }
  const terms: BitTranslation[] = moves.map((m) => ({
    ...m, fromName: names.get(`user:${m.from}`) ?? `0x${m.from.toString(16)}`, toName: names.get(`vm:${m.to}`) ?? `0x${m.to.toString(16)}`,
  }));
  const lines = changedLinesOf(fragment, [rets[0]!]);
  return {
    hook, detail: fn, scope: fn, value: { type: 'translation', terms },
    changedLines: lines, lines: linesOf(fragment, [rets[0]!]), elementLines: new Map(terms.map((t) => [termKey(t), lines])),
    file: sf.path, function: fn, patch: sf.patch, macros: macrosUsed(rets[0]!, env, fragment),
  };
}

/** `if (flags & MAP_X) vm_flags |= VM_Y;` in do_mmap: more MAP -> VM terms. */
function mmapIfTerms(sf: SideFragment, env: SideEnv, fn: string, scope: { node: Node; whole: boolean }): Fact | null {
  const { fragment } = sf;
  const terms: BitTranslation[] = [];
  const nodes: Node[] = [];
  const elementLines = new Map<string, number[]>();
  for (const stmt of ownIfStatements(scope, fragment)) {
    const cond = stmt.childForFieldName('condition');
    const body = stmt.childForFieldName('consequence');
    if (!cond || !body) continue;
    const c = bitwiseForm(env.evaluate(cond, fragment));
    if (c.constant !== 0n || c.terms.length !== 1 || c.terms[0]!.key !== 'flags') continue;
    const from = c.terms[0]!.mask;
    if ((from & (from - 1n)) !== 0n) continue;
    // The body sets one VM bit (other statements, such as an mlock permission check, aside).
    const sets = (body.type === 'expression_statement' ? [body] : body.namedChildren.filter((x): x is Node => x !== null && x.type === 'expression_statement'))
      .map((x) => x.namedChildren[0])
      .filter((x): x is Node => !!x && x.type === 'assignment_expression' && x.childForFieldName('operator')?.type === '|=' && x.childForFieldName('left')?.text.replace(/\s+/g, '') === 'vm_flags');
    if (sets.length !== 1) continue;
    const assign = sets[0]!;
    const to = env.evaluate(assign.childForFieldName('right')!, fragment);
    if (to.kind !== 'const' || to.value === 0n) continue;
    const t: BitTranslation = { from, to: to.value, fromName: /\bMAP_\w+/.exec(cond.text)?.[0] ?? oneBitName(from, env.symbols, 'MAP_'), toName: assign.childForFieldName('right')!.text.replace(/\s+/g, '') };
    terms.push(t);
    nodes.push(stmt);
    elementLines.set(termKey(t), changedLinesOf(fragment, [stmt]));
  }
  if (nodes.length === 0) return null;
  return {
    hook: 'mmap-flags', detail: fn, scope: fn, value: { type: 'translation', terms },
    changedLines: changedLinesOf(fragment, nodes), lines: linesOf(fragment, nodes), elementLines,
    file: sf.path, function: fn, patch: sf.patch,
  };
}

/** `vm_flags = calc_vm_prot_bits(prot) | calc_vm_flag_bits(flags) | mm->def_flags |
 *  VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;` in do_mmap: the constant bits every new mapping
 *  gets whatever its PROT and MAP bits, summed over the unconditional assignments to
 *  vm_flags (the same bits spread over several `|=` statements are the same value). Only
 *  when the window shows the statement that translates prot. */
function mmapFixedFlags(sf: SideFragment, env: SideEnv, fn: string, scope: { node: Node; whole: boolean }): Fact | null {
  const { fragment } = sf;
  const own = new Set(ownNodes(scope, fragment, ['assignment_expression', 'init_declarator']).map((n) => n.id));
  let fixed = 0n;
  let anchored = false;
  const nodes: Node[] = [];
  for (const a of findAssignments(scope.node, 'vm_flags')) {
    if (!own.has(a.node.id) || !a.right || !unconditional(a.node, scope.node)) continue;
    const constant = bitwiseForm(env.evaluate(a.right, fragment)).constant & MASK64;
    if (a.operator === '=') fixed = constant;
    else if (a.operator === '|=') fixed |= constant;
    else if (a.operator === '&=') {
      const v = env.evaluate(a.right, fragment);
      if (v.kind !== 'const') continue;
      fixed &= v.value;
    } else continue;
    nodes.push(a.node);
    if (descendants(a.right, 'identifier').some((id) => id.text === 'calc_vm_prot_bits')) anchored = true;
  }
  if (!anchored) return null;
  return {
    hook: 'mmap-flags', detail: 'fixedFlags', scope: fn, value: { type: 'mask', value: fixed },
    changedLines: changedLinesOf(fragment, nodes), lines: linesOf(fragment, nodes),
    file: sf.path, function: fn, patch: sf.patch, macros: nodes.flatMap((n) => macrosUsed(n, env, sf.fragment)),
  };
}

const CONDITIONAL = new Set(['if_statement', 'else_clause', 'switch_statement', 'case_statement', 'for_statement', 'while_statement', 'do_statement', 'conditional_expression']);

/** No if/switch/loop between the node and the function body. */
function unconditional(n: Node, body: Node): boolean {
  for (let p = n.parent; p && p.id !== body.id; p = p.parent) if (CONDITIONAL.has(p.type)) return false;
  return true;
}

/** `if (prot & ~(PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM)) return -EINVAL;` and
 *  `return (prot & ~(...)) == 0;`: the PROT bits accepted, as a mask. */
function protValidFacts(sf: SideFragment, env: SideEnv, fn: string, scope: { node: Node; whole: boolean }): Fact[] {
  const { fragment } = sf;
  const out: Fact[] = [];
  const rejectOf = (cond: Node): bigint | null => {
    let v = env.evaluate(cond, fragment);
    // `!(X == 0)` (a negated validity test such as !arch_validate_prot()) rejects when X.
    if (v.kind === 'unary' && v.op === '!' && v.arg.kind === 'binary' && v.arg.op === '==' && v.arg.right.kind === 'const' && v.arg.right.value === 0n) v = v.arg.left;
    else if (v.kind === 'binary' && v.op === '==' && v.right.kind === 'const' && v.right.value === 0n) v = v.left;
    const f = bitwiseForm(v);
    if (f.constant !== 0n || f.terms.length !== 1 || f.terms[0]!.key !== 'prot') return null;
    return f.terms[0]!.mask;
  };
  // Every check in view rejects its bits: together they accept what none rejects.
  let rejected = 0n;
  const checks: Node[] = [];
  for (const stmt of ownIfStatements(scope, fragment)) {
    const cond = stmt.childForFieldName('condition');
    const body = stmt.childForFieldName('consequence');
    if (!cond || !body) continue;
    const ret = body.type === 'return_statement' ? body : body.namedChildren.find((x) => x?.type === 'return_statement') ?? null;
    if (!ret || errnoOf(ret.namedChildren[0] ?? null) !== 'EINVAL') continue;
    const reject = rejectOf(cond);
    if (reject === null || reject === MASK64) continue;
    rejected |= reject;
    checks.push(cond);
  }
  if (checks.length) out.push(validFact(sf, fn, rejected, checks, env));
  if (fn === 'arch_validate_prot') {
    for (const ret of ownNodes(scope, fragment, 'return_statement')) {
      const e = ret.namedChildren[0];
      if (!e) continue;
      const reject = rejectOf(e);
      if (reject !== null) out.push(validFact(sf, fn, reject, [ret], env));
    }
  }
  return out;
}

function validFact(sf: SideFragment, fn: string, reject: bigint, nodes: Node[], env: SideEnv): Fact {
  const accepted = ~reject & 0xffffffffn;
  return {
    hook: 'prot-translation', detail: 'prot-valid', scope: fn, value: { type: 'mask', value: accepted },
    changedLines: changedLinesOf(sf.fragment, nodes), lines: linesOf(sf.fragment, nodes),
    file: sf.path, function: fn, patch: sf.patch, macros: nodes.flatMap((n) => macrosUsed(n, env, sf.fragment)),
  };
}

