#!/usr/bin/env node
// `npm run test:e2e`: the packaged .vsix installed in a real VS Code (the code-server build
// from npm, run offline on loopback), driven by Playwright in Debian's Chromium.
// See ../shared/docs/e2e-recipe.md for why it is done this way.
//
//   node scripts/e2e.mjs                 install what is missing, package, run the test
//   node scripts/e2e.mjs --install-only  only install code-server and the Debian packages
//   node scripts/e2e.mjs --no-package    reuse the existing mmlens-<version>.vsix
//
// The install is cached under .e2e/ (git-ignored; MMLENS_E2E_DIR overrides the folder).
// Screenshots of each step go to test-results/e2e/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, lstatSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..');
const CODE_SERVER_VERSION = '4.100.3';
const E2E_DIR = resolve(ROOT, process.env.MMLENS_E2E_DIR ?? '.e2e');
const INSTALL_DIR = join(E2E_DIR, `code-server-${CODE_SERVER_VERSION}`);
const CODE_SERVER = join(INSTALL_DIR, 'node_modules', 'code-server');
const DONE_MARKER = join(INSTALL_DIR, '.mmlens-install-complete');
const RESULTS = resolve(ROOT, 'test-results', 'e2e');
const args = new Set(process.argv.slice(2));
const started = performance.now();

function log(msg) {
  const s = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[e2e ${s}s] ${msg}`);
}

function run(cmd, argv, opts = {}) {
  log(`$ ${cmd} ${argv.join(' ')}${opts.cwd ? `   (in ${opts.cwd})` : ''}`);
  const r = spawnSync(cmd, argv, { stdio: 'inherit', ...opts, env: { ...process.env, ...(opts.env ?? {}) } });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed with status ${r.status ?? r.signal}`);
}

// --- Debian packages -------------------------------------------------------------------

