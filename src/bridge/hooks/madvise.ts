// madvise: per advice, what the behaviour switch does to `new_flags` (set/clear bits), the
// guards that fail it (`if (vma->vm_flags & VM_IO) return -EINVAL`, or `{ error = -EINVAL;
// break; }`), and whether the validity check accepts it (madvise_behavior_valid's switch, or a
// dispatch switch whose default is -EINVAL). Case bodies are followed through fall-through.
import type { Node } from 'web-tree-sitter';
import type { MadviseGuard } from '../../kernel/model';
import {
  assignedValue, atom, binary, bitEffect, bitwiseForm, findAssignments, MASK64, printValue,
  type BinaryOp, type CaseGroup, type CFragment, type SymValue,
} from '../../c/index';
import { assignmentOf, SWITCHES_AND_CASES, type Assignment } from '../../c/queries';
import { VMA_FLAGS, type SideEnv, type SideFragment } from '../env';
import type { Fact } from '../facts';
import { guardKey } from '../facts';
import type { OpaqueGuard } from '../types';
import { switchCases } from './switches';
import { allOwn, changedLinesOf, continuesWord, errnoOf, functionScopes, hasOwnIdentifier, linesOf, macrosUsed, ownNodes } from './common';

const NEW_FLAGS = 'new_flags';

interface PathResult {
  guards: Array<{ guard: MadviseGuard | OpaqueGuard; node: Node }>;
  /** The path ends in an unconditional error (or the validity switch says no). */
  rejected: boolean;
  /** The validity switch said yes. */
  accepted: boolean;
  newFlags: SymValue;
  /** The path assigns new_flags. */
  touchesFlags: boolean;
  nodes: Node[];
  /** The window ends before the path does (no break/return in view). */
  cut: boolean;
  /** The path fails with an errno (not merely returns 0). */
  errno: boolean;
}

