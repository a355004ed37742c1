// The `mmlens.*` settings -> engine options, validated: a typo in settings.json gives a
// message in the output channel and the default, never a broken check.
import type { CheckOptions, SeveritySetting } from './engine-types';
import type { ArchId, EraId } from '../kernel/model';
import { ARCHES, ERAS } from '../kernel/model';

export interface RawSettings {
  kernel?: unknown;
  arch?: unknown;
  rules?: unknown;
  scenarioFolders?: unknown;
  simulateWhileTyping?: unknown;
  debounceMs?: unknown;
}

export interface ExtensionSettings {
  kernel: EraId | 'auto' | 'latest';
  arch: ArchId | 'all';
  rules: Record<string, SeveritySetting>;
  scenarioFolders: string[];
  simulateWhileTyping: boolean;
  debounceMs: number;
}

const SEVERITIES: readonly string[] = ['off', 'info', 'warning', 'error'];
const RULE_ID = /^MM\d{3}$/;

export function readSettings(raw: RawSettings): { settings: ExtensionSettings; problems: string[] } {
  const problems: string[] = [];
  let kernel: ExtensionSettings['kernel'] = 'auto';
  if (raw.kernel !== undefined) {
    if (raw.kernel === 'auto' || raw.kernel === 'latest' || (ERAS as readonly unknown[]).includes(raw.kernel)) kernel = raw.kernel as ExtensionSettings['kernel'];
    else problems.push(`mmlens.kernel: unknown era ${JSON.stringify(raw.kernel)} (use auto, latest or one of ${ERAS.join(', ')}); using auto`);
  }
  let arch: ExtensionSettings['arch'] = 'all';
  if (raw.arch !== undefined) {
    if (raw.arch === 'all' || (ARCHES as readonly unknown[]).includes(raw.arch)) arch = raw.arch as ExtensionSettings['arch'];
    else problems.push(`mmlens.arch: unknown arch ${JSON.stringify(raw.arch)} (use all or one of ${ARCHES.join(', ')}); using all`);
  }
  const rules: Record<string, SeveritySetting> = {};
  if (raw.rules !== undefined && raw.rules !== null) {
    if (typeof raw.rules !== 'object' || Array.isArray(raw.rules)) problems.push('mmlens.rules: expected an object such as { "MM009": "off" }');
    else
      for (const [id, v] of Object.entries(raw.rules as Record<string, unknown>)) {
        if (!RULE_ID.test(id)) problems.push(`mmlens.rules: ${JSON.stringify(id)} is not a rule id (MM000-MM010)`);
        else if (v === 'default') continue;
        else if (typeof v === 'string' && SEVERITIES.includes(v)) rules[id] = v as SeveritySetting;
        else problems.push(`mmlens.rules.${id}: ${JSON.stringify(v)} is not one of default, ${SEVERITIES.join(', ')}`);
      }
  }
  const scenarioFolders = Array.isArray(raw.scenarioFolders) ? raw.scenarioFolders.filter((f): f is string => typeof f === 'string' && f.trim() !== '') : [];
  if (raw.scenarioFolders !== undefined && !Array.isArray(raw.scenarioFolders)) problems.push('mmlens.scenarioFolders: expected a list of folder paths');
  const simulateWhileTyping = raw.simulateWhileTyping === undefined ? true : raw.simulateWhileTyping === true;
  const d = typeof raw.debounceMs === 'number' && Number.isFinite(raw.debounceMs) ? Math.min(5000, Math.max(0, raw.debounceMs)) : 200;
  return { settings: { kernel, arch, rules, scenarioFolders, simulateWhileTyping, debounceMs: d }, problems };
}

export function checkOptions(settings: ExtensionSettings, path: string | null): CheckOptions {
  return { path, kernel: settings.kernel, arch: settings.arch, rules: settings.rules };
}
