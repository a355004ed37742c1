// Hunk -> C fragments. A hunk shows a window of a file, usually from the middle of a
// function, so its pre-image (context + removed lines) and post-image (context + added lines)
// are rebuilt as C text, wrapped in a synthetic function (and extra `{` levels) when the
// window starts inside a block, and parsed. Every tree position maps back to the document
// line/column of the hunk line it came from; the synthetic wrapper maps to nothing.
import { Edit, type Node, type Tree } from 'web-tree-sitter';
import type { Hunk, HunkLine, PatchSet } from '../patch/types';
import { positionInLine } from '../patch/index';
import { cParser } from './load';
import { memoOnNode } from './memo';
import { descendants, knownDescendants, rootOf, treeHasError, walkCursor } from './descendants';
import { leastWrappingLeavesStatement } from './wrapping-proof';
import { shapeOf, type Shape } from './window-shape';

export type Side = 'pre' | 'post';

export interface DocPosition {
  /** 1-based document line and column. */
  line: number;
  column: number;
  /** Index into hunk.lines. */
  hunkLine: number;
}

export interface DocRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** hunk.lines indices of the first and last line the node covers. */
  firstHunkLine: number;
  lastHunkLine: number;
}

/** The synthetic function that hosts mid-function fragments. */
export const SYNTHETIC_FUNCTION = '__mmlens_fragment';

// Mail clients and quoting turn tabs into spaces (harmless) and spaces into NBSP or other
// Unicode spaces (not C). Replace them one for one so offsets stay exact.
const ODD_SPACES = /[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000\ufeff]/g;

// Sparse and section annotations are not C to the grammar (`const void __user *buf`); blank
// them (same length, so offsets stay exact).
const ANNOTATIONS = /\b(__user|__iomem|__force|__rcu|__percpu|__kernel|__bitwise|__must_check|__init|__exit|__initdata|__read_mostly|__ro_after_init|__always_inline|__maybe_unused|__always_unused|__cold|__latent_entropy|__weak|__visible|__sched|__ref|__meminit|__noclone|noinline|notrace)\b/g;

// Lock annotations with an argument: `__acquires(&mm->mmap_lock)`.
const LOCK_ANNOTATIONS = /\b__(?:acquires|releases|must_hold|cond_acquires)\s*\((?:[^()]|\([^()]*\))*\)/g;

// Everything the replacements below touch: non-ASCII spaces, CR, `__` names, two keywords.
const MAY_NEED_SANITIZING = /[^\x00-\x7f]|\r|__|noinline|notrace/;

export function sanitizeLine(text: string): string {
  if (!MAY_NEED_SANITIZING.test(text)) return text; // most lines: one scan instead of four
  return text
    .replace(ODD_SPACES, ' ')
    .replace(/\r/g, ' ')
    .replace(ANNOTATIONS, (w) => ' '.repeat(w.length))
    .replace(LOCK_ANNOTATIONS, (w) => ' '.repeat(w.length));
}

const STATEMENTS = new Set([
  'expression_statement', 'if_statement', 'for_statement', 'while_statement', 'do_statement', 'switch_statement',
  'return_statement', 'goto_statement', 'break_statement', 'continue_statement', 'labeled_statement',
  'compound_statement', 'case_statement',
]);

/** The function definitions a window can hold: top-level ones (also inside top-level
 *  #if branches) and ones directly inside a top-level function body or its first-level
 *  blocks (how a wrong wrapping shows up). The walk runs inside wasm (descendantsOfType);
 *  only the few definitions it finds are placed by their ancestors. `nested` counts those
 *  whose parent is neither the translation unit nor a preprocessor node (definitions inside
 *  a block: the kernel has no GNU nested functions, so the wrapping was wrong). */
function functionDefinitions(root: Node, c: RowText, top: TopLevel): { definitions: Node[]; nested: number; topFunction: Node | null } {
  const known = definitionsOfBraceFreeText(root, c, top);
  // Found without the walk: children of the root of a tree without errors (its root is the
  // translation unit), so top level, none nested.
  if (known) return { definitions: known, nested: 0, topFunction: known[0] ?? null };
  // Through the cached walk: the bridge asks the chosen tree the same question again.
  const all = descendants(root, 'function_definition');
  const definitions: Node[] = [];
  let nested = 0;
  let rootType: string | undefined;
  let topFunction: Node | null = null;
  for (let i = 0; i < all.length; i++) {
    const fn = all[i]!;
    const place = placeDefinition(fn, root);
    if (place === OUT_OF_VIEW) continue;
    definitions.push(fn);
    if (place === NESTED) nested++;
    else if (place === CHILD_OF_ROOT) {
      // In pre-order, the root's children come in order (others' descendants between).
      topFunction ??= fn;
      // A tree without errors has the grammar's start symbol at its root.
      rootType ??= treeHasError(root.tree) ? root.type : 'translation_unit';
      if (rootType !== 'translation_unit' && !rootType.startsWith('preproc_')) nested++;
    }
  }
  return { definitions, nested, topFunction };
}

