// Runs `mmlens` commands in-process with captured output, for the check/rules/explain tests.
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { cwd?: string; stdin?: string } = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => Buffer.from(opts.stdin ?? '', 'utf8'),
    cwd: opts.cwd ?? process.cwd(),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
