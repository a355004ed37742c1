// MM007: a madvise behaviour must be wired up in both places: the validity check that decides
// which advices exist, and the behaviour switch that says what each does. A case the validity
// check does not accept is dead code behind EINVAL; an advice accepted but handled nowhere is
// a silent no-op. A new case in a visible validity switch is a mechanical fix.
import type { Rule, Finding, Fix, RelatedLocation } from './types';
import { makeFinding, type RuleContext } from './context';
import { anchorLines } from './anchor';
import { nodeRange } from './added-code';
import { madviseSwitches, type ValiditySwitch } from './madvise-cases';
import { findSwitchCases, type CaseGroup } from '../c/index';
import type { HookChange } from '../bridge/index';

const meta = {
  id: 'MM007',
  name: 'madvise-not-wired',
  defaultSeverity: 'error' as const,
  shortDescription: 'A new madvise behaviour not accepted by the validity check (or accepted but not handled), or changing vm_flags without the mmap write lock.',
  fullDescription:
    'madvise() accepts an advice only if its validity check (madvise_behavior_valid(), or the dispatch switch whose ' +
    'default is -EINVAL) lists it, and only the behaviour switch gives it an effect. A case added to one and not the ' +
    'other is either unreachable (EINVAL) or a silent no-op. An advice that changes vm_flags must also run under the ' +
    'mmap lock taken for writing.',
  docs: 'docs/rules/MM007.md',
};

function acceptedInBase(ctx: RuleContext, name: string): boolean {
  const v = ctx.symbols().get(name);
  return v !== undefined && ctx.model().madvise.has(v);
}

/** The group of a validity switch that accepts the fork advices (or any accepting group). */
function acceptingGroup(v: ValiditySwitch): CaseGroup | null {
  const groups = v.switchInfo.groups.filter((g) => !g.labelTexts.includes('default') && !g.statements.some((s) => /-\s*EINVAL|return\s+(0|false)\b/.test(s.text)));
  return groups.find((g) => g.labelTexts.some((t) => /^MADV_(DO|DONT)FORK$/.test(t))) ?? groups[groups.length - 1] ?? null;
}

/** Adds `case NAME:` after the last label of the accepting group, on a new `+` line with the
 *  same quoting and indentation, and bumps the hunk header's new line count. */
function addCaseFix(ctx: RuleContext, v: ValiditySwitch, name: string): Fix | null {
  const group = acceptingGroup(v);
  const last = group?.caseNodes[group.caseNodes.length - 1];
  if (!group || !last) return null;
  const r = nodeRange(v.hunk.trees.post, last);
  const located = r ? ctx.lineAt(r.line) : null;
  if (!r || !located) return null;
  const hunk = located.ref.hunk;
  const headerText = ctx.documentLine(hunk.line);
  const m = /^(.*?@@ -\d+(?:,\d+)? \+\d+,)(\d+)( @@)/.exec(headerText.slice(hunk.column - 1));
  if (!m) return null;
  const docText = ctx.documentLine(located.line.line);
  const prefix = docText.slice(0, Math.max(0, located.line.column - 2)); // quoting, without the diff marker
  const indent = /^\s*/.exec(located.line.text)![0];
  const eol = ctx.text.includes('\r\n') ? '\r\n' : '\n';
  const countCol = hunk.column + m[1]!.length;
  return {
    description: `Add 'case ${name}:' to the validity check`,
    edits: [
      { line: hunk.line, column: countCol, endLine: hunk.line, endColumn: countCol + m[2]!.length, newText: String(Number(m[2]) + 1) },
      { line: located.line.line + 1, column: 1, endLine: located.line.line + 1, endColumn: 1, newText: `${prefix}+${indent}case ${name}:${eol}` },
    ],
  };
}

