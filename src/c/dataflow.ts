// Straight-line dataflow inside one fragment: the values lvalues hold after the assignments
// that precede a point, so `mask = ~(VM_READ|VM_WRITE); newflags = vm_flags | (vma->vm_flags
// & mask);` evaluates with `mask` resolved, and `new_flags |= VM_DONTCOPY` inside a case
// reads as "set bit 17". Control flow is ignored (assignments apply in source order); that is
// what a reader of a diff does with a window of one function, and it is exact for the
// straight-line code the hook points use.
import type { Node } from 'web-tree-sitter';
import { evaluate, type EvalEnv } from './evaluate';
import { findAssignments, type Assignment, type CaseGroup } from './queries';
import { atom, binary, bitEffect, type BinaryOp, type BitEffect, type SymValue } from './values';

/** The value `a.target` holds after assignment `a`, given the values before it. */
export function assignedValue(a: Assignment, env: EvalEnv, locals: ReadonlyMap<string, SymValue>): SymValue | null {
  if (!a.right) return null;
  const inner: EvalEnv = { ...env, locals };
  const rhs = evaluate(a.right, inner);
  if (a.operator === '=') return rhs;
  const before = locals.get(a.target) ?? atom(a.target);
  const op = a.operator.slice(0, -1) as BinaryOp;
  return binary(op, before, rhs);
}

/** Values of every lvalue assigned in `scope` before `at` (all of scope when `at` is null),
 *  applied in source order; starts from `env.locals`. Assignments that contain `at` (the
 *  one being evaluated) are not applied. */
export function valuesBefore(scope: Node, at: Node | null, env: EvalEnv = {}): Map<string, SymValue> {
  const locals = new Map(env.locals ?? []);
  for (const a of findAssignments(scope)) {
    if (at && (a.node.startIndex >= at.startIndex || a.node.endIndex > at.startIndex)) {
      if (a.node.startIndex >= at.startIndex) break;
      continue; // an enclosing assignment of `at`
    }
    const v = assignedValue(a, env, locals);
    if (v) locals.set(a.target, v);
  }
  return locals;
}

export interface AssignmentValue {
  assignment: Assignment;
  /** The value the target holds after the assignment (null: no value, e.g. `int x;`). */
  value: SymValue | null;
  /** Values of the lvalues assigned before it (what its right side saw). */
  before: ReadonlyMap<string, SymValue>;
}

/** Every assignment in `scope` with the value it stores, in one pass (evaluateInContext per
 *  assignment would redo the earlier ones each time). */
export function assignmentValues(scope: Node, env: EvalEnv = {}): AssignmentValue[] {
  let locals = new Map(env.locals ?? []);
  const out: AssignmentValue[] = [];
  for (const a of findAssignments(scope)) {
    const value = assignedValue(a, env, locals);
    out.push({ assignment: a, value, before: locals });
    if (value) {
      locals = new Map(locals);
      locals.set(a.target, value);
    }
  }
  return out;
}

/** Evaluates an expression node with the fragment's earlier assignments (within `scope`)
 *  resolved. */
export function evaluateInContext(node: Node, scope: Node, env: EvalEnv = {}): SymValue {
  return evaluate(node, { ...env, locals: valuesBefore(scope, node, env) });
}

/** The value of `target` after running `statements` (a case body, a block), starting from
 *  the symbolic `target` itself. */
export function valueAfter(statements: readonly Node[], target: string, env: EvalEnv = {}): SymValue {
  const locals = new Map(env.locals ?? []);
  locals.delete(target);
  for (const s of statements) {
    for (const a of findAssignments(s)) {
      const v = assignedValue(a, env, locals);
      if (v) locals.set(a.target, v);
    }
  }
  return locals.get(target) ?? atom(target);
}

/** What a case body does to the bits of `target` (`new_flags`): set/keep/clear masks. */
export function caseEffect(group: CaseGroup, target: string, env: EvalEnv = {}): BitEffect {
  return bitEffect(valueAfter(group.statements, target, env), target);
}
