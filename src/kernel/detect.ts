// `--kernel auto`: which era a patch was written against, from what its text shows. Each clue
// says which eras it allows; the newest era allowed by the most clues wins, so one stray clue
// cannot outvote several consistent ones, and with no clue at all the answer is LATEST_ERA.
import type { PatchSet } from '../patch/types';
import type { EraId } from './model';
import { ERAS, LATEST_ERA } from './model';

export interface EraDetection {
  era: EraId;
  /** One line per clue: what was seen, where (document line), and what it implies. */
  clues: string[];
}

type Range = { min?: EraId; max?: EraId };

interface CodeClue {
  id: string;
  pattern: RegExp;
  /** A cheaper test every text the pattern matches passes, where the pattern itself is slow to
   *  search for (a leading `\w*` tries every word). */
  quick?: RegExp;
  range: Range;
  why: string;
}

// Code and symbol clues; `range` is the span of our eras in which the kernel had that code.
const CODE_CLUES: CodeClue[] = [
  { id: 'mmap_lock', pattern: /\bmmap_(?:read|write)_(?:un)?lock(?:_killable)?\b|\bmmap_lock\b/, range: { min: 'v6.12' }, why: 'mmap_lock replaced mmap_sem in 5.8' },
  { id: 'mmap_sem', pattern: /\bmmap_sem\b/, range: { max: 'v5.4' }, why: 'mmap_sem was renamed mmap_lock in 5.8' },
  { id: 'sys_mprotect', pattern: /\bsys_mprotect\s*\(/, range: { max: 'v2.6.16' }, why: 'mprotect became SYSCALL_DEFINE3 in 2.6.29 and do_mprotect_pkey in 4.9' },
  { id: 'sys_madvise', pattern: /\bsys_madvise\s*\(/, range: { max: 'v2.6.16' }, why: 'madvise became SYSCALL_DEFINE3 in 2.6.29' },
  { id: 'do_mprotect_pkey', pattern: /\bdo_mprotect_pkey\b/, range: { min: 'v5.4' }, why: 'do_mprotect_pkey exists since 4.9' },
  { id: 'SYSCALL_DEFINE', pattern: /\bSYSCALL_DEFINE\d\b/, range: { min: 'v5.4' }, why: 'SYSCALL_DEFINEn exists since 2.6.29' },
  { id: 'vm_flags_set', pattern: /\bvm_flags_(?:set|clear|mod|reset|init)\b/, range: { min: 'v6.12' }, why: 'vm_flags_set/clear/mod exist since 6.3' },
  { id: 'VM_ACCESS_FLAGS', pattern: /\bVM_ACCESS_FLAGS\b/, range: { min: 'v6.12' }, why: 'VM_ACCESS_FLAGS exists since 5.8' },
  { id: 'FOLL_PIN', pattern: /\b(?:pin_user_pages\w*|unpin_user_page\w*|FOLL_PIN)\b/, range: { min: 'v6.12' }, why: 'pin_user_pages/FOLL_PIN exist since 5.6/5.7' },
  { id: 'anon_exclusive', pattern: /\b\w*[Aa]non_?[Ee]xclusive\w*\b/, quick: /[Aa]non_?[Ee]xclusive/, range: { min: 'v6.12' }, why: 'PageAnonExclusive exists since 5.19' },
  { id: 'folio', pattern: /\bfolio_\w+|\bstruct folio\b/, range: { min: 'v6.12' }, why: 'folios exist since 5.16' },
  { id: 'vma_iterator', pattern: /\b(?:VMA_ITERATOR|vma_iter_\w+|for_each_vma)\b/, range: { min: 'v6.12' }, why: 'the maple-tree VMA iterator exists since 6.1' },
  { id: 'vm_next', pattern: /(?:->|\.)vm_(?:next|prev)\b|\bmm->mmap\b(?!_)/, range: { max: 'v5.4' }, why: 'the VMA list (vm_next/vm_prev, mm->mmap) gave way to the maple tree in 6.1' },
  { id: 'madvise_behavior_valid', pattern: /\bmadvise_behavior_valid\b/, range: { min: 'v5.4' }, why: 'madvise_behavior_valid exists since 2.6.2x (still in 6.12)' },
  { id: 'FOLL_LONGTERM', pattern: /\bFOLL_LONGTERM\b/, range: { min: 'v5.4' }, why: 'FOLL_LONGTERM exists since 5.0' },
  { id: 'vm_fault_t', pattern: /\bvm_fault_t\b/, range: { min: 'v5.4' }, why: 'vm_fault_t exists since 4.17' },
  { id: 'get_user_pages_tsk', pattern: /\bget_user_pages\s*\(\s*(?:current|tsk|task)\s*,/, range: { max: 'v2.6.16' }, why: 'get_user_pages lost its task/mm arguments in 4.6' },
  { id: 'VM_RESERVED', pattern: /\bVM_RESERVED\b/, range: { max: 'v2.6.16' }, why: 'VM_RESERVED was removed in 3.7' },
  { id: 'VM_NONLINEAR', pattern: /\bVM_NONLINEAR\b/, range: { max: 'v2.6.16' }, why: 'VM_NONLINEAR was removed in 4.0' },
  { id: 'VM_SHM', pattern: /\bVM_SHM\b/, range: { max: 'v2.6.13' }, why: 'VM_SHM was replaced at bit 10 by VM_PFNMAP in 2.6.15' },
  { id: 'VM_PFNMAP', pattern: /\bVM_PFNMAP\b/, range: { min: 'v2.6.16' }, why: 'VM_PFNMAP exists since 2.6.15' },
  { id: 'VM_INSERTPAGE', pattern: /\bVM_INSERTPAGE\b/, range: { min: 'v2.6.16', max: 'v2.6.16' }, why: 'VM_INSERTPAGE existed from 2.6.15 to 3.7' },
  { id: 'VM_WIPEONFORK', pattern: /\b(?:VM|MADV)_WIPEONFORK\b/, range: { min: 'v5.4' }, why: 'WIPEONFORK exists since 4.14' },
  { id: 'MADV_DONTFORK', pattern: /\bMADV_(?:DONTFORK|DOFORK)\b/, range: { min: 'v2.6.16' }, why: 'MADV_DONTFORK/DOFORK exist since 2.6.16' },
  { id: 'mprotect_mask_0xf', pattern: /newflags\s*>>\s*4\s*\)\s*\)\s*&\s*0xf\b/, range: { max: 'v2.6.13' }, why: 'the mprotect access check masked 0xf until late 2005' },
];

// Symbols a patch may define itself: '+#define NAME' without a '-#define NAME' means the tree
// lacks it, so the era is before the one that introduced it.
const INTRODUCED: Array<{ name: RegExp; before: EraId; why: string }> = [
  { name: /^MADV_(?:DONTFORK|DOFORK)$/, before: 'v2.6.13', why: 'MADV_DONTFORK/DOFORK arrived in 2.6.16' },
  { name: /^(?:VM|MADV)_WIPEONFORK$/, before: 'v2.6.16', why: 'WIPEONFORK arrived in 4.14' },
  { name: /^VM_ACCESS_FLAGS$/, before: 'v5.4', why: 'VM_ACCESS_FLAGS arrived in 5.8' },
];

const PATH_CLUES: Array<{ id: string; pattern: RegExp; range: Range; why: string }> = [
  { id: 'old-asm-layout', pattern: /^include\/asm-(?!generic\/)[\w-]+\//, range: { max: 'v2.6.16' }, why: 'include/asm-ARCH/ moved to arch/ARCH/include/asm/ (2.6.2x-3.x)' },
  { id: 'asm-generic-mman.h', pattern: /^include\/asm-generic\/mman\.h$/, range: { min: 'v2.6.16', max: 'v2.6.16' }, why: 'include/asm-generic/mman.h (non-uapi) existed from 2.6.16 to 3.6' },
  { id: 'uapi-layout', pattern: /(?:^|\/)include\/uapi\//, range: { min: 'v5.4' }, why: 'the uapi header split arrived in 3.7' },
  { id: 'arch-include-layout', pattern: /^arch\/[\w-]+\/include\/asm\//, range: { min: 'v5.4' }, why: 'arch/ARCH/include/asm/ exists since 2.6.2x' },
];

// A kernel version named by the patch itself (a `linux-2.6.16-rc3/` path prefix, "against
// 2.6.12.2" in the changelog) picks the era whose span holds that tree. The spans end where
// the next era's defining change arrived: 2.6.16-rc1 (MADV_DONTFORK), 3.7 (uapi split),
// 5.8 (mmap_lock, FOLL_PIN in use).
function eraOfVersion(text: string): EraId | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:\.\d+)?(-rc\d+)?$/.exec(text);
  if (!m) return null;
  const major = Number(m[1]), minor = Number(m[2]), sub = m[3] === undefined ? 0 : Number(m[3]);
  const rc = m[4] !== undefined;
  if (major < 2 || (major === 2 && minor < 6)) return null;
  if (major === 2) {
    // 2.6.16-rcN already has MADV_DONTFORK (0x30, then 10); 2.6.15 and older do not.
    if (sub < 16) return 'v2.6.13';
    return 'v2.6.16';
  }
  if (major === 3) return minor < 7 ? 'v2.6.16' : 'v5.4';
  if (major === 4 || (major === 5 && minor < 8)) return 'v5.4';
  void rc;
  return 'v6.12';
}

const VERSION_IN_PATH = /^linux-(\d+\.\d+(?:\.\d+){0,2}(?:-rc\d+)?)(?:\.orig)?\//;
const VERSION_IN_TEXT = /\b(?:against|on top of|based on|applies to|rebased to)\s+(?:linux[- ]?|kernel\s+)?(v?\d+\.\d+(?:\.\d+){0,2}(?:-rc\d+)?)\b/i;

// Mails dated before an era's first release candidate cannot target it.
const ERA_RC1: Array<[EraId, number]> = [
  ['v2.6.16', Date.UTC(2006, 0, 17)],
  ['v5.4', Date.UTC(2019, 8, 30)],
  ['v6.12', Date.UTC(2024, 8, 29)],
];

const idx = (era: EraId) => ERAS.indexOf(era);

function allows(range: Range, era: EraId): boolean {
  if (range.min && idx(era) < idx(range.min)) return false;
  if (range.max && idx(era) > idx(range.max)) return false;
  return true;
}

function describeRange(range: Range): string {
  if (range.min && range.max) return range.min === range.max ? `era ${range.min}` : `era ${range.min}..${range.max}`;
  if (range.min) return `era >= ${range.min}`;
  if (range.max) return `era <= ${range.max}`;
  return 'any era';
}

interface Found {
  text: string;
  range: Range;
}

/** Every hunk header and line of the patch set as one text. */
function allHunkText(patchSet: PatchSet): string {
  const parts: string[] = [];
  for (const patch of patchSet.patches) {
    for (const file of patch.files) {
      for (const hunk of file.hunks) {
        parts.push(hunk.header);
        for (const l of hunk.lines) parts.push(l.text);
      }
    }
  }
  return parts.join('\n');
}

/** The code clues `text` shows. No clue pattern is anchored, so a clue on a line is a clue in
 *  the text of all hunks: one search per clue there rules out most of them, and lines are
 *  searched only for the rest until each is seen (per line and clue, a series of hundreds of
 *  patches took milliseconds). */
function cluesIn(text: string): CodeClue[] {
  return CODE_CLUES.filter((c) => (!c.quick || c.quick.test(text)) && c.pattern.test(text));
}

export function detectEra(patchSet: PatchSet): EraDetection {
  const found: Found[] = [];
  const seen = new Set<string>();
  const add = (key: string, what: string, line: number, range: Range, why: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    found.push({ text: `${what} at line ${line}: ${describeRange(range)} (${why})`, range });
  };

  const pathsRead = new Set<string>();
  // The clues the patch set shows anywhere (most are in no hunk at all), less those seen: a
  // clue counts once, so a seen one is not searched for again.
  let pending = cluesIn(allHunkText(patchSet));
  const addCode = (c: CodeClue, what: string, line: number) => {
    add(`code:${c.id}`, what, line, c.range, c.why);
    pending = pending.filter((p) => p !== c);
  };

  for (const patch of patchSet.patches) {
    if (patch.date) {
      const t = Date.parse(patch.date);
      if (!Number.isNaN(t)) {
        let max: EraId = LATEST_ERA;
        for (let i = ERA_RC1.length - 1; i >= 0; i--) if (t < ERA_RC1[i]![1]) max = ERAS[idx(ERA_RC1[i]![0]) - 1]!;
        if (max !== LATEST_ERA) add(`date:${max}`, `mail date ${patch.date}`, patch.line, { max }, `a patch mailed then predates ${ERAS[idx(max) + 1]}`);
      }
    }
    const said = VERSION_IN_TEXT.exec(`${patch.subject ?? ''}\n${patch.message}`);
    if (said) {
      const era = eraOfVersion(said[1]!);
      if (era) add(`version:${said[1]}`, `the mail names kernel ${said[1]}`, patch.line, { min: era, max: era }, `closest modelled era for ${said[1]}`);
    }
    for (const file of patch.files) {
      for (const rawPath of [file.oldPath, file.newPath]) {
        // What a path shows depends on its text only: a path read before adds nothing new.
        if (!rawPath || pathsRead.has(rawPath)) continue;
        pathsRead.add(rawPath);
        // Old-style diffs name the tree: linux-2.6.16-rc3/include/asm-alpha/mman.h.
        const tree = VERSION_IN_PATH.exec(rawPath);
        if (tree) {
          const era = eraOfVersion(tree[1]!);
          if (era) add(`version:${tree[1]}`, `tree linux-${tree[1]} in path ${rawPath}`, file.line, { min: era, max: era }, `closest modelled era for ${tree[1]}`);
        }
        const path = tree ? rawPath.slice(tree[0].length) : rawPath;
        for (const c of PATH_CLUES) if (c.pattern.test(path)) add(`path:${c.id}`, `path ${path}`, file.line, c.range, c.why);
      }
      const addedDefines = new Map<string, number>();
      const removedDefines = new Set<string>();
      for (const hunk of file.hunks) {
        for (const c of pending) if (c.pattern.test(hunk.header)) addCode(c, `${c.id} in hunk header`, hunk.line);
        for (const l of hunk.lines) {
          const def = l.text.includes('define') ? /^\s*#\s*define\s+(\w+)/.exec(l.text) : null;
          if (def) {
            if (l.kind === '+') { if (!addedDefines.has(def[1]!)) addedDefines.set(def[1]!, l.line); }
            else removedDefines.add(def[1]!);
          }
        }
      }
      const patchDefines = new Set([...addedDefines.keys()].filter((n) => !removedDefines.has(n)));
      for (const [name, line] of addedDefines) {
        if (removedDefines.has(name)) continue;
        for (const intro of INTRODUCED) {
          if (intro.name.test(name)) add(`adds:${name}`, `the patch adds #define ${name}`, line, { max: intro.before }, intro.why);
        }
      }
      for (const hunk of file.hunks) {
        if (pending.length === 0) break;
        for (const l of hunk.lines) {
          for (const c of pending) {
            const m = c.pattern.exec(l.text);
            if (!m) continue;
            // A name the patch itself defines says nothing about the tree it applies to.
            if (patchDefines.has(m[0])) continue;
            addCode(c, `'${m[0].trim()}'`, l.line);
          }
        }
      }
    }
  }

  if (found.length === 0) {
    return { era: LATEST_ERA, clues: [`no era clue found in the patch: using the latest era ${LATEST_ERA}`] };
  }
  // Score every era by the clues that allow it; ties go to the newest.
  let best: EraId = LATEST_ERA;
  let bestScore = -1;
  for (const era of ERAS) {
    const score = found.filter((f) => allows(f.range, era)).length;
    if (score >= bestScore) { best = era; bestScore = score; }
  }
  const clues = found.map((f) => f.text);
  if (bestScore < found.length) {
    const against = found.filter((f) => !allows(f.range, best)).length;
    clues.push(`${against} clue(s) disagree with ${best}; it is the newest era allowed by the most clues (${bestScore} of ${found.length})`);
  }
  return { era: best, clues };
}
