// The diff itself: file headers (`diff --git`, `---`/`+++`, git's extended headers), hunks and
// their lines, over lines that are already decoded and unquoted. A hunk ends when its line
// counts are used up (so the `-- ` mail signature after the last hunk is not a removed line);
// a hunk whose counts do not match what follows becomes a problem, and the lines read are kept.
//
// Quoted patches are whitespace-mangled by mail clients. The repairs, all of them: inside a
// hunk, (1) a quoted line with no diff marker is a context line whose marker space the quoting
// ate (its text is the whole content, so the position stays exact); (2) an empty line is an
// empty context line; (3) an unquoted line starting with a tab is a context line whose marker
// space was stripped. Spaces that replaced tabs are left as they are: positions stay exact and
// C does not care.
import { functionNameOf } from './function-name';
import { positionAt, type SourceLine } from './source-line';
import type { FileDiff, Hunk, HunkLine, LineKind, Problem } from './types';

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;
const SNIP = /^\s*(?:\[\s*(?:\.\.\.|…|snip[^\]]*)\s*\]|<\s*snip\s*>|\.\.\.|…|\[?\s*snip(?:ped)?\b.*)\s*$/i;
const BINARY_LINE = /^(?:literal \d+|delta \d+|[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]*)$/;
/** Top-level directories of the kernel tree: a path that starts with one has no `a/`-style prefix. */
const KERNEL_TOP = new Set([
  'arch', 'block', 'certs', 'crypto', 'Documentation', 'drivers', 'fs', 'include', 'init',
  'io_uring', 'ipc', 'kernel', 'lib', 'mm', 'net', 'rust', 'samples', 'scripts', 'security',
  'sound', 'tools', 'usr', 'virt', 'MAINTAINERS', 'Makefile', 'CREDITS', 'COPYING', 'Kconfig',
]);

export interface ScanResult {
  files: FileDiff[];
  /** Lines before the first diff and before the `---` that ends a commit message. */
  messageLines: string[];
  problems: Problem[];
  /** Deepest quote depth of a hunk. */
  quoteDepth: number;
}

interface QuotedRun {
  file: FileDiff;
  depth: number;
  /** oldStart + oldLines of its last hunk: a later hunk of the same file starts there or after. */
  end: number;
  gap: boolean;
}

interface OpenHunk {
  hunk: Hunk;
  depth: number;
  oldLeft: number;
  newLeft: number;
  longReported: boolean;
  wrapReported?: boolean;
}

/** A line of C that cannot end where it does: an open parenthesis, or a trailing binary
 *  operator or comma (what a wrap in the middle of an expression leaves). */
function unfinished(text: string): boolean {
  let depth = 0;
  for (const ch of text) depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
  return depth > 0 || /(?:[|&+*\/,=<>^-]|\|\||&&)\s*$/.test(text) && !/(?:\+\+|--)\s*$/.test(text);
}

/** Document position of char `k` of a hunk line (the same rule as positionAt). */
function hunkLinePosition(l: HunkLine, k: number): { line: number; column: number } {
  return positionAt({ text: l.text, depth: 0, line: l.line, column: l.column, encoding: l.encoding, lineMap: l.lineMap, columnMap: l.columnMap }, k);
}

/** Path from a `---`/`+++` line or `diff --git` operand: unquoted, timestamp dropped. */
function cleanPath(p: string): string | null {
  let s = p;
  const tab = s.indexOf('\t');
  if (tab >= 0) s = s.slice(0, tab);
  s = s.trim();
  if (s.startsWith('"') && s.endsWith('"') && s.length >= 2) s = unquoteC(s.slice(1, -1));
  else {
    // `--- linux-2.6.13/mm/mprotect.c 2005-11-08 10:12:44.000000000 +0200` (space-separated date)
    const date = /\s\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [+-]\d{4})?$/.exec(s);
    if (date) s = s.slice(0, date.index).trimEnd();
  }
  if (s === '/dev/null' || s === '') return null;
  return s;
}

function unquoteC(s: string): string {
  return s.replace(/\\([0-7]{3}|.)/g, (_, e: string) => {
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return ({ n: '\n', t: '\t', '"': '"', '\\': '\\' } as Record<string, string>)[e] ?? e;
  });
}

