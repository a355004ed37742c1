// MM009: `vma->vm_flags` assigned directly in an era that has vm_flags_set/clear/mod/reset
// (6.3+). There the field is const and the line does not compile; the helpers also assert the
// mmap write lock and mark the VMA for per-VMA locking. Mechanical fixes are offered.
import type { Node } from 'web-tree-sitter';
import type { Rule, Finding, Fix } from './types';
import { makeFinding, type RuleContext, type ParsedHunk } from './context';
import { findAssignments } from '../c/index';
import { hunksAddingLines, isAddedCode, nodeRange } from './added-code';

const meta = {
  id: 'MM009',
  name: 'direct-vm-flags-write',
  defaultSeverity: 'error' as const,
  shortDescription: 'vma->vm_flags written directly where the era provides vm_flags_set/vm_flags_clear/vm_flags_mod.',
  fullDescription:
    'Since 6.3 vma->vm_flags is read-only: changes go through vm_flags_init(), vm_flags_set(), vm_flags_clear(), ' +
    'vm_flags_mod() and vm_flags_reset(), which assert that the mmap lock is held for writing and mark the VMA for ' +
    'per-VMA locking. A direct assignment does not compile on those kernels. The rule is silent for older eras.',
  docs: 'docs/rules/MM009.md',
};

/** `(A | B)` -> `A | B`. */
function unparen(n: Node): string {
  let cur = n;
  while (cur.type === 'parenthesized_expression' && cur.namedChildren.length === 1 && cur.namedChildren[0]) cur = cur.namedChildren[0];
  return cur.text;
}

interface Rewrite {
  helper: string;
  text: string;
}

function rewrite(vma: string, lhs: string, operator: string, right: Node): Rewrite | null {
  if (operator === '|=') return { helper: 'vm_flags_set', text: `vm_flags_set(${vma}, ${unparen(right)})` };
  if (operator === '&=') {
    const r = right.type === 'parenthesized_expression' && right.namedChildren[0] ? right.namedChildren[0] : right;
    if (r.type === 'unary_expression' && r.childForFieldName('operator')?.type === '~') {
      const arg = r.childForFieldName('argument');
      if (arg) return { helper: 'vm_flags_clear', text: `vm_flags_clear(${vma}, ${unparen(arg)})` };
    }
    return null;
  }
  if (operator === '=') {
    const self = selfUpdate(vma, lhs, right);
    if (self) return self;
    return { helper: 'vm_flags_reset', text: `vm_flags_reset(${vma}, ${unparen(right)})` };
  }
  return null;
}

function strip(n: Node): Node {
  let cur = n;
  while (cur.type === 'parenthesized_expression' && cur.namedChildren.length === 1 && cur.namedChildren[0]) cur = cur.namedChildren[0];
  return cur;
}

/** `vma->vm_flags = ...` that reads the old flags: `(F & ~A) | B` is vm_flags_mod(vma, B, A),
 *  `F | B` vm_flags_set, `F & ~A` vm_flags_clear. Anything else stays a reset. */
function selfUpdate(vma: string, lhs: string, right: Node): Rewrite | null {
  const same = lhs.replace(/\s+/g, '');
  const flagsText = (n: Node) => strip(n).text.replace(/\s+/g, '') === same;
  const clearedBy = (n: Node): string | null => {
    const e = strip(n);
    if (e.type !== 'binary_expression' || e.childForFieldName('operator')?.type !== '&') return null;
    const l = e.childForFieldName('left');
    const r = e.childForFieldName('right');
    for (const [f, m] of [[l, r], [r, l]] as const) {
      if (!f || !m || !flagsText(f)) continue;
      const mm = strip(m);
      if (mm.type === 'unary_expression' && mm.childForFieldName('operator')?.type === '~') {
        const arg = mm.childForFieldName('argument');
        if (arg) return unparen(arg);
      }
    }
    return null;
  };
  const e = strip(right);
  if (e.type !== 'binary_expression') return null;
  const op = e.childForFieldName('operator')?.type;
  const l = e.childForFieldName('left');
  const r = e.childForFieldName('right');
  if (!l || !r) return null;
  if (op === '|') {
    for (const [a, b] of [[l, r], [r, l]] as const) {
      const cleared = clearedBy(a);
      if (cleared) return { helper: 'vm_flags_mod', text: `vm_flags_mod(${vma}, ${unparen(b)}, ${cleared})` };
      if (flagsText(a)) return { helper: 'vm_flags_set', text: `vm_flags_set(${vma}, ${unparen(b)})` };
    }
    return null;
  }
  const cleared = clearedBy(e);
  return cleared ? { helper: 'vm_flags_clear', text: `vm_flags_clear(${vma}, ${cleared})` } : null;
}

/** `vm_flags` followed by `=`, `|=`, `&=` or `^=`, with only what the grammar skips between
 *  them (spaces, comments, line continuations): the text any assignment this rule reports has. */
const VM_FLAGS_WRITE = /vm_flags(?:\s|\\\r?\n|\/\*[\s\S]*?\*\/|\/\/[^\n]*)*(?:[|&^]=|=(?!=))/;

function findingsIn(h: ParsedHunk, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const post = h.trees.post;
  // Hunks whose text has no such write need no walk of their tree (most mention vm_flags
  // only in reads).
  if (!VM_FLAGS_WRITE.test(post.source)) return out;
  for (const a of findAssignments(post.scope, (t) => /(->|\.)vm_flags$/.test(t))) {
    if (a.isDeclaration || !a.right) continue;
    if (!['=', '|=', '&=', '^='].includes(a.operator)) continue;
    if (!isAddedCode(h, a.node)) continue;
    const at = nodeRange(post, a.node);
    if (!at) continue;
    const object = a.left.childForFieldName('argument');
    const isPointer = a.left.childForFieldName('operator')?.type === '->' || a.left.text.includes('->');
    const vma = object ? (isPointer ? object.text : `&${object.text}`) : 'vma';
    const rw = rewrite(vma, a.left.text, a.operator, a.right);
    let fix: Fix | undefined;
    // Only single-line edits: a multi-line rewrite inside a quoted mail would lose the quoting.
    if (rw && at.line === at.endLine) {
      fix = { description: `Use ${rw.helper}()`, edits: [{ ...at, newText: rw.text }] };
    }
    const suggestion = rw ? `use ${rw.text}` : 'use vm_flags_mod()/vm_flags_reset()';
    out.push(makeFinding(meta,
      `${a.left.text} ${a.operator} ... writes the VMA flags directly; since 6.3 the field is read-only and changes go ` +
      `through the helpers that assert the mmap write lock (kernel ${ctx.era}): ${suggestion}`, at, [], fix));
  }
  return out;
}

export const mm009: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    if (!ctx.model().hasVmFlagsHelpers) return [];
    return hunksAddingLines(ctx).flatMap((h) => findingsIn(h, ctx));
  },
};
