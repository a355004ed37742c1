// The reader on the fixtures: every way a patch arrives, with exact document positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDocument, readPatchSet, positionInLine } from '../../src/patch/index';
import { assertPositions, docLines, fixture } from './patch-helpers';

test('seed case: LKML reply quoting the PROT_DONTCOPY patch three levels deep', () => {
  const text = fixture('examples/prot-dontcopy-reply.eml');
  const set = readDocument(text);
  assert.deepEqual(set.problems, []);
  assert.equal(set.patches.length, 1);
  const p = set.patches[0];
  assert.equal(p.subject, 'mm: add PROT_DONTCOPY so registered RDMA memory is not copied at fork');
  assert.equal(p.version, 2);
  assert.equal(p.isReply, true);
  assert.equal(p.quoteDepth, 3);
  assert.deepEqual(
    p.files.map((f) => [f.oldPath, f.newPath, f.hunks.length]),
    [
      ['include/asm-i386/mman.h', 'include/asm-i386/mman.h', 1],
      ['include/linux/mman.h', 'include/linux/mman.h', 1],
      [null, null, 1],
    ],
  );
  const [uapi, linux, frag] = p.files.map((f) => f.hunks[0]);
  const added = uapi.lines.filter((l) => l.kind === '+');
  assert.equal(added.length, 1);
  assert.match(added[0].text, /^#define PROT_DONTCOPY\s+0x04000000/);
  // Context lines whose marker the quoting ate are kept, whole.
  assert.equal(uapi.lines.length, 7);
  assert.ok(uapi.lines.some((l) => l.markerMissing && l.text.startsWith('#define PROT_GROWSUP')));

  assert.equal(linux.functionName, 'calc_vm_prot_bits');
  assert.deepEqual(linux.lines.filter((l) => l.kind !== ' ').map((l) => l.kind), ['-', '+', '+']);
  assert.match(linux.lines.filter((l) => l.kind === '+')[1].text, /_calc_vm_trans\(prot, PROT_DONTCOPY, VM_DONTCOPY\)/);

  assert.equal(frag.header, 'sys_mprotect(unsigned long start, size_t len, unsigned long prot)');
  assert.equal(frag.functionName, 'sys_mprotect');
  assert.equal(frag.quoteDepth, 3);
  const minus = frag.lines.find((l) => l.kind === '-')!;
  const plus = frag.lines.find((l) => l.kind === '+')!;
  assert.match(minus.text, /~\(VM_READ \| VM_WRITE \| VM_EXEC\)\);$/);
  assert.match(plus.text, /~\(VM_READ \| VM_WRITE \| VM_EXEC \| VM_DONTCOPY\)\);$/);
  // The + line is on the raw line that holds it, just after the `>>> +`.
  const lines = docLines(text);
  assert.ok(lines[plus.line - 1].startsWith('>>> +'));
  assert.equal(plus.column, 6);
  assert.equal(frag.lines.length, 8);
  assert.ok(assertPositions(text, set) >= 20);
});

test('clean format-patch mail of the same patch', () => {
  const text = fixture('examples/prot-dontcopy.patch');
  const set = readDocument(text);
  assert.deepEqual(set.problems, []);
  const [p] = set.patches;
  assert.equal(p.version, 2);
  assert.equal(p.from, 'Tomas Ekberg <tomas.ekberg@example.org>');
  assert.match(p.message, /^A process that registers/);
  assert.match(p.message, /Signed-off-by: Tomas Ekberg/);
  assert.ok(!p.message.includes('files changed'), 'the diffstat is not part of the message');
  assert.deepEqual(p.files.map((f) => f.newPath), ['include/asm-i386/mman.h', 'include/linux/mman.h', 'mm/mprotect.c']);
  const mprotect = p.files[2].hunks[0];
  assert.equal(mprotect.functionName, 'sys_mprotect');
  // The last hunk ends with context; the `-- ` signature after it is not a removed line.
  assert.equal(mprotect.lines.length, 8);
  assert.ok(!mprotect.lines.some((l) => l.text === ' ' || l.text === '- '));
  assertPositions(text, set);
});

test('the quoted and the clean version read to the same changed lines', () => {
  const strip = (s: string) => s.replace(/\s+/g, ' ').trim();
  const changed = (t: string) =>
    readDocument(t).patches[0].files.flatMap((f) => f.hunks.flatMap((h) => h.lines.filter((l) => l.kind !== ' ').map((l) => l.kind + strip(l.text))));
  assert.deepEqual(changed(fixture('examples/prot-dontcopy-reply.eml')), changed(fixture('examples/prot-dontcopy.patch')));
});

