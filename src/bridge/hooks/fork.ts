// Fork policy: in dup_mmap, which VMAs are skipped (`if (mpnt->vm_flags & VM_DONTCOPY) {
// ... continue; }`), which get no page copy (`if (!(tmp->vm_flags & VM_WIPEONFORK))
// copy_page_range(...)`), which flags the child loses (`vm_flags_clear(tmp, VM_LOCKED_MASK)`);
// in the page-table copy, whether possibly pinned anonymous pages are copied for the child
// (a call to copy_present_page). The last is counted over the whole patch (see
// countPinnedCopies) so code moved between functions is not mistaken for a change.
import type { Node } from 'web-tree-sitter';
import { atomsOf, bitwiseForm, descendants, findCalls, MASK64, printValue, type CFragment, type SymValue } from '../../c/index';
import { VMA_FLAGS, type SideEnv, type SideFragment } from '../env';
import type { Fact } from '../facts';
import { changedLinesOf, functionScopes, linesOf, macrosUsed, ownNodes, ownIfStatements } from './common';

const DUP_MMAP = new Set(['dup_mmap']);
export const PAGE_COPY_FUNCTIONS = /^(copy_present_ptes?|copy_pte_range|copy_one_pte|copy_present_page|copy_nonpresent_pte|__copy_present_ptes)$/;
/** The call that gives the child its own copy of a possibly pinned page. */
export const PINNED_COPY_CALLS = ['copy_present_page'];

function flagMask(v: SymValue): bigint | null {
  const f = bitwiseForm(v);
  if (f.constant !== 0n || f.terms.length !== 1 || f.terms[0]!.key !== VMA_FLAGS) return null;
  return f.terms[0]!.mask;
}

function containsType(node: Node, type: string): boolean {
  if (node.type === type) return true;
  for (const c of node.namedChildren) if (c && containsType(c, type)) return true;
  return false;
}

