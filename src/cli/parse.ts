// `mmlens parse FILE|- [--format text|json]`: the reader's view of a document, with the
// document position of every hunk line. Big files and big standard input are read mail by
// mail (bounded memory).
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIO } from './io';
import { UsageError } from './io';
import { decodeInput, readInputOrFail } from './input';
import { readPatchSet } from '../patch/index';
import { readMboxChunks, readMboxFile, type MboxStreamResult } from '../patch/mbox-stream';
import type { Patch, PatchSet, Problem } from '../patch/types';

const USAGE = 'usage: mmlens parse FILE|- [--format text|json]';
/** Files above this size are streamed mail by mail instead of read whole. */
export const STREAM_THRESHOLD = 32 * 1024 * 1024;

interface ParseArgs {
  file: string;
  format: 'text' | 'json';
}

export function parseArgs(args: string[]): ParseArgs {
  let file: string | null = null;
  let format: 'text' | 'json' = 'text';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--format' || a.startsWith('--format=')) {
      const v = a === '--format' ? args[++i] : a.slice('--format='.length);
      if (v !== 'text' && v !== 'json') throw new UsageError(`--format must be text or json, not '${v ?? ''}'\n${USAGE}`);
      format = v;
    } else if (a === '-h' || a === '--help') {
      throw new UsageError(USAGE);
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option '${a}'\n${USAGE}`);
    } else if (file !== null) {
      throw new UsageError(`one input at a time ('${file}' and '${a}')\n${USAGE}`);
    } else file = a;
  }
  if (file === null) throw new UsageError(`no input given\n${USAGE}`);
  return { file, format };
}

/** The JSON shape of `parse --format json` (only these fields, in this order). */
export function patchJson(p: Patch) {
  return {
    subject: p.subject,
    version: p.version,
    index: p.index,
    total: p.total,
    files: p.files.map((f) => ({
      oldPath: f.oldPath,
      newPath: f.newPath,
      hunks: f.hunks.map((h) => ({
        oldStart: h.oldStart,
        oldLines: h.oldLines,
        newStart: h.newStart,
        newLines: h.newLines,
        header: h.header,
        lines: h.lines.map((l) => ({ kind: l.kind, text: l.text, line: l.line, column: l.column })),
      })),
    })),
  };
}

function problemJson(p: Problem) {
  return { message: p.message, line: p.line };
}

export function formatJson(set: PatchSet): string {
  return JSON.stringify({ patches: set.patches.map(patchJson), problems: set.problems.map(problemJson) }, null, 2) + '\n';
}

function tag(p: Patch): string {
  const bits: string[] = [];
  if (p.version !== null) bits.push(`v${p.version}`);
  if (p.index !== null && p.total !== null) bits.push(`${p.index}/${p.total}`);
  if (p.isCoverLetter) bits.push('cover letter');
  if (p.isReply) bits.push('reply');
  if (p.quoteDepth > 0) bits.push(`quoted ${p.quoteDepth} deep`);
  return bits.length ? ` [${bits.join(', ')}]` : '';
}

export function formatPatchText(p: Patch): string {
  const out: string[] = [];
  out.push(`patch at line ${p.line}: ${p.subject ?? '(no subject: bare diff)'}${tag(p)}`);
  if (p.from) out.push(`  from ${p.from}${p.date ? `, ${p.date}` : ''}`);
  for (const f of p.files) {
    const path =
      f.oldPath === null && f.newPath === null
        ? '(fragment without a file header)'
        : f.oldPath === f.newPath || f.oldPath === null || f.newPath === null
          ? `${f.newPath ?? f.oldPath}${f.isNew ? ' (new file)' : ''}${f.isDeleted ? ' (deleted)' : ''}`
          : `${f.oldPath} -> ${f.newPath}${f.isRename ? ' (renamed)' : ''}`;
    const mode =
      f.oldMode && f.newMode ? `mode ${f.oldMode} -> ${f.newMode}` : f.oldMode || f.newMode ? `mode ${f.oldMode ?? f.newMode}` : '';
    const extra = [f.isBinary ? 'binary, skipped' : '', mode]
      .filter(Boolean)
      .join(', ');
    out.push(`  ${path}  (line ${f.line})${extra ? `  ${extra}` : ''}`);
    for (const h of f.hunks) {
      const fn = h.functionName ? `  in ${h.functionName}()` : '';
      out.push(`    @@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@ ${h.header}`.trimEnd() + `  (${h.line}:${h.column})${fn}`);
      const context = h.lines.filter((l) => l.kind === ' ').length;
      for (const l of h.lines) {
        if (l.kind === ' ') continue;
        const note = l.noNewlineAtEnd ? '   (no newline at end of file)' : '';
        out.push(`      ${l.kind} ${String(l.line).padStart(5)}:${String(l.column).padEnd(3)} ${l.text}${note}`);
      }
      out.push(`      (${context} context line${context === 1 ? '' : 's'})`);
    }
  }
  return out.join('\n') + '\n';
}

function formatProblemText(p: Problem): string {
  return `line ${p.line}${p.column ? `:${p.column}` : ''}: ${p.severity ?? 'error'}: ${p.message}\n`;
}

export function formatText(set: PatchSet): string {
  let s = set.patches.map(formatPatchText).join('\n');
  if (set.problems.length) s += (s ? '\n' : '') + 'problems:\n' + set.problems.map((p) => '  ' + formatProblemText(p)).join('');
  return s;
}

/** Prints patches as the streaming reader hands them out; problems come at the end. */
async function printStreamed(
  name: string,
  format: 'text' | 'json',
  io: CliIO,
  read: (onPatch: (p: Patch) => void, onProblem: (p: Problem) => void, afterChunk: () => Promise<void>) => Promise<MboxStreamResult>,
): Promise<void> {
  const problems: Problem[] = [];
  let first = true;
  const result = await read((p) => {
    if (format === 'json') {
      const body = JSON.stringify(patchJson(p), null, 2).replace(/\n/g, '\n    ');
      io.stdout(`${first ? '{\n  "patches": [\n' : ',\n'}    ${body}`);
    } else io.stdout((first ? '' : '\n') + formatPatchText(p));
    first = false;
  }, (pr) => problems.push(pr), async () => { if (io.drain) await io.drain(); });
  if (result.error) {
    // Standard input: mails before the bad bytes may have been printed already.
    const printed = first ? '' : ` (after ${result.patches} patch${result.patches === 1 ? '' : 'es'} were printed: the output is incomplete)`;
    throw new UsageError(`${name}: ${result.error}${printed}`);
  }
  if (format === 'json') {
    const probs = JSON.stringify(problems.map(problemJson), null, 2).replace(/\n/g, '\n  ');
    io.stdout(`${first ? '{\n  "patches": [' : '\n  '}],\n  "problems": ${probs}\n}\n`);
  } else if (problems.length) {
    io.stdout((first ? '' : '\n') + 'problems:\n' + problems.map((p) => '  ' + formatProblemText(p)).join(''));
  }
}

/**
 * Standard input: read whole when it is small (the common case, and a NUL byte is refused
 * before anything is printed); past the threshold, stream the rest mail by mail.
 */
async function parseStdin(format: 'text' | 'json', io: CliIO, streamThreshold: number): Promise<boolean> {
  if (!io.stdinChunks) return false;
  const head: Buffer[] = [];
  let size = 0;
  const it = io.stdinChunks()[Symbol.asyncIterator]();
  for (;;) {
    const n = await it.next();
    if (n.done) {
      const bytes = Buffer.concat(head);
      const nul = bytes.indexOf(0);
      if (nul >= 0) throw new UsageError(`standard input: binary data (a NUL byte at offset ${nul}), not a patch`);
      const set = readPatchSet(decodeInput(bytes).text);
      io.stdout(format === 'json' ? formatJson(set) : formatText(set));
      return true;
    }
    const chunk = Buffer.isBuffer(n.value) ? n.value : Buffer.from(n.value);
    head.push(chunk);
    size += chunk.length;
    if (size > streamThreshold) break;
  }
  async function* all(): AsyncIterable<Uint8Array> {
    yield* head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  await printStreamed('standard input', format, io, (onPatch, onProblem, afterChunk) => readMboxChunks(all(), onPatch, onProblem, { afterChunk }));
  return true;
}

export async function run(args: string[], io: CliIO, streamThreshold = STREAM_THRESHOLD): Promise<number> {
  const { file, format } = parseArgs(args);
  if (file !== '-') {
    const full = resolve(io.cwd, file);
    const size = await stat(full).then((s) => (s.isFile() ? s.size : -1), () => -1);
    if (size > streamThreshold) {
      await printStreamed(file, format, io, (onPatch, onProblem, afterChunk) => readMboxFile(full, onPatch, onProblem, { afterChunk }));
      return 0;
    }
  } else if (await parseStdin(format, io, streamThreshold)) return 0;
  const input = await readInputOrFail(file, io);
  const set = readPatchSet(input.text);
  io.stdout(format === 'json' ? formatJson(set) : formatText(set));
  return 0;
}