export function collectMadviseFacts(sf: SideFragment, env: SideEnv): Fact[] {
  const { fragment } = sf;
  const facts: Fact[] = [];
  for (const scope of functionScopes(fragment)) {
    const fn = scope.name;
    if (!fn || !/madvise/.test(fn)) continue;
    if (/need_mmap_write/.test(fn)) {
      facts.push(...lockFacts(sf, env, fn, scope));
      continue;
    }
    // Switches and cases found under the scope are its own unless a visible definition
    // nests in it (then only the ids tell).
    const own = allOwn(scope, fragment) ? null : new Set(ownNodes(scope, fragment, SWITCHES_AND_CASES).map((n) => n.id));
    // The variable the cases build the new vm_flags in (new_flags, or whatever a patch
    // renames it to): null when the window shows none.
    const flagsVar = flagsVariable(scope, fragment, env);
    const hasNewFlags = flagsVar !== null;
    for (const sw of switchCases(scope.node)) {
      if (own && !own.has(sw.node.id) && !sw.groups.some((g) => g.caseNodes.some((c) => own.has(c.id)))) continue;
      if (sw.conditionText && !/behav|advice|advise/.test(sw.conditionText)) continue;
      const isValidity = fn === 'madvise_behavior_valid';
      // A dispatch switch is a validity check when its default fails with an errno
      // (2.6.16 madvise_vma); madvise_need_mmap_write's default `return 1` is not.
      const dflt = sw.groups.findIndex((g) => g.labelTexts.includes('default'));
      const hasDefault = dflt >= 0
        ? walkPath(pathStatements(sw.groups, dflt), env, fragment, atom(VMA_FLAGS), flagsVar ?? NEW_FLAGS).errno
        : dispatchDefaultRejects(fn, env);
      const initial = initialNewFlags(scope.node, sw.node, env, fragment, flagsVar ?? NEW_FLAGS);
      sw.groups.forEach((group, gi) => {
        const path = pathStatements(sw.groups, gi);
        const r = walkPath(path, env, fragment, initial, flagsVar ?? NEW_FLAGS);
        group.labels.forEach((label, li) => {
          if (!label) return; // default
          const value = env.evaluate(label, fragment);
          const name = group.labelTexts[li]!;
          if (value.kind !== 'const') return;
          const labelNode = group.caseNodes[Math.min(li, group.caseNodes.length - 1)]!;
          const labelLines = changedLinesOf(fragment, [label]);
          if (isValidity || hasDefault) {
            let ok: boolean | null = isValidity ? r.accepted && !r.rejected : !r.rejected;
            if (r.cut && !r.rejected && !r.accepted) {
              // The shared body is out of view: labels of one group share it, so a label the
              // base kernel knows tells what the body does.
              ok = null;
              for (const other of group.labels) {
                const ov = other ? env.evaluate(other, fragment) : null;
                if (ov?.kind === 'const' && env.model.symbols.get(group.labelTexts[group.labels.indexOf(other)]!) === ov.value) {
                  ok = env.model.madvise.has(ov.value);
                  break;
                }
              }
            }
            if (ok !== null) facts.push({
              hook: 'madvise-validity', detail: name, scope: fn, value: { type: 'flag', value: ok },
              changedLines: uniq([...labelLines, ...(labelLines.length ? [] : changedLinesOf(fragment, r.nodes))]),
              lines: linesOf(fragment, [labelNode]), file: sf.path, function: fn, patch: sf.patch,
            });
          }
          if (isValidity) return;
          const effect = bitEffect(r.newFlags, VMA_FLAGS);
          const guards = r.guards.filter((g) => !('condition' in g.guard)).map((g) => g.guard as MadviseGuard);
          const opaque = r.guards.filter((g) => 'condition' in g.guard).map((g) => g.guard as OpaqueGuard);
          if (r.rejected && guards.length === 0 && !r.touchesFlags) return; // an invalid advice, not a behaviour
          const elementLines = new Map<string, number[]>();
          for (const g of r.guards) elementLines.set(guardKey(g.guard), changedLinesOf(fragment, [g.node]));
          facts.push({
            hook: 'madvise-behaviour', detail: name, scope: fn,
            value: {
              type: 'madvise',
              ...(hasNewFlags ? { set: effect.set & MASK64, clear: effect.clear & MASK64 } : {}),
              guards,
              ...(opaque.length ? { opaqueGuards: opaque } : {}),
            },
            changedLines: uniq([...labelLines, ...changedLinesOf(fragment, r.nodes)]),
            lines: linesOf(fragment, [labelNode, ...r.nodes]), elementLines,
            file: sf.path, function: fn, patch: sf.patch, macros: r.nodes.flatMap((n) => macrosUsed(n, env, fragment)),
          });
        });
      });
    }
  }
  return facts;
}

/** The 2.6 madvise_vma() dispatch switch ends in `default: error = -EINVAL`: when the window
 *  stops before that default, the base kernel's (which the window does not show) decides. In
 *  later eras the dispatch default hands the advice on and madvise_behavior_valid() decides. */
function dispatchDefaultRejects(fn: string, env: SideEnv): boolean {
  return fn === 'madvise_vma' && (env.era === 'v2.6.13' || env.era === 'v2.6.16');
}

