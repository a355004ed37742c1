// A cheap look at the first lines of an untitled document: is it a patch or a patch mail?
// Only decides whether to analyse; the reader (src/patch) does the real parsing.
const MAIL_FIRST = /^(From [0-9a-f]{40} |From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) |From: |Subject: \[PATCH)/;
const DIFF_LINE = /^(?:> ?)*(diff --git |--- a\/|\+\+\+ b\/|@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@)/;

export function looksLikePatch(lines: readonly string[]): boolean {
  if (lines.length > 0 && MAIL_FIRST.test(lines[0])) return true;
  return lines.some((l) => DIFF_LINE.test(l));
}
