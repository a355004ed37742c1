// `mmlens simulate` end to end (in-process through main()), and `mmlens scenario --patch`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';

async function runCli(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readStdin: async () => Buffer.from(stdin, 'utf8'),
    cwd: process.cwd(),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const SEED = 'test-fixtures/examples/prot-dontcopy.patch';
const REPLY = 'test-fixtures/examples/prot-dontcopy-reply.eml';

test('json: kernel, hook changes (bigints as hex) and consequences with lines; exit 1 on an error consequence', async () => {
  const r = await runCli(['simulate', SEED, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.kernel.era, 'v2.6.13');
  assert.equal(out.kernel.requested, 'auto');
  const kept = out.hookChanges.find((h: { hook: string }) => h.hook === 'mprotect-kept');
  assert.equal(kept.after.type, 'mask');
  assert.equal(kept.after.value, '0xfffffffffffdfff8');
  assert.ok(kept.lines.every((n: unknown) => typeof n === 'number'));
  const c = out.consequences.find((x: { scenario: string }) => x.scenario === 'bridge-mprotect-doorbell-fork');
  for (const k of ['scenario', 'severity', 'summary', 'base', 'patched', 'hookChanges', 'lines']) assert.ok(k in c, k);
  assert.equal(c.severity, 'error');
  assert.deepEqual(c.lines, kept.lines);
});

test('text: a report to paste into a mail, with the quoted hunk line and before/after timelines', async () => {
  const r = await runCli(['simulate', REPLY]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /kernel v2\.6\.13, chosen automatically from:/);
  assert.match(r.stdout, /\[error\] mprotect\(PROT_READ\|PROT_WRITE\) now clears VM_DONTCOPY on the doorbell: the child inherits the parent's doorbell/);
  // The quoted hunk line exactly as it stands in the reply.
  const quotedLine = readFileSync(REPLY, 'utf8').split('\n').find((l) => l.includes('+') && l.includes('| VM_DONTCOPY));'))!;
  assert.ok(r.stdout.includes(`  > ${quotedLine.trimEnd()}`));
  assert.match(r.stdout, /before the patch:\n(?:.*\n)*?\s+\* 3 child: ring doorbell of ctx0 -> SIGSEGV/);
  assert.match(r.stdout, /after the patch:\n(?:.*\n)*?\s+\* 3 child: ring doorbell of ctx0 -> ok/);
});

test('--kernel overrides auto; a behaviour-preserving patch exits 0; stdin works', async () => {
  const r = await runCli(['simulate', SEED, '--kernel', 'v6.12', '--format', 'json']);
  assert.equal(JSON.parse(r.stdout).kernel.era, 'v6.12');
  const same = await runCli(['simulate', '-', '--format', 'json'], readFileSync('test-fixtures/bridge/same-mprotect-helper.patch', 'utf8'));
  assert.equal(same.code, 0);
  assert.deepEqual(JSON.parse(same.stdout).consequences, []);
});

test('--scenario: a user scenario using the patch\'s new name runs before and after', async () => {
  const r = await runCli(['simulate', SEED, '--scenario', 'test-fixtures/bridge/scenarios/mmap-prot-dontcopy.json', '--format', 'json']);
  const out = JSON.parse(r.stdout);
  const c = out.consequences.find((x: { scenario: string }) => x.scenario === 'mmap-prot-dontcopy');
  assert.ok(c, 'the scenario differs: PROT_DONTCOPY keeps the buffer out of the child only after the patch');
  assert.equal(c.source, 'file');
});

test('unusable input and arguments exit 2 with a message naming the file or option', async () => {
  const missing = await runCli(['simulate', 'no/such.patch']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no\/such\.patch/);
  const kernel = await runCli(['simulate', SEED, '--kernel', 'v9.9']);
  assert.equal(kernel.code, 2);
  assert.match(kernel.stderr, /unknown kernel era 'v9\.9'/);
  const badScenario = await runCli(['simulate', SEED, '--scenario', 'test-fixtures/bridge/fork-skip-changed.patch']);
  assert.equal(badScenario.code, 2);
  assert.match(badScenario.stderr, /fork-skip-changed\.patch/);
  const none = await runCli(['simulate']);
  assert.equal(none.code, 2);
});

test('mmlens scenario --patch runs a scenario on the patched model', async () => {
  const r = await runCli(['scenario', 'test-fixtures/bridge/scenarios/mmap-prot-dontcopy.json', '--patch', SEED, '--kernel', 'v2.6.13', '--format', 'json']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  const out = JSON.parse(r.stdout);
  assert.equal(out.results[0].passed, true);
  const without = await runCli(['scenario', 'test-fixtures/bridge/scenarios/mmap-prot-dontcopy.json', '--kernel', 'v2.6.13']);
  assert.equal(without.code, 2, 'PROT_DONTCOPY is unknown without the patch');
  assert.match(without.stderr, /PROT_DONTCOPY/);
});
