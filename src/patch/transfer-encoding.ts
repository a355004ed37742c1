// Content-Transfer-Encoding: quoted-printable and base64 bodies decoded into lines, each knowing
// where it came from in the raw document. Quoted-printable keeps an exact raw position for every
// decoded char; base64 keeps the raw line where each decoded line starts (column 1).
import { chooseCharset, decodeBytes } from './charset';
import type { RawLine } from './document';
import type { Problem } from './types';

export interface DecodedLine {
  text: string;
  line: number;
  encoding: 'quoted-printable' | 'base64';
  /** quoted-printable only: raw line/column of each char of `text`. */
  lineMap?: number[];
  columnMap?: number[];
}

class ByteBuffer {
  bytes = new Uint8Array(1024);
  lines = new Int32Array(1024);
  cols = new Int32Array(1024);
  length = 0;
  push(b: number, line: number, col: number): void {
    if (this.length === this.bytes.length) {
      const grow = <T extends Uint8Array | Int32Array>(a: T): T => {
        const n = new (a.constructor as { new (n: number): T })(a.length * 2);
        n.set(a);
        return n;
      };
      this.bytes = grow(this.bytes);
      this.lines = grow(this.lines);
      this.cols = grow(this.cols);
    }
    this.bytes[this.length] = b;
    this.lines[this.length] = line;
    this.cols[this.length] = col;
    this.length++;
  }
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

const HEX = /^[0-9A-Fa-f]{2}$/;
const encoder = new TextEncoder();

export function decodeQuotedPrintable(raw: RawLine[], charsetName: string | null, problems: Problem[]): DecodedLine[] {
  const buf = new ByteBuffer();
  for (let r = 0; r < raw.length; r++) {
    const { text, line } = raw[r];
    let end = text.length;
    // Trailing whitespace is transport padding in quoted-printable.
    while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
    const soft = end > 0 && text[end - 1] === '=';
    if (soft) end--;
    for (let i = 0; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 61 /* = */ && i + 2 < end + 1 &&  HEX.test(text.slice(i + 1, i + 3))) {
        buf.push(parseInt(text.slice(i + 1, i + 3), 16), line, i + 1);
        i += 2;
      } else if (c < 0x80) {
        buf.push(c, line, i + 1);
      } else {
        // An 8-bit char left unencoded: take it as it stands in the document.
        const cp = text.codePointAt(i)!;
        const len = cp > 0xffff ? 2 : 1;
        for (const b of encoder.encode(text.slice(i, i + len))) buf.push(b, line, i + 1);
        i += len - 1;
      }
    }
    if (!soft) buf.push(10, line, end + 1);
  }
  const bytes = buf.view();
  const { charset, fellBack } = chooseCharset(charsetName, bytes);
  if (fellBack && raw.length) {
    problems.push({
      message: 'quoted-printable body is not valid UTF-8; read as Latin-1',
      line: raw[0].line,
      code: 'encoding',
      severity: 'info',
    });
  }
  const out: DecodedLine[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 10) continue;
    if (i === bytes.length && start === i) break;
    let end = i;
    if (end > start && bytes[end - 1] === 13) end--;
    const d = decodeBytes(bytes, start, end, charset);
    const lineMap = d.byteOf.map((b) => buf.lines[start + b]);
    const columnMap = d.byteOf.map((b) => buf.cols[start + b]);
    const at = start < buf.length ? start : buf.length - 1;
    out.push({ text: d.text, line: buf.lines[at], encoding: 'quoted-printable', lineMap, columnMap });
    start = i + 1;
  }
  return out;
}

const B64 = new Int16Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64[c.charCodeAt(0)] = i));

export function decodeBase64(raw: RawLine[], charsetName: string | null, problems: Problem[]): DecodedLine[] {
  const buf = new ByteBuffer();
  const quad = [0, 0, 0, 0];
  let n = 0;
  let quadLine = 0;
  let badReported = false;
  let ended = false;
  for (const { text, line } of raw) {
    if (ended) break;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9) continue;
      if (c === 61 /* = */) {
        // Padding: flush what the partial quad holds and stop.
        if (n >= 2) buf.push(((quad[0] << 2) | (quad[1] >> 4)) & 0xff, quadLine, 1);
        if (n >= 3) buf.push(((quad[1] << 4) | (quad[2] >> 2)) & 0xff, quadLine, 1);
        n = 0;
        ended = true;
        break;
      }
      const v = c < 128 ? B64[c] : -1;
      if (v < 0) {
        if (!badReported) {
          problems.push({ message: `invalid base64 character '${text[i]}' skipped`, line, column: i + 1, code: 'encoding', severity: 'warning' });
          badReported = true;
        }
        continue;
      }
      if (n === 0) quadLine = line;
      quad[n++] = v;
      if (n === 4) {
        buf.push(((quad[0] << 2) | (quad[1] >> 4)) & 0xff, quadLine, 1);
        buf.push(((quad[1] << 4) | (quad[2] >> 2)) & 0xff, quadLine, 1);
        buf.push(((quad[2] << 6) | quad[3]) & 0xff, quadLine, 1);
        n = 0;
      }
    }
  }
  if (n === 1 && raw.length) {
    problems.push({ message: 'base64 body ends in the middle of a group', line: quadLine, code: 'encoding', severity: 'warning' });
  } else if (n >= 2) {
    buf.push(((quad[0] << 2) | (quad[1] >> 4)) & 0xff, quadLine, 1);
    if (n === 3) buf.push(((quad[1] << 4) | (quad[2] >> 2)) & 0xff, quadLine, 1);
  }
  const bytes = buf.view();
  const { charset, fellBack } = chooseCharset(charsetName, bytes);
  if (fellBack && raw.length) {
    problems.push({ message: 'base64 body is not valid UTF-8; read as Latin-1', line: raw[0].line, code: 'encoding', severity: 'info' });
  }
  const out: DecodedLine[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 10 && bytes[i] !== 13) continue;
    if (i === bytes.length && start === i) break;
    const d = decodeBytes(bytes, start, i, charset);
    const at = start < buf.length ? start : buf.length - 1;
    out.push({ text: d.text, line: buf.lines[at], encoding: 'base64' });
    if (i < bytes.length && bytes[i] === 13 && bytes[i + 1] === 10) i++;
    start = i + 1;
  }
  return out;
}
