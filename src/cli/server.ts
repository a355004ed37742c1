// `mmlens server start|stop|status|run`: a warm engine for repeated runs (editor save hooks,
// `git rebase --exec`, CI steps that lint a series patch by patch). A one-shot `mmlens check`
// spends most of its time on first-run costs: compiling and interpreting JavaScript that is
// not optimised yet, wasm code that is not tiered up, and parsing hunks no run has seen. The
// server keeps all of that between runs; `mmlens` finds it through a socket named after the
// bundle's build (src/cli/server-protocol.ts) and relays the output, or runs the command
// itself when no server is up. Opt-in: nothing starts a server but `mmlens server start`.
import { spawn } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliIO, UsageError } from './io';
import { readOptions } from './options';
import { WARM_UP_ROUNDS, warmUpSeries } from './server-warm-up';
import { jsonLines, makeSocketDir, serverSocketPath, type ServerAnswer, type ServerRequest, type ServerStatus } from './server-protocol';

const usage = `usage: mmlens server start [--idle MINUTES]   run a warm engine in the background
       mmlens server stop                     stop it
       mmlens server status                   say whether one is running (exit 0) or not (exit 1)
       mmlens server run [--idle MINUTES]     run it in the foreground

While a server for this build is running, every \`mmlens\` command (except input on stdin)
runs there and this process relays its output. It stops after MINUTES without a request
(default 30).`;

const DEFAULT_IDLE_MINUTES = 30;

/** The bundle this code runs from; the server serves only the built engine. */
function bundlePath(): string {
  const url = (import.meta as { url?: string }).url;
  const file = url ? fileURLToPath(url) : '';
  if (!/\.m?[cj]s$/.test(file) || !existsSync(file)) {
    throw new UsageError('the server runs the built engine (dist/cli.mjs): run `npm run build` first');
  }
  return file;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  let idle = DEFAULT_IDLE_MINUTES;
  for (const { name, value } of readOptions(rest, usage)) {
    if (name === '--idle') {
      const v = Number(value());
      if (!Number.isFinite(v) || v <= 0) throw new UsageError('--idle: expected a positive number of minutes');
      idle = v;
    } else throw new UsageError(usage);
  }
  const bundle = bundlePath();
  const socket = serverSocketPath(bundle);
  switch (sub) {
    case 'start': return start(bundle, socket, idle, io);
    case 'stop': return stop(socket, io);
    case 'status': return status(socket, io);
    case 'run': return serve(bundle, socket, idle, io);
    default: throw new UsageError(usage);
  }
}

/** One request and its answers; null when nothing answers on the socket. */
function ask(socket: string, request: ServerRequest): Promise<ServerAnswer[] | null> {
  return new Promise((resolve) => {
    if (process.platform !== 'win32' && !existsSync(socket)) return resolve(null);
    const conn = connect(socket);
    const answers: ServerAnswer[] = [];
    conn.on('error', () => resolve(null));
    conn.on('data', jsonLines((v) => answers.push(v as ServerAnswer)));
    conn.on('close', () => resolve(answers));
    conn.write(JSON.stringify(request) + '\n');
  });
}

async function currentStatus(socket: string): Promise<ServerStatus | null> {
  const answers = await ask(socket, { op: 'status' });
  const s = answers?.find((a): a is { status: ServerStatus } => 'status' in a);
  return s?.status ?? null;
}

function describe(s: ServerStatus): string {
  const warm = s.warmUpTotal ? `, warm-up ${s.warmUpRounds ?? 0}/${s.warmUpTotal} round(s)` : '';
  return `pid ${s.pid}, since ${s.startedAt}, ${s.requests} request(s) served${warm}, stops after ${s.idleMinutes} idle minute(s); socket ${s.socket}`;
}

async function start(bundle: string, socket: string, idle: number, io: CliIO): Promise<number> {
  const running = await currentStatus(socket);
  if (running) {
    io.stdout(`mmlens server: already running (${describe(running)})\n`);
    return 0;
  }
  // The bundle exports main() and runs nothing by itself (bin/mmlens runs it).
  const runServer = `import(${JSON.stringify(pathToFileURL(bundle).href)}).then(async (m) => { process.exitCode = await m.main(${JSON.stringify(['server', 'run', '--idle', String(idle)])}); })`;
  const child = spawn(process.execPath, ['-e', runServer], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
    env: process.env,
  });
  child.unref();
  // Wait for it to answer (loading the engine and warming it up takes well under a second).
  for (let waited = 0; waited < 10000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    const s = await currentStatus(socket);
    if (s) {
      io.stdout(`mmlens server: started (${describe(s)})\n`);
      return 0;
    }
    if (child.exitCode !== null) break;
  }
  io.stderr(`mmlens server: the server did not come up (socket ${socket}); \`mmlens server run\` shows why in the foreground\n`);
  return 2;
}

