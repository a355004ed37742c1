#!/usr/bin/env node
// Bundles the CLI (ESM) and, when present, the VS Code extension (CJS, `vscode` external),
// and copies the two wasm files tree-sitter needs next to the bundles.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.mjs',
  format: 'esm',
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __mmlensCreateRequire } from 'node:module'; const require = __mmlensCreateRequire(import.meta.url);" },
});

// The client of `mmlens server` (bin/mmlens loads it before the engine): Node built-ins only.
await build({ ...common, entryPoints: ['src/cli/client.ts'], outfile: 'dist/client.mjs', format: 'esm', sourcemap: false });

if (existsSync('src/extension/extension.ts')) {
  await build({
    ...common,
    // The extension and its engine worker (checks and simulations off the host's thread).
    entryPoints: { extension: 'src/extension/extension.ts', 'engine-worker': 'src/extension/engine-worker.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    external: ['vscode'],
    // web-tree-sitter is bundled from its ESM build, which reads import.meta.url; give the
    // CJS bundle a real one (esbuild would leave it empty).
    define: { 'import.meta.url': '__mmlensImportMetaUrl' },
    banner: { js: "const __mmlensImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
}

copyFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm');
copyFileSync('node_modules/tree-sitter-c/tree-sitter-c.wasm', 'dist/tree-sitter-c.wasm');
