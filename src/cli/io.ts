// The CLI's view of the outside world, injectable so integration tests can run commands
// in-process and capture what they print.
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Reads standard input completely (for `-`). */
  readStdin(): Promise<Buffer>;
  /** Standard input as it arrives (lets `parse -` stream a big mbox); absent: readStdin only. */
  stdinChunks?(): AsyncIterable<Uint8Array>;
  /** Resolves when standard output has room again (streamed output waits on a slow pipe
   *  instead of queueing everything in memory); absent: never waits. */
  drain?(): Promise<void>;
  cwd: string;
}

/** A problem with arguments or input that ends the command with exit status 2. */
export class UsageError extends Error {}

export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    stdinChunks: () => process.stdin,
    drain: () => (process.stdout.writableNeedDrain ? new Promise((r) => process.stdout.once('drain', () => r())) : Promise.resolve()),
    cwd: process.cwd(),
  };
}
