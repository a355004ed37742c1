// `mmlens parse` end to end: in-process through main() with a capturing io, and once through
// the real bin/mmlens in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function capture(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => Buffer.from(stdin),
    cwd: ROOT,
  };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

async function parse(args: string[], stdin = '') {
  const c = capture(stdin);
  const code = await main(['parse', ...args], c.io);
  return { code, stdout: c.out(), stderr: c.err() };
}

test('--format json prints exactly the documented shape', async () => {
  const r = await parse(['test-fixtures/examples/prot-dontcopy-reply.eml', '--format', 'json']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, '');
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j), ['patches', 'problems']);
  const [p] = j.patches;
  assert.deepEqual(Object.keys(p), ['subject', 'version', 'index', 'total', 'files']);
  assert.deepEqual(Object.keys(p.files[0]), ['oldPath', 'newPath', 'hunks']);
  const h = p.files[2].hunks[0];
  assert.deepEqual(Object.keys(h), ['oldStart', 'oldLines', 'newStart', 'newLines', 'header', 'lines']);
  assert.deepEqual(Object.keys(h.lines[0]), ['kind', 'text', 'line', 'column']);
  assert.deepEqual([p.files[2].oldPath, p.files[2].newPath], [null, null]);
  assert.equal(h.header, 'sys_mprotect(unsigned long start, size_t len, unsigned long prot)');
  const plus = h.lines.find((l: { kind: string }) => l.kind === '+');
  assert.deepEqual([plus.line, plus.column], [56, 6]);
  assert.deepEqual(j.problems, []);
});

test('problems carry message and line only', async () => {
  const r = await parse(['test-fixtures/patch/short-hunk.patch', '--format=json']);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(j.problems[0]), ['message', 'line']);
  assert.deepEqual(j.problems.map((p: { line: number }) => p.line), [3, 7]);
});

test('--format text is a readable outline', async () => {
  const r = await parse(['test-fixtures/examples/prot-dontcopy-reply.eml']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^patch at line 1: mm: add PROT_DONTCOPY .*\[v2, reply, quoted 3 deep\]/);
  assert.match(r.stdout, /\(fragment without a file header\)/);
  assert.match(r.stdout, /@@ -235,7 \+235,7 @@ sys_mprotect\(.*in sys_mprotect\(\)/);
  assert.match(r.stdout, /\+ +56:6 +newflags = .*VM_DONTCOPY\)\);/);
});

test('standard input with -', async () => {
  const r = await parse(['-', '--format', 'json'], '--- a/mm/x.c\n+++ b/mm/x.c\n@@ -1 +1 @@\n-a\n+b\n');
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.stdout).patches[0].files[0].newPath, 'mm/x.c');
});

test('text with no patch: exit 0, nothing printed', async () => {
  const r = await parse(['-'], 'just a note\n');
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', '']);
  const j = await parse(['-', '--format', 'json'], 'just a note\n');
  assert.deepEqual(JSON.parse(j.stdout), { patches: [], problems: [] });
});

test('unreadable input: exit 2 with a message naming the file', async () => {
  for (const [file, re] of [
    ['missing.patch', /missing\.patch: no such file/],
    ['test-fixtures', /test-fixtures: is a directory/],
    ['test-fixtures/patch/binary.bin', /binary\.bin: binary data/],
  ] as const) {
    const r = await parse([file]);
    assert.equal(r.code, 2, file);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
});

test('bad arguments: exit 2 with usage', async () => {
  for (const args of [[], ['x', '--format', 'xml'], ['x', '--frobnicate'], ['a', 'b']]) {
    const r = await parse(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /usage: mmlens parse/);
  }
});

test('bin/mmlens parse runs as a program', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'mmlens'), 'parse', 'test-fixtures/examples/prot-dontcopy.patch', '--format', 'json'], {
    cwd: ROOT,
    env: { ...process.env, MMLENS_FROM_SOURCE: '1' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.patches[0].files.map((f: { newPath: string }) => f.newPath), ['include/asm-i386/mman.h', 'include/linux/mman.h', 'mm/mprotect.c']);
  const missing = spawnSync(process.execPath, [join(ROOT, 'bin', 'mmlens'), 'parse', 'no/such.eml'], {
    cwd: ROOT,
    env: { ...process.env, MMLENS_FROM_SOURCE: '1' },
    encoding: 'utf8',
  });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no\/such\.eml: no such file/);
});

