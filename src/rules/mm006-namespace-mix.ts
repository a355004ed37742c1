// MM006: flag namespaces mixed. PROT_, MAP_, MADV_ and VM_ constants live in different
// namespaces that only partly share values (PROT_READ/WRITE/EXEC equal VM_READ/WRITE/EXEC,
// nothing else lines up). The rule reads each bit expression the patch adds, decides which
// namespace its variables (vm_flags, newflags, prot, behavior...) or its target put it in, and
// reports constants of another namespace in it.
import type { Node } from 'web-tree-sitter';
import type { Rule, Finding } from './types';
import { makeFinding, type RuleContext, type ParsedHunk } from './context';
import { findCalls, memoOnNode, normalizeText, type CFragment } from '../c/index';
import { formatFlag, namespaceOf } from '../kernel/index';
import type { Namespace } from '../kernel/index';
import { hunksAddingLines, isAddedCode, nodeRange } from './added-code';

const meta = {
  id: 'MM006',
  name: 'flag-namespace-mix',
  defaultSeverity: 'warning' as const,
  shortDescription: 'Flag namespaces mixed: a PROT_/MAP_/MADV_ constant where VM flags are expected, or the reverse.',
  fullDescription:
    'vm_flags hold VM_ bits; mmap/mprotect take PROT_ and MAP_ bits; madvise takes MADV_ values. Only PROT_READ, ' +
    'PROT_WRITE and PROT_EXEC share their values with VM_READ, VM_WRITE and VM_EXEC, so mixing them often works by ' +
    'accident; any other constant means something else in the other namespace (MAP_ANONYMOUS 0x20 is VM_MAYWRITE). ' +
    'Translate with calc_vm_prot_bits()/calc_vm_flag_bits(), or use the constant of the right namespace.',
  docs: 'docs/rules/MM006.md',
};

const BIT_EXPR = new Set(['binary_expression', 'parenthesized_expression', 'unary_expression']);
const BIT_OPS = new Set(['|', '&', '^', '~', '==', '!=']);

/** Reads bit expressions around constants for one fragment. The constants of one expression
 *  climb to the same top and walk the same leaves, so a node's type, parent and text are
 *  asked of wasm once and kept by node id (ids are unique within a tree; one reader per
 *  tree). */
class BitReader {
  private readonly types = new Map<number, string>();
  private readonly parents = new Map<number, Node | null>();
  private readonly bits = new Map<number, boolean>();
  private readonly texts = new Map<number, string>();
  constructor(private readonly source: string) {}

  typeOf(n: Node): string {
    let t = this.types.get(n.id);
    if (t === undefined) this.types.set(n.id, (t = n.type));
    return t;
  }

  parentOf(n: Node): Node | null {
    let p = this.parents.get(n.id);
    if (p === undefined) this.parents.set(n.id, (p = n.parent));
    return p;
  }

  /** node.text, from the fragment's source (what web-tree-sitter's text reads too). */
  textOf(n: Node): string {
    let t = this.texts.get(n.id);
    if (t === undefined) this.texts.set(n.id, (t = this.source.slice(n.startIndex, n.endIndex)));
    return t;
  }

  isBitNode(n: Node): boolean {
    let b = this.bits.get(n.id);
    if (b === undefined) {
      const type = this.typeOf(n);
      if (!BIT_EXPR.has(type)) b = false;
      else if (type === 'parenthesized_expression') b = true;
      else {
        const op = n.childForFieldName('operator')?.type ?? null;
        b = op !== null && BIT_OPS.has(op);
      }
      this.bits.set(n.id, b);
    }
    return b;
  }

  /** Namespace a variable or call stands for, from its name. */
  variableNamespace(n: Node): Namespace | null {
    const type = this.typeOf(n);
    if (type === 'call_expression') {
      const fn = n.childForFieldName('function')?.text ?? '';
      if (/^(calc_vm_prot_bits|calc_vm_flag_bits|arch_calc_vm_prot_bits|arch_calc_vm_flag_bits)$/.test(fn)) return 'VM';
      return null;
    }
    if (type !== 'identifier' && type !== 'field_expression') return null;
    const t = normalizeText(this.textOf(n));
    if (namespaceOf(t)) return null; // a constant, not a variable
    if (/(^|->|\.)(vm_flags|newflags|new_flags|oldflags|vmflags|vm_flags_\w+)$/.test(t)) return 'VM';
    if (/(^|->|\.)(prot|reqprot)$/.test(t)) return 'PROT';
    if (/(^|->|\.)(behavior|behaviour|advice)$/.test(t)) return 'MADV';
    return null;
  }

  leaves(n: Node, out: Node[] = []): Node[] {
    if (this.isBitNode(n)) {
      for (const c of n.namedChildren) if (c && this.typeOf(c) !== 'comment') this.leaves(c, out);
    } else out.push(n);
    return out;
  }

  topOf(n: Node): Node {
    let cur = n;
    for (let p = this.parentOf(cur); p && this.isBitNode(p); p = this.parentOf(cur)) cur = p;
    return cur;
  }
}

