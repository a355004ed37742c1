// `.mmlens.json`: the check settings (kernel, arch, per-rule severities) for a tree of
// patches, found by walking up from the input file's directory (from the working directory for
// standard input). Command-line options override it. A malformed file is a usage error that
// names the file and the field.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ARCHES, ERAS } from '../kernel/model';
import type { ArchId, EraId } from '../kernel/model';
import { SEVERITY_SETTINGS } from '../rules/types';
import type { SeveritySetting } from '../rules/types';
import { findRule } from '../rules/registry';
import { UsageError } from './io';

export const CONFIG_NAME = '.mmlens.json';

export interface CheckSettings {
  kernel?: EraId | 'auto' | 'latest';
  arch?: ArchId | 'all';
  rules?: Record<string, SeveritySetting>;
}

export interface LoadedConfig {
  path: string;
  settings: CheckSettings;
}

/** The nearest `.mmlens.json` at or above `startDir`, or null. */
export function findConfig(startDir: string): string | null {
  let dir = resolve(startDir);
  for (;;) {
    const p = join(dir, CONFIG_NAME);
    if (existsSync(p) && statSync(p).isFile()) return p;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

export function loadConfig(path: string): LoadedConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { path, settings: validateSettings(raw, path) };
}

/** Config for an input: `explicit` (--config) wins, otherwise the nearest file upward. */
export function configFor(inputPath: string | null, cwd: string, explicit?: string): LoadedConfig | null {
  if (explicit) return loadConfig(resolve(cwd, explicit));
  const start = inputPath === null ? cwd : dirname(resolve(cwd, inputPath));
  const found = findConfig(start);
  return found ? loadConfig(found) : null;
}

export function parseKernel(value: string, where: string): EraId | 'auto' | 'latest' {
  if (value === 'auto' || value === 'latest') return value;
  if ((ERAS as readonly string[]).includes(value)) return value as EraId;
  throw new UsageError(`${where}: unknown kernel era '${value}' (expected auto, latest, ${ERAS.join(', ')})`);
}

export function parseArch(value: string, where: string): ArchId | 'all' {
  if (value === 'all') return value;
  if ((ARCHES as readonly string[]).includes(value)) return value as ArchId;
  throw new UsageError(`${where}: unknown arch '${value}' (expected all, ${ARCHES.join(', ')})`);
}

/** `MM002=off` -> ['MM002', 'off']. */
export function parseRuleSetting(spec: string, where: string): [string, SeveritySetting] {
  const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(spec);
  if (!m) throw new UsageError(`${where}: expected RULE=off|info|warning|error, got '${spec}'`);
  return [ruleId(m[1], where), severitySetting(m[2], `${where} ${m[1]}`)];
}

function ruleId(name: string, where: string): string {
  const rule = findRule(name);
  if (!rule) throw new UsageError(`${where}: unknown rule '${name}' (see 'mmlens rules')`);
  return rule.meta.id;
}

function severitySetting(value: unknown, where: string): SeveritySetting {
  if (typeof value === 'string' && (SEVERITY_SETTINGS as readonly string[]).includes(value)) return value as SeveritySetting;
  throw new UsageError(`${where}: severity must be one of ${SEVERITY_SETTINGS.join(', ')}, got ${JSON.stringify(value)}`);
}

function validateSettings(raw: unknown, path: string): CheckSettings {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UsageError(`${path}: expected a JSON object`);
  const out: CheckSettings = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const where = `${path}: field '${key}'`;
    if (key === 'kernel') {
      if (typeof value !== 'string') throw new UsageError(`${where}: expected a string`);
      out.kernel = parseKernel(value, where);
    } else if (key === 'arch') {
      if (typeof value !== 'string') throw new UsageError(`${where}: expected a string`);
      out.arch = parseArch(value, where);
    } else if (key === 'rules') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new UsageError(`${where}: expected an object like {"MM009": "off"}`);
      out.rules = {};
      for (const [id, sev] of Object.entries(value as Record<string, unknown>)) {
        out.rules[ruleId(id, `${path}: field 'rules'`)] = severitySetting(sev, `${path}: field 'rules.${id}'`);
      }
    } else if (key !== '$schema' && key !== 'comment') {
      throw new UsageError(`${where}: unknown setting (expected kernel, arch, rules)`);
    }
  }
  return out;
}

/** CLI settings on top of the file's: scalar options replace, rule settings merge per rule. */
export function mergeSettings(file: CheckSettings | undefined, cli: CheckSettings): CheckSettings {
  return {
    kernel: cli.kernel ?? file?.kernel,
    arch: cli.arch ?? file?.arch,
    rules: { ...(file?.rules ?? {}), ...(cli.rules ?? {}) },
  };
}
