// Finds and reads the rule pages (docs/rules/MM00X.md) from wherever the engine runs: the
// sources (src/rules/), the CLI bundle (dist/) or an installed package. The pages are the
// single source for `mmlens explain`, SARIF help text and the extension's hovers.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RuleMeta } from './types';

let rootCache: string | null | undefined;

/** The project root holding docs/rules, or null when the pages are not installed. */
function moduleDir(): string {
  try {
    const url = (import.meta as { url?: string }).url;
    if (url) return dirname(fileURLToPath(url));
  } catch {
    /* a bundle without import.meta.url */
  }
  return typeof __dirname === 'string' ? __dirname : process.cwd();
}

export function docsRoot(): string | null {
  if (rootCache !== undefined) return rootCache;
  let dir = moduleDir();
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'docs', 'rules'))) return (rootCache = dir);
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return (rootCache = null);
}

export function rulePagePath(meta: RuleMeta): string | null {
  const root = docsRoot();
  if (!root) return null;
  const p = join(root, meta.docs);
  return existsSync(p) ? p : null;
}

/** The rule page as markdown, or null when it cannot be found. */
export function readRulePage(meta: RuleMeta): string | null {
  const p = rulePagePath(meta);
  return p ? readFileSync(p, 'utf8') : null;
}

export function rulePageUri(meta: RuleMeta): string | null {
  const p = rulePagePath(meta);
  return p ? pathToFileURL(p).href : null;
}
