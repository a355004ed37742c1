// Placeholder until its issue lands: the command exists but reports that it is not built yet.
import { CliIO } from './io';

export async function run(_args: string[], io: CliIO): Promise<number> {
  io.stderr('mmlens parse: not implemented yet\n');
  return 2;
}
