// Small shared pieces of the hook collectors: lines of nodes, functions of nodes, errno of
// a `return -EINVAL` / `error = -EINVAL`.
import type { Node } from 'web-tree-sitter';
import type { HunkLine } from '../../patch/types';
import { descendants, enclosingFunctionName, functionDefinitionName, SYNTHETIC_FUNCTION, type CFragment } from '../../c/index';
import type { SideEnv, SideFragment } from '../env';
import { uniqueSorted } from '../facts';

/** fragment.linesOf(node), once per fragment and node: the collectors ask it of the same
 *  statements again and again (every label of a case, its changed and all lines). */
const nodeLines = new WeakMap<CFragment, Map<number, HunkLine[]>>();

function hunkLinesOfNode(fragment: CFragment, n: Node): HunkLine[] {
  let perNode = nodeLines.get(fragment);
  if (!perNode) nodeLines.set(fragment, (perNode = new Map()));
  let lines = perNode.get(n.id);
  if (!lines) perNode.set(n.id, (lines = fragment.linesOf(n)));
  return lines;
}

export function changedLinesOf(fragment: CFragment, nodes: Iterable<Node>): number[] {
  const kind = fragment.side === 'post' ? '+' : '-';
  const out: number[] = [];
  for (const n of nodes) for (const l of hunkLinesOfNode(fragment, n)) if (l.kind === kind) out.push(l.line);
  return uniqueSorted(out);
}

export function linesOf(fragment: CFragment, nodes: Iterable<Node>): number[] {
  const out: number[] = [];
  for (const n of nodes) for (const l of hunkLinesOfNode(fragment, n)) out.push(l.line);
  return uniqueSorted(out);
}

export interface FunctionScope {
  name: string | null;
  node: Node;
  whole: boolean;
}

/** Every collector (and pinnedCopyCalls) asks for a fragment's scopes: computed once. The
 *  arrays are shared, so callers must not modify them. */
const scopeCache = new WeakMap<CFragment, FunctionScope[]>();
/** The fragment's function definitions, read once for the scopes, the own-node filter and
 *  the side's helpers (SideEnv). */
const definitionCache = new WeakMap<CFragment, Definitions>();

interface Definitions {
  /** Visible (non-synthetic) definitions, with or without a body, in source order. */
  visible: Node[];
  /** The synthetic wrapper function, when the fragment is wrapped. */
  wrapper: Node | null;
}
/** ownNodes answers per (scope, types). */
const ownCache = new WeakMap<object, Map<string, Node[]>>();

/** Function definitions visible in the fragment, plus the hunk's own code outside any
 *  definition (attributed to the header's function): [function name, scope node]. */
export function functionScopes(fragment: CFragment): FunctionScope[] {
  const hit = scopeCache.get(fragment);
  if (hit) return hit;
  const out: FunctionScope[] = [];
  const { visible, wrapper } = definitions(fragment);
  for (const d of visible) {
    const body = d.childForFieldName('body');
    if (!body) continue;
    out.push({ name: enclosingFunctionName(body, fragment), node: body, whole: true });
  }
  // Code outside visible definitions: the whole synthetic wrapper (fragment.scope is its
  // innermost block, which ends at the first `}` of a window that starts deep in a block).
  out.push({ name: fragment.headerFunctionName, node: wrapper ?? fragment.root, whole: false });
  scopeCache.set(fragment, out);
  return out;
}

/** A fragment's function definitions. The wrapper is told by where it starts
 *  (CFragment.isWrapper: its name need not be read through wasm). */
function definitions(fragment: CFragment): Definitions {
  let defs = definitionCache.get(fragment);
  if (!defs) {
    const visible: Node[] = [];
    let wrapper: Node | null = null;
    for (const d of descendants(fragment.root, 'function_definition')) {
      if (fragment.isWrapper(d) || functionDefinitionName(d) === SYNTHETIC_FUNCTION) {
        if (fragment.wrapped) wrapper ??= d;
      } else if (!fragment.isSynthetic(d)) visible.push(d);
    }
    definitionCache.set(fragment, (defs = { visible, wrapper }));
  }
  return defs;
}

/** The fragment's visible (non-synthetic) function definitions, with or without a body, in
 *  source order (shared: callers must not modify the array). */
