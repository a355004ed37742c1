// Subjects, function names from hunk headers, encoded words, mailbox splitting edge cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { functionNameOf, parseSubject, positionInLine, readDocument } from '../../src/patch/index';
import { decodeEncodedWords } from '../../src/patch/mail';
import { assertPositions } from './patch-helpers';

test('subject tags: version, index, total, RFC, reply prefixes, list tags', () => {
  const cases: [string, Partial<ReturnType<typeof parseSubject>>][] = [
    ['[PATCH v2 3/7] mm: keep VM_DONTCOPY', { subject: 'mm: keep VM_DONTCOPY', version: 2, index: 3, total: 7, tagged: true }],
    ['[PATCH] mm: x', { subject: 'mm: x', version: null, index: null, total: null, tagged: true }],
    ['[RFC PATCH] mm: x', { subject: 'mm: x', isRfc: true, tagged: true }],
    ['[RFC][PATCH 1/2] mm: x', { subject: 'mm: x', index: 1, total: 2, isRfc: true }],
    ['[PATCH RFC v3 00/12] mm: x', { version: 3, index: 0, total: 12 }],
    ['Re: [PATCH v2] mm: add PROT_DONTCOPY', { subject: 'mm: add PROT_DONTCOPY', version: 2, isReply: true }],
    ['RE: Re: [Linux-mm] [PATCH -mm 2/3] x', { subject: 'x', index: 2, total: 3, isReply: true }],
    ['[PATCH 2.6.14-rc1] mm: x', { subject: 'mm: x', version: null, index: null }],
    ['[PATCH net-next v4 1/3] x', { version: 4, index: 1, total: 3 }],
    ['lunch?', { subject: 'lunch?', tagged: false }],
    ['[ANNOUNCE] 2.6.14', { subject: '2.6.14', tagged: false }],
  ];
  for (const [raw, want] of cases) {
    const got = parseSubject(raw);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, `${raw}: ${k}`);
  }
});

test('function names from hunk headers', () => {
  const cases: [string, string | null][] = [
    ['sys_mprotect(unsigned long start, size_t len, unsigned long prot)', 'sys_mprotect'],
    ['static int foo(', 'foo'],
    ['static inline unsigned long', null],
    ['asmlinkage long sys_madvise(unsigned long start, size_t len_in, int behavior)', 'sys_madvise'],
    ['SYSCALL_DEFINE3(mprotect, unsigned long, start, size_t, len,', 'sys_mprotect'],
    ['COMPAT_SYSCALL_DEFINE2(x, int, a,', 'compat_sys_x'],
    ['static int __init mm_init(void)', 'mm_init'],
    ['struct vm_area_struct {', null],
    ['#define VM_DONTCOPY 0x00020000', null],
    ['#define calc_vm_trans(x, bit1, bit2) \\', 'calc_vm_trans'],
    ['/* the comment */', null],
    ['', null],
    ['static int (*handler)(int)', null],
    ['int __attribute__((weak)) arch_hook(void)', 'arch_hook'],
  ];
  for (const [h, want] of cases) assert.equal(functionNameOf(h), want, h);
});

test('RFC 2047 encoded words in headers', () => {
  assert.equal(decodeEncodedWords('=?UTF-8?Q?J=C3=BCrgen_Maas?= <j@example.org>'), 'Jürgen Maas <j@example.org>');
  assert.equal(decodeEncodedWords('=?iso-8859-1?q?Ren=E9?= F'), 'René F');
  assert.equal(decodeEncodedWords('=?utf-8?b?W1BBVENIXQ==?= =?utf-8?b?IHg=?='), '[PATCH] x');
  assert.equal(decodeEncodedWords('plain'), 'plain');
});

test('a `From ` line in a body that is not followed by a header does not split the mbox', () => {
  const text = [
    'From 1 Mon Sep 17 00:00:00 2001', 'From: A <a@example.org>', 'Subject: [PATCH 1/1] x', '',
    'Some text', '', 'From the start this was wrong.', 'more', '---',
    '--- a/mm/x.c', '+++ b/mm/x.c', '@@ -1 +1 @@', '-a', '+b', '',
  ].join('\n');
  const set = readDocument(text);
  assert.equal(set.patches.length, 1);
  assert.match(set.patches[0].message, /From the start/);
  assert.equal(set.patches[0].files[0].hunks[0].lines.length, 2);
});

