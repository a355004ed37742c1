// The evaluation environment of one side (pre or post) of a patch: the era's symbol table
// with the side's own #defines, the side's macros, helper functions the side defines
// (`static inline ... { return EXPR; }`, so code moved into a helper evaluates the same), and
// every `X->vm_flags` read as the one VMA's flags. Everything the hook collectors evaluate
// goes through here, so pre and post images are judged by the same rules.
import type { Node } from 'web-tree-sitter';
import type { PatchSet } from '../patch/types';
import type { ArchId, EraId, KernelModel } from '../kernel/model';
import { kernelModel } from '../kernel/eras';
import { symbolTable } from '../kernel/flags';
import { archInEra } from '../kernel/tables/index';
import { archOfPath } from './arch';
import { continuesWord, visibleDefinitions } from './hooks/common';
import {
  atom, binary, constant, descendants, evaluate, functionDefinitionName, MASK64, normalizeText, patchMacros,
  type CFragment, type EvalEnv, type MacroDefinition, type Side, type SymValue,
} from '../c/index';

/** Calls that evaluate to their one argument. */
const VALUE_PRESERVING_CALLS = new Set(['likely', 'unlikely', 'READ_ONCE', 'ACCESS_ONCE']);

/** The canonical name of "the VMA's flags" (mpnt->vm_flags, tmp->vm_flags, vma->vm_flags). */
export const VMA_FLAGS = 'vma->vm_flags';

// One side of one hunk with where it lives: src/c's SideFragment, read the same way there.
import type { SideFragment } from '../c/index';
export { sideFragments, type SideFragment } from '../c/index';

interface Helper {
  params: string[];
  body: Node;
}

export class SideEnv {
  readonly symbols: Map<string, bigint>;
  /** The base kernel: what the window does not show is what it has. */
  readonly model: KernelModel;
  readonly macros: Map<string, MacroDefinition>;
  private readonly helpers = new Map<string, Helper>();
  /** Changed document lines of each helper the side defines (a value that changes through a
   *  helper points at the helper's lines too). */
  readonly helperLines = new Map<string, number[]>();
  /** Hunks in an arch's own files are read with that arch's names (PROT_SAO on powerpc). */
  private readonly fragmentArch = new WeakMap<CFragment, ArchId>();
  private readonly archSymbols = new Map<ArchId, Map<string, bigint>>();
  private readonly assumed = new Set<string>();
  private depth = 0;

  constructor(
    readonly side: Side,
    readonly era: EraId,
    readonly arch: ArchId,
    patchSet: PatchSet,
    fragments: SideFragment[],
  ) {
    this.symbols = symbolTable(era, arch);
    this.model = kernelModel(era, arch);
    this.macros = patchMacros(patchSet, side);
    for (const f of fragments) {
      this.collectHelpers(f.fragment);
      const a = archOfPath(f.path);
      if (a && a !== 'generic' && a !== arch && archInEra(era, a)) this.fragmentArch.set(f.fragment, a);
    }
  }

  private symbolsFor(fragment: CFragment | null): Map<string, bigint> {
    const a = fragment ? this.fragmentArch.get(fragment) : undefined;
    if (!a) return this.symbols;
    let t = this.archSymbols.get(a);
    if (!t) this.archSymbols.set(a, (t = symbolTable(this.era, a)));
    return t;
  }

