// `mmlens` command dispatcher. Each subcommand lives in its own module and is loaded on demand,
// so `mmlens parse` does not pay for the simulator and vice versa.
import { CliIO, processIO, UsageError } from './io';

// bin/mmlens asks before running a command itself (not through a server).
export { oneShotV8Flags } from './one-shot';

type Command = (args: string[], io: CliIO) => Promise<number>;

const commands: Record<string, () => Promise<Command>> = {
  parse: async () => (await import('./parse')).run,
  check: async () => (await import('./check')).run,
  rules: async () => (await import('./rules')).run,
  explain: async () => (await import('./explain')).run,
  scenario: async () => (await import('./scenario')).run,
  simulate: async () => (await import('./simulate')).run,
  server: async () => (await import('./server')).run,
};

const usage = `usage: mmlens <command> [options]

commands:
  parse FILE|-        read a patch, mail, mbox or quoted reply and print its hunks
  check FILE...|-     lint mm flag usage (rules MM000-MM010)
  simulate FILE       run fork-safety scenarios on the kernel before and after the patch
  scenario S.json...  run scenarios on a kernel model
  rules               list the rules
  explain RULE        print a rule's page
  server start|stop|status
                      keep a warm engine running for repeated commands
`;

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    io.stdout(usage);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    io.stdout('mmlens 0.1.0\n');
    return 0;
  }
  const load = commands[name];
  if (!load) {
    io.stderr(`mmlens: unknown command '${name}'\n${usage}`);
    return 2;
  }
  try {
    return await (await load())(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`mmlens ${name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
