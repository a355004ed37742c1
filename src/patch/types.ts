// The reader's output. Every position is 1-based and refers to the raw input document, so a
// finding on a hunk line can be shown exactly where the user sees that line (through `> `
// quoting, quoted-printable or base64 decoding, CRLF).

export type LineKind = '+' | '-' | ' ';

export interface HunkLine {
  kind: LineKind;
  /** The line's content without the diff marker, quoting, or line ending (decoded text). */
  text: string;
  /** Document line where this line's text starts. */
  line: number;
  /** Column of the first character of `text` on that document line (1-based). For lines
   *  that came out of a transfer encoding (base64) the column is 1. */
  column: number;
  /** `\ No newline at end of file` followed this line. */
  noNewlineAtEnd?: boolean;
  /** A quoted context line whose leading space (the diff marker) the quoting ate; `text` is
   *  the whole quoted content. */
  markerMissing?: boolean;
  /** The line came out of a transfer encoding. */
  encoding?: 'quoted-printable' | 'base64';
  /** Quoted-printable lines and lines joined from format=flowed soft breaks: document line and
   *  column of every char of `text` (escapes and soft line breaks make the mapping non-linear).
   *  Use `positionInLine` from src/patch/index. */
  lineMap?: number[];
  columnMap?: number[];
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Text after the second `@@` (function context), trimmed of the single leading space. */
  header: string;
  /** The enclosing function named by `header`, when it names one (`sys_mprotect`). */
  functionName: string | null;
  /** Document line and column of the `@@` of the hunk header. */
  line: number;
  column: number;
  lines: HunkLine[];
  /** Quote depth of the hunk (absent for an unquoted hunk). */
  quoteDepth?: number;
  /** The hunk header came out of a transfer encoding. */
  encoding?: 'quoted-printable' | 'base64';
}

export interface FileDiff {
  /** Path without the `a/` prefix; null for a new file (/dev/null) or a fragment with no header. */
  oldPath: string | null;
  newPath: string | null;
  /** Document line of the first header line of this file (`diff --git`, `---`, or the first `@@`). */
  line: number;
  hunks: Hunk[];
  isNew?: boolean;
  isDeleted?: boolean;
  isRename?: boolean;
  isBinary?: boolean;
  isCopy?: boolean;
  oldMode?: string;
  newMode?: string;
}

export interface Patch {
  /** Subject without the `[PATCH ...]` prefix; null for a bare diff. */
  subject: string | null;
  version: number | null;
  index: number | null;
  total: number | null;
  from: string | null;
  date: string | null;
  /** Document line where this patch (mail or bare diff) starts. */
  line: number;
  /** Commit message lines (decoded), for rules that read the changelog. */
  message: string;
  files: FileDiff[];
  /** A 0/N mail or any mail that carries no diff. */
  isCoverLetter: boolean;
  /** How deep the hunks were quoted (0 for a patch that is not quoted). */
  quoteDepth: number;
  /** The subject carried `Re:` (a reply quoting the patch). */
  isReply?: boolean;
  /** The subject carried an RFC tag. */
  isRfc?: boolean;
}

export interface Problem {
  message: string;
  line: number;
  column?: number;
  /** Which kind of problem, stable for tests and for MM000 sub-messages. */
  code?: 'hunk-short' | 'hunk-long' | 'bad-hunk-header' | 'line-wrapped' | 'encoding' | 'binary-skipped' | 'malformed';
  /** Informational notes (a skipped binary stanza) are not MM000 errors. */
  severity?: 'error' | 'warning' | 'info';
}

export interface PatchSet {
  patches: Patch[];
  problems: Problem[];
}
