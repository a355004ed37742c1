// The raw document as lines. Line breaks are `\r\n`, `\n` or a lone `\r`, the same rule editors
// use to number lines, so every line number we report is the one the user sees.

export interface RawLine {
  /** Line text without its line break. */
  text: string;
  /** 1-based line number in the document. */
  line: number;
}

const LINE_BREAK = /\r\n|\r|\n/;

export function splitRawLines(text: string, firstLine = 1): RawLine[] {
  const parts = text.split(LINE_BREAK);
  // A final line break does not start another (empty) line.
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '') return [];
  return parts.map((t, i) => ({ text: t, line: firstLine + i }));
}

/** Number of lines `splitRawLines` would return. */
export function countRawLines(text: string): number {
  if (text === '') return 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  const last = text.charCodeAt(text.length - 1);
  return last === 10 || last === 13 ? n : n + 1;
}
