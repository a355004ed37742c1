// Finds where a name is #defined in the document (on context or added lines), so a finding
// can point at the other side of a collision when the patch shows it.
import type { RelatedLocation } from './types';
import { trimmedLineRange, type RuleContext } from './context';

export function defineLocation(ctx: RuleContext, name: string, message: string): RelatedLocation | null {
  const found = ctx.defineLine(name);
  return found ? { message, ...trimmedLineRange(found.line) } : null;
}

/** The first `#define NAME` (context or added line) in a file `inFile` accepts: a collision on
 *  alpha must point at alpha's header, not at a same-named define of another arch's header
 *  that the patch also shows. */
export function defineLocationIn(
  ctx: RuleContext, name: string, message: string, inFile: (path: string | null) => boolean,
): RelatedLocation | null {
  const found = ctx.defineLines(name).find((l) => inFile(l.ref.path));
  return found ? { message, ...trimmedLineRange(found.line) } : null;
}