test('big files are streamed mail by mail with the same output', async () => {
  const { run } = await import('../../src/cli/parse');
  for (const file of ['test-fixtures/patch/series.mbox', 'test-fixtures/patch/short-hunk.patch', 'test-fixtures/examples/prot-dontcopy-reply.eml']) {
    for (const format of ['json', 'text']) {
      const whole = capture();
      const streamed = capture();
      assert.equal(await run([file, '--format', format], whole.io), 0);
      assert.equal(await run([file, '--format', format], streamed.io, 0), 0);
      if (format === 'json') assert.deepEqual(JSON.parse(streamed.out()), JSON.parse(whole.out()), file);
      else assert.equal(streamed.out(), whole.out(), file);
    }
  }
  const empty = capture();
  await run(['test-fixtures/patch/binary.bin'], empty.io, 0).then(
    () => assert.fail('binary input must be refused'),
    (e: Error) => assert.match(e.message, /binary\.bin: binary data/),
  );
  assert.equal(empty.out(), '', 'nothing printed for refused input');
});

test('a Latin-1 file is read as Latin-1', async () => {
  const r = await parse(['test-fixtures/patch/latin1.patch', '--format', 'json']);
  assert.equal(r.code, 0);
  const j = JSON.parse(r.stdout);
  assert.equal(j.patches[0].files[0].hunks[0].lines[1].text, '/* not copied at fork (René) */');
});

test('big standard input is streamed mail by mail with the same output; small input read whole', async () => {
  const { run } = await import('../../src/cli/parse');
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(join(ROOT, 'test-fixtures/patch/series.mbox'));
  /** Standard input in small chunks; counts how many were pulled before the first output. */
  const chunked = (bytes: Buffer, size: number) => {
    const c = capture();
    let pulled = 0;
    let pulledAtFirstOutput = -1;
    const stdout = c.io.stdout;
    c.io.stdout = (t) => { if (pulledAtFirstOutput < 0) pulledAtFirstOutput = pulled; stdout(t); };
    c.io.readStdin = async () => assert.fail('streamed input must not be read whole');
    c.io.stdinChunks = async function* () {
      for (let i = 0; i < bytes.length; i += size) { pulled++; yield bytes.subarray(i, i + size); }
    };
    return { ...c, firstOutputAfter: () => pulledAtFirstOutput, total: () => pulled };
  };
  for (const format of ['json', 'text']) {
    const whole = capture();
    assert.equal(await run(['test-fixtures/patch/series.mbox', '--format', format], whole.io), 0);
    const s = chunked(text, 64);
    assert.equal(await run(['-', '--format', format], s.io, 256), 0);
    if (format === 'json') assert.deepEqual(JSON.parse(s.out()), JSON.parse(whole.out()));
    else assert.equal(s.out(), whole.out());
    // The first mail was printed long before the input ended.
    assert.ok(s.firstOutputAfter() > 0 && s.firstOutputAfter() < s.total() / 2, `${s.firstOutputAfter()} of ${s.total()}`);
    // Under the threshold: read whole, same output.
    const small = chunked(text, 64);
    assert.equal(await run(['-', '--format', format], small.io), 0);
    assert.equal(small.out(), s.out());
  }
  // A NUL byte: refused before any output when small; named with what was printed when streamed.
  const bad = Buffer.concat([text, Buffer.from([0]), text]);
  const early = chunked(bad, 64);
  await assert.rejects(run(['-'], early.io), /standard input: binary data \(a NUL byte at offset \d+\), not a patch$/);
  assert.equal(early.out(), '');
  const late = chunked(bad, 64);
  await assert.rejects(run(['-'], late.io, 256), /standard input: binary data .* the output is incomplete/);
});
