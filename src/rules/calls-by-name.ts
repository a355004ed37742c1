// Calls found where the source spells their callee's name. findCalls walks every call of a tree
// and reads each callee; a rule that wants a few names only needs the places the source spells
// one: is the widest node spanning exactly that word the callee of a call? A word in a comment,
// a string or a longer identifier gives a node starting or ending elsewhere, or no call.
import type { Node } from 'web-tree-sitter';
import type { CFragment } from '../c/index';

export interface NamedCall {
  node: Node;
  /** The callee's text: the name as spelled. */
  name: string;
  /** The arguments, comments left out (as findCalls gives them). */
  args: Node[];
}

/** Calls in `fragment.scope` whose callee is an identifier matched whole by `names` (a global
 *  RegExp of candidate words; each match is checked against the tree), in source order
 *  (findCalls' order: a call's callee starts it). */
export function callsByName(fragment: CFragment, names: RegExp): NamedCall[] {
  const out: NamedCall[] = [];
  const src = fragment.source;
  const scope = fragment.scope;
  let from = -1;
  let to = -1;
  names.lastIndex = 0;
  for (let m = names.exec(src); m; m = names.exec(src)) {
    const at = m.index;
    const end = at + m[0].length;
    if (end === at) {
      names.lastIndex++;
      continue;
    }
    if (from < 0) {
      from = scope.startIndex;
      to = scope.endIndex;
    }
    if (at < from || end > to) continue;
    // The smallest node spanning the word: the callee's identifier when it is one.
    let callee = fragment.root.descendantForIndex(at, end);
    if (!callee || callee.startIndex !== at || callee.endIndex !== end) continue;
    // The callee is the widest node with exactly that span (an ERROR node may wrap it).
    let parent = callee.parent;
    while (parent && parent.startIndex === at && parent.endIndex === end) {
      callee = parent;
      parent = parent.parent;
    }
    if (!parent || parent.type !== 'call_expression' || parent.childForFieldName('function')?.id !== callee.id) continue;
    const args = (parent.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => c !== null && c.type !== 'comment');
    out.push({ node: parent, name: src.slice(at, end), args });
  }
  return out;
}
