// Every rule, in id order. Adding a rule: one file exporting a `Rule`, one line here, one page
// in docs/rules/.
import type { Rule } from './types';
import { mm000 } from './mm000-input';

export const RULES: readonly Rule[] = [mm000];

export function findRule(id: string): Rule | undefined {
  const want = id.trim().toUpperCase();
  return RULES.find((r) => r.meta.id === want || r.meta.name === id.trim());
}
