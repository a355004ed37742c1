// Property tests: whatever the text, the reader does not throw and every position it reports
// lies inside the document and points at the text it claims. A patch quoted at any depth, in
// any quoting style, whitespace-mangled, with any line endings, reads to the same hunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readDocument, positionInLine } from '../../src/patch/index';
import type { PatchSet } from '../../src/patch/types';
import { assertPositions, docLines, fixture } from './patch-helpers';

const SEED = 20051110;
const eol = fc.constantFrom('\n', '\r\n', '\r');

function joinLines(lines: string[], eols: string[]): string {
  return lines.map((l, i) => l + eols[i % eols.length]).join('');
}

const VOCAB = [
  '@@ -1,3 +1,3 @@ sys_mprotect(unsigned long start,', '@@ -0,0 +1 @@', '@@ -5 +5,2 @@', '@@ -x @@', '@@@ -1,2 -1,2 +1,3 @@@',
  '+added', '-removed', ' context', '', '\\ No newline at end of file', '-- ', '--', '---', '+++ b/x', '--- a/x',
  'diff --git a/mm/x.c b/mm/x.c', 'new file mode 100644', 'rename from a', 'GIT binary patch', 'literal 3', 'Binary files a/x and b/x differ',
  'From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001', 'From: A <a@example.org>', '>From here',
  'Subject: [PATCH v2 1/2] x', 'Content-Type: multipart/mixed; boundary=b', '--b', '--b--',
  'Content-Transfer-Encoding: quoted-printable', 'Content-Transfer-Encoding: base64', 'a=3Db=', '=E9=', 'QUJD', 'QQ==',
  '> ', '>', '> > +x', '>> -y', '> >  z', '>>>@@ -1 +1 @@', '\t\tindented', '[...]',
  // format=flowed soft breaks and mail-client wraps
  'Content-Type: text/plain; format=flowed; delsp=yes', 'Content-Type: text/plain; charset=utf-8; format=flowed',
  '+\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | ', '-\tx = foo(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,', 'VM_EXEC));',
  '> -\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE |', '> VM_EXEC));', '   ', '-- ',
  '@@ -235,7 +235,7 @@ asmlinkage long sys_mprotect(unsigned long start, size_t len,', 'unsigned long prot)',
];

function check(text: string): PatchSet {
  const set = readDocument(text); // throws on a reader bug, unlike readPatchSet
  assertPositions(text, set);
  return set;
}

test('any string: no throw, positions inside the document and pointing at their text', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => void check(s)), { seed: SEED, numRuns: 300 });
});

test('any mix of diff-like lines, quoting and line endings: no throw, positions exact', () => {
  const line = fc.oneof(
    fc.constantFrom(...VOCAB),
    fc.string({ maxLength: 12 }),
    fc.tuple(fc.constantFrom('> ', '>', '> > ', '>>'), fc.constantFrom(...VOCAB)).map(([q, l]) => q + l),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 60 }), fc.array(eol, { minLength: 1, maxLength: 4 }), (lines, eols) => void check(joinLines(lines, eols))),
    { seed: SEED, numRuns: 400 },
  );
});

test('flowed and quoted-printable mails with any mix of lines: no throw, positions exact', () => {
  const line = fc.oneof(
    fc.constantFrom(...VOCAB),
    fc.string({ maxLength: 12 }).map((x) => x + ' '),
    fc.tuple(fc.constantFrom('> ', '>', '> > '), fc.constantFrom(...VOCAB)).map(([q, l]) => q + l),
  );
  const head = fc.constantFrom(
    'Content-Type: text/plain; format=flowed',
    'Content-Type: text/plain; format=flowed; delsp=yes',
    'Content-Type: text/plain; format=flowed\nContent-Transfer-Encoding: quoted-printable',
  );
  fc.assert(
    fc.property(head, fc.array(line, { maxLength: 50 }), eol, (h, lines, nl) =>
      void check(['From: A <a@example.org>', 'Subject: [PATCH] x', ...h.split('\n'), '', ...lines].join(nl))),
    { seed: SEED, numRuns: 300 },
  );
});

// The diff part of the clean seed patch (from `diff --git` on).
const CLEAN = fixture('examples/prot-dontcopy.patch');
const DIFF_LINES = docLines(CLEAN.slice(CLEAN.indexOf('diff --git')));
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
const shape = (set: PatchSet) =>
  set.patches.flatMap((p) => p.files.map((f) => [f.newPath, f.hunks.map((h) => [h.functionName, h.lines.map((l) => l.kind + norm(l.text))])]));