/** Drops the one leading directory (`a/`, `b/`, `linux-2.6.13.orig/`) that `patch -p1` drops. */
function stripPrefixes(oldPath: string | null, newPath: string | null): [string | null, string | null] {
  const strip = (p: string | null): string | null => {
    if (p === null) return null;
    const slash = p.indexOf('/');
    if (slash <= 0) return p;
    return KERNEL_TOP.has(p.slice(0, slash)) ? p : p.slice(slash + 1);
  };
  const gitStyle = (p: string | null, pre: string) => p === null || p.startsWith(pre);
  if (gitStyle(oldPath, 'a/') && gitStyle(newPath, 'b/')) {
    return [oldPath && oldPath.slice(2), newPath && newPath.slice(2)];
  }
  return [strip(oldPath), strip(newPath)];
}

function gitDiffPaths(rest: string): [string | null, string | null] {
  // `a/x b/y`, possibly quoted; when unquoted and both sides equal, split in the middle.
  const quoted = /^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$/.exec(rest);
  if (quoted) return stripPrefixes(cleanPath(quoted[1]), cleanPath(quoted[2]));
  const mid = rest.indexOf(' b/');
  if (mid > 0) return stripPrefixes(cleanPath(rest.slice(0, mid)), cleanPath(rest.slice(mid + 1)));
  return [null, null];
}