  /** Functions the side defines whose body is one `return EXPR;`. */
  private collectHelpers(fragment: CFragment): void {
    // Visible definitions only: the synthetic wrapper around a mid-function window is no
    // helper the code can call.
    for (const fn of visibleDefinitions(fragment)) {
      const name = functionDefinitionName(fn);
      if (!name) continue;
      const body = fn.childForFieldName('body');
      if (!body) continue;
      // A body whose text has no `return` has no return statement (and its statements need
      // not be read one by one through wasm).
      if (!fragment.source.slice(body.startIndex, body.endIndex).includes('return')) continue;
      const stmts = body.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
      if (stmts.length !== 1 || stmts[0]!.type !== 'return_statement') continue;
      const expr = stmts[0]!.namedChildren.find((c): c is Node => c !== null && c.type !== 'comment');
      if (!expr) continue;
      let decl: Node | null = fn.childForFieldName('declarator');
      while (decl && decl.type !== 'function_declarator') decl = decl.childForFieldName('declarator');
      const params = (decl?.childForFieldName('parameters')?.namedChildren ?? [])
        // `(void)` declares no parameter.
        .filter((p): p is Node => p !== null && p.type === 'parameter_declaration' && p.childForFieldName('declarator') !== null)
        .map((p) => {
          const ids = descendants(p, 'identifier');
          return ids.length ? ids[ids.length - 1]!.text : '';
        });
      this.helpers.set(name, { params, body: expr });
      const kind = fragment.side === 'post' ? '+' : '-';
      const changed = fragment.linesOf(fn).filter((l) => l.kind === kind).map((l) => l.line);
      if (changed.length) this.helperLines.set(name, changed);
    }
  }

  private nameStarts: Uint8Array | null = null;

  /** For each ASCII code, 1 when a macro or helper of the side starts with it (all 1 when a
   *  name starts otherwise): words starting elsewhere need no lookup. */
  knownNameStarts(): Uint8Array {
    if (!this.nameStarts) {
      const starts = new Uint8Array(128);
      for (const names of [this.macros.keys(), this.helpers.keys()]) {
        for (const n of names) {
          const c = n.charCodeAt(0);
          if (c < 128) starts[c] = 1;
          else starts.fill(1);
        }
      }
      this.nameStarts = starts;
    }
    return this.nameStarts;
  }

  hasHelper(name: string): boolean {
    return this.helpers.has(name);
  }

  /** Names resolved to 0 because neither the era's table nor the patch defines them. */
  get assumedZero(): string[] {
    return [...this.assumed].sort();
  }

  lookup = (name: string): bigint | undefined => this.lookupIn(this.symbols, name);

  private lookupIn(symbols: Map<string, bigint>, name: string): bigint | undefined {
    const v = symbols.get(name);
    if (v !== undefined) return v;
    // A VM_ flag the era or arch lacks is VM_NONE there (VM_FLAGS_CLEAR without pkeys,
    // VM_ARCH_CLEAR, ...): the kernel defines such names as 0 on that configuration.
    if (/^VM_[A-Z0-9_]+$/.test(name) && !this.macros.has(name)) {
      this.assumed.add(name);
      return 0n;
    }
    return undefined;
  }

  /** The environment for evaluating a node of `fragment`, with `locals` known. The
   *  evaluator only reads it. */
  env(fragment: CFragment, locals?: ReadonlyMap<string, SymValue>): EvalEnv {
    const aliases = vmFlagAliases(fragment);
    if (!locals) {
      // Asked for every label and condition: one per fragment (nothing in it changes).
      let e = this.plainEnvs.get(fragment);
      if (!e) this.plainEnvs.set(fragment, (e = this.makeEnv(fragment, new Map(aliases))));
      return e;
    }
    let all: ReadonlyMap<string, SymValue> = locals;
    if (aliases.size) {
      const merged = new Map<string, SymValue>(aliases);
      for (const [k, v] of locals) merged.set(k, v);
      all = merged;
    }
    return this.makeEnv(fragment, all);
  }

  private readonly plainEnvs = new WeakMap<CFragment, EvalEnv>();

  private makeEnv(fragment: CFragment, locals: ReadonlyMap<string, SymValue>): EvalEnv {
    const symbols = this.symbolsFor(fragment);
    return {
      lookup: symbols === this.symbols ? this.lookup : (name: string) => this.lookupIn(symbols, name),
      macros: this.macros,
      locals,
      call: (name, args) => this.inline(name, args, fragment),
    };
  }

