// Reading a command's input: files, standard input, and the unreadable cases (named).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readInput, readInputOrFail } from '../../src/cli/input';
import { UsageError, type CliIO } from '../../src/cli/io';
import { ROOT } from './patch-helpers';

function io(stdin = ''): CliIO {
  return { stdout: () => {}, stderr: () => {}, readStdin: async () => Buffer.from(stdin, 'latin1'), cwd: join(ROOT, 'test-fixtures') };
}

test('a file relative to the working directory, UTF-8', async () => {
  const r = await readInputOrFail('examples/prot-dontcopy.patch', io());
  assert.equal(r.latin1, false);
  assert.match(r.text, /PROT_DONTCOPY/);
});

test('bytes that are not UTF-8 are read as Latin-1', async () => {
  const r = await readInputOrFail('patch/latin1.patch', io());
  assert.equal(r.latin1, true);
  assert.match(r.text, /From: René Fauve/);
});

test('standard input', async () => {
  const r = await readInputOrFail('-', io('caf\xe9\n'));
  assert.deepEqual([r.path, r.text, r.latin1], ['-', 'café\n', true]);
});

test('missing file, directory, binary data: an error naming the file', async () => {
  const cases: [string, RegExp][] = [
    ['nope.patch', /^nope\.patch: no such file$/],
    ['patch', /^patch: is a directory/],
    ['patch/binary.bin', /^patch\/binary\.bin: binary data \(a NUL byte at offset 7\)/],
  ];
  for (const [path, re] of cases) {
    const r = await readInput(path, io());
    assert.ok('error' in r, path);
    assert.match(r.error, re);
    await assert.rejects(readInputOrFail(path, io()), (e) => e instanceof UsageError && re.test(e.message));
  }
  const stdin = await readInput('-', io('a\0b'));
  assert.ok('error' in stdin && /^standard input: binary data/.test(stdin.error));
});
