// A line of content as the diff scanner sees it: decoded (transfer encodings undone), with
// quoting stripped, and with what is needed to point back into the raw document.

export type Encoding = 'quoted-printable' | 'base64';

export interface SourceLine {
  /** Content after the quote prefix (and after `>From` unescaping). */
  text: string;
  /** Quote depth: how many `>` preceded the content. */
  depth: number;
  /** Raw document line where the content starts (1-based). */
  line: number;
  /** Raw document column of `text[0]` (1-based). */
  column: number;
  /** Set when the line came out of a transfer encoding. */
  encoding?: Encoding;
  /** Quoted-printable only: raw line and column of every char of `text` (soft line breaks and
   *  `=XX` escapes make the mapping non-linear). */
  lineMap?: number[];
  columnMap?: number[];
}

export interface DocPosition {
  line: number;
  column: number;
}

/** Raw document position of `text[i]` (i may equal text.length: the position just after). */
export function positionAt(s: SourceLine, i: number): DocPosition {
  if (s.encoding === 'base64') return { line: s.line, column: 1 };
  if (s.lineMap && s.columnMap) {
    if (i < s.lineMap.length) return { line: s.lineMap[i], column: s.columnMap[i] };
    const last = s.lineMap.length - 1;
    if (last < 0) return { line: s.line, column: s.column };
    return { line: s.lineMap[last], column: s.columnMap[last] + 1 };
  }
  return { line: s.line, column: s.column + i };
}
