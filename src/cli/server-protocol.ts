// What `mmlens server` and the `mmlens` client agree on: where the socket is and what goes
// over it. Imported by the client before any engine code loads, so it uses Node built-ins
// only.
//
// A request is one JSON line from the client; the answer is JSON lines from the server:
// `{"out": text}` and `{"err": text}` in the order the command printed them, then
// `{"exit": status}` (or `{"status": ...}` for a status request).
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

/** Bumped when a request or answer changes shape: an old server then has another socket. */
export const PROTOCOL_VERSION = 1;

export type ServerRequest =
  | { op: 'run'; argv: string[]; cwd: string }
  | { op: 'status' }
  | { op: 'stop' };

export interface ServerStatus {
  pid: number;
  socket: string;
  bundle: string;
  startedAt: string;
  requests: number;
  idleMinutes: number;
  /** Warm-up rounds done (src/cli/server-warm-up.ts) of `warmUpTotal`. */
  warmUpRounds?: number;
  warmUpTotal?: number;
}

export type ServerAnswer = { out: string } | { err: string } | { exit: number } | { status: ServerStatus };

/** The socket of the server for one build of the bundle. The path names the bundle's identity
 *  (path, size, mtime, Node version): a rebuilt bundle never talks to a server running the old
 *  engine. MMLENS_SERVER_SOCKET overrides it (tests, or several servers side by side). */
export function serverSocketPath(bundlePath: string): string {
  if (process.env.MMLENS_SERVER_SOCKET) return process.env.MMLENS_SERVER_SOCKET;
  const st = statSync(bundlePath);
  const id = createHash('sha256')
    .update(`${PROTOCOL_VERSION}\0${bundlePath}\0${st.size}\0${st.mtimeMs}\0${process.version}`)
    .digest('hex')
    .slice(0, 16);
  const user = userName();
  if (process.platform === 'win32') return `\\\\.\\pipe\\mmlens-${user}-${id}`;
  // A directory of the user's own (mode 0700): nobody else can reach the socket.
  return join(process.env.XDG_RUNTIME_DIR || tmpdir(), `mmlens-${user}`, `engine-${id}.sock`);
}

/** Creates the socket's directory, private to the user; throws when a directory of that name
 *  exists and is not (another user could have made it, and put a socket of theirs in it). */
export function makeSocketDir(socket: string): void {
  if (process.platform === 'win32') return;
  mkdirSync(dirname(socket), { recursive: true, mode: 0o700 });
  if (!socketDirIsPrivate(socket)) {
    throw new Error(`${dirname(socket)} is not a directory private to this user (mode 0700, owned by uid ${process.getuid?.()})`);
  }
}

/** Whether the socket's directory belongs to this user and nobody else can enter it: only
 *  then is whatever answers on the socket this user's own server. */
export function socketDirIsPrivate(socket: string): boolean {
  if (process.platform === 'win32' || process.env.MMLENS_SERVER_SOCKET) return true;
  try {
    const st = statSync(dirname(socket));
    return st.isDirectory() && st.uid === process.getuid?.() && (st.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

function userName(): string {
  const uid = process.getuid?.();
  if (uid !== undefined) return String(uid);
  try {
    return userInfo().username.replace(/[^\w.-]/g, '_');
  } catch {
    return 'user';
  }
}

/** Splits a stream of bytes into JSON lines; calls `onValue` for each complete one. */
export function jsonLines(onValue: (value: unknown) => void): (chunk: Buffer | string) => void {
  let pending = '';
  // A chunk may end inside a multi-byte character: the decoder keeps the partial bytes.
  const decoder = new StringDecoder('utf8');
  return (chunk) => {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim()) onValue(JSON.parse(line));
    }
  };
}
