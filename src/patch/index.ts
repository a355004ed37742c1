// The patch reader: document text -> PatchSet. Splits an mbox into mails, reads each mail's
// headers and (decoded, unquoted) body, and scans the body for diffs. Never throws.
import { scanDiff } from './diff-scanner';
import { splitRawLines } from './document';
import { headerValue, parseHeaders, parseSubject, splitMailbox, type Headers, type MailRange } from './mail';
import { bodyLines, plainSourceLine } from './mail-body';
import type { RawLine } from './document';
import type { HunkLine, Patch, PatchSet, Problem } from './types';

export type { PatchSet, Patch, FileDiff, Hunk, HunkLine, LineKind, Problem } from './types';
export { functionNameOf } from './function-name';
export { parseSubject } from './mail';

/** Reads every patch in `text` (a diff, a format-patch mail, an mbox, a reply quoting a patch).
 *  `firstLine` numbers the first line of `text` (for a mail cut out of a bigger file). */
export function readPatchSet(text: string, firstLine = 1): PatchSet {
  try {
    return readDocument(text, firstLine);
  } catch (e) {
    // A reader bug must not take the caller down; say so where the user will see it.
    return {
      patches: [],
      problems: [{ message: `internal error while reading the patch: ${(e as Error)?.message ?? e}`, line: firstLine, code: 'malformed', severity: 'error' }],
    };
  }
}

/** Like readPatchSet but lets internal errors through (for tests). */
export function readDocument(text: string, firstLine = 1): PatchSet {
  const raw = splitRawLines(text, firstLine);
  const patches: Patch[] = [];
  const problems: Problem[] = [];
  for (const range of splitMailbox(raw)) {
    const p = readMail(raw, range, problems);
    if (p) patches.push(p);
  }
  problems.sort((a, b) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  return { patches, problems };
}

const IN_BODY_HEADER = /^(From|Subject|Date):\s*(.*)$/;

function readMail(raw: RawLine[], range: MailRange, problems: Problem[]): Patch | null {
  let headers: Headers | null = null;
  let body;
  if (range.hasHeaders) {
    headers = parseHeaders(raw, range.start + (range.envelope ? 1 : 0), range.end);
    body = bodyLines(raw, headers.bodyStart, range.end, headers, range.envelope, problems);
  } else {
    body = raw.slice(range.start, range.end).map((r) => plainSourceLine(r, range.envelope));
  }
  const scan = scanDiff(body);
  for (const p of scan.problems) problems.push(p);

  let subjectText = headers ? headerValue(headers, 'subject') : null;
  let from = headers ? headerValue(headers, 'from') : null;
  let date = headers ? headerValue(headers, 'date') : null;
  // git am's in-body headers: `From:`/`Subject:`/`Date:` lines opening the body override the mail's.
  const message = scan.messageLines.slice();
  while (message.length && message[0].trim() === '') message.shift();
  if (headers) {
    let n = 0;
    while (n < message.length) {
      const m = IN_BODY_HEADER.exec(message[n]);
      if (!m) break;
      if (m[1] === 'From') from = m[2];
      else if (m[1] === 'Subject') subjectText = m[2];
      else date = m[2];
      n++;
    }
    if (n > 0 && (n === message.length || message[n].trim() === '')) message.splice(0, n);
  }
  while (message.length && message[0].trim() === '') message.shift();
  while (message.length && message[message.length - 1].trim() === '') message.pop();

  const subject = subjectText !== null ? parseSubject(subjectText) : null;
  if (scan.files.length === 0 && !(subject && subject.tagged)) return null;

  const patch: Patch = {
    subject: subject ? subject.subject : null,
    version: subject?.version ?? null,
    index: subject?.index ?? null,
    total: subject?.total ?? null,
    from,
    date,
    line: headers || scan.files.length === 0 ? raw[range.start].line : scan.files[0].line,
    message: message.join('\n'),
    files: scan.files,
    isCoverLetter: scan.files.length === 0 || subject?.index === 0,
    quoteDepth: scan.quoteDepth,
  };
  if (subject?.isReply) patch.isReply = true;
  if (subject?.isRfc) patch.isRfc = true;
  return patch;
}

/** Document position of char `i` of a hunk line's text (exact through quoted-printable). */
export function positionInLine(l: HunkLine, i: number): { line: number; column: number } {
  if (l.encoding === 'base64') return { line: l.line, column: 1 };
  if (l.lineMap && l.columnMap) {
    if (i < l.lineMap.length) return { line: l.lineMap[i], column: l.columnMap[i] };
    const last = l.lineMap.length - 1;
    if (last >= 0) return { line: l.lineMap[last], column: l.columnMap[last] + 1 };
  }
  return { line: l.line, column: l.column + i };
}
