// Finds where a name is #defined in the document (on context or added lines), so a finding
// can point at the other side of a collision when the patch shows it.
import type { RelatedLocation } from './types';
import { trimmedLineRange, type RuleContext } from './context';

export function defineLocation(ctx: RuleContext, name: string, message: string, path?: string | null): RelatedLocation | null {
  const re = new RegExp(`^\\s*#\\s*define\\s+${name}\\b`);
  for (const ref of ctx.hunks()) {
    if (path !== undefined && path !== null && ref.path !== null && ref.path !== path) continue;
    for (const l of ref.hunk.lines) {
      if (l.kind !== '-' && re.test(l.text)) return { message, ...trimmedLineRange(l) };
    }
  }
  return null;
}
