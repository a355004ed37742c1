// A driver's mmap handler for the doorbell (UAR) page: an InfiniBand driver's mmap function
// that maps one page with io_remap_pfn_range/remap_pfn_range (or rdma_user_mmap_io), and the
// vm_flags it sets or clears on the VMA (`vma->vm_flags |= ...`, `vm_flags_set(vma, ...)`,
// `vm_flags_clear`, `vm_flags_mod`, `&= ~...`, `= ...`).
import type { Node } from 'web-tree-sitter';
import { bitEffect, findAssignments, MASK64, type Assignment, type CFragment } from '../../c/index';
import { VMA_FLAGS, type SideEnv, type SideFragment } from '../env';
import type { Fact } from '../facts';
import { allOwn, argumentsOf, changedLinesOf, functionScopes, hasOwnIdentifier, insideWord, linesOf, macrosUsed, ownNodes } from './common';

const REMAP_NAMES = ['io_remap_pfn_range', 'remap_pfn_range', 'rdma_user_mmap_io', 'io_remap_page_range', 'remap_page_range'];
const REMAP_CALLS = new RegExp(`^(${REMAP_NAMES.join('|')})$`);
// `->vm_flags` with whitespace anywhere, as the test below strips it before comparing.
const FIELD_VM_FLAGS = /-\s*>\s*v\s*m\s*_\s*f\s*l\s*a\s*g\s*s/;
const VM_FLAGS_CALL_NAMES = ['vm_flags_set', 'vm_flags_clear', 'vm_flags_mod', 'vm_flags_init', 'vm_flags_reset'];
const VM_FLAGS_CALLS = new Set(VM_FLAGS_CALL_NAMES);

const CALLS_READ: readonly string[] = [...REMAP_NAMES, ...VM_FLAGS_CALL_NAMES];

/** The scope's own calls whose callee's text is one of `names`, in source order, with that
 *  text. Such a callee spells its name in the source, so only the places the source spells
 *  one are asked (is the widest node spanning exactly that name the callee of a call?),
 *  rather than every call of the tree with its callee's text. With nested definitions to
 *  leave out, the scope's own calls are read one by one. */
export function ownCallsTo(scope: { node: Node; whole: boolean }, fragment: CFragment, names: readonly string[]): { calls: Node[]; names: string[] } {
  if (!allOwn(scope, fragment)) {
    const wanted = new Set(names);
    const calls: Node[] = [];
    const callNames: string[] = [];
    for (const c of ownNodes(scope, fragment, 'call_expression')) {
      const name = c.childForFieldName('function')?.text ?? '';
      if (wanted.has(name)) { calls.push(c); callNames.push(name); }
    }
    return { calls, names: callNames };
  }
  const src = fragment.source;
  const from = scope.node.startIndex;
  const to = scope.node.endIndex;
  const found: Array<{ at: number; call: Node; name: string }> = [];
  for (const name of names) {
    const end = (at: number) => at + name.length;
    for (let at = src.indexOf(name, from); at >= 0 && end(at) <= to; at = src.indexOf(name, at + 1)) {
      if (insideWord(src, at, end(at))) continue; // `io_remap_pfn_range` holds `remap_pfn_range`
      // The smallest node spanning the name: the callee's identifier when it is one (a longer
      // word, a comment or a string around it gives a node starting or ending elsewhere).
      let callee = fragment.root.descendantForIndex(at, end(at));
      if (!callee || callee.startIndex !== at || callee.endIndex !== end(at)) continue;
      // The callee is the widest node with exactly that span (an ERROR node may wrap it).
      let parent = callee.parent;
      while (parent && parent.startIndex === at && parent.endIndex === end(at)) {
        callee = parent;
        parent = parent.parent;
      }
      if (!parent || parent.type !== 'call_expression' || parent.childForFieldName('function')?.id !== callee.id) continue;
      found.push({ at, call: parent, name });
    }
  }
  // Each call's callee starts it, so source order is pre-order (as the walk gives them).
  found.sort((a, b) => a.at - b.at);
  return { calls: found.map((f) => f.call), names: found.map((f) => f.name) };
}

/** The scope's own assignment expressions (not declarations), as findAssignments reads them:
 *  the walk and the reading are shared with the rules (MM009 reads the same tree's
 *  assignments). One without an lvalue assigns no `->vm_flags`. */
function ownAssignmentExpressions(scope: { node: Node; whole: boolean }, fragment: CFragment): Assignment[] {
  const all = findAssignments(scope.node).filter((a) => !a.isDeclaration);
  if (allOwn(scope, fragment)) return all;
  const own = new Set(ownNodes(scope, fragment, ['assignment_expression', 'init_declarator']).map((n) => n.id));
  return all.filter((a) => own.has(a.node.id));
}