test('git diff extras: rename, mode change, new and deleted files, binary stanzas, no newline at end', () => {
  const text = fixture('patch/git-extras.diff');
  const set = readDocument(text);
  const [p] = set.patches;
  assert.equal(p.subject, null);
  const byPath = (x: string) => p.files.find((f) => f.newPath === x || f.oldPath === x)!;
  const ren = byPath('mm/new_name.c');
  assert.equal(ren.isRename, true);
  assert.equal(ren.oldPath, 'mm/old_name.c');
  assert.equal(ren.hunks[0].lines.length, 5);
  const mode = byPath('scripts/check-flags.sh');
  assert.deepEqual([mode.oldMode, mode.newMode, mode.hunks.length], ['100644', '100755', 0]);
  const added = byPath('mm/dontcopy.c');
  assert.deepEqual([added.isNew, added.oldPath, added.hunks[0].lines.length], [true, null, 3]);
  const gone = byPath('mm/gone.c');
  assert.deepEqual([gone.isDeleted, gone.newPath, gone.hunks[0].lines.map((l) => l.kind).join('')], [true, null, '--']);
  assert.equal(byPath('Documentation/logo.png').isBinary, true);
  assert.equal(byPath('Documentation/old.png').isBinary, true);
  assert.deepEqual(
    set.problems.map((x) => [x.code, x.severity]),
    [['binary-skipped', 'info'], ['binary-skipped', 'info']],
  );
  const tail = byPath('mm/tail.c').hunks[0];
  assert.equal(tail.functionName, 'tail_check');
  assert.deepEqual(tail.lines.map((l) => [l.kind, !!l.noNewlineAtEnd]), [[' ', false], ['-', true], ['+', false]]);
  assertPositions(text, set);
});

test('mbox series: cover letter, [PATCH v2 n/3], [RFC PATCH], >From unescaping, signature', () => {
  const text = fixture('patch/series.mbox');
  const set = readDocument(text);
  assert.deepEqual(set.problems, []);
  assert.deepEqual(
    set.patches.map((p) => [p.version, p.index, p.total, p.isCoverLetter, p.files.length]),
    [[2, 0, 3, true, 0], [2, 1, 3, false, 1], [2, 2, 3, false, 1], [2, 3, 3, false, 1]],
  );
  assert.equal(set.patches[0].subject, 'mm: madvise(MADV_DONTFORK) instead of a PROT bit');
  assert.match(set.patches[0].message, /^From here on the series/m);
  assert.equal(set.patches[3].isRfc, true);
  assert.match(set.patches[2].message, /^From now on the flag/m);
  const lines = docLines(text);
  assert.ok(lines[set.patches[1].line - 1].startsWith('From 1111'));
  // The last hunk of patch 3 ends on a removed line; the `-- ` after it is the signature.
  const last = set.patches[3].files[0].hunks[0];
  assert.equal(last.lines[last.lines.length - 1].kind, '-');
  assert.equal(last.lines.length, 5);
  assertPositions(text, set);
});

