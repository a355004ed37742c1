// The streaming mbox reader gives the same patches, positions and problems as reading the
// whole file, mail by mail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDocument } from '../../src/patch/index';
import { readMboxFile } from '../../src/patch/mbox-stream';
import type { Patch, Problem } from '../../src/patch/types';
import { fixture } from './patch-helpers';

async function stream(path: string, chunkSize?: number) {
  const patches: Patch[] = [];
  const problems: Problem[] = [];
  const result = await readMboxFile(path, (p) => patches.push(p), (p) => problems.push(p), { chunkSize });
  return { patches, problems, result };
}

test('streaming equals whole-file reading on a series with a reply and a short hunk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-mbox-'));
  try {
    const reply = fixture('examples/prot-dontcopy-reply.eml');
    const text =
      fixture('patch/series.mbox') +
      '\nFrom rowan@example.net Thu Nov 10 18:40:12 2005\n' + reply +
      '\n' + fixture('examples/prot-dontcopy.patch').replace('@@ -235,7 +235,7 @@', '@@ -235,9 +235,7 @@');
    for (const [name, t] of [['lf', text], ['crlf', text.replace(/\n/g, '\r\n')]]) {
      const path = join(dir, `${name}.mbox`);
      writeFileSync(path, t);
      const whole = readDocument(t);
      // Tiny chunks put chunk boundaries inside lines, CRLFs and `From ` separators.
      for (const chunk of [3, 7, 64, undefined]) {
      const s = await stream(path, chunk);
      assert.equal(s.result.error, undefined);
      assert.equal(s.result.mails, 6);
      assert.deepEqual(s.patches, whole.patches, name);
      assert.deepEqual(s.problems, whole.problems, name);
      assert.equal(s.problems.length, 1);
      assert.equal(s.result.lines, t.split(/\r\n|\n/).length - 1);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unreadable inputs come back as an error, not a throw', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-mbox-'));
  try {
    writeFileSync(join(dir, 'bin'), Buffer.from([0x46, 0x72, 0x00, 0x01]));
    assert.match((await stream(join(dir, 'bin'))).result.error!, /NUL byte at offset 2/);
    assert.equal((await stream(join(dir, 'missing'))).result.error, 'no such file');
    assert.match((await stream(dir)).result.error!, /directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