const EXPECTED = shape(readDocument(DIFF_LINES.join('\n')));

function expandTabs(s: string): string {
  let out = '';
  for (const c of s) out += c === '\t' ? ' '.repeat(8 - (out.length % 8)) : c;
  return out;
}

test('a patch quoted at any depth and style, whitespace-mangled, any line endings: same hunks', () => {
  const style = fc.array(fc.constantFrom('>', '> '), { minLength: 1, maxLength: 4 });
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5 }),
      fc.array(style, { minLength: 1, maxLength: 5 }),
      fc.boolean(),
      fc.boolean(),
      fc.array(eol, { minLength: 1, maxLength: 3 }),
      (depth, styles, eatMarker, tabsToSpaces, eols) => {
        const quoted = DIFF_LINES.map((orig, i) => {
          let l = depth > 0 && tabsToSpaces ? expandTabs(orig) : orig;
          if (depth === 0) return l;
          const st = styles[i % styles.length];
          const marks = Array.from({ length: depth }, (_, k) => st[k % st.length]);
          // The last mark: `> ` quotes normally; `>` + a context line's leading space is the
          // quoting that ate the space.
          if (eatMarker && l.startsWith(' ')) marks[depth - 1] = '>';
          else marks[depth - 1] = '> ';
          return marks.join('') + l;
        });
        const text = 'Someone wrote:' + eols[0] + joinLines(quoted, eols) + 'Thanks.' + eols[0];
        const set = check(text);
        assert.deepEqual(shape(set), EXPECTED);
        assert.equal(set.patches[0].quoteDepth, depth);
        assert.deepEqual(set.problems, []);
      },
    ),
    { seed: SEED, numRuns: 150 },
  );
});

/** A small quoted-printable encoder: `=`, non-ASCII and trailing blanks escaped, soft breaks every `width` chars. */
function qpEncode(text: string, width: number): string {
  const bytes = new TextEncoder().encode(text);
  const lines: string[] = [];
  let cur = '';
  const hex = (b: number) => '=' + b.toString(16).toUpperCase().padStart(2, '0');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 10) {
      lines.push(cur);
      cur = '';
      continue;
    }
    const nextIsEnd = i + 1 >= bytes.length || bytes[i + 1] === 10;
    const tok = b === 61 || b > 126 || (b < 32 && b !== 9) || ((b === 32 || b === 9) && nextIsEnd) ? hex(b) : String.fromCharCode(b);
    if (cur.length + tok.length > width) {
      lines.push(cur + '=');
      cur = '';
    }
    cur += tok;
  }
  lines.push(cur);
  return lines.join('\n');
}

test('quoted-printable bodies at any soft-break width: same hunks, every char maps back', () => {
  fc.assert(
    fc.property(fc.integer({ min: 4, max: 90 }), fc.integer({ min: 0, max: 2 }), fc.constantFrom('\n', '\r\n'), (width, depth, nl) => {
      const q = depth ? '> '.repeat(depth) : '';
      const body = DIFF_LINES.map((l) => q + l).join('\n') + '\n';
      const mail =
        'From: A <a@example.org>\nSubject: [PATCH] x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n' +
        qpEncode(body, width) + '\n';
      const text = mail.replace(/\n/g, nl);
      const set = check(text);
      assert.deepEqual(shape(set), EXPECTED);
      const lines = docLines(text);
      for (const l of set.patches[0].files.flatMap((f) => f.hunks.flatMap((h) => h.lines))) {
        for (let i = 0; i < l.text.length; i++) {
          const pos = positionInLine(l, i);
          const raw = lines[pos.line - 1]?.[pos.column - 1];
          assert.ok(raw === l.text[i] || raw === '=', `char ${i} of ${JSON.stringify(l.text)} maps to ${JSON.stringify(raw)}`);
        }
      }
    }),
    { seed: SEED, numRuns: 60 },
  );
});

/** A format=flowed encoder (RFC 3676): space-stuffing, and lines longer than `width` broken
 *  after a space (DelSp=no) or anywhere with an added space (DelSp=yes). */