export function visibleDefinitions(fragment: CFragment): readonly Node[] {
  return definitions(fragment).visible;
}

/** Statements of `scope` that belong to it and not to a nested visible definition. */
export function ownNodes(scope: { node: Node; whole: boolean }, fragment: CFragment, types: string | readonly string[]): Node[] {
  if (scope.whole) return descendants(scope.node, types);
  const key = typeof types === 'string' ? types : types.join(' ');
  let perScope = ownCache.get(scope);
  if (!perScope) ownCache.set(scope, (perScope = new Map()));
  let own = perScope.get(key);
  if (!own) {
    const all = descendants(scope.node, types);
    // Only a node inside a visible definition's span can have it as an ancestor: the parent
    // walk (costly through the wasm boundary) is left for those few.
    const spans = visibleDefinitions(fragment).map((d) => [d.startIndex, d.endIndex] as const);
    // No visible definition: everything is the scope's own (and no node's end is asked).
    own = spans.length === 0 ? all : all.filter((n) => {
      const s = n.startIndex;
      const e = n.endIndex;
      if (!spans.some(([a, b]) => s >= a && e <= b)) return true;
      for (let p = n.parent; p; p = p.parent) {
        if (p.type === 'function_definition' && !fragment.isSynthetic(p) && functionDefinitionName(p) !== SYNTHETIC_FUNCTION) return false;
      }
      return true;
    });
    perScope.set(key, own);
  }
  return own.slice();
}

/** The scope's own if statements. An if statement starts with the keyword `if`, which the
 *  parser never invents (tree-sitter inserts a MISSING token only when the next token then
 *  completes a rule, and no rule ends in `if`): a scope whose text has no `if` has none, and
 *  the tree is not walked for them. */
export function ownIfStatements(scope: { node: Node; whole: boolean }, fragment: CFragment): Node[] {
  const at = fragment.source.indexOf('if', scope.node.startIndex);
  if (at < 0 || at + 2 > scope.node.endIndex) return [];
  return ownNodes(scope, fragment, 'if_statement');
}

/** Whether every node `ownNodes(scope, ...)` could give is the scope's own: nothing to
 *  filter out, so a caller need not ask for the list to test membership. */
export function allOwn(scope: { whole: boolean }, fragment: CFragment): boolean {
  return scope.whole || visibleDefinitions(fragment).length === 0;
}

/** Whether one of `names` is an identifier of the scope's own code. An identifier spells
 *  its name in the source, so only the places the source spells one need asking (the node
 *  there, instead of every identifier of the tree); with nested definitions to leave out, the
 *  scope's own identifiers are read. */
export function hasOwnIdentifier(scope: { node: Node; whole: boolean }, fragment: CFragment, names: readonly string[]): boolean {
  if (!allOwn(scope, fragment)) {
    const wanted = new Set(names);
    const accept = (name: string) => wanted.has(name);
    return ownNodes(scope, fragment, 'identifier').some((id) => mayBeIdentifier(fragment, id, accept) && accept(id.text));
  }
  const src = fragment.source;
  const from = scope.node.startIndex;
  const to = scope.node.endIndex;
  for (const name of names) {
    for (let at = src.indexOf(name, from); at >= 0 && at + name.length <= to; at = src.indexOf(name, at + 1)) {
      // A word going on around the name (`new_flags2`, `io_remap_pfn_range`) is one longer
      // token, not the name.
      if (insideWord(src, at, at + name.length)) continue;
      // The smallest node spanning an identifier's text is the identifier (a leaf).
      const n = fragment.root.descendantForIndex(at, at + name.length);
      if (n && n.type === 'identifier' && n.startIndex === at && n.text === name) return true;
    }
  }
  return false;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$]/;

/** Whether the character at `i` continues a word (an ASCII letter, digit or `_`): the lexer
 *  takes the longest identifier, so no token of the source ends just before it. */
