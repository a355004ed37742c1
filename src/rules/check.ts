// The lint engine's entry point, shared by `mmlens check` and the VS Code extension:
// text in, findings out. Never throws on bad input: the reader reports what it could not read
// (MM000) and a rule that fails on an odd input is reported as such, the others still run.
import { readPatchSet } from '../patch/index';
import { LATEST_ERA, ERAS } from '../kernel/model';
import { detectEra } from '../kernel/index';
import type { EraId } from '../kernel/model';
import type { PatchSet } from '../patch/types';
import { RuleContext } from './context';
import { initC } from '../c/index';
import { RULES } from './registry';
import { orderFindings } from './finding-order';
import type { CheckOptions, CheckReport, Finding, KernelChoice, Rule, SeveritySetting } from './types';

export type { CheckOptions, CheckReport, Finding, KernelChoice, Rule, RuleMeta, Severity, SeveritySetting, RelatedLocation, TextEdit, Fix } from './types';
export { RULES, findRule } from './registry';

export async function checkText(text: string, options: CheckOptions = {}): Promise<CheckReport> {
  const patchSet = readPatchSet(text);
  return checkPatchSet(text, patchSet, options);
}

export async function checkPatchSet(text: string, patchSet: PatchSet, options: CheckOptions = {}): Promise<CheckReport> {
  const kernel = chooseKernel(patchSet, options.kernel ?? 'auto');
  const arch = options.arch ?? 'all';
  const ctx = new RuleContext(text, options.path ?? null, patchSet, kernel, arch);
  const findings: Finding[] = [];
  const cProblem = await loadC();
  if (cProblem && patchSet.patches.some((p) => p.files.length > 0)) {
    findings.push({
      rule: 'MM000', severity: 'warning', line: 1, column: 1, endLine: 1, endColumn: 2, related: [],
      message: `the C parser could not be loaded (${cProblem}); only rules that need no parse ran`,
    });
  }
  for (const rule of RULES) {
    const setting = effectiveSetting(rule, options.rules);
    if (setting === 'off') continue;
    for (const f of runRule(rule, ctx)) {
      findings.push(setting === 'default' ? f : { ...f, severity: setting });
    }
  }
  return { path: options.path ?? null, kernel, arch, findings: orderFindings(findings) };
}

/** Loads tree-sitter once; a failure is reported, not thrown. */
async function loadC(): Promise<string | null> {
  try {
    await initC();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0]! : String(e);
  }
}

function effectiveSetting(rule: Rule, overrides: Record<string, SeveritySetting> | undefined): SeveritySetting | 'default' {
  return overrides?.[rule.meta.id] ?? 'default';
}

function runRule(rule: Rule, ctx: RuleContext): Finding[] {
  try {
    return rule.check(ctx);
  } catch (e) {
    // A rule tripping over an input it did not expect must not hide the other rules' findings.
    const why = e instanceof Error ? e.message : String(e);
    return [
      {
        rule: 'MM000',
        severity: 'warning',
        message: `rule ${rule.meta.id} could not analyse this input (${why}); its findings are missing`,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 2,
        related: [],
      },
    ];
  }
}


export function chooseKernel(patchSet: PatchSet, requested: EraId | 'auto' | 'latest'): KernelChoice {
  if (requested === 'latest') return { era: LATEST_ERA, requested, clues: [] };
  if (requested !== 'auto') {
    if (!ERAS.includes(requested)) throw new Error(`unknown kernel era '${requested}'`);
    return { era: requested, requested, clues: [] };
  }
  const detected = detectEra(patchSet);
  return { era: detected.era, requested: 'auto', clues: detected.clues };
}