function flow(lines: string[], width: number, delsp: boolean): string[] {
  const out: string[] = [];
  for (const orig of lines) {
    const q = /^(?:> ?)*/.exec(orig)![0].replace(/ $/, '');
    let rest = orig.slice(q.length);
    const quoted = q.length > 0;
    if (quoted) rest = ' ' + rest.replace(/^ /, '');
    else if (rest.startsWith(' ') || rest.startsWith('From ') || rest.startsWith('>')) rest = ' ' + rest;
    while (rest.length > width) {
      // Never break before a `>`: the continuation would read as one more quote level (the
      // RFC's strict `>>` marks versus the `> > ` mail clients write are not told apart).
      let cut = delsp ? width : rest.lastIndexOf(' ', width);
      while (cut > 0 && rest[delsp ? cut : cut + 1] === '>') cut = delsp ? cut - 1 : rest.lastIndexOf(' ', cut - 1);
      if (cut <= 0 || /^ +$/.test(rest.slice(0, cut + 1))) break;
      if (!delsp) cut++; // the space stays at the end of the first part
      const head = rest.slice(0, cut);
      out.push(q + head + (delsp ? ' ' : ''));
      rest = (quoted ? ' ' : '') + rest.slice(cut);
      if (!quoted && (rest.startsWith(' ') || rest.startsWith('>'))) rest = ' ' + rest;
    }
    out.push(q + rest);
  }
  return out;
}

test('format=flowed at any wrap width, quoted or not, DelSp either way: same hunks, every char maps back', () => {
  fc.assert(
    fc.property(fc.integer({ min: 20, max: 90 }), fc.integer({ min: 0, max: 2 }), fc.boolean(), (width, depth, delsp) => {
      // Trailing blanks cannot survive a flowed mail (they would be soft breaks).
      const src = DIFF_LINES.map((l) => ('> '.repeat(depth) + l).replace(/(\S) +$/, '$1'));
      const expected = shape(readDocument(src.join('\n')));
      const mail =
        `From: A <a@example.org>\nSubject: [PATCH] x\nContent-Type: text/plain; charset=utf-8; format=flowed${delsp ? '; delsp=yes' : ''}\n\n` +
        flow(src, width, delsp).join('\n') + '\n';
      const set = check(mail);
      assert.deepEqual(shape(set), expected);
      const lines = docLines(mail);
      for (const l of set.patches[0].files.flatMap((f) => f.hunks.flatMap((h) => h.lines))) {
        for (let i = 0; i < l.text.length; i++) {
          const pos = positionInLine(l, i);
          assert.equal(lines[pos.line - 1]?.[pos.column - 1], l.text[i], `char ${i} of ${JSON.stringify(l.text)}`);
        }
      }
    }),
    { seed: SEED, numRuns: 80 },
  );
});

test('diff lines hard-wrapped once by a mail client at any width from 60, quoted or not: same hunks, a line-wrapped problem', () => {
  let runsWithWraps = 0;
  let quotedRunsWithWraps = 0;
  fc.assert(
    fc.property(fc.integer({ min: 60, max: 100 }), fc.integer({ min: 0, max: 3 }), (width, depth) => {
      let wrapped = 0;
      const q = '> '.repeat(depth);
      // Quoted, a tail is only recognisable after a first part that cannot end there.
      const unfinished = (x: string) => (x.split('(').length > x.split(')').length) || /[|&,]\s*$/.test(x);
      const out: string[] = [];
      let inHunk = false;
      for (const l of DIFF_LINES) {
        if (l.startsWith('@@')) inHunk = true;
        else if (l.startsWith('diff --git')) inHunk = false;
        const cut = l.lastIndexOf(' ', width);
        // Wrap at a space like a mail client (the space goes), where the tail cannot be read
        // as a diff line or a column-0 context line.
        if (inHunk && /^[-+ ]/.test(l) && l.length > width && cut >= 60 && l.length - cut - 1 <= width && /^[^-+ \t#{}/\\\\]/.test(l.slice(cut + 1)) &&
          (depth === 0 || unfinished(l.slice(0, cut)))) {
          out.push(l.slice(0, cut), l.slice(cut + 1));
          wrapped++;
        } else out.push(l);
      }
      const text = 'Someone wrote:\n' + out.map((l) => q + l).join('\n') + '\n';
      const set = check(text);
      assert.deepEqual(shape(set), EXPECTED);
      assert.equal(set.problems.filter((p) => p.code === 'line-wrapped').length > 0, wrapped > 0);
      assert.deepEqual(set.problems.filter((p) => p.code !== 'line-wrapped'), []);
      if (wrapped > 0) runsWithWraps++;
      if (wrapped > 0 && depth > 0) quotedRunsWithWraps++;
    }),
    { seed: SEED, numRuns: 80 },
  );
  assert.ok(runsWithWraps >= 20, `only ${runsWithWraps} runs wrapped a line`);
  assert.ok(quotedRunsWithWraps >= 10, `only ${quotedRunsWithWraps} quoted runs wrapped a line`);
});
