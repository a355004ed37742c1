// mprotect: which VM bits survive a call (`newflags = vm_flags | (vma->vm_flags & ~MASK)`,
// however the mask is built: split over statements, through a macro or a helper the patch
// defines, or as do_mprotect_pkey's `mask_off_old_flags`) and the VM_MAY* access check
// `(newflags & ~(newflags >> 4)) & MASK`.
import type { Node } from 'web-tree-sitter';
import {
  assignedValue, atomsOf, constant, evaluateTextSymbolic, findAssignments, keptBits, matchAccessCheck, MASK64, normalizeText,
  substitute, type Assignment, type CFragment, type SymValue,
} from '../../c/index';
import { VMA_FLAGS, type SideEnv, type SideFragment } from '../env';
import type { Fact } from '../facts';
import { allOwn, changedLinesOf, functionScopes, hasOwnIdentifier, insideWord, linesOf, macrosUsed, ownNodes, ownIfStatements } from './common';

const MPROTECT_FUNCTIONS = new Set(['sys_mprotect', 'do_mprotect_pkey']);

/** How do_mprotect_pkey (4.9+) uses its mask variable when the hunk shows only the mask's
 *  assignment: the statement the window leaves out, as the kernel has it. */
const MASK_VARIABLE_USE: Record<string, string> = {
  mask_off_old_flags: 'vma->vm_flags & ~mask_off_old_flags',
};

interface Origin {
  value: SymValue;
  nodes: Node[];
}

export function collectMprotectFacts(sf: SideFragment, env: SideEnv): Fact[] {
  const { fragment } = sf;
  const facts: Fact[] = [];
  for (const scope of functionScopes(fragment)) {
    const fn = scope.name;
    if (!fn || !MPROTECT_FUNCTIONS.has(fn)) continue;
    // Straight-line dataflow over the window, remembering which statements fed each value.
    const locals = new Map<string, SymValue>();
    const origins = new Map<string, Origin>();
    // The mask variable used in view but assigned out of view: the base kernel's mask (what
    // mprotect does not keep), so a change to its use is still measured against it.
    for (const variable of Object.keys(MASK_VARIABLE_USE)) {
      const used = hasOwnIdentifier(scope, fragment, [variable]);
      const assigned = findAssignments(scope.node, variable).length > 0;
      if (used && !assigned) locals.set(variable, constant(~env.model.mprotectKept & MASK64));
    }
    let kept: { value: bigint; nodes: Node[]; macros: string[] } | null = null;
    const ownIds = new Map<string, Set<number>>();
    const everyOwn = allOwn(scope, fragment);
    const isOwn = (n: Node): boolean => {
      if (everyOwn) return true; // the assignments under the scope are all its own
      let ids = ownIds.get(n.type);
      if (!ids) ownIds.set(n.type, (ids = new Set(ownNodes(scope, fragment, n.type).map((o) => o.id))));
      return ids.has(n.id);
    };
    const assignments = findAssignments(scope.node).filter((a) => isOwn(a.node));
    for (const a of assignments) {
      const v = assigned(a, env, sf, locals);
      if (!v) continue;
      const feeding = a.right && mayUse(a.right, origins) ? namesRead(a.right, origins, fragment).flatMap((id) => origins.get(id)!.nodes) : [];
      const previous = a.operator !== '=' ? (origins.get(a.target)?.nodes ?? []) : [];
      const nodes = [...previous, ...feeding, a.node];
      locals.set(a.target, v);
      origins.set(a.target, { value: v, nodes });
      const bits = keptBits(v, VMA_FLAGS);
      if (a.target !== VMA_FLAGS && bits !== 0n && isKeptMask(bits)) {
        kept = { value: bits, nodes, macros: nodes.flatMap((n) => macrosUsed(n, env, fragment)) };
      }
    }
    if (!kept) {
      // do_mprotect_pkey: the mask variable is assigned in view, its use is not.
      for (const [variable, use] of Object.entries(MASK_VARIABLE_USE)) {
        const o = origins.get(variable);
        if (!o) continue;
        const v = evaluateTextSymbolic(use, env.env(fragment, locals));
        const bits = keptBits(v, VMA_FLAGS);
        if (bits !== 0n) kept = { value: bits, nodes: o.nodes, macros: o.nodes.flatMap((n) => macrosUsed(n, env, fragment)) };
      }
    }
    if (kept) {
      facts.push({
        hook: 'mprotect-kept', detail: 'mprotectKept', scope: fn, value: { type: 'mask', value: kept.value & MASK64 },
        changedLines: changedLinesOf(fragment, kept.nodes), lines: linesOf(fragment, kept.nodes),
        file: sf.path, function: fn, patch: sf.patch, macros: kept.macros,
      });
    }
    for (const stmt of ownIfStatements(scope, fragment)) {
      const cond = stmt.childForFieldName('condition');
      if (!cond) continue;
      // Plain first (newflags stays a name), then with earlier assignments (a split mask).
      // Last, with every local: `maybits = newflags >> 4; if ((newflags & ~maybits) & M)`.
      const plain = env.evaluate(cond, fragment);
      const check =
        matchAccessCheck(plain) ??
        matchAccessCheck(env.evaluate(cond, fragment, withoutSubjects(locals))) ??
        matchAccessCheck(env.evaluate(cond, fragment, locals)) ??
        probeAccessCheck(plain);
      if (!check) continue;
      facts.push({
        hook: 'mprotect-access-check', detail: 'mprotectAccessCheck', scope: fn,
        value: { type: 'access-check', shift: Number(check.shift), mask: check.mask },
        changedLines: changedLinesOf(fragment, [cond]), lines: linesOf(fragment, [cond]),
        file: sf.path, function: fn, patch: sf.patch, macros: macrosUsed(cond, env, fragment),
      });
    }
  }
  return facts;
}

