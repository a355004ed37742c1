// The one place scenario expressions (`prot`, `flags`, `advice`) are evaluated: with the
// project's C evaluator, over the model's symbol table, so names a patch adds resolve on the
// patched model and are an error naming the identifier elsewhere. Callers await initC() once.
import { evaluateText } from '../c/index';
import type { KernelModel } from '../kernel/model';

export type ExprValue = { ok: true; value: bigint } | { ok: false; message: string };

export function evaluateScenarioExpr(expr: string, model: KernelModel): ExprValue {
  const r = evaluateText(expr, (name) => model.symbols.get(name));
  if (r.ok) return { ok: true, value: r.value };
  if ('identifier' in r && r.identifier) {
    return { ok: false, message: `unknown identifier '${r.identifier}' in "${expr}" (not defined by the ${model.era} ${model.arch} model)` };
  }
  return { ok: false, message: `cannot evaluate "${expr}": ${r.error}` };
}