/** Namespace the surroundings impose on a bit expression: the target of an assignment, or a
 *  call argument with a known namespace. */
function targetNamespace(top: Node, reader: BitReader): { ns: Namespace; what: string } | null {
  const p = reader.parentOf(top);
  if (!p) return null;
  const type = reader.typeOf(p);
  if (type === 'assignment_expression' && p.childForFieldName('right')?.id === top.id) {
    const left = p.childForFieldName('left');
    const ns = left ? reader.variableNamespace(left) : null;
    return ns && left ? { ns, what: `assigned to ${normalizeText(left.text)}` } : null;
  }
  if (type === 'argument_list') {
    const call = p.parent;
    const fn = call?.childForFieldName('function')?.text ?? '';
    const idx = p.namedChildren.findIndex((c) => c?.id === top.id);
    if (/^vm_flags_(set|clear|init|reset)$/.test(fn) && idx === 1) return { ns: 'VM', what: `passed to ${fn}()` };
    if (fn === 'vm_flags_mod' && (idx === 1 || idx === 2)) return { ns: 'VM', what: `passed to ${fn}()` };
    if (fn === '_calc_vm_trans' && idx === 2) return { ns: 'VM', what: 'the VM bit of _calc_vm_trans()' };
    // The translators take the user's bits; mmap's entry points take prot and flags as 3rd/4th (0-based) arguments.
    if (fn === 'calc_vm_prot_bits' && idx === 0) return { ns: 'PROT', what: 'the prot argument of calc_vm_prot_bits()' };
    // calc_vm_flag_bits(flags), calc_vm_flag_bits(file, flags) since 6.12: the flags come last.
    if (fn === 'calc_vm_flag_bits' && idx === p.namedChildren.filter((c) => c && c.type !== 'comment').length - 1) {
      return { ns: 'MAP', what: 'the flags argument of calc_vm_flag_bits()' };
    }
    if (/^(do_mmap|do_mmap_pgoff|vm_mmap|vm_mmap_pgoff)$/.test(fn) && (idx === 3 || idx === 4)) {
      return idx === 3 ? { ns: 'PROT', what: `the prot argument of ${fn}()` } : { ns: 'MAP', what: `the flags argument of ${fn}()` };
    }
  }
  return null;
}

/** A constant of namespace `lns` in a bit expression whose context expects `expected`. */
interface Mix {
  leaf: Node;
  lns: Namespace;
  expected: Namespace;
  via: string[];
}

/** The mixes in a post image's expressions that touch its added lines. Reads only the tree
 *  and which lines are added (both fixed by the hunk's content), so it is answered once per
 *  tree: a keystroke elsewhere in the document re-checks this hunk without walking it. */
function mixesIn(post: CFragment): Mix[] {
  if (!mayMix(post.source)) return [];
  return memoOnNode(post.scope, 'MM006 mixes', () => readMixes(post));
}

/** Spellings of what gives a bit expression a namespace (variableNamespace, targetNamespace):
 *  a name or call that says VM flags (substrings: generous), and whole words that say PROT,
 *  MAP or MADV values. The word test is exact for identifiers, whose characters are all word
 *  characters; a non-ASCII letter next to one only finds more. */
const VM_CONTEXT = /vm_flags|newflags|new_flags|oldflags|vmflags|calc_vm_/;
const OTHER_CONTEXT = /\b(?:prot|reqprot|behavior|behaviour|advice|calc_vm_prot_bits|calc_vm_flag_bits|do_mmap|do_mmap_pgoff|vm_mmap|vm_mmap_pgoff)\b/;
/** Identifiers namespaceOf() puts in VM, and in PROT/MAP/MADV (they start a word). */
const VM_CONSTANT = /\b_*VM_/;
const OTHER_CONSTANT = /\b_*(?:PROT|MAP|MADV)_/;

/** A mix needs a VM constant where the context expects another namespace, or another
 *  namespace's constant where it expects VM flags; a fragment whose text spells no such pair
 *  has none, and its tree need not be read. */
export function mayMix(source: string): boolean {
  return (OTHER_CONSTANT.test(source) && VM_CONTEXT.test(source)) || (VM_CONSTANT.test(source) && OTHER_CONTEXT.test(source));
}

// A word that namespaceOf() gives a namespace: `_*` then one of the prefixes.
const CONSTANT_WORD = /\b_*(?:VM|PROT|MAP|MADV)_\w*/g;

/** The identifiers of the fragment's code (post.scope) that name a PROT_/MAP_/MADV_/VM_
 *  constant on an added line, in source order. Found from the added lines' text and then
 *  looked up in the tree: walking every identifier of every hunk was most of MM006's time. */
