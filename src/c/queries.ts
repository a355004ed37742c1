// Generic questions rules and the bridge ask of a fragment's tree: assignments to an lvalue,
// calls by name, switch cases with their labels and bodies, if conditions, the enclosing
// function. All walks descend into ERROR nodes: kernel macros confuse the grammar, and the
// well-formed pieces inside an ERROR region are still worth finding.
import type { Node } from 'web-tree-sitter';
import { memoOnNode } from './memo';
import { descendants } from './descendants';
import { lvalueText, normalizeText } from './evaluate';
import { functionDefinitionName, SYNTHETIC_FUNCTION, type CFragment } from './fragment';

export { descendants };

export interface Assignment {
  /** assignment_expression or init_declarator. */
  node: Node;
  /** The lvalue (or declarator) node. */
  left: Node;
  /** The assigned expression; null for a declarator without a value. */
  right: Node | null;
  /** `=`, `|=`, `&=`, `^=`, `<<=`, `>>=`, `+=`, ... */
  operator: string;
  /** Normalised lvalue text: `newflags`, `vma->vm_flags`. */
  target: string;
  /** `unsigned long mask = ...;` rather than `mask = ...;` */
  isDeclaration: boolean;
}

function declaratorName(d: Node): Node | null {
  let cur: Node | null = d;
  while (cur && cur.type !== 'identifier') {
    cur = cur.childForFieldName('declarator') ?? cur.namedChildren.find((c) => c?.type === 'identifier') ?? null;
  }
  return cur;
}

/** Assignments in a subtree, in source order; `target` filters by normalised lvalue text
 *  (`'vma->vm_flags'` matches `vma -> vm_flags` too). */
export function findAssignments(scope: Node, target?: string | ((t: string) => boolean)): Assignment[] {
  const want = target === undefined ? null : typeof target === 'string' ? normalizeText(target) : target;
  const all = memoOnNode(scope, 'assignments', allAssignments);
  return all.filter((a) => want === null || (typeof want === 'string' ? a.target === want : want(a.target)));
}

function allAssignments(scope: Node): Assignment[] {
  const out: Assignment[] = [];
  for (const n of descendants(scope, ['assignment_expression', 'init_declarator'])) {
    // Asked of a function and again of each case in it: each assignment is read once.
    const a = memoOnNode(n, 'assignment', readAssignment);
    if (a) out.push(a);
  }
  return out;
}

/** The assignment an assignment_expression or init_declarator node makes (null when it has no
 *  lvalue), the same object findAssignments gives for it. */
export function assignmentOf(n: Node): Assignment | null {
  return memoOnNode(n, 'assignment', readAssignment);
}

function readAssignment(n: Node): Assignment | null {
  if (n.type === 'assignment_expression') {
    const left = n.childForFieldName('left');
    if (!left) return null;
    return { node: n, left, right: n.childForFieldName('right'), operator: n.childForFieldName('operator')?.type ?? '=', target: lvalueText(left), isDeclaration: false };
  }
  const decl = n.childForFieldName('declarator');
  const id = decl ? declaratorName(decl) : null;
  if (!id) return null;
  return { node: n, left: id, right: n.childForFieldName('value'), operator: '=', target: id.text, isDeclaration: true };
}

export interface CallSite {
  node: Node;
  /** Callee name (`vm_flags_set`, `get_user_pages`); the callee's text when not a plain name. */
  name: string;
  args: Node[];
}

/** Calls in a subtree, optionally only to the given callee name(s) or matching a RegExp.
 *  Answers are cached per tree: the arrays are the caller's, the objects in them are shared
 *  (the same holds for findAssignments, findSwitchCases and findConditions). */
export function findCalls(scope: Node, callee?: string | readonly string[] | RegExp): CallSite[] {
  const all = memoOnNode(scope, 'calls', allCalls);
  if (callee === undefined) return all.slice();
  return all.filter(({ name }) => (typeof callee === 'string' ? name === callee : callee instanceof RegExp ? callee.test(name) : callee.includes(name)));
}

function allCalls(scope: Node): CallSite[] {
  const out: CallSite[] = [];
  for (const n of descendants(scope, 'call_expression')) {
    // Each call is read once, whichever scopes around it are asked.
    const c = memoOnNode(n, 'call', readCall);
    if (c) out.push(c);
  }
  return out;
}

function readCall(n: Node): CallSite | null {
  const fn = n.childForFieldName('function');
  if (!fn) return null;
  const name = fn.type === 'identifier' ? fn.text : normalizeText(fn.text);
  const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => c !== null && c.type !== 'comment');
  return { node: n, name, args };
}

export interface CaseGroup {
  /** The case labels sharing one body (`case MADV_DOFORK: case MADV_X:`); null = default. */
  labels: (Node | null)[];
  /** Label texts, normalised; `default` for the default label. */
  labelTexts: string[];
  /** The statements of the body (from the last label to the next label). */
  statements: Node[];
  /** The type of each statement (read while grouping; asking a node again calls into wasm). */
  statementTypes: string[];
  /** The case_statement nodes of the group. */
  caseNodes: Node[];
  /** The body ends in `break`/`return`/`goto` (false: falls into the next group). */
  terminates: boolean;
}