test('git am in-body From:/Subject: override the mail headers', () => {
  const text = [
    'From: Sender <s@example.org>', 'Subject: [PATCH v3 2/4] outer', '',
    'From: Real Author <r@example.org>', 'Subject: inner subject', '',
    'Body.', '---', '--- a/mm/x.c', '+++ b/mm/x.c', '@@ -1 +1 @@', '-a', '+b', '',
  ].join('\n');
  const [p] = readDocument(text).patches;
  assert.equal(p.from, 'Real Author <r@example.org>');
  assert.equal(p.subject, 'inner subject');
  assert.equal(p.message, 'Body.');
});

test('a hunk interrupted by a change of quote depth is cut short (a warning when quoted)', () => {
  const text = ['> --- a/mm/x.c', '> +++ b/mm/x.c', '> @@ -1,3 +1,3 @@', '>  a', '> -b', 'I stop quoting here.', '> > older quote'].join('\n');
  const set = readDocument(text);
  assert.deepEqual(set.problems.map((p) => [p.code, p.line, p.severity]), [['hunk-short', 3, 'warning']]);
  assert.equal(set.patches[0].files[0].hunks[0].lines.length, 2);
});

test('snip markers end a quoted hunk instead of becoming context', () => {
  const text = ['> @@ -1,4 +1,4 @@ f(', '> -a', '> +b', '> [...]', '> more prose'].join('\n');
  const set = readDocument(text);
  assert.equal(set.patches[0].files[0].hunks[0].lines.length, 2);
  assert.equal(set.problems[0].code, 'hunk-short');
});

test('a removed line that looks like a signature is a removed line while counts remain', () => {
  const text = ['--- a/x', '+++ b/x', '@@ -1,2 +1,1 @@', '-- ', ' ctx', '-- ', '2.43.0', ''].join('\n');
  const set = readDocument(text);
  const h = set.patches[0].files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => [l.kind, l.text]), [['-', '- '], [' ', 'ctx']]);
  assert.deepEqual(set.problems, []);
});

test('unknown hunk header forms are problems, not crashes', () => {
  const set = readDocument(['--- a/x', '+++ b/x', '@@ -1,2 +1,2 garbage', '@@@ -1,2 -1,2 +1,3 @@@'].join('\n'));
  assert.deepEqual(set.problems.map((p) => [p.code, p.line]), [['bad-hunk-header', 3], ['bad-hunk-header', 4]]);
});

test('reviewer prose interleaved inside a quoted hunk: the hunk goes on after it', () => {
  const text = [
    'Author wrote:', '> --- a/mm/mprotect.c', '> +++ b/mm/mprotect.c', '> @@ -1,5 +1,5 @@ sys_mprotect(', '>  a', '> -b',
    '', 'Why remove b? Every later call clears it.', '', '> +c', '> d', '>  e', '>  f', '', 'Thanks.',
  ].join('\n');
  const set = readDocument(text);
  assert.deepEqual(set.problems, []);
  const h = set.patches[0].files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => l.kind + l.text), [' a', '-b', '+c', ' d', ' e', ' f']);
  assert.equal(h.lines[2].line, 10);
});

test('a quoted hunk that never resumes after the interruption is cut short at the interruption', () => {
  const text = ['> @@ -1,5 +1,5 @@ f(', '>  a', '> -b', '', 'I stop here.', '> Regards, the quoted author'].join('\n');
  const set = readDocument(text);
  assert.deepEqual(set.problems.map((p) => [p.code, p.line, p.severity]), [['hunk-short', 1, 'warning']]);
  assert.match(set.problems[0].message, /stops at line 4/);
  assert.equal(set.patches[0].files[0].hunks[0].lines.length, 2);
});

test('format=flowed: the stuffing space of unquoted lines is removed, quoted lines read as usual', () => {
  const text = [
    'From: A <a@example.org>', 'Subject: [PATCH] x', 'Content-Type: text/plain; charset=utf-8; format=flowed', '',
    '--- a/mm/x.c', '+++ b/mm/x.c', '@@ -1,3 +1,3 @@ f(', '  a', '-b', '+c', '  d', '',
  ].join('\n');
  const set = readDocument(text);
  assert.deepEqual(set.problems, []);
  const h = set.patches[0].files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => [l.kind, l.text, l.column]), [[' ', 'a', 3], ['-', 'b', 2], ['+', 'c', 2], [' ', 'd', 3]]);
  assertPositions(text, set);
});

