// `mmlens scenario FILE... [--kernel ERA] [--format text|json] [--patch PATCH] [--library]`:
// runs scenario files (docs/scenario-format.md) on a kernel model and prints a timeline or
// JSON. Exit 0 when every expectation held, 1 when one failed, 2 when a scenario is not valid
// or the arguments are unusable.
import { initC } from '../c/index';
import { kernelModel, parseEra, LATEST_ERA, type EraId, type KernelModel } from '../kernel/index';
import {
  formatScenarioError, formatTimeline, libraryScenarios, parseScenario, resultsToJson, runScenario,
  validateScenario, type Scenario, type ScenarioError, type ScenarioResult,
} from '../scenarios/index';
import { resolve } from 'node:path';
import { readInput } from './input';
import { CliIO, UsageError } from './io';
import { readOptions } from './options';

const usage = 'usage: mmlens scenario FILE... [--kernel ERA] [--format text|json] [--patch PATCH] [--library]';

interface Args {
  files: string[];
  kernel?: EraId;
  format: 'text' | 'json';
  patch?: string;
  library: boolean;
}

function parseArgs(args: string[]): Args {
  const out: Args = { files: [], format: 'text', library: false };
  for (const { arg: a, name, value } of readOptions(args, usage)) {
    if (name === '--kernel') {
      const v = value();
      const era = parseEra(v);
      if (!era) throw new UsageError(`unknown kernel era '${v}' (known: v2.6.13, v2.6.16, v5.4, v6.12, latest)`);
      out.kernel = era;
    } else if (name === '--format') {
      const v = value();
      if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, not '${v}'`);
      out.format = v;
    } else if (name === '--patch') {
      out.patch = value();
    } else if (a === '--library') {
      out.library = true;
    } else if (a === '-h' || a === '--help') {
      throw new UsageError(usage);
    } else if (a.startsWith('--')) {
      throw new UsageError(`unknown option '${a}'\n${usage}`);
    } else out.files.push(a);
  }
  if (!out.files.length && !out.library) throw new UsageError(`no scenario files given\n${usage}`);
  return out;
}

type PatchedModelFor = (path: string, base: KernelModel) => Promise<KernelModel> | KernelModel;

/** The bridge's `patchedModelFor`, if the bridge module is present and exports it. */
async function loadPatchHook(): Promise<PatchedModelFor | null> {
  try {
    const mod = (await import('../bridge/index')) as { patchedModelFor?: PatchedModelFor };
    return typeof mod.patchedModelFor === 'function' ? mod.patchedModelFor : null;
  } catch {
    return null;
  }
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseArgs(argv);
  await initC();
  let patchHook: PatchedModelFor | null = null;
  if (args.patch !== undefined) {
    patchHook = await loadPatchHook();
    if (!patchHook) {
      io.stderr('mmlens scenario: --patch is not available in this build (no patched-model support)\n');
      return 2;
    }
  }
  const scenarios: Scenario[] = [];
  const errors: ScenarioError[] = [];
  for (const file of args.files) {
    const input = await readInput(file, io);
    if ('error' in input) { errors.push({ file, message: input.error.replace(/^[^:]*: /, '') }); continue; }
    const parsed = parseScenario(input.text, file);
    if (!parsed.ok) errors.push(...parsed.errors);
    else scenarios.push(parsed.scenario);
  }
  if (args.library) scenarios.push(...libraryScenarios());
  const results: ScenarioResult[] = [];
  const timelines: string[] = [];
  for (const s of scenarios) {
    const era = args.kernel ?? (s.kernel as EraId | undefined) ?? LATEST_ERA;
    let model = kernelModel(era);
    if (patchHook) {
      try {
        model = await patchHook(resolve(io.cwd, args.patch!), model);
      } catch (e) {
        io.stderr(`mmlens scenario: ${args.patch}: ${(e as Error).message}\n`);
        return 2;
      }
    }
    const problems = validateScenario(s, model);
    if (problems.length) { errors.push(...problems); continue; }
    const r = runScenario(s, model);
    results.push(r);
    if (args.format === 'text') timelines.push(formatTimeline(s, r));
  }
  for (const e of errors) io.stderr(`mmlens scenario: ${formatScenarioError(e)}\n`);
  if (args.format === 'json') io.stdout(resultsToJson(results, errors));
  else {
    io.stdout(timelines.join('\n'));
    if (results.length > 1) {
      const failed = results.filter((r) => !r.passed).map((r) => `${r.scenario} (${r.kernel})`);
      io.stdout(`\n${results.length - failed.length} of ${results.length} scenarios passed${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
    }
  }
  if (errors.length) return 2;
  return results.every((r) => r.passed) ? 0 : 1;
}