async function stop(socket: string, io: CliIO): Promise<number> {
  const answers = await ask(socket, { op: 'stop' });
  if (answers === null) {
    io.stdout('mmlens server: not running\n');
    return 0;
  }
  io.stdout('mmlens server: stopped\n');
  return 0;
}

async function status(socket: string, io: CliIO): Promise<number> {
  const s = await currentStatus(socket);
  if (!s) {
    io.stdout(`mmlens server: not running (socket ${socket})\n`);
    return 1;
  }
  io.stdout(`mmlens server: running (${describe(s)})\n`);
  return 0;
}

/** An IO that sends what a command prints to the client, in order. */
function socketIO(conn: Socket, cwd: string): CliIO {
  const send = (a: ServerAnswer) => void conn.write(JSON.stringify(a) + '\n');
  return {
    stdout: (text) => send({ out: text }),
    stderr: (text) => send({ err: text }),
    readStdin: () => Promise.reject(new UsageError('standard input is read by the client, not the server')),
    drain: () => (conn.writableNeedDrain ? new Promise((r) => conn.once('drain', () => r())) : Promise.resolve()),
    cwd,
  };
}

async function serve(bundle: string, socket: string, idleMinutes: number, io: CliIO): Promise<number> {
  if (await currentStatus(socket)) {
    io.stderr(`mmlens server: one is already running on ${socket}\n`);
    return 2;
  }
  try {
    makeSocketDir(socket);
  } catch (e) {
    io.stderr(`mmlens server: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  // Nothing answered: a socket file left by a server that died is stale.
  if (process.platform !== 'win32' && existsSync(socket)) unlinkSync(socket);
  const { main } = await import('./main');
  await warmUp(0, 3);

  const startedAt = new Date().toISOString();
  let requests = 0;
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0; // run requests queued and not started
  let warmUpRounds = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  const server = createServer();
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    server.close();
    if (process.platform !== 'win32' && existsSync(socket)) {
      try {
        unlinkSync(socket);
      } catch {
        /* already gone */
      }
    }
  };
  const armIdle = () => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(shutdown, idleMinutes * 60_000);
    idleTimer.unref();
  };
  armIdle();

  server.on('connection', (conn) => {
    conn.on('error', () => conn.destroy());
    conn.on('data', jsonLines((v) => {
      const req = v as ServerRequest;
      armIdle();
      if (req.op === 'status') {
        const s: ServerStatus = { pid: process.pid, socket, bundle, startedAt, requests, idleMinutes, warmUpRounds, warmUpTotal: WARM_UP_ROUNDS };
        conn.end(JSON.stringify({ status: s }) + '\n');
      } else if (req.op === 'stop') {
        conn.end(JSON.stringify({ exit: 0 }) + '\n');
        shutdown();
      } else if (req.op === 'run' && Array.isArray(req.argv)) {
        // One command at a time: the engine's caches and the tree-sitter parser are shared.
        waiting++;
        queue = queue.then(async () => {
          waiting--;
          requests++;
          const cio = socketIO(conn, typeof req.cwd === 'string' ? req.cwd : process.cwd());
          let code: number;
          try {
            code = await main(req.argv.map(String), cio);
          } catch (e) {
            cio.stderr(`mmlens: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
            code = 2;
          }
          conn.end(JSON.stringify({ exit: code }) + '\n');
          armIdle();
        });
      } else {
        conn.end(JSON.stringify({ err: 'mmlens server: unknown request\n' }) + '\n' + JSON.stringify({ exit: 2 }) + '\n');
      }
    }));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve());
  });
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  io.stderr(`mmlens server: listening on ${socket}\n`);
  // The rest of the warm-up, one round at a time on the request queue, until a request comes.
  void (async () => {
    for (let r = 1; r <= WARM_UP_ROUNDS && !stopping && waiting === 0 && requests === 0; r++) {
      await (queue = queue.then(() => warmUp(r, 40)));
      warmUpRounds = r;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  await new Promise<void>((resolve) => server.on('close', () => resolve()));
  return 0;
}

/** Loads the C parser and checks a small generated series, so that the first request does not
 *  pay for loading or for the first, slowest pass through the engine. */
async function warmUp(round: number, patches: number): Promise<void> {
  const { checkText } = await import('../rules/check');
  try {
    await checkText(warmUpSeries(round, patches), { path: 'warm-up.mbox' });
  } catch {
    /* a failed warm-up only makes the first request slower */
  }
}
