// `mmlens server`: a command run through the server prints what it prints locally, byte for
// byte, with the same exit status; the client falls back to running locally when no server
// answers (none started, a stale socket file, stdin input); stop removes the socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BUNDLE = join(ROOT, 'dist', 'cli.mjs');
const CLIENT = join(ROOT, 'dist', 'client.mjs');
const SEED = 'test-fixtures/examples/prot-dontcopy-reply.eml';

function newest(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n = Math.max(n, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return n;
}

const dir = mkdtempSync(join(tmpdir(), 'mmlens-server-test-'));
const socket = join(dir, 'engine.sock');
const env = { ...process.env, MMLENS_SERVER_SOCKET: socket };
let server: ChildProcess | null = null;

interface Run { code: number | null; stdout: string; stderr: string }

/** The client as bin/mmlens uses it; exit 99 means "no server answered, run locally". */
function viaClient(argv: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
  const script = `import(${JSON.stringify(pathToFileURL(CLIENT).href)}).then(async (m) => { const c = await m.runOnServer(${JSON.stringify(BUNDLE)}, ${JSON.stringify(argv)}); process.exitCode = c === null ? 99 : c; })`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env: opts.env ?? env, input: opts.input ?? '', encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function local(argv: string[]): Run {
  const script = `import(${JSON.stringify(pathToFileURL(BUNDLE).href)}).then(async (m) => { process.exitCode = await m.main(${JSON.stringify(argv)}); })`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function serverCommand(sub: string): Run {
  return local(['server', sub]);
}

before(async () => {
  // The server runs the built engine; build it when a source is newer than the bundle.
  if (!existsSync(BUNDLE) || !existsSync(CLIENT) || newest(join(ROOT, 'src')) > statSync(BUNDLE).mtimeMs) {
    const b = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
});

after(() => {
  server?.kill();
});

test('no server: the client declines and the command runs locally', () => {
  assert.equal(viaClient(['rules']).code, 99);
  const s = serverCommand('status');
  assert.equal(s.code, 1);
  assert.match(s.stdout, /not running/);
});

test('a stale socket file (no server behind it) is not an error: the client declines', () => {
  writeFileSync(socket, '');
  try {
    assert.equal(viaClient(['rules']).code, 99);
  } finally {
    // The server removes it itself when it starts; tidy up for the next test anyway.
    spawnSync('rm', ['-f', socket]);
  }
});

test('commands run on the server print what they print locally, with the same exit status', async () => {
  const script = `import(${JSON.stringify(pathToFileURL(BUNDLE).href)}).then(async (m) => { process.exitCode = await m.main(['server', 'run', '--idle', '2']); })`;
  server = spawn(process.execPath, ['-e', script], { cwd: '/', env, stdio: ['ignore', 'ignore', 'pipe'] });
  let up = false;
  for (let i = 0; i < 200 && !up; i++) {
    await new Promise((r) => setTimeout(r, 50));
    up = serverCommand('status').code === 0;
  }
  assert.ok(up, 'the server answers status');

  const cases: string[][] = [
    ['check', '--format', 'json', SEED],
    ['check', SEED, 'test-fixtures/rules/clean-comment-only.patch'],
    ['check', 'no/such/file.patch'],
    ['simulate', '--format', 'json', SEED],
    ['explain', 'MM002'],
    ['check', '--format', 'bogus', SEED],
  ];
  for (const argv of cases) {
    const there = viaClient(argv);
    const here = local(argv);
    assert.notEqual(there.code, 99, `${argv.join(' ')} ran on the server`);
    assert.equal(there.code, here.code, argv.join(' '));
    assert.equal(there.stdout, here.stdout, argv.join(' '));
    assert.equal(there.stderr, here.stderr, argv.join(' '));
  }
  // Relative paths are read from the client's directory, not the server's (it runs in /).
  assert.match(viaClient(['check', SEED]).stdout, /prot-dontcopy-reply\.eml:\d+:\d+: error MM002/);

  // They were served there: the status counts them.
  const status = serverCommand('status');
  const served = Number(/(\d+) request\(s\) served/.exec(status.stdout)?.[1]);
  assert.ok(served >= cases.length + 1, status.stdout);

  // Input on stdin is read by the client's own process: not sent.
  const patch = readFileSync(join(ROOT, SEED), 'utf8');
  assert.equal(viaClient(['check', '-'], { input: patch }).code, 99);

  // stop: the server exits and removes its socket; the client declines again.
  const stop = serverCommand('stop');
  assert.equal(stop.code, 0);
  const exited = await new Promise<boolean>((r) => {
    if (server!.exitCode !== null) return r(true);
    const t = setTimeout(() => r(false), 5000);
    server!.once('exit', () => { clearTimeout(t); r(true); });
  });
  assert.ok(exited, 'the server process exits on stop');
  assert.equal(existsSync(socket), false);
  assert.equal(viaClient(['rules']).code, 99);
});

test('a socket directory others can enter is not trusted: the client declines, the server refuses to use it', async () => {
  const { socketDirIsPrivate, makeSocketDir } = await import('../../src/cli/server-protocol');
  const saved = process.env.MMLENS_SERVER_SOCKET;
  delete process.env.MMLENS_SERVER_SOCKET; // the override is trusted as given; the default path is checked
  try {
    const open = mkdtempSync(join(tmpdir(), 'mmlens-open-'));
    spawnSync('chmod', ['0777', open]);
    assert.equal(socketDirIsPrivate(join(open, 'engine.sock')), false);
    assert.throws(() => makeSocketDir(join(open, 'engine.sock')), /not a directory private to this user/);
    const mine = join(mkdtempSync(join(tmpdir(), 'mmlens-mine-')), 'sub');
    makeSocketDir(join(mine, 'engine.sock'));
    assert.equal(socketDirIsPrivate(join(mine, 'engine.sock')), true);
  } finally {
    if (saved !== undefined) process.env.MMLENS_SERVER_SOCKET = saved;
  }
});

test('an idle server warms up round by round, says so in its status, and stops warming up once it serves', async () => {
  const own = join(mkdtempSync(join(tmpdir(), 'mmlens-warm-')), 'engine.sock');
  const ownEnv = { ...process.env, MMLENS_SERVER_SOCKET: own };
  const script = `import(${JSON.stringify(pathToFileURL(BUNDLE).href)}).then(async (m) => { process.exitCode = await m.main(['server', 'run', '--idle', '2']); })`;
  const child = spawn(process.execPath, ['-e', script], { cwd: '/', env: ownEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const status = () => spawnSync(process.execPath, ['-e', `import(${JSON.stringify(pathToFileURL(BUNDLE).href)}).then(async (m) => { process.exitCode = await m.main(['server', 'status']); })`], { env: ownEnv, encoding: 'utf8' });
  try {
    let rounds: [number, number] | null = null;
    for (let i = 0; i < 600 && !(rounds && rounds[0] === rounds[1]); i++) {
      await new Promise((r) => setTimeout(r, 50));
      const m = /warm-up (\d+)\/(\d+) round/.exec(status().stdout);
      if (m) rounds = [Number(m[1]), Number(m[2])];
    }
    assert.ok(rounds && rounds[1] > 0 && rounds[0] === rounds[1], `warm-up finished: ${JSON.stringify(rounds)}`);
    const r = viaClient(['check', SEED], { env: ownEnv });
    assert.equal(r.code, 1, r.stderr);
    await new Promise((res) => setTimeout(res, 200));
    assert.match(status().stdout, new RegExp(`1 request\\(s\\) served, warm-up ${rounds![1]}/${rounds![1]} round`));
  } finally {
    child.kill();
  }
});
