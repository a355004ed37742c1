// `mmlens rules [--format text|json]`: the rule list with default severities.
import { CliIO, UsageError } from './io';
import { RULES } from '../rules/registry';

export async function run(args: string[], io: CliIO): Promise<number> {
  let format = 'text';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--format') format = args[++i] ?? '';
    else if (a.startsWith('--format=')) format = a.slice('--format='.length);
    else throw new UsageError(`unknown argument '${a}' (usage: mmlens rules [--format text|json])`);
  }
  if (format === 'json') {
    io.stdout(JSON.stringify({ rules: RULES.map((r) => r.meta) }, null, 2) + '\n');
    return 0;
  }
  if (format !== 'text') throw new UsageError(`--format: expected text or json, got '${format}'`);
  const nameWidth = Math.max(...RULES.map((r) => r.meta.name.length));
  let out = '';
  for (const r of RULES) {
    out += `${r.meta.id}  ${r.meta.defaultSeverity.padEnd(7)}  ${r.meta.name.padEnd(nameWidth)}  ${r.meta.shortDescription}\n`;
  }
  out += `\n'mmlens explain MM00X' prints a rule's page; '--rule MM00X=off|info|warning|error' or .mmlens.json changes a severity.\n`;
  io.stdout(out);
  return 0;
}
