// Loads web-tree-sitter and the C grammar once. The wasm files are found next to the running
// bundle (dist/ after scripts/build.mjs), in node_modules (running from sources via tsx), or in
// an explicit directory (the VS Code extension may pass its own install path). The wasm bytes
// are read with fs and handed to the runtime directly, so no fetch()/URL resolution is involved
// (that differs between ESM, the CJS extension bundle and the extension host).
import { Language, Parser } from 'web-tree-sitter';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InitCOptions {
  /** A directory holding both web-tree-sitter.wasm and tree-sitter-c.wasm. */
  wasmDir?: string;
}

const RUNTIME_WASM = 'web-tree-sitter.wasm';
const GRAMMAR_WASM = 'tree-sitter-c.wasm';

let loading: Promise<void> | null = null;
let language: Language | null = null;
let parser: Parser | null = null;

/** Directory of this module (or of the bundle it was bundled into). */
function moduleDir(): string | null {
  try {
    // In the CJS bundle esbuild turns import.meta into an empty object; __dirname exists there.
    const url = (import.meta as { url?: string }).url;
    if (url) return dirname(fileURLToPath(url));
  } catch {
    /* fall through */
  }
  return typeof __dirname === 'string' ? __dirname : null;
}

/** Candidate locations for a wasm file, most specific first. */
function candidates(file: string, pkgDir: string, override?: string): string[] {
  const out: string[] = [];
  if (override) out.push(join(override, file));
  const here = moduleDir();
  if (here) {
    out.push(join(here, file)); // dist/cli.mjs, dist/extension.cjs
    out.push(resolve(here, '..', file)); // a bundle one level below dist/
    out.push(resolve(here, '..', '..', 'node_modules', pkgDir, file)); // src/c/load.ts
    out.push(resolve(here, '..', 'node_modules', pkgDir, file)); // dist/ inside a checkout
  }
  out.push(resolve(process.cwd(), 'node_modules', pkgDir, file));
  out.push(resolve(process.cwd(), 'dist', file));
  return out;
}

function findWasm(file: string, pkgDir: string, override?: string): string {
  const tried = candidates(file, pkgDir, override);
  for (const p of tried) if (existsSync(p)) return p;
  throw new Error(`mmlens: cannot find ${file}; looked in:\n  ${tried.join('\n  ')}`);
}

/** Loads tree-sitter and the C grammar. Safe to call many times; loads once. A failed load
 *  can be retried (e.g. with a wasmDir). */
export function initC(options: InitCOptions = {}): Promise<void> {
  if (!loading) {
    loading = (async () => {
      const runtimePath = findWasm(RUNTIME_WASM, 'web-tree-sitter', options.wasmDir);
      const grammarPath = findWasm(GRAMMAR_WASM, 'tree-sitter-c', options.wasmDir);
      const wasmBinary = readFileSync(runtimePath);
      await Parser.init({ wasmBinary, locateFile: () => runtimePath } as object);
      language = await Language.load(new Uint8Array(readFileSync(grammarPath)));
      parser = new Parser();
      parser.setLanguage(language);
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

export function isCReady(): boolean {
  return parser !== null;
}

/** The shared parser. Throws when initC() has not completed: callers that must never throw
 *  check isCReady() first. */
export function cParser(): Parser {
  if (!parser) throw new Error('mmlens: the C parser is not loaded (await initC() first)');
  return parser;
}

export function cLanguage(): Language {
  if (!language) throw new Error('mmlens: the C parser is not loaded (await initC() first)');
  return language;
}