function assigned(a: Assignment, env: SideEnv, sf: SideFragment, locals: Map<string, SymValue>): SymValue | null {
  const e = env.env(sf.fragment, locals);
  return assignedValue(a, e, e.locals!);
}

/** Whether the expression can read one of the names: each name identifiersOf gives is a
 *  piece of the expression's normalised text, so a text without any of them needs no walk
 *  (the walk asks wasm for every node of the expression). */
function mayUse(node: Node, names: ReadonlyMap<string, unknown>): boolean {
  if (names.size === 0) return false;
  const text = normalizeText(node.text);
  for (const name of names.keys()) if (text.includes(name)) return true;
  return false;
}

/** The names of `names` the expression reads (identifiers, field accesses by normalised text),
 *  in the order of their first place in it: identifiersOf filtered, without walking every
 *  node when the names in question are plain identifiers. Such an identifier spells its name
 *  in the source, so only the places the source spells one are asked (the smallest node
 *  spanning the name there is the identifier, a leaf, and under `node` when inside its span);
 *  a field access's text cannot be a plain name. */
export function namesRead(node: Node, names: ReadonlyMap<string, unknown>, fragment: CFragment): string[] {
  const walk = () => identifiersOf(node).filter((id) => names.has(id));
  // A broken tree may hold a field access without its operator (MISSING), whose text is a word.
  if (fragment.hasError) return walk();
  const from = node.startIndex;
  const to = node.endIndex;
  const src = fragment.source;
  const text = src.slice(from, to);
  let normalized: string | null = null;
  const found: Array<{ name: string; at: number }> = [];
  for (const name of names.keys()) {
    if (!PLAIN_NAME.test(name)) {
      // A field access is read by its normalised text (spaces and comments out).
      if ((normalized ??= normalizeText(text)).includes(name)) return walk();
      continue;
    }
    if (!text.includes(name)) continue;
    for (let at = src.indexOf(name, from); at >= 0 && at + name.length <= to; at = src.indexOf(name, at + 1)) {
      if (insideWord(src, at, at + name.length)) continue;
      const n = fragment.root.descendantForIndex(at, at + name.length);
      if (n && n.type === 'identifier' && n.startIndex === at && n.text === name) {
        found.push({ name, at });
        break;
      }
    }
  }
  return found.sort((x, y) => x.at - y.at).map((f) => f.name);
}

const PLAIN_NAME = /^[A-Za-z_]\w*$/;

export function identifiersOf(node: Node): string[] {
  const out = new Set<string>();
  const walk = (n: Node) => {
    if (n.type === 'identifier') out.add(n.text);
    if (n.type === 'field_expression') out.add(normalizeText(n.text));
    for (const c of n.namedChildren) if (c) walk(c);
  };
  walk(node);
  return [...out];
}

/** The kept bits of a value that is the VMA's flags with some bits masked plus other terms
 *  (newflags), not something that merely tests them (`vma->vm_flags & VM_IO`). */
function isKeptMask(bits: bigint): boolean {
  // A kept mask keeps most bits (a test of one or two flags keeps few) but not all of them
  // (`oldflags = vma->vm_flags` is a copy, not the mask).
  const n = popcount(bits);
  return n > 32 && n < 64;
}

function popcount(v: bigint): number {
  // The digits of the (non-negative, 64-bit) mask: no BigInt operation per bit.
  const digits = v.toString(2);
  let n = 0;
  for (let i = 0; i < digits.length; i++) if (digits.charCodeAt(i) === 49) n++;
  return n;
}

/** Locals minus the plain variables the access check tests (keep masks, drop newflags). */
function withoutSubjects(locals: Map<string, SymValue>): Map<string, SymValue> {
  const out = new Map<string, SymValue>();
  for (const [k, v] of locals) if (keptBits(v, VMA_FLAGS) === 0n) out.set(k, v);
  return out;
}

/** The access check by what it does rather than how it is spelled (`((f >> 4) ^ f) & f & 0xf`
 *  is `(f & ~(f >> 4)) & 0xf`): a condition of one variable that is false for 0, true for each
 *  checked bit alone, and false again once the bit `shift` places above is also set. Any other
 *  condition (a plain flag test, `if (error)`) fails one of those probes. */
function probeAccessCheck(v: SymValue): { subject: SymValue; shift: bigint; mask: bigint } | null {
  const atoms = [...atomsOf(v)];
  if (atoms.length !== 1) return null;
  const name = atoms[0]!;
  const at = (n: bigint): bigint | null => {
    const r = substitute(v, (a) => (a === name ? n : undefined));
    return r.kind === 'const' ? r.value : null;
  };
  if (at(0n) !== 0n) return null;
  let mask = 0n;
  for (let i = 0n; i < 64n; i++) {
    const r = at(1n << i);
    if (r === null) return null;
    if (r !== 0n) mask |= 1n << i;
  }
  if (mask === 0n) return null;
  for (let shift = 1n; shift < 16n; shift++) {
    let pairs = true;
    for (let i = 0n; i < 64n && pairs; i++) {
      if (!(mask & (1n << i))) continue;
      pairs = i + shift < 64n && at((1n << i) | (1n << (i + shift))) === 0n;
    }
    if (pairs) return { subject: { kind: 'atom', name } as SymValue, shift, mask };
  }
  return null;
}