test('quoted-printable body: decoded, Latin-1 charset, positions exact through =3D and soft breaks', () => {
  const text = fixture('patch/quoted-printable.eml');
  const set = readDocument(text);
  const [p] = set.patches;
  assert.match(p.message, /René Fauve/);
  const h = p.files[0].hunks[0];
  assert.equal(h.functionName, 'sys_mprotect'); // the header was split by a soft line break
  assert.equal(h.header, 'sys_mprotect(unsigned long start, size_t len, unsigned long prot)');
  const ctx = h.lines[0];
  assert.equal(ctx.encoding, 'quoted-printable');
  assert.match(ctx.text, /newflags = vm_flags \| \(vma->vm_flags & ~\(VM_READ/);
  // Every decoded char maps to a raw char that is itself, or the `=` of its escape.
  const lines = docLines(text);
  for (const l of h.lines) {
    for (let i = 0; i < l.text.length; i++) {
      const pos = positionInLine(l, i);
      const raw = lines[pos.line - 1][pos.column - 1];
      assert.ok(raw === l.text[i] || raw === '=', `char ${i} of line ${l.line}: ${raw} vs ${l.text[i]}`);
    }
  }
  // The long context line is split over raw lines; the + line starts where its raw line does.
  const plus = h.lines.find((l) => l.kind === '+')!;
  assert.deepEqual(positionInLine(plus, 0), { line: plus.line, column: plus.column });
  assert.ok(lines[plus.line - 1].slice(plus.column - 1).startsWith('\t\terror =3D -EPERM;'));
  assert.ok(lines[h.lines[0].line - 1].endsWith('='), 'the long context line continues on the next raw line');
});

test('base64 body: decoded UTF-8, lines point at the raw line where they start, column 1', () => {
  const text = fixture('patch/base64.eml');
  const set = readDocument(text);
  const [p] = set.patches;
  assert.equal(p.subject, 'mm: madvise DOFORK refuses VM_IO');
  assert.equal(p.from, 'Jürgen Maas <juergen@example.org>');
  assert.match(p.message, /— the driver owns them/);
  const h = p.files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => l.kind).join(''), ' ++   ');
  assert.ok(h.lines.every((l) => l.encoding === 'base64' && l.column === 1));
  const bodyStart = docLines(text).indexOf('') + 2;
  assert.ok(h.lines.every((l) => l.line >= bodyStart));
  assert.ok(h.lines[4].line > h.lines[0].line);
  assertPositions(text, set);
});

test('multipart mail: the base64 text/x-patch attachment is read, the image part skipped', () => {
  const set = readDocument(fixture('patch/multipart.eml'));
  const [p] = set.patches;
  assert.equal(p.subject, 'mm: skip VM_DONTCOPY in copy_page_range');
  assert.equal(p.files.length, 1);
  // `linux-2.6.13.orig/` and `linux-2.6.13/` prefixes are dropped like patch -p1 does.
  assert.equal(p.files[0].oldPath, 'mm/memory.c');
  assert.equal(p.files[0].hunks[0].functionName, 'copy_page_range');
  assert.deepEqual(set.problems, []);
});

test('hunk cut short and overlong hunk: a problem with its line, the lines read returned', () => {
  const short = readDocument(fixture('patch/short-hunk.patch'));
  assert.deepEqual(short.problems.map((p) => [p.code, p.line]), [['hunk-short', 3], ['hunk-short', 7]]);
  assert.equal(short.patches[0].files[0].hunks.length, 2);
  assert.equal(short.patches[0].files[0].hunks[0].lines.length, 3);
  const long = readDocument(fixture('patch/long-hunk.patch'));
  assert.deepEqual(long.problems.map((p) => [p.code, p.line, p.severity]), [['hunk-long', 7, 'error']]);
  assert.equal(long.patches[0].files[0].hunks[0].lines.length, 4);
});

test('fragments without ---/+++ headers: paths null, function context kept', () => {
  const text = fixture('patch/fragments.txt');
  const set = readDocument(text);
  assert.deepEqual(set.problems, []);
  const [p] = set.patches;
  assert.deepEqual(p.files.map((f) => [f.oldPath, f.newPath]), [[null, null], [null, null]]);
  assert.deepEqual(p.files.map((f) => f.hunks[0].functionName), ['mprotect_fixup', 'sys_mprotect']);
  assertPositions(text, set);
});

test('CRLF line endings give the same patch with the same positions', () => {
  for (const name of ['examples/prot-dontcopy.patch', 'examples/prot-dontcopy-reply.eml', 'patch/quoted-printable.eml', 'patch/series.mbox']) {
    const lf = fixture(name);
    const crlf = lf.replace(/\n/g, '\r\n');
    const a = readDocument(lf);
    const b = readDocument(crlf);
    assert.deepEqual(b, a, name);
    assertPositions(crlf, b);
  }
});

test('text without a patch is not an error: no patches, no problems', () => {
  for (const t of ['', '\n', 'hello\nworld\n', 'From: a@example.org\nSubject: lunch?\n\nsee you\n']) {
    assert.deepEqual(readPatchSet(t), { patches: [], problems: [] });
  }
});

test('firstLine offsets every position', () => {
  const text = fixture('examples/prot-dontcopy.patch');
  const a = readDocument(text);
  const b = readDocument(text, 101);
  const la = a.patches[0].files[2].hunks[0].lines[3];
  const lb = b.patches[0].files[2].hunks[0].lines[3];
  assert.equal(lb.line, la.line + 100);
  assert.equal(lb.column, la.column);
});