test('multipart/alternative: only the text/plain part is read (no duplicate hunks)', () => {
  const diff = ['--- a/mm/x.c', '+++ b/mm/x.c', '@@ -1 +1 @@', '-a', '+b'];
  const text = [
    'From: A <a@example.org>', 'Subject: [PATCH] x', 'Content-Type: multipart/alternative; boundary="alt"', '',
    '--alt', 'Content-Type: text/plain', '', ...diff, '',
    '--alt', 'Content-Type: text/html', '', '<pre>', ...diff, '</pre>', '--alt--', '',
  ].join('\n');
  const set = readDocument(text);
  assert.equal(set.patches[0].files.length, 1);
  assert.equal(set.patches[0].files[0].hunks[0].lines[0].line, 11);
});

test('a forwarded mail (message/rfc822) is decoded with its own headers', () => {
  const text = [
    'From: Fwd <f@example.org>', 'Subject: Fwd: [PATCH] x', 'Content-Type: multipart/mixed; boundary=m', '',
    '--m', 'Content-Type: text/plain', '', 'See below.', '',
    '--m', 'Content-Type: message/rfc822', '',
    'From: A <a@example.org>', 'Subject: [PATCH] x', 'Content-Transfer-Encoding: quoted-printable', '',
    '--- a/mm/x.c', '+++ b/mm/x.c', '@@ -1 +1 @@', '-a =3D 1;', '+a =3D 2;', '--m--', '',
  ].join('\n');
  const set = readDocument(text);
  const h = set.patches[0].files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => l.kind + l.text), ['-a = 1;', '+a = 2;']);
  assert.deepEqual([h.lines[0].line, h.lines[0].column], [20, 2]);
});

test('a hunk that lost its last context line ends at the signature, not in it', () => {
  const text = ['--- a/x', '+++ b/x', '@@ -1,3 +1,3 @@', ' a', '-b', '+c', '-- ', '2.43.0', ''].join('\n');
  const set = readDocument(text);
  assert.deepEqual(set.patches[0].files[0].hunks[0].lines.map((l) => l.kind + l.text), [' a', '-b', '+c']);
  assert.deepEqual(set.problems.map((p) => p.code), ['hunk-short']);
});

test('format=flowed: soft line breaks are joined (DelSp=no and yes), positions follow each part', () => {
  const head = (delsp: string) => ['From: A <a@example.org>', 'Subject: [PATCH] x', `Content-Type: text/plain; charset=utf-8; format=flowed${delsp}`, ''];
  const body = [
    '--- a/mm/mprotect.c', '+++ b/mm/mprotect.c', '@@ -1,4 +1,4 @@ f(',
    '  int a;',
    '-\tnewflags = prot | (vma->vm_flags & ~(VM_READ | VM_WRITE | ', 'VM_EXEC));',
    '+\tnewflags = prot | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | ', 'VM_DONTCOPY));',
    '  ', // an empty context line, space-stuffed: a line of spaces is not a soft break
    '  return 0;', '-- ', '2.43.0', '',
  ];
  const text = [...head(''), ...body].join('\n');
  const set = readDocument(text);
  assert.deepEqual(set.problems, []);
  const h = set.patches[0].files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => l.kind + l.text), [
    ' int a;',
    '-\tnewflags = prot | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));',
    '+\tnewflags = prot | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY));',
    ' ', ' return 0;',
  ]);
  const minus = h.lines[1];
  assert.deepEqual([minus.line, minus.column], [9, 2]);
  // `VM_EXEC` starts the next raw line.
  const at = minus.text.indexOf('VM_EXEC');
  assert.deepEqual(positionInLine(minus, at), { line: 10, column: 1 });
  assertPositions(text, set);

  // DelSp=yes: the space before the break was added by the sender and goes.
  const split = [...head('; delsp=yes'), '--- a/x.c', '+++ b/x.c', '@@ -1 +1 @@', '-a = VM_WR ', 'ITE;', '+a = 0;', ''].join('\n');
  const d = readDocument(split);
  assert.deepEqual(d.problems, []);
  assert.deepEqual(d.patches[0].files[0].hunks[0].lines.map((l) => l.kind + l.text), ['-a = VM_WRITE;', '+a = 0;']);
  assertPositions(split, d);

  // Quoted in a flowed reply: the continuation carries the same quote marks.
  const reply = [...head(''), 'Jane wrote:', '> @@ -1 +1 @@ f(', '> -a = b | ', '> c;', '> +a = b;', '', 'Why?', ''].join('\n');
  const q = readDocument(reply);
  assert.deepEqual(q.problems, []);
  assert.deepEqual(q.patches[0].files[0].hunks[0].lines.map((l) => l.kind + l.text), ['-a = b | c;', '+a = b;']);
  assertPositions(reply, q);
});

