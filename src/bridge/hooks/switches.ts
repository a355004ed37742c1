// Switch statements with their cases grouped by shared body, reading through preprocessor
// conditionals: tree-sitter ends a case_statement at an `#ifdef` line, so a guard or a label
// under `#ifdef CONFIG_X` would otherwise land outside its case (or in a switch of its own).
// The `#ifdef` branch is read as compiled in (the configuration that has the code); `#else`
// branches are left out. Same shape as src/c's findSwitchCases, which the madvise collector
// used before.
import type { Node } from 'web-tree-sitter';
import { descendants, normalizeText, type CaseGroup, type SwitchInfo } from '../../c/index';

const PREPROC_CONTAINERS = new Set(['preproc_ifdef', 'preproc_if']);
const PREPROC_ALTERNATIVES = new Set(['preproc_else', 'preproc_elif', 'preproc_elifdef']);
const TERMINATORS = new Set(['break_statement', 'return_statement', 'goto_statement', 'continue_statement']);

type Item = { label: Node } | { statement: Node };

/** The statements of a preprocessor conditional's compiled-in branch. */
function branchChildren(n: Node): Node[] {
  const skip = new Set([n.childForFieldName('name')?.id, n.childForFieldName('condition')?.id]);
  return n.namedChildren.filter((c): c is Node => c !== null && !skip.has(c.id) && !PREPROC_ALTERNATIVES.has(c.type) && c.type !== 'comment');
}

/** Statements in order, labels marked, preprocessor conditionals opened. */
function items(nodes: Node[], out: Item[] = []): Item[] {
  for (const c of nodes) {
    if (c.type === 'comment') continue;
    if (PREPROC_CONTAINERS.has(c.type)) items(branchChildren(c), out);
    else if (c.type === 'case_statement') {
      out.push({ label: c });
      const value = c.childForFieldName('value');
      items(c.namedChildren.filter((s): s is Node => s !== null && s.id !== value?.id), out);
    } else out.push({ statement: c });
  }
  return out;
}

function groups(block: Node): CaseGroup[] {
  const out: CaseGroup[] = [];
  let current: CaseGroup | null = null;
  let open = false; // the current group has statements (a new label starts a new group)
  for (const it of items(block.namedChildren.filter((c): c is Node => c !== null))) {
    if ('label' in it) {
      if (current && open) { out.push(current); current = null; }
      const c = it.label;
      const value = c.childForFieldName('value');
      const isDefault = c.children[0]?.type === 'default';
      current ??= { labels: [], labelTexts: [], statements: [], caseNodes: [], terminates: false };
      current.labels.push(isDefault ? null : value);
      current.labelTexts.push(isDefault ? 'default' : normalizeText(value?.text ?? ''));
      current.caseNodes.push(c);
      open = false;
    } else if (current) {
      current.statements.push(it.statement);
      open = true;
      const st = it.statement;
      // Control leaves the group when a top-level statement of the body is a jump.
      if (TERMINATORS.has(st.type) || (st.type === 'compound_statement' && TERMINATORS.has(st.lastNamedChild?.type ?? ''))) current.terminates = true;
    }
  }
  if (current) out.push(current);
  return out;
}

/** Switches in `scope`, plus case labels whose switch head the window does not show (node =
 *  the enclosing block outside any preprocessor conditional, condition null). */
export function switchCases(scope: Node): SwitchInfo[] {
  const out: SwitchInfo[] = [];
  const seen = new Set<number>();
  for (const sw of descendants(scope, 'switch_statement')) {
    const cond = sw.childForFieldName('condition');
    const body = sw.childForFieldName('body');
    if (body) seen.add(body.id);
    out.push({ node: sw, condition: cond, conditionText: cond ? normalizeText(cond.text).replace(/^\((.*)\)$/, '$1') : '', groups: body ? groups(body) : [] });
  }
  for (const c of descendants(scope, 'case_statement')) {
    let container = c.parent;
    while (container && (PREPROC_CONTAINERS.has(container.type) || container.type === 'case_statement')) container = container.parent;
    if (!container || seen.has(container.id)) continue;
    seen.add(container.id);
    out.push({ node: container, condition: null, conditionText: '', groups: groups(container) });
  }
  return out;
}
