// MM000: the input itself. The reader never throws; what it could not read comes back as
// PatchSet.problems with a line, and this rule turns each into a finding, so a truncated hunk
// or an undecodable body is visible next to the other findings instead of silently shrinking
// what the other rules see.
import type { Rule, Severity } from './types';
import type { RuleContext } from './context';

const meta = {
  id: 'MM000',
  name: 'unreadable-input',
  defaultSeverity: 'error' as Severity,
  shortDescription: 'The input is not a well-formed patch: malformed hunk, bad encoding, truncated hunk.',
  fullDescription:
    'The reader found a problem in the input itself: a hunk whose line counts do not match its header ' +
    '(cut short or overlong), a hunk header it cannot parse, a transfer encoding it cannot decode, or a ' +
    'binary stanza it skipped. The lines that could be read are still checked by the other rules, but ' +
    'findings near a broken hunk may be incomplete.',
  docs: 'docs/rules/MM000.md',
};

export const mm000: Rule = {
  meta,
  check(ctx: RuleContext) {
    return ctx.patchSet.problems.map((p) => {
      const column = p.column ?? 1;
      const lineText = ctx.documentLine(p.line);
      const endColumn = Math.max(column + 1, lineText.length + 1);
      // The reader grades its own problems: a skipped binary stanza is a note, not an error.
      const severity: Severity = p.severity ?? 'error';
      return {
        rule: meta.id,
        severity,
        message: p.code ? `${p.message} [${p.code}]` : p.message,
        line: p.line,
        column,
        endLine: p.line,
        endColumn,
        related: [],
      };
    });
  },
};
