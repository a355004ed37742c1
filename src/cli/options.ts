// Reading command-line options the way every mmlens command takes them: `--name value` or
// `--name=value`, anything else a positional argument. A missing value is a usage error.
import { UsageError } from './io';

export interface CliOption {
  /** The argument as given (`--kernel=v5.4`, `-`, `file.patch`). */
  arg: string;
  /** Its name without an `=value` part (`--kernel`), or the argument itself. */
  name: string;
  /** The option's value, from `=value` or the next argument. */
  value(): string;
}

export function* readOptions(args: string[], usage: string): Generator<CliOption> {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    yield {
      arg,
      name,
      value: () => {
        if (eq > 0) return arg.slice(eq + 1);
        const v = args[++i];
        if (v === undefined) throw new UsageError(`${name} needs a value\n${usage}`);
        return v;
      },
    };
  }
}
