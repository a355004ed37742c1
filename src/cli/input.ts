// Reading a command's input: a file or `-` (standard input). Unreadable input (a missing file, a
// directory, binary data) is reported with the file's name; text is UTF-8, or Latin-1 when the
// bytes are not valid UTF-8 (old mails often are).
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliIO, UsageError } from './io';

export interface InputText {
  /** The name as given (`-` for standard input). */
  path: string;
  text: string;
  /** The bytes were not valid UTF-8 and were read as Latin-1. */
  latin1: boolean;
}

export interface InputError {
  path: string;
  /** A message naming the input: `mm.patch: no such file`. */
  error: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes to text: UTF-8 (a leading BOM dropped) or, when not valid UTF-8, Latin-1. */
export function decodeInput(bytes: Uint8Array): { text: string; latin1: boolean } {
  try {
    return { text: utf8.decode(bytes), latin1: false };
  } catch {
    let text = '';
    const CHUNK = 8192;
    for (let i = 0; i < bytes.length; i += CHUNK) {
      text += String.fromCharCode(...bytes.subarray(i, Math.min(i + CHUNK, bytes.length)));
    }
    return { text, latin1: true };
  }
}

function describe(path: string): string {
  return path === '-' ? 'standard input' : path;
}

/** Reads `pathOrDash`; never throws: unreadable input comes back as `{ path, error }`. */
export async function readInput(pathOrDash: string, io: CliIO): Promise<InputText | InputError> {
  const name = describe(pathOrDash);
  let bytes: Uint8Array;
  if (pathOrDash === '-') {
    try {
      bytes = await io.readStdin();
    } catch (e) {
      return { path: pathOrDash, error: `${name}: cannot read (${(e as Error).message})` };
    }
  } else {
    const full = resolve(io.cwd, pathOrDash);
    try {
      const st = await stat(full);
      if (st.isDirectory()) return { path: pathOrDash, error: `${name}: is a directory, not a patch file` };
      bytes = await readFile(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { path: pathOrDash, error: `${name}: no such file` };
      if (code === 'EACCES' || code === 'EPERM') return { path: pathOrDash, error: `${name}: permission denied` };
      if (code === 'EISDIR') return { path: pathOrDash, error: `${name}: is a directory, not a patch file` };
      return { path: pathOrDash, error: `${name}: cannot read (${(e as Error).message})` };
    }
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return { path: pathOrDash, error: `${name}: binary data (a NUL byte at offset ${nul}), not a patch` };
  }
  const { text, latin1 } = decodeInput(bytes);
  return { path: pathOrDash, text, latin1 };
}

/** Reads `pathOrDash` or throws a UsageError naming it (exit status 2). */
export async function readInputOrFail(pathOrDash: string, io: CliIO): Promise<InputText> {
  const r = await readInput(pathOrDash, io);
  if ('error' in r) throw new UsageError(r.error);
  return r;
}
