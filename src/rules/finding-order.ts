// The order findings are reported in: by line, column, rule id, then message, ids and messages
// compared by UTF-16 code unit. Not localeCompare: the report (and so a CI log or a SARIF diff)
// must not depend on the reader's locale, and the CLI, the server and the editor (Electron sets
// its own locale) must agree. Code-unit order also needs no ICU collator (its first use costs
// a process about 6 ms).

/** Code-unit order of two strings (what `<` on strings does). */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Ordered {
  line: number;
  column: number;
  rule: string;
  message: string;
}

export function compareFindings(a: Ordered, b: Ordered): number {
  return a.line - b.line || a.column - b.column || compareCodeUnits(a.rule, b.rule) || compareCodeUnits(a.message, b.message);
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
