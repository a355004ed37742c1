// `mmlens simulate FILE|- [--scenario S.json ...] [--kernel ERA|auto|latest] [--arch NAME]
// [--format text|json]`: run the fork-safety scenarios on the kernel before and after the
// patch and report what differs. Exit 0: no consequence at error level; 1: at least one;
// 2: unusable input or arguments (the message names the file, line or field).
import { CliIO, UsageError } from './io';
import { readOptions } from './options';
import { readInput } from './input';
import { parseArch, parseKernel } from './config';
import type { ArchId, EraId } from '../kernel/model';
import { parseScenario, formatScenarioError, type Scenario } from '../scenarios/index';
import { simulatePatch } from '../bridge/simulate';
import { reportToJson, reportToText } from '../bridge/report';

const usage = `usage: mmlens simulate FILE|- [--scenario S.json]... [--kernel ERA|auto|latest] [--arch NAME] [--format text|json]`;

interface SimulateArgs {
  file: string;
  scenarios: string[];
  kernel: EraId | 'auto' | 'latest';
  arch: ArchId;
  format: 'text' | 'json';
}

export function parseSimulateArgs(args: string[]): SimulateArgs {
  const files: string[] = [];
  const scenarios: string[] = [];
  let kernel: SimulateArgs['kernel'] = 'auto';
  let arch: ArchId = 'generic';
  let format: SimulateArgs['format'] = 'text';
  for (const { arg: a, name, value } of readOptions(args, usage)) {
    switch (name) {
      case '--scenario': scenarios.push(value()); break;
      case '--kernel': kernel = parseKernel(value(), '--kernel'); break;
      case '--arch': {
        const v = parseArch(value(), '--arch');
        if (v === 'all') throw new UsageError('--arch: simulate runs one architecture; name one');
        arch = v;
        break;
      }
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json') throw new UsageError(`--format: expected text or json, got '${f}'`);
        format = f;
        break;
      }
      case '-h': case '--help': throw new UsageError(usage);
      default:
        if (a.startsWith('--')) throw new UsageError(`unknown option '${a}'\n${usage}`);
        files.push(a);
    }
  }
  if (files.length !== 1) throw new UsageError(`expected one patch file (or -), got ${files.length}\n${usage}`);
  return { file: files[0]!, scenarios, kernel, arch, format };
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const args = parseSimulateArgs(argv);
  const input = await readInput(args.file, io);
  if ('error' in input) {
    io.stderr(`mmlens simulate: ${input.error}\n`);
    return 2;
  }
  const extra: Scenario[] = [];
  let bad = false;
  for (const file of args.scenarios) {
    const s = await readInput(file, io);
    if ('error' in s) {
      io.stderr(`mmlens simulate: ${s.error}\n`);
      bad = true;
      continue;
    }
    const parsed = parseScenario(s.text, file);
    if (!parsed.ok) {
      for (const e of parsed.errors) io.stderr(`mmlens simulate: ${formatScenarioError(e)}\n`);
      bad = true;
    } else extra.push(parsed.scenario);
  }
  if (bad) return 2;
  let report;
  try {
    report = await simulatePatch(input.text, { kernel: args.kernel, arch: args.arch, scenarios: extra });
  } catch (e) {
    // An era/arch pair the kernel never had (arm64 before 3.7) and the like.
    io.stderr(`mmlens simulate: ${args.file}: ${(e as Error).message}\n`);
    return 2;
  }
  // A --scenario file that is not valid on either model is unusable input.
  const invalid = report.notes.filter((n) => args.scenarios.some((f) => n.startsWith(`${f}:`)));
  if (invalid.length) {
    for (const n of invalid) io.stderr(`mmlens simulate: ${n}\n`);
    return 2;
  }
  if (args.format === 'json') io.stdout(reportToJson(report));
  else io.stdout(reportToText(report, input.text, { path: args.file === '-' ? null : args.file }));
  return report.consequences.some((c) => c.severity === 'error') ? 1 : 0;
}
