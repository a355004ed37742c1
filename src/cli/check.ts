// `mmlens check FILE...|-`: lint each input with the rules, print text (one finding per line,
// compiler style), JSON or SARIF. Exit 0 when nothing is at error level, 1 when something is,
// 2 for unusable input or arguments.
import { CliIO, UsageError } from './io';
import { readOptions } from './options';
import { readInput } from './input';
import { configFor, mergeSettings, parseArch, parseKernel, parseRuleSetting } from './config';
import type { CheckSettings } from './config';
import { checkText } from '../rules/check';
import { initC } from '../c/index';
import { RULES } from '../rules/registry';
import type { CheckReport, SeveritySetting } from '../rules/types';
import { formatKernelChoice, formatText } from '../rules/output/text';
import { formatJson } from '../rules/output/json';
import { formatSarif } from '../rules/output/sarif';

const VERSION = '0.1.0';

const usage = `usage: mmlens check FILE...|- [--format text|json|sarif] [--kernel ERA|auto|latest]
                    [--arch NAME|all] [--rule MM00X=off|info|warning|error]... [--config FILE]`;

interface CheckArgs {
  files: string[];
  format: 'text' | 'json' | 'sarif';
  config?: string;
  cli: CheckSettings;
}

export function parseCheckArgs(args: string[]): CheckArgs {
  const files: string[] = [];
  let format: CheckArgs['format'] = 'text';
  let config: string | undefined;
  const cli: CheckSettings = {};
  const rules: Record<string, SeveritySetting> = {};
  for (const { arg: a, name, value } of readOptions(args, usage)) {
    switch (name) {
      case '--format': {
        const f = value();
        if (f !== 'text' && f !== 'json' && f !== 'sarif') throw new UsageError(`--format: expected text, json or sarif, got '${f}'`);
        format = f;
        break;
      }
      case '--kernel':
        cli.kernel = parseKernel(value(), '--kernel');
        break;
      case '--arch':
        cli.arch = parseArch(value(), '--arch');
        break;
      case '--rule':
        for (const spec of value().split(',')) {
          const [id, sev] = parseRuleSetting(spec, '--rule');
          rules[id] = sev;
        }
        break;
      case '--config':
        config = value();
        break;
      case '-h':
      case '--help':
        throw new UsageError(usage);
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'\n${usage}`);
        files.push(a);
    }
  }
  if (!files.length) throw new UsageError(`no input: give FILE... or - for standard input\n${usage}`);
  if (Object.keys(rules).length) cli.rules = rules;
  return { files, format, config, cli };
}

export async function run(args: string[], io: CliIO): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    io.stdout(usage + '\n');
    return 0;
  }
  const parsed = parseCheckArgs(args);
  // Load the C parser before reading the input (checkText reports a failure to load as
  // MM000). Started alongside a large read, its steps wait behind it and its wasm memory then
  // arrives on a full heap, which costs a full garbage collection (~25 ms on the 300-patch
  // series, bench/floor) instead of the overlap it was meant to buy.
  await initC().catch(() => {});
  const reports: CheckReport[] = [];
  let unusable = false;
  for (const file of parsed.files) {
    const input = await readInput(file, io);
    if ('error' in input) {
      io.stderr(`mmlens check: ${input.error}\n`);
      unusable = true;
      continue;
    }
    const path = file === '-' ? null : file;
    const loaded = configFor(path, io.cwd, parsed.config);
    const settings = mergeSettings(loaded?.settings, parsed.cli);
    const report = await checkText(input.text, { path, kernel: settings.kernel, arch: settings.arch, rules: settings.rules });
    if (parsed.format === 'text') io.stderr(formatKernelChoice(report));
    reports.push(report);
  }
  if (parsed.format === 'text') io.stdout(formatText(reports));
  else if (parsed.format === 'json') io.stdout(formatJson(reports));
  else io.stdout(formatSarif(reports, RULES, VERSION));
  if (unusable) return 2;
  return reports.some((r) => r.findings.some((f) => f.severity === 'error')) ? 1 : 0;
}
