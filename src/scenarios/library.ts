// The built-in scenario library: every JSON file in ./library, imported so that bundles
// (CLI, VS Code extension) carry them. test/unit/scenario-library.test.ts checks that this
// list matches the folder.
import { scenarioFromJson } from './parse';
import type { Scenario } from './types';
import cowChildWrites from './library/cow-child-writes.json';
import cowLargeFill from './library/cow-large-fill.json';
import cowParentWrites from './library/cow-parent-writes.json';
import doforkOnDoorbell from './library/dofork-on-doorbell.json';
import dontforkSplitMerge from './library/dontfork-split-merge.json';
import doorbellInheritedMainline from './library/doorbell-inherited-mainline.json';
import doorbellNotInherited from './library/doorbell-not-inherited.json';
import gupPlainVsPin from './library/gup-plain-vs-pin.json';
import gupReadCowLeak from './library/gup-read-cow-leak.json';
import gupReadPinUnshares from './library/gup-read-pin-unshares.json';
import ibvForkInitOverlap from './library/ibv-fork-init-overlap.json';
import ibvForkInitTooLate from './library/ibv-fork-init-too-late.json';
import ibvForkInit from './library/ibv-fork-init.json';
import madviseErrors from './library/madvise-errors.json';
import mprotectKeepsDontcopy from './library/mprotect-keeps-dontcopy.json';
import mrChildExitsFirst from './library/mr-child-exits-first.json';
import mrChildWritesFirst from './library/mr-child-writes-first.json';
import mrDeregThenFork from './library/mr-dereg-then-fork.json';
import mrDmaAfterFork from './library/mr-dma-after-fork.json';
import mrDontneedUnderPin from './library/mr-dontneed-under-pin.json';
import mrForkParentWrite from './library/mr-fork-parent-write.json';
import mrMunmapUnderPin from './library/mr-munmap-under-pin.json';
import mrOnDoorbell from './library/mr-on-doorbell.json';
import mrRegisteredAfterFork from './library/mr-registered-after-fork.json';
import refBeforeForkSeesChildWrite from './library/ref-before-fork-sees-child-write.json';
import sharedAnonFork from './library/shared-anon-fork.json';
import wipeonforkGrandchild from './library/wipeonfork-grandchild.json';
import wipeonforkInvalidTargets from './library/wipeonfork-invalid-targets.json';

const FILES: [string, unknown][] = [
  ['cow-child-writes.json', cowChildWrites],
  ['cow-large-fill.json', cowLargeFill],
  ['cow-parent-writes.json', cowParentWrites],
  ['dofork-on-doorbell.json', doforkOnDoorbell],
  ['dontfork-split-merge.json', dontforkSplitMerge],
  ['doorbell-inherited-mainline.json', doorbellInheritedMainline],
  ['doorbell-not-inherited.json', doorbellNotInherited],
  ['gup-plain-vs-pin.json', gupPlainVsPin],
  ['gup-read-cow-leak.json', gupReadCowLeak],
  ['gup-read-pin-unshares.json', gupReadPinUnshares],
  ['ibv-fork-init-overlap.json', ibvForkInitOverlap],
  ['ibv-fork-init-too-late.json', ibvForkInitTooLate],
  ['ibv-fork-init.json', ibvForkInit],
  ['madvise-errors.json', madviseErrors],
  ['mprotect-keeps-dontcopy.json', mprotectKeepsDontcopy],
  ['mr-child-exits-first.json', mrChildExitsFirst],
  ['mr-child-writes-first.json', mrChildWritesFirst],
  ['mr-dereg-then-fork.json', mrDeregThenFork],
  ['mr-dma-after-fork.json', mrDmaAfterFork],
  ['mr-dontneed-under-pin.json', mrDontneedUnderPin],
  ['mr-fork-parent-write.json', mrForkParentWrite],
  ['mr-munmap-under-pin.json', mrMunmapUnderPin],
  ['mr-on-doorbell.json', mrOnDoorbell],
  ['mr-registered-after-fork.json', mrRegisteredAfterFork],
  ['ref-before-fork-sees-child-write.json', refBeforeForkSeesChildWrite],
  ['shared-anon-fork.json', sharedAnonFork],
  ['wipeonfork-grandchild.json', wipeonforkGrandchild],
  ['wipeonfork-invalid-targets.json', wipeonforkInvalidTargets],
];

/** The library's file names (relative to src/scenarios/library/). */
export const LIBRARY_FILES: readonly string[] = FILES.map(([f]) => f);

let cache: Scenario[] | null = null;

/** The built-in scenarios, parsed (a broken library file throws: it is a build error). */
export function libraryScenarios(): Scenario[] {
  if (cache) return cache;
  cache = FILES.map(([file, json]) => {
    const r = scenarioFromJson(json, `library/${file}`);
    if (!r.ok) throw new Error(r.errors.map((e) => `${e.file} step ${e.step} ${e.field}: ${e.message}`).join('\n'));
    return r.scenario;
  });
  return cache;
}