test('a hunk header wrapped by the mail client is joined again (unquoted and quoted)', () => {
  const text = [
    '--- a/mm/madvise.c', '+++ b/mm/madvise.c',
    '@@ -100,3 +100,3 @@ static long madvise_behavior(struct',
    'vm_area_struct *vma,',
    ' \tswitch (behavior) {', '-\tcase MADV_NORMAL:', '+\tcase MADV_DONTFORK:', ' \t\tbreak;', '',
  ].join('\n');
  const set = readDocument(text);
  assert.deepEqual(set.problems.map((p) => [p.code, p.line, p.severity]), [['line-wrapped', 4, 'warning']]);
  const h = set.patches[0].files[0].hunks[0];
  assert.equal(h.header, 'static long madvise_behavior(struct vm_area_struct *vma,');
  assert.equal(h.functionName, 'madvise_behavior');
  assert.equal(h.lines.length, 4);
  assertPositions(text, set);

  const quoted = [
    'On Tue, Jane wrote:',
    '> > @@ -230,3 +230,3 @@ asmlinkage long sys_mprotect(unsigned long start,',
    '> > size_t len, unsigned long prot)',
    '> >  \t\tnewflags = prot;',
    '> > -\t\tif (a) {', '> > +\t\tif (b) {',
    '> > \t\t\terror = -EACCES;', // the quoting ate this context line's space
    '',
  ].join('\n');
  const q = readDocument(quoted);
  assert.deepEqual(q.problems, []);
  const qh = q.patches[0].files[0].hunks[0];
  assert.equal(qh.header, 'asmlinkage long sys_mprotect(unsigned long start, size_t len, unsigned long prot)');
  assert.equal(qh.functionName, 'sys_mprotect');
  assert.deepEqual(qh.lines.map((l) => l.kind), [' ', '-', '+', ' ']);

  // A short header followed by a quoted line whose marker the quoting ate is not a wrap.
  const eaten = ['> @@ -1,2 +1,2 @@ f(', '> x = 1;', '> -a', '> +b', ''].join('\n');
  const e = readDocument(eaten);
  assert.deepEqual(e.patches[0].files[0].hunks[0].lines.map((l) => l.kind + l.text), [' x = 1;', '-a', '+b']);
  assert.equal(e.patches[0].files[0].hunks[0].header, 'f(');
});

test('a diff line wrapped by the mail client is joined again and reported (unquoted)', () => {
  const text = [
    'From: A <a@example.org>', 'Subject: [PATCH] mm: keep VM_DONTCOPY', '', 'Sent from a webmail.', '---',
    '--- a/mm/mprotect.c', '+++ b/mm/mprotect.c', '@@ -235,3 +235,3 @@ sys_mprotect(unsigned long start, size_t len, unsigned long prot)',
    ' \t\tnewflags = prot;',
    '-\t\tnewflags |= (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC |',
    'VM_DONTCOPY));',
    '+\t\tnewflags |= (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));',
    ' \t\tif (newflags) {', '-- ', '2.43.0', '',
  ].join('\n');
  const set = readDocument(text);
  const h = set.patches[0].files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => l.kind + l.text), [
    ' \t\tnewflags = prot;',
    '-\t\tnewflags |= (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY));',
    '+\t\tnewflags |= (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));',
    ' \t\tif (newflags) {',
  ]);
  assert.deepEqual(set.problems.map((p) => [p.code, p.line, p.severity]), [['line-wrapped', 11, 'warning']]);
  assert.match(set.problems[0].message, /wrapped by the mail client/);
  assert.deepEqual(positionInLine(h.lines[1], h.lines[1].text.indexOf('VM_DONTCOPY')), { line: 11, column: 1 });
  assertPositions(text, set);

  // Prose after a hunk that is really cut short is not glued onto it.
  const cut = ['--- a/x.c', '+++ b/x.c', '@@ -1,3 +1,3 @@', ' a', '-b', 'Thanks,', 'Jane', ''].join('\n');
  const c = readDocument(cut);
  assert.deepEqual(c.patches[0].files[0].hunks[0].lines.map((l) => l.kind + l.text), [' a', '-b']);
  assert.deepEqual(c.problems.map((p) => p.code), ['hunk-short']);
});

