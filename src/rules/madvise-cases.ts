// The madvise case labels a patch adds, by name, for MM007 and MM008. The bridge reports
// madvise changes for advices whose value it can evaluate; a patch that introduces an advice
// without showing its #define (or in a series where the define comes later) only shows the
// name, and that is still enough to see which switches the name was added to.
import type { Node } from 'web-tree-sitter';
import { caseEffect, descendants, enclosingFunctionName, findSwitchCases, type CFragment, type CaseGroup, type SwitchInfo } from '../c/index';
import type { BitEffect } from '../c/index';
import type { ParsedHunk, RuleContext } from './context';

export interface AddedCase {
  name: string;
  hunk: ParsedHunk;
  /** The switch is a validity check (madvise_behavior_valid, or a dispatch whose default fails). */
  validity: boolean;
  function: string | null;
  group: CaseGroup;
  label: Node;
  switchInfo: SwitchInfo;
  /** What the case does to new_flags (behaviour switches). Read on first use: only advices
   *  the bridge could not evaluate need it, and the evaluation walks the case body. */
  readonly effect: BitEffect | null;
  /** The case body tests VM_IO/VM_PFNMAP/VM_SPECIAL before changing flags. */
  guardsDeviceMappings: boolean;
}

export interface ValiditySwitch {
  hunk: ParsedHunk;
  switchInfo: SwitchInfo;
  function: string | null;
}

/** A statement's text, read once per node object: the validity test, the flag test and the
 *  device-mapping guard all read the same case statements (node.text asks wasm for the end
 *  each time). Trees never change, so neither does a node's text. */
const statementTexts = new WeakMap<Node, string>();

function textOf(post: CFragment, s: Node): string {
  let t = statementTexts.get(s);
  if (t === undefined) statementTexts.set(s, (t = post.source.slice(s.startIndex, s.endIndex)));
  return t;
}

function isValiditySwitch(sw: SwitchInfo, fn: string | null, post: CFragment): boolean {
  if (fn && /madvise_behavior_valid|madvise_behaviour_valid/.test(fn)) return true;
  // 2.6's madvise_vma() dispatches each accepted advice to its handler (default: -EINVAL).
  // Each regex after the plain substring it needs (most statements have neither).
  if (fn === 'madvise_vma' || sw.groups.some((g) => g.statements.some((s) => {
    const t = textOf(post, s);
    return t.includes('madvise_') && /\bmadvise_\w+\s*\([^;]*\bbehavior\b/.test(t);
  }))) return true;
  // A dispatch whose default answers -EINVAL decides which advices exist.
  return sw.groups.some((g) => g.labelTexts.includes('default') && g.statements.some((s) => {
    const t = textOf(post, s);
    return t.includes('EINVAL') && /-\s*EINVAL/.test(t);
  }));
}

function isMadviseSwitch(sw: SwitchInfo, fn: string | null): boolean {
  if (sw.conditionText && /behav|advice|advise/.test(sw.conditionText)) return true;
  if (fn && /madvise/.test(fn)) return sw.groups.some((g) => g.labelTexts.some((t) => t.startsWith('MADV_')));
  return false;
}

export function madviseSwitches(ctx: RuleContext): { added: AddedCase[]; validity: ValiditySwitch[] } {
  return ctx.shared('madviseSwitches', () => {
    const added: AddedCase[] = [];
    const validity: ValiditySwitch[] = [];
    const env = ctx.postEnv();
    for (const h of ctx.parsedHunks()) {
      const post = h.trees.post;
      // A switch or case needs its keyword in the text: most hunks have none, and asking the
      // tree walks all of it.
      if (!post.source.includes('case') && !post.source.includes('switch')) continue;
      for (const sw of findSwitchCases(post.scope)) {
        const fn = enclosingFunctionName(sw.node, post) ?? post.functionName ?? h.hunk.functionName;
        if (!isMadviseSwitch(sw, fn)) continue;
        // The lock-mode switch (madvise_need_mmap_write) lists advices too, but decides no behaviour.
        if (fn && /need_mmap_write|lock_mode/.test(fn)) continue;
        const isValidity = isValiditySwitch(sw, fn, post);
        if (isValidity) validity.push({ hunk: h, switchInfo: sw, function: fn });
        for (const group of sw.groups) {
          group.labels.forEach((label, i) => {
            if (!label || !post.touchesChange(label)) return;
            const name = group.labelTexts[i]!;
            if (!/^MADV_\w+$/.test(name)) return;
            const touchesFlags = group.statements.some((s) => /\bnew_flags\b/.test(textOf(post, s)));
            let effect: BitEffect | null | undefined;
            added.push({
              name, hunk: h, validity: isValidity, function: fn, group, label, switchInfo: sw,
              get effect() {
                if (effect === undefined) effect = !isValidity && touchesFlags ? caseEffect(group, 'new_flags', env) : null;
                return effect;
              },
              // The text first: a statement naming none of the flags needs no walk of its identifiers.
              guardsDeviceMappings: group.statements.some((s) =>
                /VM_(IO|PFNMAP|SPECIAL|MIXEDMAP)/.test(textOf(post, s)) &&
                descendants(s, 'identifier').some((id) => /^(VM_IO|VM_PFNMAP|VM_SPECIAL|VM_MIXEDMAP)$/.test(id.text)),
              ),
            });
          });
        }
      }
    }
    return { added, validity };
  });
}