export function continuesWord(src: string, i: number): boolean {
  const c = src.charCodeAt(i);
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** Whether `src[from, to)` is part of a longer token: a word goes on after it, or an `_` ends
 *  the text before it (only words hold `_`, and they run on over what follows; a letter or
 *  a digit before could end a number literal such as `1UL`, after which a new token starts). */
export function insideWord(src: string, from: number, to: number): boolean {
  return continuesWord(src, to) || (from > 0 && src.charCodeAt(from - 1) === 95);
}

/** Whether an identifier node may have one of the texts `accept` takes, judged from the
 *  fragment's source at the node's start without asking wasm for its end: the identifier
 *  is the run of identifier characters there. A run that stops at a character the ASCII test
 *  cannot judge (non-ASCII, `\u` escapes) may be the node's text: true. So false means the
 *  node's text is not accepted (a zero-width MISSING identifier has the text '', which no
 *  caller accepts), and true must be confirmed with the node's own text. */
export function mayBeIdentifier(fragment: CFragment, id: Node, accept: (word: string) => boolean): boolean {
  const src = fragment.source;
  const start = id.startIndex;
  let end = start;
  while (end < src.length && IDENTIFIER_CHAR.test(src[end]!)) end++;
  if (end < src.length && (src.charCodeAt(end) >= 0x80 || src[end] === '\\')) return true;
  return accept(src.slice(start, end));
}

/** A call's arguments, comments left out. A comment starts with `/`: an argument list whose
 *  text has none holds none, and its arguments need not be asked their types. */
export function argumentsOf(call: Node, fragment: CFragment): Node[] {
  const list = call.childForFieldName('arguments');
  if (!list) return [];
  const args = list.namedChildren;
  if (!fragment.source.slice(list.startIndex, list.endIndex).includes('/')) return args.filter((a): a is Node => a !== null);
  return args.filter((a): a is Node => a !== null && a.type !== 'comment');
}

const ERRNO = /^-\s*(E[A-Z]+)$/;

/** `-EINVAL` -> 'EINVAL'. */
export function errnoOf(node: Node | null): string | null {
  if (!node) return null;
  const m = ERRNO.exec(node.text.replace(/\s+/g, ' ').replace(/^\((.*)\)$/, '$1').trim());
  return m ? m[1]! : null;
}

/** macrosUsed answers per side environment, fragment and node: the collectors ask them of
 *  the same statements for each label of a case. */
const macrosCache = new WeakMap<SideEnv, WeakMap<CFragment, Map<number, string[]>>>();

/** Macros and one-return helpers defined by the patch (this side) that a node's text uses. */
export function macrosUsed(node: Node, env: SideEnv, fragment: CFragment): string[] {
  let perEnv = macrosCache.get(env);
  if (!perEnv) macrosCache.set(env, (perEnv = new WeakMap()));
  let perNode = perEnv.get(fragment);
  if (!perNode) perEnv.set(fragment, (perNode = new Map()));
  let used = perNode.get(node.id);
  if (!used) perNode.set(node.id, (used = readMacrosUsed(node, env, fragment)));
  return used.slice();
}

function readMacrosUsed(node: Node, env: SideEnv, fragment: CFragment): string[] {
  const out = new Set<string>();
  const known = (name: string) => env.macros.has(name) || env.hasHelper(name);
  const start = node.startIndex;
  const text = fragment.source.slice(start, node.endIndex);
  if (NOT_ASCII_WORDS.test(text)) {
    // Names the ASCII scan below cannot delimit: every identifier is read.
    for (const id of descendants(node, 'identifier')) if (known(id.text)) out.add(id.text);
    return [...out];
  }
  // Each identifier under the node is a word of its text at the identifier's place, so only
  // the words that are known names need their node asked (the smallest node spanning the
  // word is the identifier, a leaf; a word in a comment or a string gives another node).
  // Words as /[A-Za-z_$][A-Za-z0-9_$]*/g finds them, scanned by hand: only those starting
  // like a known name are cut out and looked up.
  const starts = env.knownNameStarts();
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (!isWordStart(c)) { i++; continue; }
    let j = i + 1;
    while (j < text.length && isWordPart(text.charCodeAt(j))) j++;
    if (starts[c]) {
      const word = text.slice(i, j);
      if (known(word) && !out.has(word)) {
        const at = start + i;
        const n = fragment.root.descendantForIndex(at, at + word.length);
        if (n && n.type === 'identifier' && n.startIndex === at && n.text === word) out.add(word);
      }
    }
    i = j;
  }
  return [...out];
}

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57);
}
const NOT_ASCII_WORDS = /[^\x00-\x7f]|\\/;

export function filePathOf(sf: SideFragment): string | null {
  return sf.path;
}
