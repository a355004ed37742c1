// The order findings are reported in: by line, column, rule id, then message, ids and messages
// compared as String.prototype.localeCompare compares them. The first localeCompare of a
// process loads ICU's collator (about 6 ms, as much as a rule); most comparisons here can be
// answered without it, with exactly the answer it would give.

/** Primary collation rank of a space, an ASCII digit or letter in the root collation (English
 *  and the POSIX locale use it): space < 0-9 < a-z, letters without their case; -1 for any
 *  other character. */
function rank(c: number): number {
  if (c === 32) return 0;
  if (c >= 48 && c <= 57) return 1 + c - 48;
  if (c >= 97 && c <= 122) return 11 + c - 97;
  if (c >= 65 && c <= 90) return 11 + c - 65;
  return -1;
}

/** Whether the process collates with the root order. V8 takes ICU's default locale, which ICU
 *  reads from LC_ALL, LC_MESSAGES or LANG (C and POSIX are en-US-POSIX); Electron (the
 *  VS Code host) sets its own, so there localeCompare always decides. */
function rootCollation(): boolean {
  if (typeof process === 'undefined' || process.versions?.electron) return false;
  const env = process.env;
  const id = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return id === '' || /^(C|POSIX|en(_[A-Z]{2})?)(\.[\w-]+)?$/.test(id);
}

let root: boolean | undefined;

/** a.localeCompare(b), answered without ICU when both are printable ASCII and the first
 *  character where they differ decides at the primary level (different ranks above). Two such
 *  strings share their prefix, whose characters all weigh the same in both, so the first
 *  primary difference is at that character, whatever follows. */
export function compareLikeLocale(a: string, b: string): number {
  if (a === b) return 0;
  root ??= rootCollation();
  if (root) {
    // Skip the shared prefix, all of it printable ASCII.
    const n = Math.min(a.length, b.length);
    let i = 0;
    let c = 0;
    while (i < n && (c = a.charCodeAt(i)) === b.charCodeAt(i) && c >= 32 && c <= 126) i++;
    // Stopped at a difference (not at a shared non-ASCII character); the characters after it
    // printable ASCII as well, so nothing combines with the ones at i.
    if (i < n && c !== b.charCodeAt(i) && asciiAt(a, i + 1) && asciiAt(b, i + 1)) {
      const ra = rank(a.charCodeAt(i));
      const rb = rank(b.charCodeAt(i));
      if (ra >= 0 && rb >= 0 && ra !== rb) return ra < rb ? -1 : 1;
    }
  }
  return a.localeCompare(b);
}

/** The character at i is printable ASCII, or the string ends before it. */
function asciiAt(s: string, i: number): boolean {
  if (i >= s.length) return true;
  const c = s.charCodeAt(i);
  return c >= 32 && c <= 126;
}

export interface Ordered {
  line: number;
  column: number;
  rule: string;
  message: string;
}

export function compareFindings(a: Ordered, b: Ordered): number {
  return a.line - b.line || a.column - b.column || compareLikeLocale(a.rule, b.rule) || compareLikeLocale(a.message, b.message);
}

/** The findings in report order, each (rule, line, column, message) once: sorted (stably) by
 *  compareFindings, then a finding equal to an earlier one dropped. Such findings share a run
 *  of one line, column and rule, so each run keeps a set of its messages (no key string built
 *  per finding). Sorts `findings` in place. */
export function orderFindings<T extends Ordered>(findings: T[]): T[] {
  findings.sort(compareFindings);
  const out: T[] = [];
  let run: T | null = null;
  let messages = new Set<string>();
  for (const f of findings) {
    if (!run || f.line !== run.line || f.column !== run.column || f.rule !== run.rule) {
      run = f;
      messages = new Set();
    }
    if (messages.has(f.message)) continue;
    messages.add(f.message);
    out.push(f);
  }
  return out;
}
