// A mail's body as SourceLines: MIME parts walked, transfer encodings decoded, `>From`
// unescaped (mbox), quoting stripped, each line keeping its raw document position.
import type { RawLine } from './document';
import { headerValue, parseContentType, parseHeaders, type Headers } from './mail';
import { mboxEscapeLength, quotePrefix } from './quoting';
import { positionAt, type SourceLine } from './source-line';
import { decodeBase64, decodeQuotedPrintable, type DecodedLine } from './transfer-encoding';
import type { Problem } from './types';

const SKIPPED_TYPES = /^(?:image|audio|video|font)\/|^application\/(?:pgp-signature|(?:x-)?pkcs7-signature|pgp-keys|zip|gzip|x-gzip|pdf)/;
const MAX_MIME_DEPTH = 8;

export function bodyLines(
  raw: RawLine[],
  start: number,
  end: number,
  headers: Headers | null,
  envelope: boolean,
  problems: Problem[],
  depth = 0,
): SourceLine[] {
  const ct = parseContentType(headers ? headerValue(headers, 'content-type') : null);
  const boundary = ct.params.get('boundary');
  if (ct.type.startsWith('multipart/') && boundary && depth < MAX_MIME_DEPTH) {
    return multipartLines(raw, start, end, boundary, ct.type === 'multipart/alternative', envelope, problems, depth);
  }
  if (SKIPPED_TYPES.test(ct.type)) return [];
  if (ct.type === 'message/rfc822' && depth < MAX_MIME_DEPTH) {
    // A forwarded mail: its own headers say how its body is encoded.
    const inner = parseHeaders(raw, start, end);
    return bodyLines(raw, inner.bodyStart, end, inner, envelope, problems, depth + 1);
  }
  const cte = (headers ? headerValue(headers, 'content-transfer-encoding') : null)?.trim().toLowerCase() ?? '';
  const charset = ct.params.get('charset') ?? null;
  // format=flowed (RFC 3676) space-stuffs unquoted lines that start with a space: a context
  // line ` foo` arrives as `  foo`. (Quoted lines need nothing: the stuffing space after the
  // last `>` is taken with the quote mark.) A line ending in a space is a soft line break: the
  // client wrapped a long line there, and it is joined with the next (see joinFlowed).
  const flowed = (ct.params.get('format') ?? '').toLowerCase() === 'flowed';
  const delsp = (ct.params.get('delsp') ?? '').toLowerCase() === 'yes';
  let lines: SourceLine[];
  if (cte === 'quoted-printable') lines = decodedToSource(decodeQuotedPrintable(raw.slice(start, end), charset, problems), flowed);
  else if (cte === 'base64') lines = decodedToSource(decodeBase64(raw.slice(start, end), charset, problems), flowed);
  else {
    lines = new Array(Math.max(0, end - start));
    for (let i = start; i < end; i++) lines[i - start] = plainSourceLine(raw[i], envelope, flowed);
  }
  return flowed ? joinFlowed(lines, delsp) : lines;
}

/**
 * RFC 3676 soft line breaks: a line that ends in a space continues on the next line at the same
 * quote depth (with DelSp=yes that space is the sender's and goes). Two exceptions keep
 * patches whole: the `-- ` signature separator (the RFC's own), and a line of spaces only,
 * which in a patch is an empty context line (` `, stuffed to `  `), not a wrapped one. The
 * joined line maps every char back to its raw line and column (lineMap/columnMap).
 */
export function joinFlowed(lines: SourceLine[], delsp: boolean): SourceLine[] {
  const out: SourceLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    let s = lines[i];
    while (i + 1 < lines.length && isSoftBreak(s) && lines[i + 1].depth === s.depth) {
      s = joinTwo(s, lines[i + 1], delsp);
      i++;
    }
    out.push(s);
  }
  return out;
}

function isSoftBreak(s: SourceLine): boolean {
  const t = s.text;
  return t.length > 0 && t.charCodeAt(t.length - 1) === 32 && t !== '-- ' && !/^ +$/.test(t);
}

