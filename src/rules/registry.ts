// Every rule, in id order. Adding a rule: one file exporting a `Rule`, one line here, one page
// in docs/rules/.
import type { Rule } from './types';
import { mm000 } from './mm000-input';
import { mm001 } from './mm001-prot-not-protection';
import { mm002 } from './mm002-mprotect-kept-flags';
import { mm003 } from './mm003-access-check';
import { mm004 } from './mm004-uapi-collision';
import { mm005 } from './mm005-vm-bit-collision';
import { mm006 } from './mm006-namespace-mix';
import { mm007 } from './mm007-madvise-wiring';
import { mm008 } from './mm008-driver-owned-flags';
import { mm009 } from './mm009-direct-vm-flags-write';
import { mm010 } from './mm010-fork-unsafe-pin';

export const RULES: readonly Rule[] = [mm000, mm001, mm002, mm003, mm004, mm005, mm006, mm007, mm008, mm009, mm010];

export function findRule(id: string): Rule | undefined {
  const want = id.trim().toUpperCase();
  return RULES.find((r) => r.meta.id === want || r.meta.name === id.trim());
}
