// The patched model of a patch file (or text), for `mmlens scenario S.json --patch P` and
// for simulate. Reading and extracting happen once per (patch text, era, arch).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PatchSet } from '../patch/types';
import { readPatchSet } from '../patch/index';
import { ARCHES, ERAS, LATEST_ERA, type ArchId, type EraId, type KernelModel } from '../kernel/model';
import { kernelModel } from '../kernel/eras';
import { detectEra } from '../kernel/detect';
import { initC } from '../c/index';
import { extractHookChanges } from './extract';
import { applyHookChanges } from './apply';
import type { HookChange } from './types';

export type KernelRequest = EraId | 'auto' | 'latest';

export interface KernelSelection {
  era: EraId;
  arch: ArchId;
  requested: string;
  /** What made `auto` choose the era (one line per clue). */
  clues: string[];
}

/** The era to use: an explicit one, `latest`, or detected from the patch. */
export function selectKernel(patchSet: PatchSet, kernel: KernelRequest = 'auto', arch: ArchId = 'generic'): KernelSelection {
  if (kernel === 'latest') return { era: LATEST_ERA, arch, requested: kernel, clues: [] };
  if (kernel !== 'auto') {
    if (!(ERAS as readonly string[]).includes(kernel)) throw new Error(`unknown kernel era '${kernel}' (known: ${ERAS.join(', ')}, latest, auto)`);
    return { era: kernel, arch, requested: kernel, clues: [] };
  }
  try {
    const d = detectEra(patchSet);
    return { era: d.era, arch, requested: 'auto', clues: d.clues };
  } catch {
    return { era: LATEST_ERA, arch, requested: 'auto', clues: [] };
  }
}

export interface PatchedModel {
  base: KernelModel;
  patched: KernelModel;
  hookChanges: HookChange[];
  kernel: KernelSelection;
  patchSet: PatchSet;
}

export interface PatchedModelOptions {
  kernel?: KernelRequest;
  arch?: ArchId;
  /** Resolve relative paths against this directory (default: process.cwd()). */
  cwd?: string;
  /** Use this model as the base instead of the era preset (its era and arch win). */
  base?: KernelModel;
}

const cache = new Map<string, PatchedModel>();

function isModel(x: unknown): x is KernelModel {
  return !!x && typeof x === 'object' && 'symbols' in x && 'era' in x && 'madvise' in x;
}

/** Reads a patch given as a path or as the patch text itself (anything with a newline). */
export function readPatchArgument(pathOrText: string, cwd = process.cwd()): { text: string; path: string | null } {
  if (pathOrText.includes('\n')) return { text: pathOrText, path: null };
  const p = resolve(cwd, pathOrText);
  if (!existsSync(p)) throw new Error(`cannot read patch: no such file`);
  if (statSync(p).isDirectory()) throw new Error(`cannot read patch: is a directory`);
  const buf = readFileSync(p);
  if (buf.includes(0)) throw new Error(`cannot read patch: binary data`);
  return { text: buf.toString('utf8'), path: p };
}

/** The patched KernelModel for a patch. Second argument: a base model (the scenario CLI's
 *  way: `patchedModelFor(path, kernelModel(era))`) or options. Returns the patched model;
 *  use `patchedModelDetails` for the hook changes and the base too. */
export async function patchedModelFor(pathOrText: string, baseOrOptions: KernelModel | PatchedModelOptions = {}): Promise<KernelModel> {
  return (await patchedModelDetails(pathOrText, baseOrOptions)).patched;
}

export async function patchedModelDetails(pathOrText: string, baseOrOptions: KernelModel | PatchedModelOptions = {}): Promise<PatchedModel> {
  const options: PatchedModelOptions = isModel(baseOrOptions) ? { base: baseOrOptions } : baseOrOptions;
  await initC();
  const { text } = readPatchArgument(pathOrText, options.cwd);
  const patchSet = readPatchSet(text);
  return patchedModelOfPatchSet(text, patchSet, options);
}

export function patchedModelOfPatchSet(text: string, patchSet: PatchSet, options: PatchedModelOptions = {}): PatchedModel {
  const arch = options.base?.arch ?? options.arch ?? 'generic';
  if (!(ARCHES as readonly string[]).includes(arch)) throw new Error(`unknown arch '${arch}' (known: ${ARCHES.join(', ')})`);
  const kernel = options.base
    ? { era: options.base.era, arch, requested: options.base.era, clues: [] }
    : selectKernel(patchSet, options.kernel ?? 'auto', arch);
  const key = `${kernel.era}/${arch}/${options.base ? 'b' : 'p'}/${text.length}/${hash(text)}`;
  const hit = cache.get(key);
  if (hit && (!options.base || hit.base === options.base)) return hit;
  const base = options.base ?? kernelModel(kernel.era, arch);
  const hookChanges = extractHookChanges(patchSet, { era: kernel.era, arch });
  const result: PatchedModel = { base, patched: applyHookChanges(base, hookChanges), hookChanges, kernel, patchSet };
  if (cache.size > 64) cache.clear();
  cache.set(key, result);
  return result;
}

function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0).toString(16);
}