function joinTwo(a: SourceLine, b: SourceLine, delsp: boolean): SourceLine {
  const keep = delsp ? a.text.length - 1 : a.text.length;
  const text = a.text.slice(0, keep) + b.text;
  const encoding = a.encoding ?? b.encoding;
  if (encoding === 'base64') return { text, depth: a.depth, line: a.line, column: 1, encoding };
  const lineMap: number[] = new Array(text.length);
  const columnMap: number[] = new Array(text.length);
  for (let i = 0; i < keep; i++) {
    const p = positionAt(a, i);
    lineMap[i] = p.line;
    columnMap[i] = p.column;
  }
  for (let i = 0; i < b.text.length; i++) {
    const p = positionAt(b, i);
    lineMap[keep + i] = p.line;
    columnMap[keep + i] = p.column;
  }
  const joined: SourceLine = { text, depth: a.depth, line: a.line, column: a.column, lineMap, columnMap };
  if (encoding) joined.encoding = encoding;
  return joined;
}

export function plainSourceLine(r: RawLine, envelope: boolean, flowed = false): SourceLine {
  let t = r.text;
  const esc = envelope ? mboxEscapeLength(t) : 0;
  if (esc) t = t.slice(esc);
  const q = quotePrefix(t);
  const stuffed = flowed && q.depth === 0 && t.charCodeAt(0) === 32 ? 1 : 0;
  const cut = q.prefix + stuffed;
  return { text: cut ? t.slice(cut) : t, depth: q.depth, line: r.line, column: 1 + esc + cut };
}

function decodedToSource(decoded: DecodedLine[], flowed: boolean): SourceLine[] {
  return decoded.map((d) => {
    const q0 = quotePrefix(d.text);
    const q = { depth: q0.depth, prefix: q0.prefix + (flowed && q0.depth === 0 && d.text.charCodeAt(0) === 32 ? 1 : 0) };
    const whole: SourceLine = { text: d.text, depth: 0, line: d.line, column: 1, encoding: d.encoding, lineMap: d.lineMap, columnMap: d.columnMap };
    const pos = positionAt(whole, q.prefix);
    const s: SourceLine = { text: d.text.slice(q.prefix), depth: q.depth, line: pos.line, column: pos.column, encoding: d.encoding };
    if (d.lineMap && d.columnMap) {
      s.lineMap = d.lineMap.slice(q.prefix);
      s.columnMap = d.columnMap.slice(q.prefix);
    }
    if (d.encoding === 'base64') {
      s.line = d.line;
      s.column = 1;
    }
    return s;
  });
}

function multipartLines(
  raw: RawLine[],
  start: number,
  end: number,
  boundary: string,
  alternative: boolean,
  envelope: boolean,
  problems: Problem[],
  depth: number,
): SourceLine[] {
  const open = '--' + boundary;
  const close = open + '--';
  const parts: { headers: Headers; end: number }[] = [];
  let partStart = -1;
  const flush = (partEnd: number) => {
    if (partStart < 0) return;
    parts.push({ headers: parseHeaders(raw, partStart, partEnd), end: partEnd });
  };
  for (let i = start; i < end; i++) {
    const t = raw[i].text.trimEnd();
    if (t === close) {
      flush(i);
      partStart = -1;
      break;
    }
    if (t === open) {
      flush(i);
      partStart = i + 1;
    }
  }
  if (partStart >= 0) flush(end);
  // multipart/alternative holds the same text twice (plain and HTML): read only the plain one.
  let chosen = parts;
  if (alternative && parts.length > 1) {
    const plain = parts.find((p) => parseContentType(headerValue(p.headers, 'content-type')).type === 'text/plain');
    chosen = [plain ?? parts[parts.length - 1]];
  }
  const out: SourceLine[] = [];
  for (const p of chosen) {
    for (const l of bodyLines(raw, p.headers.bodyStart, p.end, p.headers, envelope, problems, depth + 1)) out.push(l);
  }
  return out;
}
