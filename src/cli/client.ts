// The `mmlens` side of `mmlens server`: when a server for this build is running, the command
// runs there (warm JIT, wasm already tiered up, parses cached by hunk content) and this
// process only relays its output. Loaded by bin/mmlens before the engine bundle; built to
// dist/client.mjs and kept free of engine imports so that a run on the server pays only for
// Node's start and this file.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { jsonLines, serverSocketPath, socketDirIsPrivate, type ServerAnswer, type ServerRequest } from './server-protocol';

/** Runs `argv` on the server; null when there is none (or it went away before answering), and
 *  the caller runs the command itself. Input on stdin (`-`) is read here, not by the server:
 *  such commands are never sent. */
export async function runOnServer(bundlePath: string, argv: string[], cwd = process.cwd()): Promise<number | null> {
  if (argv.includes('-') || argv[0] === 'server') return null;
  let socket: string;
  try {
    socket = serverSocketPath(bundlePath);
  } catch {
    return null;
  }
  if (process.platform !== 'win32' && (!existsSync(socket) || !socketDirIsPrivate(socket))) return null;
  return new Promise<number | null>((resolve) => {
    const conn = connect(socket);
    let answered = false;
    let done = false;
    const finish = (code: number | null) => {
      if (done) return;
      done = true;
      conn.destroy();
      resolve(code);
    };
    conn.on('error', () => {
      // Nothing printed yet: run locally. Part of the output printed: say so, fail.
      if (!answered) return finish(null);
      process.stderr.write('mmlens: the engine server went away before the command finished\n');
      finish(2);
    });
    conn.on('close', () => {
      if (!answered) return finish(null);
      if (!done) {
        process.stderr.write('mmlens: the engine server went away before the command finished\n');
        finish(2);
      }
    });
    conn.on('data', jsonLines((v) => {
      const a = v as ServerAnswer;
      answered = true;
      if ('out' in a) process.stdout.write(a.out);
      else if ('err' in a) process.stderr.write(a.err);
      else if ('exit' in a) {
        // Let stdout drain before the caller sets the exit status and returns.
        if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => finish(a.exit));
        else finish(a.exit);
      }
    }));
    const request: ServerRequest = { op: 'run', argv, cwd };
    conn.write(JSON.stringify(request) + '\n');
  });
}
