// MM010: user memory pinned for DMA in a way fork() can break. A plain get_user_pages()
// reference does not stop fork from sharing the page copy-on-write; the first write by the
// parent then moves the parent to a copy while the device keeps using the old page. Kernels
// since 5.9 copy pinned pages for the child at fork, but only pins taken with FOLL_PIN
// (pin_user_pages*), and a registration that outlives the call needs FOLL_LONGTERM. Before
// FOLL_PIN existed, the fix lived in userspace: MADV_DONTFORK on the registered range.
import type { Node } from 'web-tree-sitter';
import type { Rule, Finding } from './types';
import { makeFinding, type RuleContext, type ParsedHunk } from './context';
import { callsByName, type NamedCall } from './calls-by-name';
import { hunksAddingLines, isAddedCode, nodeRange } from './added-code';

const meta = {
  id: 'MM010',
  name: 'fork-unsafe-dma-pin',
  defaultSeverity: 'warning' as const,
  shortDescription: 'Memory pinned for DMA with get_user_pages/FOLL_WRITE in a way fork can break (no FOLL_PIN/FOLL_LONGTERM, no MADV_DONTFORK).',
  fullDescription:
    'A page a device keeps using after the call must be pinned so that fork() does not share it copy-on-write: ' +
    'pin_user_pages*() with FOLL_PIN | FOLL_LONGTERM (5.9+ copies such pages for the child), or on kernels without ' +
    'FOLL_PIN, MADV_DONTFORK on the range. A plain get_user_pages() reference, or a FOLL_PIN without FOLL_LONGTERM ' +
    'for a registration, leaves the parent writing to a copy while the device uses the original.',
  docs: 'docs/rules/MM010.md',
};

const GUP = /^get_user_pages(_fast|_remote|_unlocked|_locked|_fast_only)?$/;
const PIN = /^pin_user_pages(_fast|_remote|_unlocked|_fast_only)?$/;
/** Words that may be a GUP or PIN callee, and a release callee (callsByName checks each is one). */
const PIN_WORDS = /\b(?:get|pin)_user_pages\w*/g;
const RELEASE_WORDS = /\b(?:put_page|release_pages|put_user_pages?|unpin_user_pages?(?:_dirty_lock)?|folio_put)\b/g;

/** The patch says how the range is kept out of children (its text or changelog). Answered
 *  once per patch: it reads all of the patch's lines, and a patch may pin in many places. */
function mentionsDontfork(ctx: RuleContext, patchIndex: number): boolean {
  return ctx.shared(`MM010 dontfork:${patchIndex}`, () => readMentionsDontfork(ctx, patchIndex));
}

function readMentionsDontfork(ctx: RuleContext, patchIndex: number): boolean {
  const p = ctx.patchSet.patches[patchIndex];
  if (!p) return false;
  if (/MADV_DONTFORK|VM_DONTCOPY|ibv_fork_init|DONTFORK/.test(p.message)) return true;
  return p.files.some((f) => f.hunks.some((h) => h.lines.some((l) => l.kind === '+' && /MADV_DONTFORK|VM_DONTCOPY/.test(l.text))));
}

/** A call the device keeps using: a driver or a write pin (the DMA target), or the changelog
 *  says the pages stay registered. Short-term GUP in core code (read a page, drop it) is fine. */
function looksLongTerm(h: ParsedHunk, args: Node[]): boolean {
  const text = args.map((a) => a.text).join(',');
  if (/FOLL_LONGTERM/.test(text)) return true;
  const path = h.path ?? '';
  if (/^(drivers|net|virt|sound)\//.test(path) || /infiniband|rdma|vfio|dma/i.test(path)) return true;
  return /\b(DMA|register|registration|pin)\w*/i.test(h.patch.message) && /FOLL_WRITE|\b1\b/.test(text);
}

function findingsIn(h: ParsedHunk, ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  const post = h.trees.post;
  // Both callee families end in `_user_pages`: a hunk whose text lacks it needs no walk.
  if (!post.source.includes('_user_pages')) return out;
  const model = ctx.model();
  // Pages released again in the same window were a short-term reference (copy, then drop).
  // Only the calls the source spells a name of: a walk of every call of the tree is not needed.
  let releases: NamedCall[] | null = null;
  for (const call of callsByName(post, PIN_WORDS)) {
    if (!GUP.test(call.name) && !PIN.test(call.name)) continue;
    if (!isAddedCode(h, call.node)) continue;
    releases ??= callsByName(post, RELEASE_WORDS);
    if (releases.some((r) => r.node.startIndex > call.node.endIndex)) continue;
    const at = nodeRange(post, call.node.childForFieldName('function') ?? call.node);
    if (!at) continue;
    const argText = call.args.map((a) => a.text).join(', ');
    if (PIN.test(call.name)) {
      if (/FOLL_LONGTERM/.test(argText) || !looksLongTerm(h, call.args)) continue;
      out.push(makeFinding(meta,
        `${call.name}() without FOLL_LONGTERM: a pin the device keeps after the call must be long-term, or GUP may pin pages in ` +
        `movable or CMA memory and file mappings that cannot stay pinned; add FOLL_LONGTERM`, at));
      continue;
    }
    if (!looksLongTerm(h, call.args)) continue;
    if (model.gup.hasFollPin) {
      out.push(makeFinding(meta,
        `${call.name}() takes plain page references for memory the device keeps using: fork() shares such pages copy-on-write, ` +
        `and the copy-on-fork for pinned pages (5.9+) only covers FOLL_PIN pins, so after the parent's next write the device ` +
        `and the parent use different pages; use pin_user_pages*() with FOLL_LONGTERM (and unpin_user_pages*())`, at));
    } else if (!mentionsDontfork(ctx, h.patchIndex)) {
      out.push(makeFinding(meta,
        `${call.name}() pins memory for DMA with a plain reference (kernel ${ctx.era} has no FOLL_PIN): after fork() the first ` +
        `write by the parent moves it to a copy while the device keeps using the old page, now the child's; the range must be ` +
        `kept out of children with MADV_DONTFORK (2.6.16+, e.g. ibv_fork_init()) and the patch does not say so`, at));
    }
  }
  return out;
}

export const mm010: Rule = {
  meta,
  check(ctx: RuleContext): Finding[] {
    return hunksAddingLines(ctx).flatMap((h) => findingsIn(h, ctx));
  },
};