/** The function definitions of a tree without syntax errors whose only `{` characters are
 *  in its first row (the wrapper's `void __mmlens_fragment(void) {` and its extra ` {`
 *  levels; many hunk windows open no block), found without walking the tree: undefined
 *  when that does not hold. A definition's body is a compound statement, which opens with a
 *  `{` token, and in a tree without errors (so without MISSING tokens) every token is text of
 *  the source. No `{` at all: no definition. Only the first row's: a body opens at one of
 *  them, and the token before a body ends a declarator (or a K&R parameter declaration),
 *  never a `{`; so the body is the first `{`, and the definition is the wrapper, starting
 *  at 0 (no named node but a definition can start with its `void`): the root's first named
 *  child. The answer is recorded as the walk's (the bridge asks the same question). */
function definitionsOfBraceFreeText(root: Node, c: RowText, top: TopLevel): Node[] | undefined {
  // A `{` after the first row (the source is the rows joined by newlines).
  const firstRowEnd = c.lines[0]!.length;
  if (c.source.indexOf('{', firstRowEnd + 1) !== -1) return undefined;
  if (treeHasError(root.tree)) return undefined;
  let found: Node[] | undefined;
  if (!c.lines[0]!.includes('{')) found = [];
  else if (top.first && top.first.startIndex === 0 && top.firstType === 'function_definition') found = [top.first];
  if (found) knownDescendants(root.tree, 'function_definition', found);
  return found;
}

const CONDITIONAL = /^preproc_(if|ifdef|else|elif|elifdef)$/;

// Where a definition sits, for functionDefinitions.
const OUT_OF_VIEW = 0, CHILD_OF_ROOT = 1, IN_CONDITIONAL = 2, NESTED = 3, IS_ROOT = 4;

/** From the root down: #if branches, then the definition (top level: a child of the root or
 *  of a conditional), or a top-level definition's body and at most two nested blocks before
 *  it (nested). */
function placeDefinition(fn: Node, root: Node): number {
  if (fn.id === root.id) return IS_ROOT;
  const path: Node[] = []; // ancestors of fn below the root, innermost first
  for (let p = fn.parent; p && p.id !== root.id; p = p.parent) path.push(p);
  if (path.length === 0) return CHILD_OF_ROOT;
  path.reverse();
  let i = 0;
  while (i < path.length && CONDITIONAL.test(path[i]!.type)) i++;
  if (i === path.length) return IN_CONDITIONAL; // top level
  if (path[i]!.type !== 'function_definition') return OUT_OF_VIEW;
  const blocks = path.slice(i + 1);
  if (blocks.length < 1 || blocks.length > 3 || blocks.some((b) => b.type !== 'compound_statement')) return OUT_OF_VIEW;
  // The first block must be that definition's body (its only compound_statement child), and
  // the outer definition must itself be one the view holds: top level, as checked above.
  const body = path[i]!.childForFieldName('body');
  return body !== null && body.id === blocks[0]!.id ? NESTED : OUT_OF_VIEW;
}

/** Statements left at top level (also inside top-level #if branches): the grammar accepts
 *  them there, but in a kernel source file they belong to a function. */
function strayStatements(root: Node): TopLevel {
  let stray = 0;
  let firstType: string | null = null;
  const visit = (n: Node) => {
    const children = n.namedChildren;
    for (let i = 0; i < children.length; i++) {
      const c = children[i];
      if (!c) continue;
      const type = c.type;
      if (firstType === null) firstType = type; // the root's first named child comes first
      if (STATEMENTS.has(type)) stray++;
      else if (CONDITIONAL.test(type)) visit(c);
    }
  };
  visit(root);
  // namedChildren is kept on the node object: no second call into wasm.
  const first = root.namedChildren[0] ?? null;
  return { stray, first, firstType: first ? firstType : null };
}

/** What the stray-statement count read of the root: its first named child and that type. */
interface TopLevel {
  stray: number;
  first: Node | null;
  firstType: string | null;
}

function errorCount(root: Node): number {
  if (!treeHasError(root.tree)) return 0;
  let n = 0;
  walkCursor(root, (cursor) => {
    if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) n++;
  });
  return n;
}

/** What parsing one side of a hunk yields. It depends only on the hunk's content (line kinds
 *  and texts, header function), never on where the hunk sits in the document, so hunks with
 *  the same content share it (an edit re-reads the document into new Hunk objects; the
 *  unchanged ones are not parsed again). Shared: never mutated once built. */