export interface SwitchInfo {
  node: Node;
  condition: Node | null;
  /** Normalised text of the switch condition (`behavior`). */
  conditionText: string;
  groups: CaseGroup[];
}

const TERMINATORS = new Set(['break_statement', 'return_statement', 'goto_statement', 'continue_statement']);

/** Switch statements in a subtree with their cases grouped by shared body. Also finds
 *  `case` labels whose switch head lies outside the hunk (the fragment then has bare
 *  case_statement nodes under the synthetic block); those come back with node = the
 *  enclosing block and condition null. */
export function findSwitchCases(scope: Node): SwitchInfo[] {
  return memoOnNode(scope, 'switches', allSwitches).slice();
}

// Preprocessor conditionals inside a switch: tree-sitter ends a case_statement at an `#ifdef`
// line, so a guard or a label under `#ifdef CONFIG_X` would otherwise land outside its case
// (or in a switch of its own). The `#ifdef` branch is read as compiled in (the configuration
// that has the code); `#else` branches are left out.
const PREPROC_CONTAINERS = new Set(['preproc_ifdef', 'preproc_if']);
const PREPROC_ALTERNATIVES = new Set(['preproc_else', 'preproc_elif', 'preproc_elifdef']);

type Item = { label: Node; value: Node | null } | { statement: Node; type: string };

/** The statements of a preprocessor conditional's compiled-in branch. */
function branchChildren(n: Node): Node[] {
  const skip = new Set([n.childForFieldName('name')?.id, n.childForFieldName('condition')?.id]);
  return n.namedChildren.filter((c): c is Node => {
    if (c === null || skip.has(c.id)) return false;
    const type = c.type;
    return !PREPROC_ALTERNATIVES.has(type) && type !== 'comment';
  });
}

/** Statements in order, labels marked, preprocessor conditionals opened. */
function items(nodes: Node[], out: Item[] = []): Item[] {
  for (const c of nodes) {
    const type = c.type; // one question to wasm per node
    if (type === 'comment') continue;
    if (PREPROC_CONTAINERS.has(type)) items(branchChildren(c), out);
    else if (type === 'case_statement') {
      const value = c.childForFieldName('value');
      out.push({ label: c, value });
      items(c.namedChildren.filter((s): s is Node => s !== null && s.id !== value?.id), out);
    } else out.push({ statement: c, type });
  }
  return out;
}

function groupCases(block: Node): CaseGroup[] {
  const out: CaseGroup[] = [];
  let current: CaseGroup | null = null;
  let open = false; // the current group has statements (a new label starts a new group)
  for (const it of items(block.namedChildren.filter((c): c is Node => c !== null))) {
    if ('label' in it) {
      if (current && open) { out.push(current); current = null; }
      const c = it.label;
      const value = it.value;
      // The first child only: `children` would build a JS node for every child.
      const isDefault = c.child(0)?.type === 'default';
      current ??= { labels: [], labelTexts: [], statements: [], statementTypes: [], caseNodes: [], terminates: false };
      current.labels.push(isDefault ? null : value);
      current.labelTexts.push(isDefault ? 'default' : normalizeText(value?.text ?? ''));
      current.caseNodes.push(c);
      open = false;
    } else if (current) {
      current.statements.push(it.statement);
      current.statementTypes.push(it.type);
      open = true;
      const st = it.statement;
      // Control leaves the group when a top-level statement of the body is a jump.
      if (TERMINATORS.has(it.type) || (it.type === 'compound_statement' && TERMINATORS.has(st.lastNamedChild?.type ?? ''))) current.terminates = true;
    }
  }
  if (current) out.push(current);
  return out;
}

/** A switch statement read once per tree, whichever scopes around it are asked (the bridge
 *  asks a function, the rules the fragment's innermost block). */
function readSwitch(sw: Node): { info: SwitchInfo; bodyId: number | null } {
  const cond = sw.childForFieldName('condition');
  const body = sw.childForFieldName('body');
  const info = { node: sw, condition: cond, conditionText: cond ? normalizeText(cond.text).replace(/^\((.*)\)$/, '$1') : '', groups: body ? casesOf(body) : [] };
  return { info, bodyId: body ? body.id : null };
}

/** The case groups of a block (a switch body, or a block holding orphan cases), once per tree. */
function casesOf(block: Node): CaseGroup[] {
  return memoOnNode(block, 'caseGroups', groupCases);
}

/** Switches and cases are found by one walk of the tree (one question for both: a walk costs
 *  more than asking the few nodes it finds for their type). */
export const SWITCHES_AND_CASES: readonly string[] = ['switch_statement', 'case_statement'];

