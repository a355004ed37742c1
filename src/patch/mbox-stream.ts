// Reading a big mbox file mail by mail, so memory is bounded by the largest mail rather than
// the file: the file is streamed, split on mbox `From ` lines (the same rule as splitMailbox: a
// `From ` line at the start or after a blank line, followed by a header line), and each mail is
// read with readPatchSet with its line numbers offset to the file's. A single mail is held whole.
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

function isBlank(line: Buffer): boolean {
  return line.length === 0 || (line.length === 1 && line[0] === 13);
}

/** Scans the file for a NUL byte (binary data) without holding it in memory. */
export async function findNulByte(path: string): Promise<number> {
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
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
): Promise<MboxStreamResult> {
  const result: MboxStreamResult = { mails: 0, patches: 0, lines: 0, bytes: 0 };
  try {
    const nul = await findNulByte(path);
    if (nul >= 0) return { ...result, error: `binary data (a NUL byte at offset ${nul}), not a patch` };

    let mail: Buffer[] = [];
    let prevBlank = true; // the start of the file counts as "after a blank line"
    let candidate: Buffer | null = null; // a `From ` line waiting for its next line
    let nextLine = 1;

    const flush = () => {
      if (mail.length === 0) return;
      const text = decode(Buffer.concat(mail));
      mail = [];
      result.mails++;
      const set = readPatchSet(text, nextLine);
      nextLine += countRawLines(text);
      for (const p of set.patches) {
        result.patches++;
        onPatch(p);
      }
      for (const pr of set.problems) onProblem(pr);
    };

    const takeLine = (line: Buffer, withBreak: Buffer) => {
      if (candidate) {
        const c = candidate;
        candidate = null;
        const body = line[line.length - 1] === 13 ? line.subarray(0, -1) : line;
        if (HEADER_FIELD.test(body.toString('latin1'))) flush();
        mail.push(c);
      }
      if (prevBlank && line.length > 5 && line.subarray(0, 5).equals(FROM_)) {
        candidate = withBreak;
        prevBlank = false;
        return;
      }
      mail.push(withBreak);
      prevBlank = isBlank(line);
    };

    let rest: Buffer = Buffer.alloc(0);
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const buf = rest.length ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
      result.bytes += (chunk as Buffer).length;
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        // Copy: the chunk must not be kept alive by a slice of it.
        const withBreak = Buffer.from(buf.subarray(start, nl + 1));
        takeLine(withBreak.subarray(0, withBreak.length - 1), withBreak);
        start = nl + 1;
      }
      rest = Buffer.from(buf.subarray(start));
    }
    if (rest.length) takeLine(rest, rest);
    if (candidate) mail.push(candidate);
    flush();
    result.lines = nextLine - 1;
    return result;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ...result, error: 'no such file' };
    if (code === 'EISDIR') return { ...result, error: 'is a directory, not a patch file' };
    return { ...result, error: `cannot read (${(e as Error).message})` };
  }
}