  private inline(name: string, args: SymValue[], fragment: CFragment): SymValue | undefined {
    // Branch hints and once-reads give back their argument: `if (unlikely(X))` tests X.
    if (VALUE_PRESERVING_CALLS.has(name) && args.length === 1 && !this.helpers.has(name)) return args[0];
    // The base kernel's arch_validate_prot(), when the patch does not show one: the PROT bits
    // mprotect accepts on this arch (`(prot & ~VALID) == 0`).
    if (name === 'arch_validate_prot' && args.length >= 1 && !this.helpers.has(name)) {
      return binary('==', binary('&', args[0]!, constant(~this.model.mprotectProtValid & MASK64)), constant(0n));
    }
    const h = this.helpers.get(name);
    if (!h || h.params.length !== args.length || this.depth > 8) return undefined;
    this.depth++;
    try {
      const locals = new Map<string, SymValue>(h.params.map((p, i) => [p, args[i]!]));
      return evaluate(h.body, this.env(fragment, locals));
    } finally {
      this.depth--;
    }
  }

  evaluate(node: Node, fragment: CFragment, locals?: ReadonlyMap<string, SymValue>): SymValue {
    return evaluate(node, this.env(fragment, locals));
  }
}

const aliasCache = new WeakMap<CFragment, Map<string, SymValue>>();
const VM_FLAGS_FIELD = 'vm_flags';

/** `mpnt->vm_flags`, `tmp->vm_flags`, `vma->vm_flags`: the flags of the VMA at hand. */
export function vmFlagAliases(fragment: CFragment): Map<string, SymValue> {
  const hit = aliasCache.get(fragment);
  if (hit) return hit;
  const out = new Map<string, SymValue>();
  // A `vm_flags` field spells its name in the source: only the places that do are asked
  // (the smallest node spanning the name there is the field, a leaf), not every field access.
  const src = fragment.source;
  const clean = !fragment.hasError;
  for (let at = src.indexOf(VM_FLAGS_FIELD); at >= 0; at = src.indexOf(VM_FLAGS_FIELD, at + 1)) {
    // A longer word (`vm_flags_set`) is one token: no field of that name is spelled here.
    if (continuesWord(src, at + VM_FLAGS_FIELD.length)) continue;
    // `vma->vm_flags` is the canonical name already (no alias), in an error-free tree, where
    // nothing but `vma` can be the access's object when an operator or bracket precedes it.
    if (clean && isPlainVmaAccess(src, at)) continue;
    const field = fragment.root.descendantForIndex(at, at + VM_FLAGS_FIELD.length);
    const n = field?.parent;
    if (!field || !n || n.type !== 'field_expression' || n.childForFieldName('field')?.id !== field.id || field.text !== VM_FLAGS_FIELD) continue;
    const key = normalizeText(n.text);
    if (key !== VMA_FLAGS) out.set(key, atom(VMA_FLAGS));
  }
  aliasCache.set(fragment, out);
  return out;
}

/** Characters after which `vma` starts an operand: none of them ends a postfix expression
 *  (`x.`, `x->`, `f(x)`, `a[i]`), a comment (`*\/`), a line continuation or a word. */
const OPERAND_BEFORE = new Set('(,=!&|~;{}?:+-*%^<['.split(''));
const SPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v']);

/** Whether the source spells `vma -> ` right before `at` with an operator, a bracket or the
 *  start of the source before `vma`: in a tree without errors, a field access there is
 *  `vma->...` itself (an ERROR node cannot have glued other text onto it). */
function isPlainVmaAccess(src: string, at: number): boolean {
  let i = at;
  while (i > 0 && SPACE.has(src[i - 1]!)) i--;
  if (src[i - 1] !== '>' || src[i - 2] !== '-') return false;
  i -= 2;
  while (i > 0 && SPACE.has(src[i - 1]!)) i--;
  if (i < 3 || src.slice(i - 3, i) !== 'vma') return false;
  i -= 3;
  while (i > 0 && SPACE.has(src[i - 1]!)) i--;
  return i === 0 || OPERAND_BEFORE.has(src[i - 1]!);
}

