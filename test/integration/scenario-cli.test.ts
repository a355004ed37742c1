// `mmlens scenario` end to end, in-process: exit status 0/1/2, the text timeline and the JSON.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';

const LIB = 'src/scenarios/library';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => Buffer.alloc(0), cwd: process.cwd() };
  const code = await main(['scenario', ...argv], io);
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'mmlens-scenario-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('a passing scenario: exit 0, a timeline with events and the final VMAs', async () => {
  const r = await cli(`${LIB}/mr-fork-parent-write.json`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /scenario mr-fork-parent-write on v2\.6\.13: passed/);
  assert.match(r.out, /! dma-to-foreign-frame: device wrote 42 to frame \d+ of mr0/);
  assert.match(r.out, /child: read buf\[0\] +-> 42 +\(as expected\)/);
  assert.match(r.out, /final state:\n    parent\n      0x10000000-0x10002000 buf anon VM_READ\|VM_WRITE/);
});

test('--kernel overrides the scenario kernel; --format json has the documented shape', async () => {
  const r = await cli(`${LIB}/mr-fork-parent-write.json`, '--kernel', 'latest', '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const res = j.results[0];
  assert.equal(res.kernel, 'v6.12');
  assert.equal(res.passed, true);
  assert.deepEqual(res.steps[7], { index: 7, op: 'read', result: { ok: true, value: 42 }, expect: 42, passed: true });
  assert.deepEqual(res.events, []);
  assert.ok(res.final.processes.parent.vmas[0].flags.includes('VM_WRITE'));
  assert.match(res.final.processes.parent.vmas[0].start, /^0x/);
});

test('a failed expectation: exit 1 and MISMATCH in the timeline', async () => {
  const p = file('fail.json', JSON.stringify({ scenario: 'f', steps: [
    { op: 'mmap', proc: 'parent', region: 'b', pages: 1, prot: 'PROT_READ', flags: 'MAP_PRIVATE|MAP_ANONYMOUS' },
    { op: 'write', proc: 'parent', region: 'b', page: 0, value: 1, expect: 'ok' },
  ] }));
  const r = await cli(p);
  assert.equal(r.code, 1);
  assert.match(r.out, /write b\[0\] = 1 +-> SIGSEGV +\(MISMATCH: expected ok\)/);
});

test('a scenario that is not valid: exit 2, message with file, step and field; the others still run', async () => {
  const bad = file('bad.json', JSON.stringify({ scenario: 'b', kernel: 'v2.6.13', steps: [
    { op: 'mmap', proc: 'parent', region: 'b', pages: 1, prot: 'PROT_READ|PROT_DONTCOPY', flags: 'MAP_PRIVATE|MAP_ANONYMOUS' },
  ] }));
  const r = await cli(bad, `${LIB}/cow-parent-writes.json`);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.json: step 0 field 'prot': unknown identifier 'PROT_DONTCOPY'/);
  assert.match(r.out, /scenario cow-parent-writes on v6\.12: passed/);
  const j = await cli(bad, `${LIB}/cow-parent-writes.json`, '--format', 'json');
  assert.equal(j.code, 2);
  const doc = JSON.parse(j.out);
  assert.equal(doc.results.length, 1);
  assert.deepEqual(doc.errors.map((e: { step: number; field: string }) => [e.step, e.field]), [[0, 'prot']]);
});

test('bad arguments and unreadable files: exit 2', async () => {
  assert.equal((await cli()).code, 2);
  assert.equal((await cli(`${LIB}/cow-parent-writes.json`, '--kernel', 'v9')).code, 2);
  assert.equal((await cli(`${LIB}/cow-parent-writes.json`, '--format', 'xml')).code, 2);
  const missing = await cli(join(dir, 'missing.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /missing\.json: no such file/);
});

async function bridgeHasPatchHook(): Promise<boolean> {
  try {
    const mod = await import(['..', '..', 'src', 'bridge', 'index'].join('/'));
    return typeof mod.patchedModelFor === 'function';
  } catch {
    return false;
  }
}

test('--patch without the bridge is refused with exit 2', { skip: (await bridgeHasPatchHook()) && 'the bridge provides patchedModelFor' }, async () => {
  const r = await cli(`${LIB}/cow-parent-writes.json`, '--patch', 'x.patch');
  assert.equal(r.code, 2);
  assert.match(r.err, /not available/);
});

test('--library runs the built-in library on a kernel', async () => {
  const r = await cli('--library', '--kernel', 'v2.6.16');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /(\d+) of \1 scenarios passed/);
});

test('--patch runs on the patched model: a removed DOFORK guard lets a child inherit the doorbell', { skip: !(await bridgeHasPatchHook()) && 'no bridge in this tree' }, async () => {
  const base = await cli(`${LIB}/dofork-on-doorbell.json`, '--kernel', 'v2.6.16');
  assert.equal(base.code, 0, base.err);
  const r = await cli(`${LIB}/dofork-on-doorbell.json`, '--kernel', 'v2.6.16', '--patch', 'test-fixtures/bridge/madvise-dofork-guard-removed.patch');
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /madvise ctx0\.doorbell 11 \(MADV_DOFORK\)\s+-> ok +\(MISMATCH: expected EINVAL\)/);
  assert.match(r.out, /! foreign-doorbell: child rang the doorbell of ctx0/);
  assert.match(r.out, /! flag-cleared: VM_DONTCOPY set by the ib driver's mmap/);
});

test('the timeline fits a mail: long descriptions, events and flag lists are wrapped', async () => {
  const r = await cli('--library', '--kernel', 'v2.6.13');
  assert.equal(r.code, 0, r.err);
  const long = r.out.split('\n').filter((l) => l.length > 80 && !l.startsWith('scenario '));
  assert.deepEqual(long, []);
  // Wrapped, not cut: the event detail and the doorbell's flags are all there.
  const one = (await cli(`${LIB}/mr-fork-parent-write.json`)).out;
  assert.match(one.replace(/\n +/g, ' '), /! dma-to-foreign-frame: device wrote 42 to frame \d+ of mr0 \(registered by parent at 0x10000000\); parent now maps frame \d+ at 0x10000000; frame \d+ is mapped by child@0x10000000/);
  assert.match(one.replace(/\|\n +/g, '|'), /ctx0\.doorbell device VM_READ\|VM_WRITE\|.*\|VM_DONTCOPY\|VM_DONTEXPAND/);
});

test('the timeline says once that a fault does not end the process', async () => {
  const r = await cli(`${LIB}/dontfork-split-merge.json`, '--kernel', 'v5.4');
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.match(/the fault is taken as caught/g)?.length, 1);
  const none = await cli(`${LIB}/cow-parent-writes.json`);
  assert.doesNotMatch(none.out, /taken as caught/);
});