test('a column-0 brace after a long line is a context line that lost its space, not a wrap', () => {
  const text = ['--- a/x.c', '+++ b/x.c', '@@ -1,3 +1,3 @@', ' a', '-b',
    '+\treturn _calc_vm_trans(prot, PROT_READ, VM_READ) | _calc_vm_trans(prot, PROT_EXEC);', '}', ' c', ''].join('\n');
  const set = readDocument(text);
  const h = set.patches[0].files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => l.kind + l.text.slice(0, 8)), [' a', '-b', '+\treturn ']);
  assert.deepEqual(set.problems.map((p) => p.code), ['hunk-short']);
});

test('a quoted hunk after the reviewer\'s comment stays in its file; after a [...] snip it is a fragment', () => {
  const reply = (between: string[]) => [
    'Jane wrote:', '> --- a/mm/mprotect.c', '> +++ b/mm/mprotect.c', '> @@ -10 +10 @@ f(', '> -a', '> +b',
    ...between,
    '> @@ -50 +50 @@ g(', '> -c', '> +d', '', 'Thanks.', '',
  ].join('\n');
  const kept = readDocument(reply(['', 'Why b?', '>', '']));
  assert.deepEqual(kept.patches[0].files.map((f) => [f.newPath, f.hunks.length]), [['mm/mprotect.c', 2]]);
  // Something at the hunks' own depth was cut or said: the file header may be among it.
  for (const between of [['> [...]'], ['> Jane\'s own prose in between', '']]) {
    const cut = readDocument(reply(between));
    assert.deepEqual(cut.patches[0].files.map((f) => [f.newPath, f.hunks.length]), [['mm/mprotect.c', 1], [null, 1]], between[0]);
  }
  // A hunk further up cannot be the same file's next hunk.
  const back = readDocument(reply(['', 'Why b?', '']).replace('@@ -50 +50 @@', '@@ -5 +5 @@'));
  assert.deepEqual(back.patches[0].files.map((f) => f.newPath), ['mm/mprotect.c', null]);
});

test('a quoted diff line wrapped by the reviewer\'s mail client is joined when the first part is unfinished', () => {
  const text = [
    'On Thu, Mara wrote:',
    '> > > @@ -235,5 +235,5 @@ sys_mprotect(unsigned long start, size_t len, unsigned long prot)',
    '> > >  \t\t}',
    '> > >',
    '> > > -\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE |',
    '> > > VM_EXEC));',
    '> > > +\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE |',
    '> > > VM_EXEC | VM_DONTCOPY));',
    '> > >',
    '> > > \t\tif ((newflags & ~(newflags >> 4)) & 0xf) {', // marker eaten: a context line, not a wrap
    '', 'This is the part I do not like.', '',
  ].join('\n');
  const set = readDocument(text);
  const h = set.patches[0].files[0].hunks[0];
  assert.deepEqual(h.lines.map((l) => l.kind + l.text), [
    ' \t\t}', ' ',
    '-\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));',
    '+\t\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC | VM_DONTCOPY));',
    ' ', ' \t\tif ((newflags & ~(newflags >> 4)) & 0xf) {',
  ].map((x) => x === ' ' ? ' ' : x));
  assert.deepEqual(set.problems.map((p) => [p.code, p.severity]), [['line-wrapped', 'info']]);
  assertPositions(text, set);
});

test('the wrapped last line of a quoted hunk is joined too, before the reviewer\'s reply', () => {
  const text = [
    '> @@ -10,2 +10,2 @@ f(', '>  \tint a;', '> -\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE |', '> VM_EXEC));',
    '', 'Comment.', '',
  ].join('\n');
  const set = readDocument(text.replace('-\tnewflags', '+\tnewflags').replace('@@ -10,2 +10,2 @@', '@@ -10,1 +10,2 @@'));
  const h = set.patches[0].files[0].hunks[0];
  assert.equal(h.lines[1].text, '\tnewflags = vm_flags | (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC));');
  assert.deepEqual(set.problems.map((p) => p.code), ['line-wrapped']);
});
