// Finds where a name is #defined in the document (on context or added lines), so a finding
// can point at the other side of a collision when the patch shows it.
import type { RelatedLocation } from './types';
import { trimmedLineRange, type RuleContext } from './context';

export function defineLocation(ctx: RuleContext, name: string, message: string): RelatedLocation | null {
  const found = ctx.defineLine(name);
  return found ? { message, ...trimmedLineRange(found.line) } : null;
}
