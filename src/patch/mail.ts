// Mail structure: splitting an mbox into mails, header fields (with folding and RFC 2047
// encoded words), MIME parts, and the `[PATCH v2 3/7]` subject tags.
import type { RawLine } from './document';

const HEADER_FIELD = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:/;
const MAIL_HEADERS = new Set([
  'from', 'subject', 'date', 'to', 'cc', 'message-id', 'in-reply-to', 'references',
  'return-path', 'received', 'mime-version', 'content-type', 'content-transfer-encoding',
  'delivered-to', 'reply-to', 'sender', 'x-mailer', 'user-agent',
]);

export interface MailRange {
  /** Index (into the raw lines) of the first line of this section. */
  start: number;
  end: number;
  /** Starts with an mbox `From ` envelope line. */
  envelope: boolean;
  /** Starts with a header block (envelope or not). */
  hasHeaders: boolean;
}

function isMboxSeparator(raw: RawLine[], i: number): boolean {
  const t = raw[i].text;
  if (!t.startsWith('From ') || t.length < 6) return false;
  if (i > 0 && raw[i - 1].text !== '') return false;
  return i + 1 < raw.length && HEADER_FIELD.test(raw[i + 1].text);
}

/** True when lines from `start` form a mail header block that names at least one mail field. */
export function startsWithHeaders(raw: RawLine[], start: number, end: number): boolean {
  let known = false;
  for (let i = start; i < end; i++) {
    const t = raw[i].text;
    if (t === '') return known;
    const m = HEADER_FIELD.exec(t);
    if (m) {
      if (MAIL_HEADERS.has(m[1].toLowerCase())) known = true;
    } else if (!(i > start && (t[0] === ' ' || t[0] === '\t'))) {
      return false;
    }
  }
  return known;
}

/** Splits the document into mails on mbox `From ` lines (a `From ` line at the start or after a
 *  blank line, followed by a header line). Text before the first mail is its own section. */
export function splitMailbox(raw: RawLine[]): MailRange[] {
  const starts: number[] = [];
  for (let i = 0; i < raw.length; i++) if (isMboxSeparator(raw, i)) starts.push(i);
  const out: MailRange[] = [];
  const first = starts.length ? starts[0] : raw.length;
  if (first > 0) {
    out.push({ start: 0, end: first, envelope: false, hasHeaders: startsWithHeaders(raw, 0, first) });
  }
  for (let k = 0; k < starts.length; k++) {
    const end = k + 1 < starts.length ? starts[k + 1] : raw.length;
    out.push({ start: starts[k], end, envelope: true, hasHeaders: true });
  }
  return out;
}

export interface Headers {
  /** Lower-cased field name -> unfolded values in order. */
  fields: Map<string, string[]>;
  /** Raw line index where the body starts. */
  bodyStart: number;
  /** Raw line number of each field's first line. */
  lineOf: Map<string, number>;
}

export function parseHeaders(raw: RawLine[], start: number, end: number): Headers {
  const fields = new Map<string, string[]>();
  const lineOf = new Map<string, number>();
  let last: { name: string; index: number } | null = null;
  let i = start;
  for (; i < end; i++) {
    const t = raw[i].text;
    if (t === '') { i++; break; }
    if ((t[0] === ' ' || t[0] === '\t') && last) {
      const vals = fields.get(last.name)!;
      vals[last.index] += ' ' + t.trim();
      continue;
    }
    const m = HEADER_FIELD.exec(t);
    if (!m) break; // no blank line before the body
    const name = m[1].toLowerCase();
    const value = t.slice(m[0].length).trim();
    const vals = fields.get(name) ?? [];
    vals.push(value);
    fields.set(name, vals);
    if (!lineOf.has(name)) lineOf.set(name, raw[i].line);
    last = { name, index: vals.length - 1 };
  }
  return { fields, bodyStart: i, lineOf };
}

export function headerValue(h: Headers, name: string): string | null {
  const v = h.fields.get(name);
  return v && v.length ? decodeEncodedWords(v[0]) : null;
}

export interface ContentType {
  type: string;
  params: Map<string, string>;
}

export function parseContentType(value: string | null): ContentType {
  if (!value) return { type: 'text/plain', params: new Map() };
  const [type, ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    params.set(p.slice(0, eq).trim().toLowerCase(), v);
  }
  return { type: type.trim().toLowerCase(), params };
}

const ENCODED_WORD = /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g;

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`) in a header value. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(ENCODED_WORD, (whole, charset: string, enc: string, data: string) => {
      let bytes: number[];
      if (enc.toLowerCase() === 'b') {
        try {
          bytes = Array.from(atob(data.replace(/[^A-Za-z0-9+/=]/g, '')), (c) => c.charCodeAt(0));
        } catch {
          return whole;
        }
      } else {
        bytes = [];
        const s = data.replace(/_/g, ' ');
        for (let i = 0; i < s.length; i++) {
          if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
            bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
            i += 2;
          } else bytes.push(s.charCodeAt(i) & 0xff);
        }
      }
      const u8 = Uint8Array.from(bytes);
      const cs = charset.toLowerCase().split('*')[0];
      if (cs === 'utf-8' || cs === 'utf8') {
        try {
          return new TextDecoder('utf-8', { fatal: true }).decode(u8);
        } catch {
          /* fall through to Latin-1 */
        }
      }
      let latin1 = '';
      for (const b of u8) latin1 += String.fromCharCode(b);
      return latin1;
    });
}

export interface SubjectInfo {
  /** Subject without reply prefixes and bracket tags. */
  subject: string;
  version: number | null;
  index: number | null;
  total: number | null;
  /** A `[PATCH ...]`/`[RFC ...]` tag was present. */
  tagged: boolean;
  isReply: boolean;
  isRfc: boolean;
}

const REPLY_PREFIX = /^\s*(?:re|aw|sv|fwd?|fw)\s*(?:\[\d+\])?\s*:\s*/i;

export function parseSubject(raw: string): SubjectInfo {
  let s = raw.trim();
  let isReply = false;
  let version: number | null = null;
  let index: number | null = null;
  let total: number | null = null;
  let tagged = false;
  let isRfc = false;
  for (;;) {
    const re = REPLY_PREFIX.exec(s);
    if (re) {
      isReply = true;
      s = s.slice(re[0].length);
      continue;
    }
    const tag = /^\[([^\]]*)\]\s*/.exec(s);
    if (!tag) break;
    const body = tag[1];
    // Mailing list tags (`[Linux-mm]`) are dropped too, but only PATCH/RFC tags count.
    if (/\b(?:PATCH|RFC)\b/i.test(body)) {
      tagged = true;
      if (/\bRFC\b/i.test(body)) isRfc = true;
      const v = /(?:^|[\s,])v(\d+)(?=$|[\s,\]])/i.exec(body);
      if (v) version = Number(v[1]);
      const n = /(?:^|[\s,])(\d+)\/(\d+)(?=$|[\s,])/.exec(body);
      if (n) {
        index = Number(n[1]);
        total = Number(n[2]);
      }
    }
    s = s.slice(tag[0].length);
  }
  return { subject: s.trim(), version, index, total, tagged, isReply, isRfc };
}
