// Mail quoting: `> `, `>`, `> > > `, `>>>` and mixtures. Each `>` is one level; a single space
// after a `>` belongs to the quote mark. What is left is the quoted content, which for a
// well-quoted context line still starts with its diff marker (a space).

const QUOTE_PREFIX = /^(?:> ?)+/;

export interface Unquoted {
  depth: number;
  /** Length of the quote prefix in chars. */
  prefix: number;
}

export function quotePrefix(text: string): Unquoted {
  if (text.charCodeAt(0) !== 62 /* > */) return { depth: 0, prefix: 0 };
  const m = QUOTE_PREFIX.exec(text)!;
  let depth = 0;
  for (let i = 0; i < m[0].length; i++) if (m[0].charCodeAt(i) === 62) depth++;
  return { depth, prefix: m[0].length };
}

const ESCAPED_FROM = /^>+From /;

/** mboxrd/mboxo escaping: a body line `>From ` (or `>>From `) was written for `From ` (`>From `).
 *  Returns how many chars to drop from the start (0 or 1). */
export function mboxEscapeLength(text: string): number {
  return text.charCodeAt(0) === 62 && ESCAPED_FROM.test(text) ? 1 : 0;
}