export interface ParsedSide {
  readonly source: string;
  /** The rows of `source` (it is these joined by newlines, plus a final newline). */
  readonly lines: readonly string[];
  readonly tree: Tree;
  readonly wrapped: boolean;
  readonly rowToHunkLine: number[];
  readonly errors: number;
  readonly lineStarts: number[];
  /** Set once, by the first fragment on it that is asked for its scope. */
  scope?: Node;
  /** The first function definition that is a child of the root (the wrapper, when wrapped). */
  readonly topFunction: Node | null;
  /** The side's enclosing function; set once, by the first fragment on it that is asked. */
  functionName?: string | null;
}

/** The function definitions the winning candidate's score found, kept until the side's
 *  function name is first asked (it reads them). */
const definitionsForName = new WeakMap<ParsedSide, Node[]>();

/** One side of a hunk, parsed. One per Hunk object (positions come from its lines); the
 *  tree may be shared with fragments of other hunks with the same content. */
export class CFragment {
  readonly root: Node;
  readonly errorCount: number;
  /** A name assigned to functionName (none: the side's own). */
  private assignedName: string | null | undefined;
  /** The parsed source, wrapper included. */
  readonly source: string;
  readonly tree: Tree;
  /** Whether the synthetic function wraps the hunk. */
  readonly wrapped: boolean;
  /** hunk.lines index for each row of `source`; -1 for synthetic rows. */
  readonly rowToHunkLine: number[];
  private readonly lineStarts: number[];

  constructor(
    readonly side: Side,
    readonly hunk: Hunk,
    /** The content-level parse (possibly shared with other hunks' fragments). */
    readonly parsed: ParsedSide,
  ) {
    this.source = parsed.source;
    this.tree = parsed.tree;
    this.wrapped = parsed.wrapped;
    this.rowToHunkLine = parsed.rowToHunkLine;
    this.root = rootOf(parsed.tree);
    this.errorCount = parsed.errors;
    this.lineStarts = parsed.lineStarts;
  }

  /** The enclosing function: from the hunk's own code when it shows a function start,
   *  else from the hunk header. Found when first asked, once per parse (what it depends on
   *  is content only: which rows are synthetic, the code's text, the header). */
  get functionName(): string | null {
    if (this.assignedName !== undefined) return this.assignedName;
    const parsed = this.parsed;
    if (parsed.functionName === undefined) {
      const definitions = definitionsForName.get(parsed) ?? [];
      definitionsForName.delete(parsed);
      parsed.functionName = ownFunctionName(this, definitions) ?? normalizeFunctionName(this.hunk.functionName, this.hunk.header);
    }
    return parsed.functionName;
  }

  set functionName(name: string | null) {
    this.assignedName = name;
  }

  /** Where the hunk's own code lives: the synthetic function's body (or the innermost
   *  synthetic block) when wrapped, else the translation unit. Found when first asked, once
   *  per parse (rules ask it of some sides only). */
  get scope(): Node {
    return (this.parsed.scope ??= this.findScope());
  }

  private findScope(): Node {
    if (!this.wrapped) return this.root;
    // The first function definition among the root's children, found with the side's
    // definitions (in source order, each placed by its parent) when it was parsed.
    const fn = this.parsed.topFunction;
    let body: Node | null = fn?.childForFieldName('body') ?? null;
    // When the window closes the function and goes on at top level, the hunk's code is not
    // all inside the wrapper: search the whole tree.
    if (!body || !this.isSyntheticIndex(body.endIndex - 1)) return this.root;
    // Extra synthetic `{` levels for windows that start deeper inside a block.
    for (;;) {
      const first: Node | null = body.firstNamedChild;
      // Positions first: they are known without asking wasm, and mostly settle it.
      if (first && this.isSyntheticIndex(first.startIndex) && first.type === 'compound_statement' && this.isSyntheticIndex(first.endIndex - 1)) body = first;
      else break;
    }
    return body;
  }

  /** Node end indices by id (unique within the tree): range, hunkLinesOf and isSynthetic
   *  are asked of the same nodes (a define's lines, then its range), and node.endIndex calls
   *  into wasm on every read. */
  private ends: Map<number, number> | undefined;

  private endOf(node: Node): number {
    const ends = (this.ends ??= new Map());
    let end = ends.get(node.id);
    if (end === undefined) ends.set(node.id, (end = node.endIndex));
    return end;
  }