export function isDriverPath(path: string | null): boolean {
  return path === null || /(^|\/)drivers\/infiniband\//.test(path);
}

/** The handler visibly maps more than the one doorbell page: a complete remap call whose size
 *  is not PAGE_SIZE, in a function that does not insist on one page (`!= PAGE_SIZE`). A window
 *  that cuts the call short gives no evidence either way. */
function mapsMoreThanAPage(calls: Node[], names: string[], body: Node, fragment: CFragment): boolean {
  const sizes = calls
    .filter((_, i) => REMAP_CALLS.test(names[i]!))
    .map((c) => sizeArg(c, fragment))
    .filter((n): n is Node => n !== null)
    .map((n) => n.text.replace(/\s+/g, ''));
  if (sizes.length === 0) return false;
  if (sizes.some((t) => t === 'PAGE_SIZE')) return false;
  if (/[!=]=\s*PAGE_SIZE\b|\bPAGE_SIZE\s*[!=]=/.test(body.text)) return false;
  return true;
}

function sizeArg(call: Node, fragment: CFragment): Node | null {
  const args = argumentsOf(call, fragment);
  // io_remap_pfn_range(vma, addr, pfn, size, prot); rdma_user_mmap_io(uctx, vma, pfn, size, prot, entry)
  return args.length >= 5 ? args[3]! : null;
}

export function collectDriverFacts(sf: SideFragment, env: SideEnv): Fact[] {
  const { fragment } = sf;
  if (!isDriverPath(sf.path)) return [];
  const facts: Fact[] = [];
  for (const scope of functionScopes(fragment)) {
    const fn = scope.name;
    if (!fn || !/mmap/i.test(fn)) continue;
    // The remap call is often cut by the window's end (an ERROR node): its name is enough.
    if (!hasOwnIdentifier(scope, fragment, REMAP_NAMES)) continue;
    // Only calls to these names are read below (the remap calls' sizes, the vm_flags calls'
    // arguments).
    const { calls, names } = ownCallsTo(scope, fragment, CALLS_READ);
    if (mapsMoreThanAPage(calls, names, scope.node, fragment)) continue;
    let set = 0n;
    let clear = 0n;
    const nodes: Node[] = [];
    const constOf = (n: Node | undefined | null): bigint | null => {
      if (!n) return null;
      const v = env.evaluate(n, fragment);
      return v.kind === 'const' ? v.value : null;
    };
    for (const [i, c] of calls.entries()) {
      const name = names[i]!;
      if (!VM_FLAGS_CALLS.has(name)) continue; // the arguments of other calls are not read
      const args = argumentsOf(c, fragment);
      if (name === 'vm_flags_set') {
        const v = constOf(args[1]);
        if (v !== null) { set |= v; clear &= ~v; nodes.push(c); }
      } else if (name === 'vm_flags_clear') {
        const v = constOf(args[1]);
        if (v !== null) { clear |= v; set &= ~v; nodes.push(c); }
      } else if (name === 'vm_flags_mod') {
        const s = constOf(args[1]);
        const k = constOf(args[2]);
        if (s !== null && k !== null) { set = (set & ~k) | s; clear = (clear & ~s) | k; nodes.push(c); }
      } else if (name === 'vm_flags_init' || name === 'vm_flags_reset') {
        const v = constOf(args[1]);
        if (v !== null) { set = v; clear = ~v & MASK64; nodes.push(c); }
      }
    }
    // An assignment the loop takes spells `->vm_flags` in the source: without one, no
    // assignment is read.
    for (const a of FIELD_VM_FLAGS.test(fragment.source) ? ownAssignmentExpressions(scope, fragment) : []) {
      const left = a.left.text.replace(/\s+/g, '');
      const right = a.right;
      if (!/->vm_flags$/.test(left) || !right) continue;
      const op = a.operator;
      const rhs = env.evaluate(right, fragment);
      if (op === '|=' && rhs.kind === 'const') { set |= rhs.value; clear &= ~rhs.value; nodes.push(a.node); }
      else if (op === '&=' && rhs.kind === 'const') { const c = ~rhs.value & MASK64; clear |= c; set &= ~c; nodes.push(a.node); }
      else if (op === '=') {
        const e = bitEffect(rhs, VMA_FLAGS);
        set = (set & e.keep) | e.set;
        clear = (clear & e.keep) | e.clear;
        nodes.push(a.node);
      }
    }
    facts.push({
      hook: 'driver-mmap', detail: fn, scope: fn, value: { type: 'driver-flags', set: set & MASK64, clear: clear & MASK64 },
      changedLines: changedLinesOf(fragment, nodes), lines: linesOf(fragment, nodes),
      file: sf.path, function: fn, patch: sf.patch, macros: nodes.flatMap((n) => macrosUsed(n, env, fragment)),
    });
  }
  return facts;
}