function ensureDebianPackages() {
  const missing = [];
  if (!existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!existsSync('/usr/bin/rg')) missing.push('ripgrep');
  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/krb5/krb5.h')) missing.push('libkrb5-dev');
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages ${missing.join(', ')}: install them with apt-get (needs root)`);
  }
  run('apt-get', ['update'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  run('apt-get', ['install', '-y', ...missing], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
}

// --- code-server from npm, postinstall done by hand (offline) -----------------------------

function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  return candidates.find((p) => p && existsSync(p));
}

function npmNodeDir() {
  const r = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' });
  const v = (r.stdout ?? '').trim();
  return v && v !== 'undefined' && v !== 'null' ? v : undefined;
}

function ensureCodeServer() {
  if (existsSync(DONE_MARKER)) {
    log(`code-server ${CODE_SERVER_VERSION} already installed in ${INSTALL_DIR}`);
    return;
  }
  mkdirSync(INSTALL_DIR, { recursive: true });
  writeFileSync(join(INSTALL_DIR, 'package.json'), JSON.stringify({ name: 'mmlens-e2e-code-server', private: true }, null, 2));
  const npmFlags = ['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
  run('npm', ['install', `code-server@${CODE_SERVER_VERSION}`, ...npmFlags], { cwd: INSTALL_DIR });

  const vscodeDir = join(CODE_SERVER, 'lib', 'vscode');
  run('npm', ['install', '--omit=dev', ...npmFlags], { cwd: vscodeDir });

  // @vscode/ripgrep would download its binary from GitHub: use Debian's.
  const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  const rgLink = join(rgBin, 'rg');
  if (existsSync(rgLink) || isSymlink(rgLink)) unlinkSync(rgLink);
  symlinkSync('/usr/bin/rg', rgLink);

  const gyp = nodeGypScript();
  if (!gyp) throw new Error('node-gyp not found (it ships with npm)');
  const nodedir = npmNodeDir();
  for (const mod of ['kerberos', 'node-pty', 'native-watchdog', '@parcel/watcher', '@vscode/spdlog', '@vscode/deviceid']) {
    const dir = join(vscodeDir, 'node_modules', mod);
    if (!existsSync(join(dir, 'binding.gyp'))) {
      log(`(no binding.gyp in ${mod}, skipped)`);
      continue;
    }
    run(process.execPath, [gyp, 'rebuild', '--loglevel=warn'], { cwd: dir, env: nodedir ? { npm_config_nodedir: nodedir } : {} });
  }
  const asar = join(vscodeDir, 'node_modules.asar');
  if (existsSync(asar) || isSymlink(asar)) rmSync(asar, { recursive: true, force: true });
  symlinkSync('node_modules', asar);

  run('npm', ['install', '--omit=dev', ...npmFlags], { cwd: join(vscodeDir, 'extensions') });
  run('npm', ['rebuild', 'argon2'], { cwd: INSTALL_DIR });
  writeFileSync(DONE_MARKER, new Date().toISOString() + '\n');
  log('code-server installed');
}

function isSymlink(p) {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

// --- packaging and the code-server instance ----------------------------------------------

function packageVsix() {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const vsix = join(ROOT, `mmlens-${version}.vsix`);
  if (!args.has('--no-package') || !existsSync(vsix)) run('npm', ['run', 'package'], { cwd: ROOT });
  if (!existsSync(vsix)) throw new Error(`npm run package did not produce ${vsix}`);
  return vsix;
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

function prepareProfile(runDir) {
  rmSync(runDir, { recursive: true, force: true });
  const userData = join(runDir, 'user-data');
  const extensions = join(runDir, 'extensions');
  const workspace = join(runDir, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  mkdirSync(workspace, { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'editor.hover.delay': 200,
        'window.commandCenter': false,
        'chat.disableAIFeatures': true,
        'git.openRepositoryInParentFolders': 'never',
        'git.enabled': false,
        'workbench.colorTheme': 'Default Dark Modern',
      },
      null,
      2,
    ),
  );
  return { userData, extensions, workspace };
}

async function startCodeServer(profile, port) {
  const entry = join(CODE_SERVER, 'out', 'node', 'entry.js');
  const argv = [
    entry,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--user-data-dir', profile.userData,
    '--extensions-dir', profile.extensions,
    profile.workspace,
  ];
  log(`starting code-server on 127.0.0.1:${port}`);
  // Its config.yaml goes to the run folder, not the user's ~/.config.
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CONFIG_HOME: join(profile.userData, '..', 'config') } });
  const out = [];
  child.stdout.on('data', (d) => out.push(String(d)));
  child.stderr.on('data', (d) => out.push(String(d)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early:\n${out.join('')}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return { child, log: out };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`code-server did not answer on port ${port} within 60 s:\n${out.join('')}`);
}

function installExtension(profile, vsix) {
  const entry = join(CODE_SERVER, 'out', 'node', 'entry.js');
  run(process.execPath, [entry, '--user-data-dir', profile.userData, '--extensions-dir', profile.extensions, '--install-extension', vsix, '--force'], { env: { XDG_CONFIG_HOME: join(profile.userData, '..', 'config') } });
}

/** The extension's output channel as the host wrote it (logs/SESSION/exthostN/mmlens.mmlens/mmlens.log). */
function findExtensionLog(userData) {
  const logs = join(userData, 'logs');
  if (!existsSync(logs)) return null;
  for (const session of readdirSync(logs).sort().reverse())
    for (const host of readdirSync(join(logs, session)).filter((d) => d.startsWith('exthost'))) {
      const p = join(logs, session, host, 'mmlens.mmlens', 'mmlens.log');
      if (existsSync(p)) return p;
    }
  return null;
}

// --- main -----------------------------------------------------------------------------------

async function main() {
  ensureDebianPackages();
  ensureCodeServer();
  if (args.has('--install-only')) return;

  const vsix = packageVsix();
  const profile = prepareProfile(join(E2E_DIR, 'run'));
  installExtension(profile, vsix);
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const port = await freePort();
  const server = await startCodeServer(profile, port);
  let summary = '0 passed, 1 failed';
  let failed = true;
  try {
    const { runE2E } = await import('../test/e2e/extension.e2e.mjs');
    const result = await runE2E({
      url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(profile.workspace)}`,
      workspace: profile.workspace,
      root: ROOT,
      results: RESULTS,
      log,
    });
    const { runGrammarChecks } = await import('../test/e2e/grammar.e2e.mjs');
    const grammar = await runGrammarChecks({ vscodeDir: join(CODE_SERVER, 'lib', 'vscode'), root: ROOT, log });
    const passed = result.passed + grammar.passed;
    const failedCount = result.failed + grammar.failed;
    failed = failedCount > 0;
    summary = `${passed} passed, ${failedCount} failed`;
    const extLog = findExtensionLog(profile.userData);
    if (extLog) {
      const text = readFileSync(extLog, 'utf8');
      writeFileSync(join(RESULTS, 'mmlens-output.log'), text);
      const act = /activated in ([\d.]+) ms/.exec(text);
      const checks = [...text.matchAll(/check \S+ v\d+: \d+ finding\(s\) in ([\d.]+) ms/g)].map((m) => Number(m[1]));
      log(`extension host: activate() ${act ? act[1] + ' ms' : 'not logged'}; ${checks.length} check run(s), engine time ${checks.map((x) => x.toFixed(1)).join(', ')} ms`);
    }
  } finally {
    writeFileSync(join(RESULTS, 'code-server.log'), server.log.join(''));
    server.child.kill('SIGTERM');
  }
  log(`screenshots in ${RESULTS}`);
  // The plain closing line CI reads.
  console.log(`\ne2e: ${summary}`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(`e2e: ${err?.stack ?? err}`);
  process.exit(1);
});