  /** Row (0-based) of a source index. */
  rowOf(index: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  isSyntheticIndex(index: number): boolean {
    return (this.rowToHunkLine[this.rowOf(index)] ?? -1) < 0;
  }

  /** Document position of a source index; null inside the synthetic wrapper. */
  position(index: number): DocPosition | null {
    const row = this.rowOf(index);
    const hunkLine = this.rowToHunkLine[row] ?? -1;
    if (hunkLine < 0) return null;
    const hl = this.hunk.lines[hunkLine]!;
    const col = Math.min(index - this.lineStarts[row]!, hl.text.length);
    // Through the reader's maps: quoted-printable escapes and soft breaks move characters.
    const p = positionInLine(hl, col);
    return { line: p.line, column: p.column, hunkLine };
  }

  /** Document range of a node, clipped to the hunk's own lines; null when the node is
   *  entirely synthetic. End column is exclusive (one past the last character). */
  range(node: Node): DocRange | null {
    let start = node.startIndex;
    let end = this.endOf(node);
    // Skip synthetic rows at either end (a node spanning the wrapper).
    while (start < end && this.isSyntheticIndex(start)) {
      const row = this.rowOf(start);
      start = this.lineStarts[row + 1] ?? end;
    }
    while (end > start && this.isSyntheticIndex(end - 1)) {
      const row = this.rowOf(end - 1);
      end = this.lineStarts[row]! - 1;
    }
    // preproc_def and friends include their line's newline.
    while (end > start && /\s/.test(this.source[end - 1]!)) end--;
    if (end <= start) {
      const p = this.position(node.startIndex);
      return p ? { line: p.line, column: p.column, endLine: p.line, endColumn: p.column, firstHunkLine: p.hunkLine, lastHunkLine: p.hunkLine } : null;
    }
    const s = this.position(start);
    const e = this.position(end - 1);
    if (!s || !e) return null;
    return { line: s.line, column: s.column, endLine: e.line, endColumn: e.column + 1, firstHunkLine: s.hunkLine, lastHunkLine: e.hunkLine };
  }

  /** hunk.lines indices a node covers. */
  hunkLinesOf(node: Node): number[] {
    const out: number[] = [];
    const first = this.rowOf(node.startIndex);
    const last = this.rowOf(Math.max(node.startIndex, this.endOf(node) - 1));
    for (let r = first; r <= last; r++) {
      const h = this.rowToHunkLine[r] ?? -1;
      if (h >= 0) out.push(h);
    }
    return out;
  }

  /** The hunk lines a node covers. */
  linesOf(node: Node): HunkLine[] {
    return this.hunkLinesOf(node).map((i) => this.hunk.lines[i]!);
  }

  /** The node covers a line this side changes (`+` in post, `-` in pre). */
  touchesChange(node: Node): boolean {
    const kind = this.side === 'post' ? '+' : '-';
    // linesOf(node).some(...), without building the lists (asked of every statement).
    const first = this.rowOf(node.startIndex);
    const last = this.rowOf(Math.max(node.startIndex, this.endOf(node) - 1));
    for (let r = first; r <= last; r++) {
      const h = this.rowToHunkLine[r] ?? -1;
      if (h >= 0 && this.hunk.lines[h]!.kind === kind) return true;
    }
    return false;
  }

  /** The node is the synthetic wrapper function or one of its synthetic `{` levels (it may
   *  span the hunk's lines, but the hunk did not write it). */
  isWrapper(node: Node): boolean {
    if (!this.wrapped || !this.isSyntheticIndex(node.startIndex)) return false;
    if (node.type === 'function_definition') return this.rowOf(node.startIndex) === 0;
    // Blocks the wrapper opened (a window may show only their closing `}`).
    if (node.type === 'compound_statement') return this.rowOf(node.startIndex) === 0;
    return false;
  }

  /** The node is part of the synthetic wrapper only. */
  isSynthetic(node: Node): boolean {
    // hunkLinesOf(node).length === 0, without building the list (asked of many nodes).
    const first = this.rowOf(node.startIndex);
    const last = this.rowOf(Math.max(node.startIndex, this.endOf(node) - 1));
    for (let r = first; r <= last; r++) if ((this.rowToHunkLine[r] ?? -1) >= 0) return false;
    return true;
  }

  /** Source row of a hunk line, or undefined when the line is not on this side. */
  rowOfHunkLine(hunkLine: number): number | undefined {
    const r = this.rowToHunkLine.indexOf(hunkLine);
    return r < 0 ? undefined : r;
  }

  /** Smallest named node covering the text of a hunk line (its statement, declaration...). */
  nodeAtHunkLine(hunkLine: number): Node | null {
    const row = this.rowOfHunkLine(hunkLine);
    if (row === undefined) return null;
    const text = this.source.slice(this.lineStarts[row]!, (this.lineStarts[row + 1] ?? this.source.length + 1) - 1);
    const lead = text.length - text.trimStart().length;
    const trail = text.trimEnd().length;
    if (trail <= lead) return null;
    return this.root.namedDescendantForIndex(this.lineStarts[row]! + lead, this.lineStarts[row]! + trail);
  }

  /** The function the hunk header names (`@@ ... @@ sys_mprotect(`), normalised. */
  get headerFunctionName(): string | null {
    return normalizeFunctionName(this.hunk.functionName, this.hunk.header);
  }

  /** Text of the hunk's own code (without wrapper). */
  get text(): string {
    return this.rowToHunkLine.map((h, r) => (h >= 0 ? this.source.slice(this.lineStarts[r]!, (this.lineStarts[r + 1] ?? this.source.length + 1) - 1) : null)).filter((x) => x !== null).join('\n');
  }

  get hasError(): boolean {
    return this.errorCount > 0;
  }
}

export interface HunkTrees {
  readonly hunk: Hunk;
  /** Each side is parsed when first read. */
  readonly pre: CFragment;
  readonly post: CFragment;
  /** Enclosing function: post side's, else pre side's, else the hunk header's. */
  readonly functionName: string | null;
}

interface Candidate {
  source: string;
  /** The rows of `source`: it is these joined by newlines, plus a final newline. */
  lines: string[];
  rows: number[];
  wrapped: boolean;
}

const SYSCALL_START = /^\s*(?:COMPAT_)?SYSCALL_DEFINE\d\s*\(/;

function buildSource(w: Window, wrapLevels: number): Candidate {
  const { texts, indices, shape } = w;
  let head = wrapLevels > 0 ? `void ${SYNTHETIC_FUNCTION}(void) {` + ' {'.repeat(wrapLevels - 1) : '';
  if (shape.startsInComment) head += ' /*';
  // Close what the window leaves open: a comment, a statement, conditionals, blocks.
  let tail: string[];
  let tailRows: number[];
  if (!shape.endsInComment && shape.openParens === 0 && shape.openConditionals.length === 0) {
    // Most windows: only blocks (array literals: a push onto an empty array allocates room
    // for 17).
    tail = [' }'.repeat(Math.max(0, wrapLevels + shape.finalDepth))];
    tailRows = [-1];
  } else {
    tail = [];
    if (shape.endsInComment) tail.push('*/');
    if (shape.openParens > 0 && !shape.endsInComment) tail.push((shape.endsWantingOperand ? '0' : '') + ')'.repeat(shape.openParens) + ';');
    let depth = wrapLevels + shape.finalDepth;
    for (let i = shape.openConditionals.length - 1; i >= 0; i--) {
      const close = Math.max(0, depth - (wrapLevels + shape.openConditionals[i]!));
      tail.push(' }'.repeat(close), '#endif');
      depth -= close;
    }
    tail.push(' }'.repeat(Math.max(0, depth)));
    tailRows = [];
    for (let i = 0; i < tail.length; i++) tailRows.push(-1);
  }
  let parts: string[];
  let rows: number[];
  if (!w.syscallRows) {
    // One native copy each, of exactly the final length (this runs cold, once per candidate;
    // pushes onto a concat's result would copy its store again to grow it).
    parts = [head].concat(texts, tail);
    rows = [-1].concat(indices, tailRows);
  } else {
    parts = [head];
    rows = [-1];
    for (let i = 0; i < texts.length; i++) {
      const text = texts[i]!;
      // `SYSCALL_DEFINE3(mprotect, unsigned long, start, ...)` has no return type for the
      // grammar; a synthetic `long` row before it makes it a function definition.
      if (text.includes('SYSCALL_DEFINE') && SYSCALL_START.test(text)) {
        parts.push('long');
        rows.push(-1);
      }
      parts.push(text);
      rows.push(indices[i]!);
    }
    parts = parts.concat(tail);
    rows = rows.concat(tailRows);
  }
  return { source: parts.join('\n') + '\n', lines: parts, rows, wrapped: wrapLevels > 0 };
}

// Trees are freed by web-tree-sitter's own finalizer once no Tree or Node object refers to
// them, so nodes handed out stay valid as long as they are held.
const cache = new WeakMap<Hunk, HunkTrees>();

function pointAt(text: string, index: number): { row: number; column: number } {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** A candidate source as rows: `source` is `lines` joined by newlines, plus a final newline. */
interface RowText {
  readonly source: string;
  readonly lines: readonly string[];
}

/** Parses `c` reusing `base` (the other side of the hunk, mostly the same text): tree-sitter
 *  re-parses only around the single edit that turns one into the other. (A different
 *  wrapping of the same side is no help as a base: the code after the window's first
 *  closing brace moves between top level and a block, and a parse from it measured as slow
 *  as a fresh one.) */
function parseReusing(c: RowText, base: (RowText & { tree: Tree }) | undefined): Tree | null {
  const parser = cParser();
  if (!base) return parser.parse(c.source);
  const a = base.source;
  const b = c.source;
  // The common prefix and suffix, not overlapping. Whole equal rows are skipped by string
  // comparison (both sides are built from the same line strings, so mostly a pointer
  // compare), the rest by character; the result is what a character scan gives.
  const max = Math.min(a.length, b.length);
  let row = 0;
  let start = 0;
  while (row < base.lines.length && row < c.lines.length && base.lines[row] === c.lines[row]) start += base.lines[row++]!.length + 1;
  start = Math.min(start, max);
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let tail = 0;
  for (let i = base.lines.length - 1, j = c.lines.length - 1; i >= 0 && j >= 0 && base.lines[i] === c.lines[j]; i--, j--) {
    const len = base.lines[i]!.length + 1;
    if (tail + len > max - start) break;
    tail += len;
  }
  while (tail < max - start && a.charCodeAt(a.length - 1 - tail) === b.charCodeAt(b.length - 1 - tail)) tail++;
  const old = base.tree.copy();
  try {
    old.edit(new Edit({
      startIndex: start,
      oldEndIndex: a.length - tail,
      newEndIndex: b.length - tail,
      startPosition: pointAt(a, start),
      oldEndPosition: pointAt(a, a.length - tail),
      newEndPosition: pointAt(b, b.length - tail),
    }));
    return parser.parse(b, old);
  } finally {
    old.delete();
  }
}

/** Parses one side of a hunk; `base` (the other side, already parsed) speeds it up. Not
 *  cached: parseHunk is the cached way in. */
export function parseSide(hunk: Hunk, side: Side, base?: CFragment): CFragment {
  return new CFragment(side, hunk, parseSideContent(hunk, side, base?.parsed));
}

/** A candidate parse and how badly it fits: grammar errors count 10 each, statements left at
 *  top level 1, definitions inside a block 5. The definitions are found only when the score
 *  has to be exact (a candidate that loses on errors and stray statements alone never needs
 *  them). */
interface Scored {
  c: Candidate;
  tree: Tree;
  root: Node;
  errors: number;
  top: TopLevel;
  /** The score without the definitions' part. */
  lowerScore: number;
  definitions?: Node[];
  topFunction?: Node | null;
  score?: number;
}

function scoreOf(p: Scored): number {
  if (p.score === undefined) {
    const { definitions, nested, topFunction } = functionDefinitions(p.root, p.c, p.top);
    p.definitions = definitions;
    p.topFunction = topFunction;
    p.score = p.lowerScore + 5 * nested;
  }
  return p.score;
}

/** One side's window: its rows (sanitized, with their hunk line indices), its brace shape, and
 *  the candidate wrappings in the order they are tried. */
interface Window {
  /** The side's rows, sanitized, and the hunk.lines index of each. */
  texts: string[];
  indices: number[];
  /** Some row starts a SYSCALL_DEFINE (it gets a synthetic return type row). */
  syscallRows: boolean;
  shape: Shape;
  levels: [number, number];
}

function windowOf(hunk: Hunk, side: Side): Window {
  const drop = side === 'pre' ? '+' : '-';
  const texts: string[] = [];
  const indices: number[] = [];
  let syscallRows = false;
  for (let index = 0; index < hunk.lines.length; index++) {
    const l = hunk.lines[index]!;
    if (l.kind === drop) continue;
    const text = sanitizeLine(l.text);
    texts.push(text);
    indices.push(index);
    // The substring first: the regex runs interpreted on its first thousands of lines.
    if (text.includes('SYSCALL_DEFINE') && SYSCALL_START.test(text)) syscallRows = true;
  }
  const shape = shapeOf(texts);
  // Candidate wrappings, least wrapping first; the best fit wins (ties: less wrapping).
  // A window that closes blocks it did not open starts at least that deep inside a function,
  // or one deeper when what it closes is an inner block of the function body.
  // When the header names a function and the window is balanced, try the wrapped parse
  // first: mid-function windows are the common case and then parse once.
  const levels: [number, number] = shape.minDepth < 0 ? [-shape.minDepth, 1 - shape.minDepth] : hunk.functionName ? [1, 0] : [0, 1];
  return { texts, indices, syscallRows, shape, levels };
}

function parseCandidate(c: Candidate, reuse: (RowText & { tree: Tree }) | undefined): Scored {
  const tree = parseReusing(c, reuse);
  if (!tree) throw new Error('tree-sitter returned no tree');
  const root = rootOf(tree);
  const errors = errorCount(root);
  const top = strayStatements(root);
  return { c, tree, root, errors, top, lowerScore: errors * 10 + top.stray };
}

function parseSideContent(hunk: Hunk, side: Side, base: ParsedSide | undefined): ParsedSide {
  const w = windowOf(hunk, side);
  const { texts, shape, levels } = w;
  // The second candidate, parsed first when the first certainly scores at least 1: when it
  // scores 0 it wins without parsing the first (src/c/wrapping-proof.ts).
  let early: Scored | undefined;
  if (shape.minDepth < 0 && leastWrappingLeavesStatement(texts, levels[0], shape.startsInComment)) {
    early = parseCandidate(buildSource(w, levels[1]), base);
    if (scoreOf(early) === 0) return parsedSide(early);
  }
  let best = parseCandidate(buildSource(w, levels[0]), base);
  if (best.lowerScore > 0 || scoreOf(best) > 0) {
    const alt = early ?? parseCandidate(buildSource(w, levels[1]), base);
    const altScore = scoreOf(alt);
    // Ties go to less wrapping. A score below the first's lower bound wins outright.
    if (altScore < best.lowerScore || altScore < scoreOf(best) || (altScore === scoreOf(best) && levels[1] < levels[0])) {
      best.tree.delete();
      best = alt;
    } else alt.tree.delete();
  } else early?.tree.delete();
  return parsedSide(best);
}

/** Both candidate wrappings of one side, each parsed from scratch and fully scored, in the
 *  order they are tried, and whether the shortcut of src/c/wrapping-proof.ts applies: what
 *  parseHunk's choice must agree with (the first wins when it scores 0, else the second
 *  wins on a lower score, or on the same score with less wrapping). For tests; parseHunk never calls it. */
export function candidateScores(hunk: Hunk, side: Side): { levels: [number, number]; sources: string[]; scores: number[]; shortcut: boolean } {
  const w = windowOf(hunk, side);
  const { texts, shape, levels } = w;
  const sources: string[] = [];
  const scores: number[] = [];
  for (const level of levels) {
    const p = parseCandidate(buildSource(w, level), undefined);
    sources.push(p.c.source);
    scores.push(scoreOf(p));
    p.tree.delete();
  }
  const shortcut = shape.minDepth < 0 && leastWrappingLeavesStatement(texts, levels[0], shape.startsInComment);
  return { levels, sources, scores, shortcut };
}

/** The side built on the winning candidate. */
function parsedSide(best: Scored): ParsedSide {
  const definitions = (scoreOf(best), best.definitions!);
  const source = best.c.source;
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const parsed: ParsedSide = {
    source, lines: best.c.lines, tree: best.tree, wrapped: best.c.wrapped, rowToHunkLine: best.c.rows, errors: best.errors, lineStarts,
    topFunction: best.topFunction ?? null,
  };
  definitionsForName.set(parsed, definitions);
  return parsed;
}

/** The last function the hunk's own code defines (a function whose start is visible). */
function ownFunctionName(f: CFragment, definitions: Node[]): string | null {
  let name: string | null = null;
  for (const fn of definitions) {
    // f.isWrapper(fn) for a function_definition, without asking its type; before
    // isSynthetic, which asks for its end.
    if (f.wrapped && f.isSyntheticIndex(fn.startIndex) && f.rowOf(fn.startIndex) === 0) continue;
    if (f.isSynthetic(fn)) continue;
    const n = functionDefinitionName(fn);
    if (n && n !== SYNTHETIC_FUNCTION) name = n;
  }
  if (name) return name;
  // The grammar does not see `SYSCALL_DEFINE3(mprotect, unsigned long, start, ...)` + `{`
  // as a definition.
  if (!f.source.includes('SYSCALL_DEFINE')) return null; // most sides: no need to build the text
  const m = /^\s*(?:asmlinkage\s+\w+\s+)?(COMPAT_)?SYSCALL_DEFINE\d\s*\(\s*(\w+)/m.exec(f.text);
  return m ? `${m[1] ? 'compat_' : ''}sys_${m[2]}` : null;
}

/** Name declared by a function_definition (`SYSCALL_DEFINE3(mprotect, ...)` -> sys_mprotect). */
export function functionDefinitionName(fn: Node): string | null {
  // Asked of every definition by every hook collector: once per tree.
  return memoOnNode(fn, 'functionDefinitionName', readFunctionDefinitionName);
}

function readFunctionDefinitionName(fn: Node): string | null {
  let d: Node | null = fn.childForFieldName('declarator');
  while (d && d.type !== 'function_declarator' && d.type !== 'identifier') {
    d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c?.type === 'function_declarator') ?? null;
  }
  if (!d) return null;
  if (d.type === 'identifier') return d.text;
  const id = d.childForFieldName('declarator');
  if (!id) return null;
  const name = id.text;
  const syscall = /^(COMPAT_)?SYSCALL_DEFINE\d$/.exec(name);
  if (syscall) {
    const first = d.childForFieldName('parameters')?.namedChildren[0];
    if (first) return `${syscall[1] ? 'compat_' : ''}sys_${first.text.trim()}`;
  }
  return name;
}

/** A hunk header's function context as a plain name. */
export function normalizeFunctionName(functionName: string | null, header: string): string | null {
  // The reader names it (src/patch/function-name.ts); a SYSCALL_DEFINE it left raw is mapped.
  const m = /\b(COMPAT_)?SYSCALL_DEFINE\d\s*\(\s*(\w+)/.exec(header);
  if (m && (!functionName || /SYSCALL_DEFINE/.test(functionName))) return `${m[1] ? 'compat_' : ''}sys_${m[2]}`;
  return functionName;
}

// Content-keyed parses, most recently used last. Bounded: a series of a few hundred patches
// has a few thousand hunks; evicted trees are freed by web-tree-sitter's finalizer once no
// fragment holds them.
const CONTENT_CACHE_LIMIT = 4000;
const byContent = new Map<string, ContentParses>();

interface ContentParses {
  pre?: ParsedSide;
  post?: ParsedSide;
}

/** Everything a side's parse depends on: the header's function context and every line's kind
 *  and text (not the hunk's document position, nor its line numbers). */
function contentKey(hunk: Hunk): string {
  const parts: string[] = [hunk.functionName === null ? '\u0001' : hunk.functionName, hunk.header];
  const lines = hunk.lines;
  for (let i = 0; i < lines.length; i++) parts.push(lines[i]!.kind, lines[i]!.text);
  return parts.join('\u0000');
}

function contentParses(hunk: Hunk): ContentParses {
  const key = contentKey(hunk);
  let entry = byContent.get(key);
  if (entry) {
    byContent.delete(key); // move to most recently used
  } else {
    entry = {};
    if (byContent.size >= CONTENT_CACHE_LIMIT) byContent.delete(byContent.keys().next().value!);
  }
  byContent.set(key, entry);
  return entry;
}

/** Both sides of a hunk, each parsed on first use (rules that read only the post image do
 *  not pay for the pre image); the second side is parsed incrementally from the first. The
 *  parses come from the content cache when a hunk with the same content was parsed before;
 *  the fragments are this hunk's own, so positions map through its lines. */
class LazyHunkTrees implements HunkTrees {
  private preSide: CFragment | undefined;
  private postSide: CFragment | undefined;
  private entry: ContentParses | undefined;
  constructor(readonly hunk: Hunk) {}
  private parses(): ContentParses {
    return (this.entry ??= contentParses(this.hunk));
  }
  get pre(): CFragment {
    if (this.preSide) return this.preSide;
    const e = this.parses();
    return (this.preSide = new CFragment('pre', this.hunk, (e.pre ??= parseSideContent(this.hunk, 'pre', e.post))));
  }
  get post(): CFragment {
    if (this.postSide) return this.postSide;
    const e = this.parses();
    return (this.postSide = new CFragment('post', this.hunk, (e.post ??= parseSideContent(this.hunk, 'post', e.pre))));
  }
  get functionName(): string | null {
    return this.post.functionName ?? this.pre.functionName;
  }
}

/** Pre- and post-image of a hunk, parsed (cached per Hunk object; the parses also by the
 *  hunk's content). Requires initC(). */
export function parseHunk(hunk: Hunk): HunkTrees {
  const hit = cache.get(hunk);
  if (hit) return hit;
  cParser(); // fail now, not on first use of a side, when initC() has not run
  const trees = new LazyHunkTrees(hunk);
  cache.set(hunk, trees);
  return trees;
}

/** One side (pre- or post-image) of one hunk of a patch set, with the file path that side has
 *  and the index of its patch in the series. */
export interface SideFragment {
  fragment: CFragment;
  side: Side;
  path: string | null;
  patch: number;
}

/** The given side of every hunk of a patch set, in document order. Binary files and hunks
 *  that cannot be parsed are skipped (the reader reports unusable input as MM000).
 *  `wanted` lets a caller skip hunks before they are parsed. */
export function sideFragments(patchSet: PatchSet, side: Side, wanted?: (hunk: Hunk) => boolean): SideFragment[] {
  const out: SideFragment[] = [];
  patchSet.patches.forEach((patch, index) => {
    for (const file of patch.files) {
      if (file.isBinary) continue;
      const path = side === 'pre' ? (file.oldPath ?? file.newPath) : (file.newPath ?? file.oldPath);
      for (const hunk of file.hunks) {
        if (wanted && !wanted(hunk)) continue;
        try {
          const trees = parseHunk(hunk);
          out.push({ fragment: side === 'pre' ? trees.pre : trees.post, side, path, patch: index });
        } catch {
          /* unparsable hunk: nothing to read */
        }
      }
    }
  });
  return out;
}