function addedConstants(post: CFragment, reader: BitReader): Node[] {
  const out: Node[] = [];
  const scope = post.scope;
  let scopeEnd = -1; // asked of wasm once, when a constant is found
  for (const m of post.source.matchAll(CONSTANT_WORD)) {
    const start = m.index;
    const hunkLine = post.rowToHunkLine[post.rowOf(start)] ?? -1;
    if (hunkLine < 0 || post.hunk.lines[hunkLine]!.kind !== '+') continue;
    const id = post.root.descendantForIndex(start, start + m[0].length);
    if (!id || reader.typeOf(id) !== 'identifier' || id.startIndex < scope.startIndex) continue;
    if (scopeEnd < 0) scopeEnd = scope.endIndex;
    if (id.startIndex + reader.textOf(id).length > scopeEnd) continue; // its end is past the scope's
    // A word with non-ASCII letters around it is a part of one identifier: take that once.
    if (out.length && out[out.length - 1]!.id === id.id) continue;
    out.push(id);
  }
  return out;
}

export function readMixes(post: CFragment): Mix[] {
  const out: Mix[] = [];
  const done = new Set<number>();
  const reader = new BitReader(post.source);
  // A top read once: reading it again for another of its constants adds nothing (its
  // constants are then all done, or its context had no single namespace).
  const tops = new Set<number>();
  // Start only from constants on added lines (an identifier is on one line, and
  // addedConstants() takes those on `+` lines): a reported constant is always one of them.
  for (const id of addedConstants(post, reader)) {
    const name = reader.textOf(id);
    const ns = namespaceOf(name);
    if (!ns || done.has(id.id)) continue;
    const top = reader.topOf(id);
    if (tops.has(top.id)) continue;
    tops.add(top.id);
    const ctxNs = new Set<Namespace>();
    const via: string[] = [];
    const leaves = reader.leaves(top);
    for (const leaf of leaves) {
      const v = reader.variableNamespace(leaf);
      if (v) {
        ctxNs.add(v);
        via.push(normalizeText(reader.textOf(leaf)));
      }
    }
    const t = targetNamespace(top, reader);
    if (t) {
      ctxNs.add(t.ns);
      via.push(t.what);
    }
    if (ctxNs.size !== 1) continue;
    const expected = [...ctxNs][0]!;
    for (const leaf of leaves) {
      if (reader.typeOf(leaf) !== 'identifier') continue;
      const lns = namespaceOf(reader.textOf(leaf));
      if (!lns || done.has(leaf.id)) continue;
      done.add(leaf.id);
      if (lns === expected) continue;
      // PROT_ and MAP_ are both user-side mmap/mprotect arguments; MADV vs PROT/MAP is not what this rule is about.
      if (expected !== 'VM' && lns !== 'VM') continue;
      out.push({ leaf, lns, expected, via });
    }
  }
  return out;
}

function findingsIn(h: ParsedHunk, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const post = h.trees.post;
  const table = ctx.symbols();
  for (const { leaf, lns, expected, via } of mixesIn(post)) {
    if (!isAddedCode(h, leaf)) continue;
    const at = nodeRange(post, leaf);
    if (!at) continue;
    const value = table.get(leaf.text);
    const described = value !== undefined ? formatFlag(leaf.text, value) : leaf.text;
    let meaning = '';
    if (value !== undefined) {
      const other = ctx.nameOf(value, expected);
      const twin = `${expected}_${leaf.text.replace(/^[A-Z]+_/, '')}`;
      if (other && other === twin) meaning = `; its value happens to equal ${other}, which is the constant to use`;
      else if (other) meaning = `; read as a ${expected}_ value, ${value === 0n ? '0' : '0x' + value.toString(16)} is ${other}`;
      else if (expected !== 'MADV' && value !== 0n) {
        // Bits, not a number: say which flags the value turns on when read as the other namespace.
        meaning = `; read as ${expected}_ flags, 0x${value.toString(16)} is ${ctx.describeBits(value, expected).join(' | ')}`;
      } else meaning = `; no ${expected}_ constant has that value`;
    }
    out.push(makeFinding(meta,
      `${described} is a ${lns}_ constant used where ${expected}_ ${expected === 'MADV' ? 'values' : 'flags'} are expected (${[...new Set(via)].join(', ')})${meaning}`,
      at));
  }
  // _calc_vm_trans(x, USER_BIT, VM_BIT): the second argument is the user side.
  // Through findCalls (its list is kept per tree); its name is normalised, the text check
  // keeps exactly the calls whose callee is written `_calc_vm_trans`.
  // Only a hunk whose text names the translator can call it (skips the walk for all other hunks).
  const calls = post.source.includes('_calc_vm_trans') ? findCalls(post.scope, '_calc_vm_trans') : [];
  for (const { node: call, args } of calls) {
    if (call.childForFieldName('function')?.text !== '_calc_vm_trans') continue;
    const user = args[1];
    if (!user || user.type !== 'identifier' || namespaceOf(user.text) !== 'VM' || !isAddedCode(h, user)) continue;
    const at = nodeRange(post, user);
    if (at) out.push(makeFinding(meta, `${user.text} is a VM_ constant in the user-bit position of _calc_vm_trans(): the second argument is a PROT_ or MAP_ bit, the third the VM_ bit it becomes`, at));
  }
  return out;
}

export const mm006: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    return hunksAddingLines(ctx).flatMap((h) => findingsIn(h, ctx));
  },
};