export const mm007: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    const out: Finding[] = [];
    const { added, validity } = madviseSwitches(ctx);
    const hooks = ctx.hookChanges();
    const validNow = new Set<string>();
    for (const h of hooks) if (h.hook === 'madvise-validity' && h.after?.type === 'flag' && h.after.value) validNow.add(h.detail);
    for (const c of added) if (c.validity) validNow.add(c.name);
    // New behaviour cases: from the bridge (advices it can evaluate) and from the labels.
    const behaviours = new Map<string, { lines: number[]; fn: string | null }>();
    for (const h of hooks) {
      if (h.hook === 'madvise-behaviour' && h.before === null && h.after) behaviours.set(h.detail, { lines: h.lines, fn: h.function });
    }
    for (const c of added) {
      if (c.validity || behaviours.has(c.name)) continue;
      const r = nodeRange(c.hunk.trees.post, c.label);
      if (r) behaviours.set(c.name, { lines: [r.line], fn: c.function });
    }
    // Every unaccepted advice points at every validity check: their ranges are read once.
    const validityRanges = validity.map((v) => nodeRange(v.hunk.trees.post, v.switchInfo.node));
    for (const [name, b] of behaviours) {
      if (validNow.has(name) || acceptedInBase(ctx, name)) continue;
      const anchor = anchorLines(ctx, b.lines, [name]);
      const related: RelatedLocation[] = [];
      let fix: Fix | undefined;
      validity.forEach((v, i) => {
        const r = validityRanges[i];
        if (r) related.push({ message: `the validity check${v.function ? ` in ${v.function}()` : ''} has no case ${name}`, line: r.line, column: r.column });
        fix ??= addCaseFix(ctx, v, name) ?? undefined;
      });
      const where = validity[0]?.function ? `${validity[0].function}()` : 'the validity check (madvise_behavior_valid() or the dispatch switch)';
      out.push(makeFinding(meta,
        `${ctx.nameWithValue(name)} gets a case in ${b.fn ? `${b.fn}()` : 'the behaviour switch'} but ${where} does not accept it: ` +
        `madvise(..., ${name}) fails with EINVAL and the new case never runs`, anchor.at, related, fix));
    }
    const addsBehaviourCases = added.some((x) => !x.validity);
    const handled = new Set([...behaviours.keys()]);
    for (const h of hooks) if (h.hook === 'madvise-behaviour' && h.after) handled.add(h.detail);
    for (const c of added) {
      if (!c.validity || handled.has(c.name) || acceptedInBase(ctx, c.name)) continue;
      handled.add(c.name);
      const r = nodeRange(c.hunk.trees.post, c.label);
      if (!r) continue;
      out.push(makeFinding(meta,
        `${ctx.nameWithValue(c.name)} is accepted by ${c.function ? `${c.function}()` : 'the validity check'} but no behaviour handles it: ` +
        `madvise(..., ${c.name}) returns 0 and does nothing${addsBehaviourCases ? '' : ' (the patch adds no case for it to the behaviour switch)'}`, r));
    }
    out.push(...readLockFindings(ctx));
    return out;
  },
};

/** Advices that only read the VMA tree: madvise has run them under the mmap read lock since
 *  madvise_need_mmap_write() appeared (2.6.2x) or since they were added. */
const READ_LOCK_ADVICES = new Set([
  'MADV_REMOVE', 'MADV_WILLNEED', 'MADV_DONTNEED', 'MADV_DONTNEED_LOCKED', 'MADV_FREE', 'MADV_COLD', 'MADV_PAGEOUT',
  'MADV_POPULATE_READ', 'MADV_POPULATE_WRITE', 'MADV_COLLAPSE',
]);

/** A flag-changing advice added to the list that runs under the mmap read lock
 *  (madvise_need_mmap_write() returning 0, or a MADVISE_*_READ_LOCK lock mode). */
function readLockFindings(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  // The first change of each advice that shows its flag update, indexed once (asked per label).
  const flagUpdates = new Map<string, HookChange>();
  for (const x of ctx.hookChanges()) {
    if (x.hook === 'madvise-behaviour' && x.after?.type === 'madvise' && (x.after.set !== undefined || x.after.clear !== undefined) && !flagUpdates.has(x.detail)) flagUpdates.set(x.detail, x);
  }
  const changesFlags = (name: string): boolean => {
    // Only a change that shows the flag update says what the advice does to vm_flags.
    const h = flagUpdates.get(name);
    if (h && h.after?.type === 'madvise') return (h.after.set ?? 0n) !== 0n || (h.after.clear ?? 0n) !== 0n;
    const v = ctx.symbols().get(name);
    const b = v !== undefined ? ctx.model().madvise.get(v) : undefined;
    if (b) return b.action === 'flags';
    return madviseSwitches(ctx).added.some((c) => c.name === name && c.effect && (c.effect.set !== 0n || c.effect.clear !== 0n));
  };
  for (const h of ctx.parsedHunks()) {
    const post = h.trees.post;
    const fn = post.functionName ?? h.hunk.functionName ?? '';
    // The parsed source, not root.text: the same text without a copy out of the tree.
    if (!/madvise_need_mmap_write|get_lock_mode|madvise_lock_mode/.test(fn) && !/madvise_need_mmap_write|get_lock_mode/.test(post.source)) continue;
    for (const group of findSwitchCases(post.scope).flatMap((sw) => sw.groups)) {
      // A 3-line context window often cuts the group's `return 0;` off: then the labels it
      // shares the group with tell (advices that have always run under the read lock).
      const readLock = group.statements.length
        ? group.statements.some((s) => /return\s+(0|false)\s*;|READ_LOCK/.test(s.text))
        : !group.labelTexts.includes('default') && group.labels.some((l, i) => l && !post.touchesChange(l) && READ_LOCK_ADVICES.has(group.labelTexts[i]!));
      if (!readLock) continue;
      group.labels.forEach((label, i) => {
        if (!label || !post.touchesChange(label)) return;
        const name = group.labelTexts[i]!;
        if (!changesFlags(name)) return;
        const r = nodeRange(post, label);
        if (!r) return;
        out.push(makeFinding(meta,
          `${ctx.nameWithValue(name)} changes vm_flags but is added to the advices that run under the mmap lock taken for reading: ` +
          `updating vma->vm_flags needs the lock for writing (racing faults and other madvise calls see torn flags)`, r));
      });
    }
  }
  return out;
}
