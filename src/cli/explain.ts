// `mmlens explain RULE`: prints the rule's page (docs/rules/RULE.md), falling back to the
// descriptions built into the rule when the pages are not installed.
import { CliIO, UsageError } from './io';
import { findRule, RULES } from '../rules/registry';
import { readRulePage } from '../rules/docs';

export async function run(args: string[], io: CliIO): Promise<number> {
  if (args.length !== 1 || args[0].startsWith('-')) throw new UsageError('usage: mmlens explain RULE (e.g. MM002)');
  const rule = findRule(args[0]);
  if (!rule) {
    throw new UsageError(`unknown rule '${args[0]}' (known: ${RULES.map((r) => r.meta.id).join(', ')})`);
  }
  const page = readRulePage(rule.meta);
  if (page) {
    io.stdout(page.endsWith('\n') ? page : page + '\n');
  } else {
    const m = rule.meta;
    io.stdout(`# ${m.id}: ${m.name}\n\nDefault severity: ${m.defaultSeverity}\n\n${m.shortDescription}\n\n${m.fullDescription}\n`);
    io.stderr(`mmlens explain: page ${m.docs} not found; printed the built-in description\n`);
  }
  return 0;
}