function uniq(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** The variable a madvise function builds the VMA's new flags in: `new_flags` by name; else the
 *  one initialised from `X->vm_flags`; else the usual target of `|= VM_X` / `&= ~VM_X` in case
 *  bodies. A rename is therefore no change. */
function flagsVariable(scope: { node: Node; whole: boolean }, fragment: CFragment, env: SideEnv): string | null {
  if (hasOwnIdentifier(scope, fragment, [NEW_FLAGS])) return NEW_FLAGS;
  const initialised = copyOfVmFlags(scope.node, fragment);
  if (initialised !== null) return initialised;
  const cases = ownNodes(scope, fragment, SWITCHES_AND_CASES).filter(isCaseOf(fragment));
  if (cases.length === 0) return null;
  const spans = cases.map((c) => [c.startIndex, c.endIndex] as const);
  const counts = new Map<string, number>();
  for (const a of flagOperatorAssignments(scope.node, fragment)) {
    if (!a.right || !PLAIN_NAME.test(a.target)) continue;
    // Once per case holding it (a case under an #ifdef inside another case is in both), as
    // the cases' own assignments would count it. A case starts with its keyword, before any
    // assignment in it.
    let k = 0;
    for (const [from, to] of spans) if (a.node.startIndex > from && a.node.startIndex < to) k++;
    if (k === 0) continue;
    if (env.evaluate(a.right, fragment).kind !== 'const') continue;
    counts.set(a.target, (counts.get(a.target) ?? 0) + k);
  }
  let best: string | null = null;
  for (const [k, n] of counts) if (best === null || n > counts.get(best)!) best = k;
  return best;
}

/** Tells a case from a switch statement (nodes of SWITCHES_AND_CASES). In a tree without
 *  errors (so without MISSING tokens) a switch statement starts with its keyword and a case
 *  with `case` or `default`: the source says which, without asking wasm for the type. */
export function isCaseOf(fragment: CFragment): (n: Node) => boolean {
  if (fragment.hasError) return (n) => n.type === 'case_statement';
  const src = fragment.source;
  return (n) => !src.startsWith('switch', n.startIndex);
}

const PLAIN_NAME = /^[A-Za-z_]\w*$/;
const VM_FLAGS_WORD = 'vm_flags';

/** The first assignment (in source order) under `scope` of a plain variable from `X->vm_flags`
 *  (`unsigned long new_flags = vma->vm_flags;`), or null. Such an assignment's value ends with
 *  the field's name, so only the places the source spells `vm_flags` are asked: the value ends
 *  there, and the assignment is its parent, a node ending there too or the first one above. */
export function copyOfVmFlags(scope: Node, fragment: CFragment): string | null {
  const src = fragment.source;
  const from = scope.startIndex;
  const to = scope.endIndex;
  let first: { a: Assignment; start: number; end: number; rank: number } | null = null;
  let rank = 0;
  const clean = !fragment.hasError;
  for (let at = src.indexOf(VM_FLAGS_WORD, from); at >= 0 && at + VM_FLAGS_WORD.length <= to; at = src.indexOf(VM_FLAGS_WORD, at + 1)) {
    const end = at + VM_FLAGS_WORD.length;
    if (continuesWord(src, end)) continue; // a longer word: no node ends here
    if (clean && continuesExpression(src, end)) continue;
    const word = fragment.root.descendantForIndex(at, end);
    if (!word || word.startIndex !== at || word.endIndex !== end) continue;
    for (let n: Node | null = word.parent, above = false; n && !above; n = n.parent) {
      const nEnd = n.endIndex;
      above = nEnd !== end; // the first node ending later is the last one that can hold the value
      const type = n.type;
      if (type !== 'assignment_expression' && type !== 'init_declarator') continue;
      const start = n.startIndex;
      if (start < from || nEnd > to) continue;
      const a = assignmentOf(n);
      rank++;
      if (!a || a.operator !== '=' || !a.right || !PLAIN_NAME.test(a.target) || !/->vm_flags$/.test(a.right.text.replace(/\s+/g, ''))) continue;
      // Source order of the walk: earlier start first, then the outer of two nodes (climbed later).
      if (!first || start < first.start || (start === first.start && (nEnd > first.end || (nEnd === first.end && rank > first.rank)))) first = { a, start, end: nEnd, rank };
    }
  }
  return first ? first.a.target : null;
}

/** Characters that, next after an operand (spaces aside), continue the expression it is in: a
 *  binary, assignment, conditional or postfix operator (`vm_flags & VM_IO`, `vm_flags = x`,
 *  `vm_flags ? a : b`, `vm_flags[i]`). `/` is left out: it may open a comment. */
const CONTINUING = new Set('&|^+-*%<>=!?.[('.split(''));
const BLANK = new Set([' ', '\t', '\n', '\r', '\f', '\v']);

/** Whether, in a tree without errors, the expression ending at `end` goes on after it: then no
 *  assignment's value ends there (each of these operators binds tighter than `=`, or makes the
 *  word the left side of another assignment). */
function continuesExpression(src: string, end: number): boolean {
  let i = end;
  while (i < src.length && BLANK.has(src[i]!)) i++;
  return CONTINUING.has(src[i] ?? '');
}

/** The `|=` and `&=` assignments flagOperatorAssignments read, by node id, per fragment. */
const operatorAssignments = new WeakMap<CFragment, Map<number, Assignment>>();

/** The `|=` and `&=` assignments under `scope`, in source order. Their operator is a token of
 *  its own in the source (the parser never invents one: a MISSING token is inserted only where
 *  the next token completes a rule), so only the places the source spells one are asked. */
export function flagOperatorAssignments(scope: Node, fragment: CFragment): Assignment[] {
  const src = fragment.source;
  const from = scope.startIndex;
  const to = scope.endIndex;
  const found: Assignment[] = [];
  // In a tree without errors the token's parent is the assignment it is the operator of (no
  // other rule has these operators), and an assignment holding a place of the scope lies in
  // it (an expression cannot hold a function body).
  const clean = !fragment.hasError;
  for (const op of ['|=', '&=']) {
    for (let at = src.indexOf(op, from); at >= 0 && at + 2 <= to; at = src.indexOf(op, at + 1)) {
      const token = fragment.root.descendantForIndex(at, at + 2);
      // A token of that type starting there is those two characters.
      if (!token || token.startIndex !== at || token.type !== op) continue;
      const n = token.parent;
      if (!n) continue;
      if (!clean) {
        if (n.type !== 'assignment_expression' || n.childForFieldName('operator')?.startIndex !== at) continue;
        if (n.startIndex < from || n.endIndex > to) continue;
      }
      const a = assignmentOf(n);
      if (a) found.push(a);
    }
  }
  let known = operatorAssignments.get(fragment);
  if (!known) operatorAssignments.set(fragment, (known = new Map()));
  for (const a of found) known.set(a.node.id, a);
  // Distinct starts (a nested assignment starts after its parent's lvalue): source order is
  // the walk's order.
  return found.sort((x, y) => x.node.startIndex - y.node.startIndex);
}

/** new_flags as the switch starts: its visible initialisation, else the VMA's flags. */
function initialNewFlags(scope: Node, sw: Node, env: SideEnv, fragment: CFragment, flagsVar: string): SymValue {
  let v: SymValue = atom(VMA_FLAGS);
  // Labels whose switch head is out of view: what comes before them in the window belongs to
  // earlier cases, not to new_flags' initialisation.
  if (sw.type !== 'switch_statement') return v;
  for (const a of findAssignments(scope, flagsVar)) {
    if (a.node.startIndex >= sw.startIndex) break;
    const e = env.env(fragment, new Map([[flagsVar, v]]));
    v = assignedValue(a, e, e.locals!) ?? v;
  }
  return v;
}

/** Statements run for the group at `index` (with their types, read while grouping): its own,
 *  then the following groups' while the body falls through. */
function pathStatements(groups: CaseGroup[], index: number): Path {
  const statements: Node[] = [];
  const types: string[] = [];
  for (let i = index; i < groups.length; i++) {
    const g = groups[i]!;
    for (let j = 0; j < g.statements.length; j++) {
      statements.push(g.statements[j]!);
      types.push(g.statementTypes[j]!);
    }
    if (g.terminates) break;
  }
  return { statements, types };
}

interface Path {
  statements: Node[];
  types: string[];
}

const FLAG_CHANGE_OPS = new Set(['=', '|=', '&=', '^=']);
const ERROR_VARIABLE = /^(error|err|ret|retval)$/;

/** `x OP= y` spelled as a plain name, blanks and one of these operators: in a tree without
 *  errors such an assignment's left side is that name (the operator is the next token). */
const SIMPLE_ASSIGNMENT = /([A-Za-z_$][A-Za-z0-9_$]*)[ \t\r\n]*(\|=|&=|\^=|=)(?!=)/y;

/** An assignment expression's target (its left side's text without blanks), operator and
 *  value, the value read when asked. The first two come from the source when it spells a
 *  simple assignment in an error-free tree, instead of asking wasm for the left side, the
 *  operator and its type. */
export function assignmentParts(e: Node, fragment: CFragment): { target: string | undefined; op: string; right: () => Node | null } {
  if (!fragment.hasError) {
    SIMPLE_ASSIGNMENT.lastIndex = e.startIndex;
    const m = SIMPLE_ASSIGNMENT.exec(fragment.source);
    if (m) return { target: m[1]!, op: m[2]!, right: () => e.childForFieldName('right') };
  }
  return {
    target: e.childForFieldName('left')?.text.replace(/\s+/g, ''),
    op: e.childForFieldName('operator')?.type ?? '=',
    right: () => e.childForFieldName('right'),
  };
}

function walkPath(path: Path, env: SideEnv, fragment: CFragment, initial: SymValue, flagsVar: string): PathResult {
  const r: PathResult = { guards: [], rejected: false, accepted: false, newFlags: initial, touchesFlags: false, nodes: [], cut: true, errno: false };
  const locals = (): Map<string, SymValue> => new Map([[flagsVar, r.newFlags]]);
  for (let i = 0; i < path.statements.length; i++) {
    const stmt = path.statements[i]!;
    r.nodes.push(stmt);
    const type = path.types[i]!;
    if (type === 'break_statement' || type === 'goto_statement') { r.cut = false; break; }
    if (type === 'return_statement') {
      const e = stmt.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? null;
      if (errnoOf(e)) { r.rejected = true; r.errno = true; }
      else if (e) {
        const v = env.evaluate(e, fragment, locals());
        if (v.kind === 'const') {
          if (v.value !== 0n) r.accepted = true;
          else r.rejected = true;
        }
      }
      r.cut = false;
      break;
    }
    if (type === 'if_statement') {
      const g = guardOf(stmt, env, fragment, locals());
      if (g) r.guards.push({ guard: g, node: stmt });
      continue;
    }
    if (type === 'expression_statement') {
      const e = stmt.namedChildren[0];
      // An assignment the flags-variable search read already is not read again.
      const known = e ? operatorAssignments.get(fragment)?.get(e.id) : undefined;
      if (known || e?.type === 'assignment_expression') {
        const parts = known
          ? { target: known.left.text.replace(/\s+/g, ''), op: known.operator, right: () => known.right }
          : assignmentParts(e!, fragment);
        const { target, op } = parts;
        // The value is read only for the assignments below that use it.
        const right = target === flagsVar || ERROR_VARIABLE.test(target ?? '') ? parts.right() : null;
        if (target === flagsVar && right && FLAG_CHANGE_OPS.has(op)) {
          const rhs = env.evaluate(right, fragment, locals());
          r.newFlags = op === '=' ? rhs : binary(op.slice(0, -1) as BinaryOp, r.newFlags, rhs);
          r.touchesFlags = true;
        } else if (right && errnoOf(right) && ERROR_VARIABLE.test(target ?? '')) {
          r.rejected = true;
          r.errno = true;
        }
      }
    }
  }
  return r;
}

/** `if (COND) return -E;` / `if (COND) { error = -E; break; }` as a guard. */
function guardOf(stmt: Node, env: SideEnv, fragment: CFragment, locals: Map<string, SymValue>): MadviseGuard | OpaqueGuard | null {
  const cond = stmt.childForFieldName('condition');
  if (!cond) return null;
  const errno = guardErrno(stmt, cond, fragment);
  if (!errno) return null;
  return conditionToGuard(env.evaluate(cond, fragment, locals), errno, env.lookup('VM_SHARED') ?? 0n);
}

/** `return -EINVAL;` right after the condition, blanks apart. */
const RETURN_ERRNO = /[ \t\r\n]*return[ \t\r\n]+-[ \t\r\n]*(E[A-Z]+)[ \t\r\n]*;/y;

/** The errno an if statement's body fails with (`return -E;`, or `error = -E;` among its
 *  statements), or null. A body that is `return -EINVAL;` as spelled in an error-free tree is
 *  read from the source (the consequence follows the condition's parenthesis). */
export function guardErrno(stmt: Node, cond: Node, fragment: CFragment): string | null {
  if (!fragment.hasError) {
    RETURN_ERRNO.lastIndex = cond.endIndex;
    const m = RETURN_ERRNO.exec(fragment.source);
    if (m) return m[1]!;
  }
  const body = stmt.childForFieldName('consequence');
  if (!body) return null;
  const stmts = body.type === 'compound_statement' ? body.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment') : [body];
  let errno: string | null = null;
  for (const s of stmts) {
    if (s.type === 'return_statement') errno = errnoOf(s.namedChildren[0] ?? null);
    else if (s.type === 'expression_statement' && s.namedChildren[0]?.type === 'assignment_expression') {
      const right = s.namedChildren[0]!.childForFieldName('right');
      errno = errnoOf(right) ?? errno;
    }
  }
  return errno;
}

function disjuncts(v: SymValue, out: SymValue[] = []): SymValue[] {
  if (v.kind === 'binary' && v.op === '||') {
    disjuncts(v.left, out);
    disjuncts(v.right, out);
  } else out.push(v);
  return out;
}

/** A predicate the model does not have (`is_vm_hugetlb_page(vma)`): the model's VMAs are
 *  never hugetlb, so `!pred(...) && X` reads as X. */
function dropUnmodelledConjunct(v: SymValue): SymValue {
  if (v.kind === 'binary' && v.op === '&&') {
    const isNegCall = (x: SymValue) => x.kind === 'unary' && x.op === '!' && x.arg.kind === 'atom' && /\(/.test(x.arg.name);
    if (isNegCall(v.left)) return v.right;
    if (isNegCall(v.right)) return v.left;
  }
  return v;
}

export function conditionToGuard(v: SymValue, errno: string, vmShared = 0n): MadviseGuard | OpaqueGuard {
  let any = 0n;
  let fileOrShared = false;
  const opaque: string[] = [];
  for (const raw of disjuncts(v)) {
    const d = dropUnmodelledConjunct(raw);
    if (d.kind === 'atom' && /->vm_file$/.test(d.name)) {
      fileOrShared = true;
      continue;
    }
    // `!vma_is_anonymous(vma)`: the VMA has vm_ops, i.e. a file or shmem (shared anonymous)
    // behind it: the model's "file-backed or shared" again.
    if (d.kind === 'unary' && d.op === '!' && d.arg.kind === 'atom' && /^vma_is_anonymous\(/.test(d.arg.name)) {
      fileOrShared = true;
      continue;
    }
    const f = bitwiseForm(d);
    if (f.constant === 0n && f.terms.length === 1 && f.terms[0]!.key === VMA_FLAGS) {
      any |= f.terms[0]!.mask;
      continue;
    }
    opaque.push(printValue(d));
  }
  if (opaque.length) return { condition: printValue(v), errno };
  if (fileOrShared) {
    // `vma->vm_file || vma->vm_flags & VM_SHARED`: the model's "file-backed or shared" (a
    // shared anonymous mapping is shmem, file-backed, so `vma->vm_file` alone reads the same).
    // Other flag bits tested beside it still fail the advice.
    const rest = any & ~vmShared;
    return { fileOrShared: true, ...(rest ? { anyFlags: rest } : {}), errno: errno as MadviseGuard['errno'] };
  }
  return { anyFlags: any, errno: errno as MadviseGuard['errno'] };
}

/** madvise_need_mmap_write(): per advice, whether the mmap lock is taken for writing (the
 *  default, `return 1`) or reading (`return 0`). */
function lockFacts(sf: SideFragment, env: SideEnv, fn: string, scope: { node: Node; whole: boolean }): Fact[] {
  const { fragment } = sf;
  const out: Fact[] = [];
  for (const sw of switchCases(scope.node)) {
    sw.groups.forEach((group, gi) => {
      const r = walkPath(pathStatements(sw.groups, gi), env, fragment, atom(VMA_FLAGS), NEW_FLAGS);
      const ret = r.nodes.find((n) => n.type === 'return_statement');
      const e = ret?.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? null;
      const v = e ? env.evaluate(e, fragment) : null;
      if (!v || v.kind !== 'const') return;
      group.labels.forEach((label, li) => {
        if (!label) return;
        const lv = env.evaluate(label, fragment);
        if (lv.kind !== 'const') return;
        out.push({
          hook: 'madvise-behaviour', detail: group.labelTexts[li]!, scope: fn, value: { type: 'madvise', writeLock: v.value !== 0n },
          changedLines: changedLinesOf(fragment, [label]), lines: linesOf(fragment, [label]),
          file: sf.path, function: fn, patch: sf.patch,
        });
      });
    });
  }
  return out;
}
