// Reading a big mbox file mail by mail, so memory is bounded by the largest mail rather than
// the file: the file is streamed, split on mbox `From ` lines (the same rule as splitMailbox: a
// `From ` line at the start or after a blank line, followed by a header line), and each mail is
// read with readPatchSet with its line numbers offset to the file's. A single mail is held whole.
// readMboxChunks does the same over any byte stream (standard input).
import { createReadStream } from 'node:fs';
import { countRawLines } from './document';
import { readPatchSet } from './index';
import type { Patch, Problem } from './types';

export interface MboxStreamResult {
  mails: number;
  patches: number;
  lines: number;
  bytes: number;
  /** Set when the file could not be read as text (a NUL byte, an I/O error); names no file. */
  error?: string;
}

const FROM_ = Buffer.from('From ');
const HEADER_FIELD = /^[A-Za-z0-9][A-Za-z0-9-]*[ \t]*:/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(buf: Buffer): string {
  try {
    return utf8.decode(buf);
  } catch {
    return buf.toString('latin1');
  }
}

/** Scans the file for a NUL byte (binary data) without holding it in memory. */
export async function findNulByte(path: string): Promise<number> {
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const i = (chunk as Buffer).indexOf(0);
    if (i >= 0) return offset + i;
    offset += (chunk as Buffer).length;
  }
  return -1;
}

export async function readMboxFile(
  path: string,
  onPatch: (patch: Patch) => void,
  onProblem: (problem: Problem) => void = () => {},
  options: { chunkSize?: number; afterChunk?: () => Promise<void> | void } = {},
): Promise<MboxStreamResult> {
  try {
    const nul = await findNulByte(path);
    if (nul >= 0) return { mails: 0, patches: 0, lines: 0, bytes: 0, error: `binary data (a NUL byte at offset ${nul}), not a patch` };
  } catch (e) {
    return { mails: 0, patches: 0, lines: 0, bytes: 0, error: readError(e) };
  }
  return readMboxChunks(createReadStream(path, { highWaterMark: options.chunkSize ?? 256 * 1024 }), onPatch, onProblem, options);
}

function readError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a patch file';
  return `cannot read (${(e as Error).message})`;
}

/**
 * The same, over any byte stream (standard input): a NUL byte is found only when its chunk
 * arrives, so the mails before it have already been handed out when `error` says so.
 */
export async function readMboxChunks(
  chunks: AsyncIterable<Uint8Array>,
  onPatch: (patch: Patch) => void,
  onProblem: (problem: Problem) => void = () => {},
  /** `afterChunk` is awaited after each chunk's mails were handed out (output back-pressure). */
  options: { afterChunk?: () => Promise<void> | void } = {},
): Promise<MboxStreamResult> {
  const result: MboxStreamResult = { mails: 0, patches: 0, lines: 0, bytes: 0 };
  try {
    // The current mail is kept as slices of the chunks it spans (no per-line copies).
    let mailParts: Buffer[] = [];
    let nextLine = 1;
    let prevBlank = true; // the start of the file counts as "after a blank line"

    const flush = () => {
      if (mailParts.length === 0) return;
      const bytes = mailParts.length === 1 ? mailParts[0] : Buffer.concat(mailParts);
      mailParts = [];
      if (bytes.length === 0) return;
      const text = decode(bytes);
      result.mails++;
      const set = readPatchSet(text, nextLine);
      nextLine += countRawLines(text);
      for (const p of set.patches) {
        result.patches++;
        onPatch(p);
      }
      for (const pr of set.problems) onProblem(pr);
    };

    /** Walks the complete lines of `buf`; returns where the unprocessed tail starts. With
     *  `final`, the last line needs no line break. */
    const walk = (buf: Buffer, final: boolean): number => {
      let mailStart = 0;
      let pos = 0;
      while (pos < buf.length) {
        let nl = buf.indexOf(10, pos);
        if (nl < 0) {
          if (!final) break;
          nl = buf.length;
        }
        const end = nl > pos && buf[nl - 1] === 13 ? nl - 1 : nl;
        const isFrom = prevBlank && end - pos > 5 && buf.compare(FROM_, 0, 5, pos, pos + 5) === 0;
        if (isFrom) {
          // A separator only if the next line is a header: that line must be complete here.
          const nextStart = nl + 1;
          let nextNl = buf.indexOf(10, nextStart);
          if (nextNl < 0 && !final) {
            mailParts.push(buf.subarray(mailStart, pos));
            return pos;
          }
          if (nextNl < 0) nextNl = buf.length;
          const next = buf.toString('latin1', Math.min(nextStart, buf.length), nextNl);
          if (HEADER_FIELD.test(next)) {
            mailParts.push(buf.subarray(mailStart, pos));
            flush();
            mailStart = pos;
          }
        }
        prevBlank = end === pos;
        pos = nl + 1;
      }
      mailParts.push(buf.subarray(mailStart, Math.min(pos, buf.length)));
      return Math.min(pos, buf.length);
    };

    let rest: Buffer = Buffer.alloc(0);
    for await (const raw of chunks) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        result.lines = nextLine - 1;
        return { ...result, error: `binary data (a NUL byte at offset ${result.bytes + nul}), not a patch` };
      }
      result.bytes += chunk.length;
      const buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      const done = walk(buf, false);
      rest = Buffer.from(buf.subarray(done));
      if (options.afterChunk) await options.afterChunk();
    }
    if (rest.length) walk(rest, true);
    flush();
    result.lines = nextLine - 1;
    return result;
  } catch (e) {
    return { ...result, error: readError(e) };
  }
}
