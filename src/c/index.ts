/**
 * src/c: C analysis for hunks of kernel patches (tree-sitter + a 64-bit BigInt evaluator).
 *
 * Loading
 *   await initC({ wasmDir? })          load web-tree-sitter + tree-sitter-c.wasm once (sources,
 *                                      dist/ bundles, VS Code extension host; wasmDir overrides;
 *                                      options count on the first call, a failed load can retry)
 *   isCReady(): boolean; cParser(), cLanguage() (throw before initC resolves)
 *   Windows are rebuilt per side: mid-function hunks get a synthetic function (and `{` levels
 *   when they close blocks they did not open); open comments, #ifs, parentheses and blocks are
 *   closed synthetically; NBSP/odd spaces and sparse/lock annotations are blanked one for one
 *   (offsets stay exact); `SYSCALL_DEFINEn(` gets a synthetic return type. The post image is
 *   parsed incrementally from the pre image.
 *
 * Fragments (fragment.ts)
 *   parseHunk(hunk): HunkTrees          { hunk, pre, post: CFragment, functionName } (cached per Hunk)
 *   CFragment: .root (translation_unit), .scope (the hunk's code: synthetic function body when
 *     wrapped), .side, .wrapped, .errorCount/.hasError, .functionName (visible definition or
 *     hunk header), .headerFunctionName,
 *     .range(node): DocRange | null      1-based document line/column (end exclusive) + hunk line indices
 *     .position(index): DocPosition|null, .hunkLinesOf(node), .linesOf(node), .touchesChange(node)
 *     (node spans a `+` line on post / `-` line on pre), .isSynthetic(node) (wrapper-only text),
 *     .isWrapper(node) (the synthetic function / `{` levels around the hunk), .nodeAtHunkLine(i)
 *
 * Evaluator (evaluate.ts, values.ts)
 *   evaluate(node, env): SymValue       never throws; env = { lookup?, macros?, locals?, call?, unresolved? }
 *   evaluateText(expr, lookup, opts?): { ok: true, value } | { ok: false, error, identifier? }
 *   evaluateTextSymbolic(expr, env): SymValue
 *   Semantics: C unsigned long on 64 bits (wraparound, logical >>, unsigned compares, shift
 *   >= 64 gives 0); casts truncate/sign-extend ((u32), (int), (u8), `(u32)(x)`); literals
 *   hex/octal/decimal/binary with U/L suffixes; builtins _BITUL, _BITULL, BIT, BIT_ULL, _AC,
 *   _AT, _UL, _ULL, UL, ULL, GENMASK(_ULL), _calc_vm_trans. Names: env.locals, then macros
 *   (patch), then lookup (table); else an atom (evaluateText: an error naming it).
 *   lvalueText(node): normalised lvalue/field text (`vma->vm_flags`)
 *   SymValue = const | atom (unresolved name: `vm_flags`, `vma->vm_flags`, `f(x)`) | unary |
 *     binary | cond | cast | unknown. Helpers: printValue, sameValue, atomsOf, dependsOn,
 *     bitwiseForm(v) -> { constant, terms[{ key, value, mask }] }   (C | (X & M) | ...)
 *     keptBits(v, 'vma->vm_flags')       bits of X passing through unchanged
 *     bitEffect(v, 'new_flags')          { set, keep, clear, others } of an update of X
 *     matchAccessCheck(v)                { subject, shift, mask } for (X & ~(X >> s)) & M
 *     substitute(v, bind), applyBitwiseForm(form, valueOf): evaluate for concrete inputs
 *
 * Dataflow (dataflow.ts): straight-line, source order, inside one fragment
 *   valuesBefore(scope, at, env): Map<lvalue, SymValue>; evaluateInContext(node, scope, env)
 *   assignmentValues(scope, env): { assignment, value, before }[]   (one pass over a fragment)
 *   valueAfter(statements, target, env); caseEffect(caseGroup, 'new_flags', env): BitEffect
 *
 * Defines (defines.ts)
 *   collectDefineChanges(patchSet, { lookup?, includeContext? }): DefineChange[]
 *     { name, status: added|removed|changed|unchanged|context, path, patchIndex, before, after,
 *       beforeValue, afterValue } with MacroDefinition positions (line, column, valueRange, hunkLine)
 *   patchMacros(patchSet, side = 'post'): Map<name, MacroDefinition>   (pass as env.macros)
 *   allDefines(patchSet, side), definesInFragment(fragment, path, patchIndex)
 *
 * Queries (queries.ts, descendants.ts): all walks go inside ERROR nodes. Answers are cached
 *   per tree (memo.ts: a tree never changes once parsed): arrays returned are the caller's,
 *   the objects in them (Assignment, CallSite, SwitchInfo, MacroDefinition) are shared and
 *   must not be modified.
 *   descendants(node, types|pred), findAssignments(scope, lvalue?), findCalls(scope, name?),
 *   findSwitchCases(scope) -> SwitchInfo{ groups: CaseGroup{ labels, labelTexts, statements } },
 *   caseFor(switchInfo, 'MADV_DONTFORK'), findConditions(scope), identifiersIn(node),
 *   enclosingStatement(node), enclosingFunctionName(node, fragment?),
 *   findErrorGuards(nodes) -> { node, test, errno }[]  (`if (c) { err = -EINVAL; goto out; }`)
 */
export { initC, isCReady, cParser, cLanguage, type InitCOptions } from './load';
export {
  parseHunk, parseSide, sideFragments, CFragment, SYNTHETIC_FUNCTION, sanitizeLine, functionDefinitionName, normalizeFunctionName,
  type HunkTrees, type DocPosition, type DocRange, type Side, type ParsedSide, type SideFragment,
} from './fragment';
/** memoOnNode(node, question, compute): compute(node) once per tree, node and question. A
 *  tree is shared by hunks with the same content (line kinds and texts, header function), so
 *  answers must depend on nothing else: never on document positions. */
export { memoOnNode } from './memo';
export {
  evaluate, evaluateText, evaluateTextSymbolic, parseExpressionText, parseIntegerLiteral, normalizeText, lvalueText, castType,
  calcVmTrans, toConstResult, type EvalEnv, type MacroDef, type MacroTable, type ConstResult,
} from './evaluate';
export {
  MASK64, u64, constant, atom, unknown, unary, binary, cond, cast, isConst, applyBinary, applyUnary, sameValue, hex,
  printValue, atomsOf, dependsOn, bitwiseForm, keptBits, bitEffect, matchAccessCheck, substitute, applyBitwiseForm,
  type SymValue, type BinaryOp, type UnaryOp, type BitwiseForm, type BitwiseTerm, type BitEffect, type AccessCheck,
} from './values';
export { assignedValue, assignmentValues, valuesBefore, evaluateInContext, valueAfter, caseEffect, type AssignmentValue } from './dataflow';
export {
  collectDefineChanges, patchMacros, allDefines, definesInFragment, cleanMacroBody,
  type MacroDefinition, type DefineChange, type DefineStatus, type DefineOptions,
} from './defines';
export {
  descendants, findAssignments, findCalls, findSwitchCases, caseFor, findConditions, identifiersIn,
  enclosingStatement, enclosingFunctionName, findErrorGuards,
  type Assignment, type ErrorGuard, type CallSite, type CaseGroup, type SwitchInfo, type Condition,
} from './queries';