function allSwitches(scope: Node): SwitchInfo[] {
  const out: SwitchInfo[] = [];
  const seen = new Set<number>();
  const cases: Node[] = [];
  for (const n of descendants(scope, SWITCHES_AND_CASES)) {
    if (n.type !== 'switch_statement') {
      cases.push(n);
      continue;
    }
    const { info, bodyId } = memoOnNode(n, 'switch', readSwitch);
    if (bodyId !== null) seen.add(bodyId);
    out.push(info);
  }
  // Orphan cases: the hunk starts inside a switch body (possibly inside an #ifdef there).
  // A case some group already holds sits in a container already seen (groups reach their
  // cases through the same case and #if levels the walk up climbs): no walk up for it.
  const grouped = new Set<number>();
  const group = (groups: CaseGroup[]) => { for (const g of groups) for (const c of g.caseNodes) grouped.add(c.id); };
  for (const sw of out) group(sw.groups);
  for (const c of cases) {
    if (grouped.has(c.id)) continue;
    let container = c.parent;
    while (container && (PREPROC_CONTAINERS.has(container.type) || container.type === 'case_statement')) container = container.parent;
    if (!container || seen.has(container.id)) continue;
    seen.add(container.id);
    const groups = casesOf(container);
    group(groups);
    out.push({ node: container, condition: null, conditionText: '', groups });
  }
  return out;
}

/** The group whose labels include `label` (normalised text: `MADV_DONTFORK`). */
export function caseFor(info: SwitchInfo, label: string): CaseGroup | undefined {
  const want = normalizeText(label);
  return info.groups.find((g) => g.labelTexts.includes(want));
}

export interface Condition {
  /** if_statement, while_statement, do_statement, for_statement or conditional_expression. */
  node: Node;
  /** The tested expression (parentheses removed). */
  test: Node;
}

/** The conditions tested in a subtree (`if (...)`, loops, `?:`). */
export function findConditions(scope: Node): Condition[] {
  return memoOnNode(scope, 'conditions', allConditions).slice();
}

function allConditions(scope: Node): Condition[] {
  const out: Condition[] = [];
  for (const n of descendants(scope, ['if_statement', 'while_statement', 'do_statement', 'for_statement', 'conditional_expression'])) {
    let test = n.childForFieldName('condition');
    if (!test) continue;
    while (test.type === 'parenthesized_expression' && test.namedChildCount === 1) test = test.namedChildren[0]!;
    out.push({ node: n, test });
  }
  return out;
}

/** Identifiers used in a subtree (names, not fields), in source order, deduplicated. */
export function identifiersIn(node: Node): string[] {
  return [...new Set(descendants(node, 'identifier').map((n) => n.text))];
}

/** The statement (or declaration) that contains a node. */
export function enclosingStatement(node: Node): Node {
  let cur: Node = node;
  while (cur.parent && !/(_statement|declaration|preproc_def|preproc_function_def)$/.test(cur.type)) cur = cur.parent;
  return cur;
}

/** Name of the function around a node: a function_definition in the fragment, or the
 *  hunk header's function when the definition is not in view. */
export function enclosingFunctionName(node: Node, fragment?: CFragment): string | null {
  for (let cur: Node | null = node; cur; cur = cur.parent) {
    if (cur.type === 'function_definition') {
      // The synthetic wrapper, told by where it starts (no name read through wasm).
      if (fragment?.isWrapper(cur)) continue;
      const name = functionDefinitionName(cur);
      if (name && name !== SYNTHETIC_FUNCTION) return name;
    }
  }
  return fragment ? normalizeHeaderFunction(fragment) : null;
}

function normalizeHeaderFunction(fragment: CFragment): string | null {
  // The fragment's own function name may come from a definition elsewhere in the window;
  // for a node outside any visible definition the header's function is the answer.
  return fragment.headerFunctionName;
}

export interface ErrorGuard {
  /** The if_statement. */
  node: Node;
  /** Its condition (parentheses removed). */
  test: Node;
  /** `EINVAL` from `error = -EINVAL; goto out;`, `return -EINVAL;`, `ret = -EPERM; break;`. */
  errno: string;
}

/** `if (cond) { err = -EXXX; goto out; }` and `if (cond) return -EXXX;` guards in the given
 *  nodes (e.g. a case body), outermost first. The errno is the first negated E* constant
 *  assigned or returned in the if's consequence. */
export function findErrorGuards(nodes: readonly Node[]): ErrorGuard[] {
  const out: ErrorGuard[] = [];
  for (const root of nodes) {
    for (const n of descendants(root, 'if_statement')) {
      const cons = n.childForFieldName('consequence');
      let test = n.childForFieldName('condition');
      if (!cons || !test) continue;
      while (test.type === 'parenthesized_expression' && test.namedChildCount === 1) test = test.namedChildren[0]!;
      const neg = descendants(cons, 'unary_expression').find((x) => x.childForFieldName('operator')?.type === '-' && /^E[A-Z0-9]+$/.test(x.childForFieldName('argument')?.text ?? ''));
      if (neg) out.push({ node: n, test, errno: neg.childForFieldName('argument')!.text });
    }
  }
  return out;
}