export function scanDiff(lines: SourceLine[]): ScanResult {
  const files: FileDiff[] = [];
  const problems: Problem[] = [];
  const messageLines: string[] = [];
  let messageOpen = true;
  let quoteDepth = 0;

  let file: FileDiff | null = null;
  /** The previous line belonged to the diff (header or hunk) at this depth; -1 when not. */
  let runDepth = -1;
  /** The last quoted hunk's file and where it ended, for a hunk quoted further down after the
   *  reviewer's comment; `gap` is set once a non-blank line at that depth leaves the diff
   *  (a `[...]` snip, prose quoted at the same depth): the file header may be among what was cut. */
  let quotedRun = null as QuotedRun | null;
  let open: OpenHunk | null = null;
  /** The hunk that ended on the previous line (for `\ No newline` and overlong lines). */
  let ended: OpenHunk | null = null;
  let inBinary = false;
  /** A quoted hunk interrupted by lines at another quote depth, and where that happened. */
  let suspended: OpenHunk | null = null;
  let suspendedAt: SourceLine | null = null;

  const newFile = (s: SourceLine, oldPath: string | null, newPath: string | null): FileDiff => {
    const f: FileDiff = { oldPath, newPath, line: s.line, hunks: [] };
    files.push(f);
    return f;
  };

  const hunkLine = (s: SourceLine, kind: LineKind, textStart: number, markerMissing: boolean): HunkLine => {
    const text = s.text.slice(textStart);
    const pos = positionAt(s, textStart);
    const hl: HunkLine = { kind, text, line: pos.line, column: pos.column };
    if (markerMissing) hl.markerMissing = true;
    if (s.encoding) hl.encoding = s.encoding;
    // Quoted-printable lines and lines joined from format=flowed soft breaks map char by char.
    if (s.lineMap && s.columnMap) {
      hl.lineMap = s.lineMap.slice(textStart);
      hl.columnMap = s.columnMap.slice(textStart);
    }
    return hl;
  };

  const closeShort = (h: OpenHunk, stop: SourceLine | null) => {
    const { hunk } = h;
    const oldRead = hunk.oldLines - h.oldLeft;
    const newRead = hunk.newLines - h.newLeft;
    const where = stop ? ` (it stops at line ${stop.line})` : ' (the input ends)';
    problems.push({
      message:
        `hunk @@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@ is cut short: ` +
        `${oldRead} of ${hunk.oldLines} old and ${newRead} of ${hunk.newLines} new lines${where}`,
      line: hunk.line,
      column: hunk.column,
      code: 'hunk-short',
      severity: h.depth > 0 ? 'warning' : 'error',
    });
  };

  const reportLong = (h: OpenHunk, s: SourceLine) => {
    if (h.longReported) return;
    h.longReported = true;
    const { hunk } = h;
    problems.push({
      message:
        `hunk @@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@ (line ${hunk.line}) ` +
        `has more lines than its header counts`,
      line: s.line,
      column: s.column,
      code: 'hunk-long',
      severity: 'error',
    });
  };

  const isFileHeaderPair = (i: number): boolean => {
    const s = lines[i];
    const next = lines[i + 1];
    return s.text.startsWith('--- ') && next !== undefined && next.depth === s.depth && next.text.startsWith('+++ ');
  };

  /** Adds one hunk line to an open hunk if it belongs there; false when the hunk ends before it. */
  const takeHunkLine = (h: OpenHunk, s: SourceLine, i: number): boolean => {
    const t = s.text;
    const c = t.charCodeAt(0);
    const { hunk } = h;
    if (c === 64 /* @ */ && (t.startsWith('@@ ') || t.startsWith('@@@'))) return false;
    if (t.startsWith('diff --git ')) return false;
    if (c === 45 /* - */) {
      if (isFileHeaderPair(i)) return false;
      if (t === '-- ' || t === '--') {
        // The signature: certainly when no removed line is left; also when a git version
        // (`2.43.0`) or nothing follows, which is how a hunk that lost its last lines ends.
        const next = lines[i + 1];
        if (h.oldLeft <= 0 || next === undefined || /^\d+(?:\.\d+)+/.test(next.text)) return false;
      }
      hunk.lines.push(hunkLine(s, '-', 1, false));
      if (--h.oldLeft < 0) reportLong(h, s);
      return true;
    }
    if (c === 43 /* + */) {
      hunk.lines.push(hunkLine(s, '+', 1, false));
      if (--h.newLeft < 0) reportLong(h, s);
      return true;
    }
    if (c === 92 /* \ */) {
      const last = hunk.lines[hunk.lines.length - 1];
      if (last) last.noNewlineAtEnd = true;
      return true;
    }
    let start = -1;
    let missing = false;
    if (c === 32 /* space */) start = 1;
    else if (t === '') start = 0;
    else if (s.depth > 0 && joinWrapped(h, s, i)) return true;
    else if (s.depth > 0 && !SNIP.test(t)) { start = 0; missing = true; }
    else if (s.depth === 0 && c === 9 /* tab */) { start = 0; missing = true; }
    if (start < 0) return joinWrapped(h, s, i);
    hunk.lines.push(hunkLine(s, ' ', start, missing));
    h.oldLeft--;
    h.newLeft--;
    if (h.oldLeft < 0 || h.newLeft < 0) reportLong(h, s);
    return true;
  };

  /**
   * An unquoted line inside a hunk that is no diff line, right after a long one (60+ columns), and followed
   * by a diff line (or the end): the mail client wrapped that long line here (webmail does).
   * It is joined back onto the hunk line it belongs to, the space the wrap took restored, and
   * the hunk gets a `line-wrapped` warning: the reviewer will want to tell the sender. Quoted
   * lines are left alone: there a line without a marker is a context line the quoting ate.
   */
  const joinWrapped = (h: OpenHunk, s: SourceLine, i: number, afterEnd = false): boolean => {
    const last = h.hunk.lines[h.hunk.lines.length - 1];
    const t = s.text;
    if (!last || t.trim() === '' || t === '-- ' || SNIP.test(t) || startsDiffStructure(s, i)) return false;
    // Quoted, a line without a marker is normally a context line the quoting ate (it starts
    // with the code's indentation): join only a tail that starts at once, after a first part
    // that cannot end there (an open parenthesis, or a trailing operator or comma).
    if (s.depth > 0 && (/^\s/.test(t) || !unfinished(last.text))) return false;
    // A lone brace, a preprocessor line or a comment opener is a column-0 context line that
    // lost its marker space, not the tail of a wrapped line.
    if (/^(?:[{}];?\s*$|#|\/\*)/.test(t)) return false;
    const end = hunkLinePosition(last, last.text.length);
    if (end.column - 1 < 60 || end.line + 1 !== s.line) return false;
    const next = lines[i + 1];
    // Inside the hunk the next line goes on with it; after its end, what may follow a hunk.
    const goesOn = (n: SourceLine) => n.depth !== s.depth ? s.depth > 0 : (afterEnd
      ? n.text === '' || n.text === '-- ' || n.text.startsWith('\\') || startsDiffStructure(n, i + 1)
      : /^(?:[-+ \t\\]|$)/.test(n.text));
    if (next !== undefined && !goesOn(next)) return false;
    const lineMap: number[] = [];
    const columnMap: number[] = [];
    for (let k = 0; k < last.text.length; k++) {
      const p = hunkLinePosition(last, k);
      lineMap.push(p.line);
      columnMap.push(p.column);
    }
    let text = last.text;
    if (!text.endsWith(' ') && !t.startsWith(' ')) {
      // The line break stands where the space was.
      text += ' ';
      lineMap.push(end.line);
      columnMap.push(end.column);
    }
    for (let k = 0; k < t.length; k++) {
      const p = positionAt(s, k);
      lineMap.push(p.line);
      columnMap.push(p.column);
    }
    last.text = text + t;
    last.lineMap = lineMap;
    last.columnMap = columnMap;
    if (!h.wrapReported) {
      h.wrapReported = true;
      problems.push(s.depth === 0
        ? {
          message: `line ${end.line} was wrapped by the mail client (continued on line ${s.line}); read as one line, but the patch will not apply as sent`,
          line: s.line, column: s.column, code: 'line-wrapped', severity: 'warning',
        }
        : {
          // Quoted: the reviewer's client may have wrapped it; the patch itself may be fine.
          message: `quoted line ${end.line} was wrapped by a mail client (continued on line ${s.line}); read as one line`,
          line: s.line, column: s.column, code: 'line-wrapped', severity: 'info',
        });
    }
    return true;
  };

  /** A line that starts a file or a hunk, at any depth. */
  const startsDiffStructure = (s: SourceLine, i: number): boolean =>
    s.text.startsWith('@@ -') || s.text.startsWith('diff --git ') || isFileHeaderPair(i);

  /** After an interruption, a line at the hunk's depth continues the hunk only if it looks like
   *  a diff line or code, not like the quoted mail's prose. */
  const resumesHunk = (t: string): boolean =>
    /^[-+ \t\\]/.test(t) && t !== '-- ' && t !== '--' || /^(?:#|\}|\/\*|\*)|[;{}),]\s*$/.test(t);

  /** After a hunk's counts are used up: does this line still look like a hunk line? */
  const looksOverlong = (s: SourceLine, i: number): boolean => {
    const t = s.text;
    if (t.startsWith('+++ ') || t === '-- ' || t === '--') return false;
    if (t.startsWith('---') && (t === '---' || isFileHeaderPair(i))) return false;
    return (t[0] === '+' || t[0] === '-') && t.length > 0;
  };

  /**
   * The line after a hunk header is the rest of that header, wrapped by a mail client at a
   * space: at the header's depth, not a diff line, and not blank. Unquoted, such a line could
   * not start the hunk anyway. Quoted, it could be a context line whose marker the quoting ate;
   * those are code inside the function the header names, so they start with a tab (or are a
   * brace, a preprocessor line or a label), and the header of a wrapped one is long.
   */
  const isWrappedHeaderTail = (header: SourceLine, next: SourceLine, j: number): boolean => {
    const t = next.text;
    if (next.depth !== header.depth || t.trim() === '' || /^[-+ \t\\@]/.test(t) || startsDiffStructure(next, j)) return false;
    if (next.depth === 0) return true;
    const headerWidth = positionAt(header, header.text.length).column - 1;
    return headerWidth >= 60 && !/^(?:[#{}]|\/\*|[A-Za-z_]\w*:\s*$)/.test(t) && !SNIP.test(t);
  };

  for (let i = 0; i < lines.length; i++) {
    const s = lines[i];
    const t = s.text;

    if (open) {
      if (s.depth === open.depth && takeHunkLine(open, s, i)) {
        if (open.oldLeft <= 0 && open.newLeft <= 0) {
          ended = open;
          open = null;
        }
        runDepth = s.depth;
        continue;
      }
      if (s.depth !== open.depth) {
        // Reviewer's prose (another quote depth) inside a quoted hunk: the hunk may go on after it.
        suspended = open;
        suspendedAt = s;
      } else closeShort(open, s);
      open = null;
    } else if (ended) {
      if (s.depth === ended.depth && t.charCodeAt(0) === 92 /* \ */) {
        const last = ended.hunk.lines[ended.hunk.lines.length - 1];
        if (last) last.noNewlineAtEnd = true;
        continue;
      }
      // The tail of a hunk's last line, wrapped by a mail client after the counts were used up.
      if (s.depth === ended.depth && joinWrapped(ended, s, i, true)) continue;
      if (s.depth === ended.depth && looksOverlong(s, i)) {
        reportLong(ended, s);
        const kind: LineKind = t[0] === '+' ? '+' : '-';
        ended.hunk.lines.push(hunkLine(s, kind, 1, false));
        continue;
      }
      ended = null;
    }

    if (suspended) {
      if (s.depth === suspended.depth && resumesHunk(t) && !startsDiffStructure(s, i)) {
        open = suspended;
        suspended = null;
        if (takeHunkLine(open, s, i)) {
          if (open.oldLeft <= 0 && open.newLeft <= 0) {
            ended = open;
            open = null;
          }
          runDepth = s.depth;
          continue;
        }
        suspended = open;
        open = null;
      }
      if (s.depth === suspended.depth || startsDiffStructure(s, i)) {
        closeShort(suspended, suspendedAt);
        suspended = null;
      }
    }

    if (inBinary) {
      if (s.depth === runDepth && (t === '' || BINARY_LINE.test(t)) && !t.startsWith('diff')) continue;
      inBinary = false;
    }

    const inRun = runDepth === s.depth;

    const hh = t.charCodeAt(0) === 64 ? HUNK_HEADER.exec(t) : null;
    if (hh) {
      if (!(file && inRun && !file.isBinary)) {
        // A quoted hunk of the same file after the reviewer's comment (lines at other depths
        // only, further down the file): the file goes on. Otherwise a fragment.
        const q: QuotedRun | null = quotedRun;
        const goesOn: boolean = q !== null && s.depth > 0 && q.depth === s.depth && !q.gap && Number(hh[1]) >= q.end && file === q.file;
        file = goesOn && q ? q.file : newFile(s, null, null);
      }
      let header = hh[5].startsWith(' ') ? hh[5].slice(1) : hh[5];
      if (header && i + 1 < lines.length && isWrappedHeaderTail(s, lines[i + 1], i + 1)) {
        header = header.trimEnd() + ' ' + lines[i + 1].text.trim();
        if (s.depth === 0) {
          const tail = lines[i + 1];
          problems.push({
            message: `hunk header on line ${s.line} was wrapped by the mail client (continued on line ${tail.line}); read as one line, but the patch will not apply as sent`,
            line: tail.line,
            column: tail.column,
            code: 'line-wrapped',
            severity: 'warning',
          });
        }
        i++;
      }
      const pos = positionAt(s, 0);
      const hunk: Hunk = {
        oldStart: Number(hh[1]),
        oldLines: hh[2] === undefined ? 1 : Number(hh[2]),
        newStart: Number(hh[3]),
        newLines: hh[4] === undefined ? 1 : Number(hh[4]),
        header,
        functionName: functionNameOf(header),
        line: pos.line,
        column: pos.column,
        lines: [],
      };
      if (s.depth > 0) hunk.quoteDepth = s.depth;
      if (s.encoding) hunk.encoding = s.encoding;
      file.hunks.push(hunk);
      quotedRun = s.depth > 0 ? { file: file!, depth: s.depth, end: hunk.oldStart + hunk.oldLines, gap: false } : null;
      quoteDepth = Math.max(quoteDepth, s.depth);
      messageOpen = false;
      runDepth = s.depth;
      const h: OpenHunk = { hunk, depth: s.depth, oldLeft: hunk.oldLines, newLeft: hunk.newLines, longReported: false };
      if (h.oldLeft > 0 || h.newLeft > 0) open = h;
      else ended = h;
      continue;
    }
    if (t.startsWith('@@ -') || t.startsWith('@@@')) {
      const pos = positionAt(s, 0);
      problems.push({
        message: t.startsWith('@@@')
          ? 'combined diff hunk (@@@) is not supported; skipped'
          : `hunk header not understood: ${t.slice(0, 60)}`,
        line: pos.line,
        column: pos.column,
        code: 'bad-hunk-header',
        severity: s.depth > 0 ? 'warning' : 'error',
      });
      continue;
    }

    if (t.startsWith('diff --git ')) {
      const [oldPath, newPath] = gitDiffPaths(t.slice(11));
      file = newFile(s, oldPath, newPath);
      runDepth = s.depth;
      messageOpen = false;
      continue;
    }
    if (isFileHeaderPair(i)) {
      let [oldPath, newPath] = stripPrefixes(cleanPath(t.slice(4)), cleanPath(lines[i + 1].text.slice(4)));
      if (file && inRun && file.hunks.length === 0 && !file.isBinary) {
        file.oldPath = oldPath;
        file.newPath = newPath;
      } else {
        file = newFile(s, oldPath, newPath);
      }
      if (oldPath === null && lines[i].text.slice(4).startsWith('/dev/null')) file.isNew = true;
      if (newPath === null && lines[i + 1].text.slice(4).startsWith('/dev/null')) file.isDeleted = true;
      runDepth = s.depth;
      messageOpen = false;
      i++;
      continue;
    }
    if (file && inRun && file.hunks.length === 0 && gitExtendedHeader(file, t, s, problems)) {
      if (file.isBinary && t.startsWith('GIT binary patch')) inBinary = true;
      continue;
    }
    if (/^(?:diff |Index: |={20,}$|Only in )/.test(t)) {
      // Other diff programs' headers (`diff -urN a b`, svn's `Index:`): the `---`/`+++` pair
      // that follows names the file.
      if (!t.startsWith('=') && !t.startsWith('Only in ')) file = null;
      runDepth = s.depth;
      messageOpen = false;
      continue;
    }

    // Prose: commit message, diffstat, signature, reviewer's text.
    runDepth = -1;
    if (quotedRun && s.depth === quotedRun.depth && t.trim() !== '') quotedRun.gap = true;
    if (messageOpen) {
      if (s.depth === 0 && t === '---') messageOpen = false;
      else messageLines.push(t);
    }
  }
  if (open) closeShort(open, null);
  if (suspended) closeShort(suspended, suspendedAt);
  return { files, messageLines, problems, quoteDepth };
}

/** git's extended header lines after `diff --git`; true when `t` was one. */
function gitExtendedHeader(file: FileDiff, t: string, s: SourceLine, problems: Problem[]): boolean {
  let m: RegExpExecArray | null;
  if ((m = /^old mode (\d+)$/.exec(t))) file.oldMode = m[1];
  else if ((m = /^new mode (\d+)$/.exec(t))) file.newMode = m[1];
  else if ((m = /^new file mode (\d+)$/.exec(t))) {
    file.isNew = true;
    file.newMode = m[1];
    file.oldPath = null;
  } else if ((m = /^deleted file mode (\d+)$/.exec(t))) {
    file.isDeleted = true;
    file.oldMode = m[1];
    file.newPath = null;
  } else if ((m = /^rename from (.*)$/.exec(t))) {
    file.isRename = true;
    file.oldPath = cleanPath(m[1]);
  } else if ((m = /^rename to (.*)$/.exec(t))) {
    file.isRename = true;
    file.newPath = cleanPath(m[1]);
  } else if ((m = /^copy from (.*)$/.exec(t))) {
    file.isCopy = true;
    file.oldPath = cleanPath(m[1]);
  } else if ((m = /^copy to (.*)$/.exec(t))) {
    file.isCopy = true;
    file.newPath = cleanPath(m[1]);
  } else if (/^(?:similarity|dissimilarity) index \d+%$/.test(t) || /^index [0-9a-f]+\.\.[0-9a-f]+/.test(t)) {
    /* nothing to keep */
  } else if (t === 'GIT binary patch' || /^Binary files .* differ$/.test(t)) {
    file.isBinary = true;
    const pos = positionAt(s, 0);
    problems.push({
      message: `binary change to ${file.newPath ?? file.oldPath ?? 'a file'} skipped`,
      line: pos.line,
      column: pos.column,
      code: 'binary-skipped',
      severity: 'info',
    });
  } else return false;
  return true;
}