export function collectForkFacts(sf: SideFragment, env: SideEnv): Fact[] {
  const { fragment } = sf;
  const facts: Fact[] = [];
  for (const scope of functionScopes(fragment)) {
    const fn = scope.name;
    if (!fn || !DUP_MMAP.has(fn)) continue;
    // Skipped VMAs: a flag test whose body continues the loop (or is cut off by the window
    // before it shows its end, and is not the commit-charge test that bails out with goto).
    let skip = 0n;
    const skipNodes: Node[] = [];
    const unmodelled: string[] = [];
    const unmodelledText: string[] = [];
    for (const stmt of ownIfStatements(scope, fragment)) {
      const cond = stmt.childForFieldName('condition');
      const body = stmt.childForFieldName('consequence');
      if (!cond || !body) continue;
      const value = env.evaluate(cond, fragment);
      const m = flagMask(value);
      const continues = containsType(body, 'continue_statement');
      if (!continues) {
        // A body the window cuts before its end may be the skip test (its `continue` out of
        // view) or another flag test (2.6's VM_ACCOUNT charge, which bails out with goto
        // further down): it is taken as the skip when it tests a flag the base kernel skips
        // on, or when the patch edits the test itself (an unchanged VM_ACCOUNT test is not).
        const cut = fragment.isSyntheticIndex(Math.max(body.startIndex, body.endIndex - 1));
        if (!cut || containsType(body, 'goto_statement')) continue;
        const edited = changedLinesOf(fragment, [cond]).length > 0;
        const known = m === null ? (mentionedBits(cond, env, fragment) & env.model.fork.skipFlags) !== 0n : m !== 0n && (m & ~env.model.fork.skipFlags) === 0n;
        if (!known && !edited) continue;
      }
      if (m === null) {
        // A skip test the model cannot hold ("DONTCOPY but not PFNMAP"): reported, and the
        // flags it tests keep the base kernel's skip (the model stays as it was for them).
        if (!dependsOnVmaFlags(value)) continue;
        unmodelled.push(printValue(value));
        unmodelledText.push(cond.text.replace(/\s+/g, ' ').replace(/^\((.*)\)$/, '$1'));
        skip |= mentionedBits(cond, env, fragment) & env.model.fork.skipFlags;
        skipNodes.push(cond);
        continue;
      }
      skip |= m;
      skipNodes.push(cond);
    }
    if (skipNodes.length) facts.push({ ...mk(sf, fn, 'skipFlags', skip, skipNodes, env), ...(unmodelled.length ? { unmodelled, unmodelledText } : {}) });
    // Page tables not copied.
    for (const call of findCalls(scope.node, 'copy_page_range')) {
      let wipe = 0n;
      let at: Node = call.node;
      for (let p = call.node.parent; p && p.id !== scope.node.id; p = p.parent) {
        if (p.type !== 'if_statement') continue;
        const cond = p.childForFieldName('condition');
        if (!cond) continue;
        const v = env.evaluate(cond, fragment);
        // `!(tmp->vm_flags & VM_WIPEONFORK)` guards the copy.
        const inner = v.kind === 'unary' && v.op === '!' ? flagMask(v.arg) : null;
        if (inner !== null) {
          wipe = inner;
          at = cond;
        }
        break;
      }
      facts.push(mk(sf, fn, 'wipeFlags', wipe, at === call.node ? [enclosing(call.node)] : [at], env));
    }
    // Flags the child loses.
    let childClear = 0n;
    const clearNodes: Node[] = [];
    for (const call of findCalls(scope.node, 'vm_flags_clear')) {
      const v = call.args[1] ? env.evaluate(call.args[1], fragment) : null;
      if (v?.kind === 'const') {
        childClear |= v.value;
        clearNodes.push(call.node);
      }
    }
    for (const a of ownNodes(scope, fragment, 'assignment_expression')) {
      if (a.childForFieldName('operator')?.type !== '&=') continue;
      const left = a.childForFieldName('left')?.text.replace(/\s+/g, '') ?? '';
      if (!/->vm_flags$/.test(left)) continue;
      const v = env.evaluate(a.childForFieldName('right')!, fragment);
      if (v.kind === 'const') {
        childClear |= ~v.value & MASK64;
        clearNodes.push(a);
      }
    }
    if (clearNodes.length) facts.push(mk(sf, fn, 'childClear', childClear, clearNodes, env));
  }
  return facts;
}

function dependsOnVmaFlags(v: SymValue): boolean {
  return atomsOf(v).has(VMA_FLAGS);
}

/** VM bits named in a condition (each identifier that evaluates to a constant). */
function mentionedBits(cond: Node, env: SideEnv, fragment: CFragment): bigint {
  let out = 0n;
  for (const id of descendants(cond, 'identifier')) {
    const v = env.evaluate(id, fragment);
    if (v.kind === 'const') out |= v.value;
  }
  return out & MASK64;
}

function enclosing(n: Node): Node {
  let cur = n;
  while (cur.parent && !/_statement$/.test(cur.type)) cur = cur.parent;
  return cur;
}

function mk(sf: SideFragment, fn: string, detail: string, value: bigint, nodes: Node[], env: SideEnv): Fact {
  return {
    hook: 'fork-policy', detail, scope: fn, value: { type: 'mask', value },
    changedLines: changedLinesOf(sf.fragment, nodes), lines: linesOf(sf.fragment, nodes),
    file: sf.path, function: fn, patch: sf.patch, macros: nodes.flatMap((n) => macrosUsed(n, env, sf.fragment)),
  };
}

/** Calls that copy a possibly pinned page for the child, in page-copy functions of one
 *  side, with their lines. */
export function pinnedCopyCalls(sf: SideFragment): Node[] {
  const out: Node[] = [];
  for (const scope of functionScopes(sf.fragment)) {
    if (!scope.name || !PAGE_COPY_FUNCTIONS.test(scope.name)) continue;
    for (const c of ownNodes(scope, sf.fragment, 'call_expression')) {
      if (PINNED_COPY_CALLS.includes(c.childForFieldName('function')?.text ?? '')) out.push(c);
    }
  }
  return out;
}
