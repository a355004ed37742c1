// initC finds the wasm files from bundles the way scripts/build.mjs makes them: an ESM bundle
// (dist/cli.mjs) and a CJS bundle (dist/extension.cjs, with the import.meta.url shim), each
// run from an unrelated working directory with the wasm files next to it, or in a directory
// passed as wasmDir, and failing with a clear message when they are nowhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = resolve('.');

function run(cwd: string, code: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['-e', code], { cwd, encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

test('bundled ESM and CJS builds load tree-sitter next to the bundle or from wasmDir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mmlens-c-load-'));
  try {
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `import { initC, evaluateText } from ${JSON.stringify(join(ROOT, 'src/c/index'))};
export async function main(wasmDir?: string) {
  await initC(wasmDir ? { wasmDir } : {});
  const r = evaluateText('_BITUL(40) | X', (n) => (n === 'X' ? 1n : undefined));
  console.log(r.ok ? r.value.toString(16) : 'error ' + r.error);
}
`);
    const common = { bundle: true, platform: 'node' as const, target: 'node20', logLevel: 'silent' as const, entryPoints: [entry], absWorkingDir: ROOT };
    mkdirSync(join(dir, 'dist'));
    await build({ ...common, outfile: join(dir, 'dist/cli.mjs'), format: 'esm', banner: { js: "import { createRequire as __mmlensCreateRequire } from 'node:module'; const require = __mmlensCreateRequire(import.meta.url);" } });
    await build({ ...common, outfile: join(dir, 'dist/extension.cjs'), format: 'cjs', define: { 'import.meta.url': '__mmlensImportMetaUrl' }, banner: { js: "const __mmlensImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" } });
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const esm = `import(${JSON.stringify(join(dir, 'dist/cli.mjs'))}).then((m) => m.main(process.argv[1]))`;
    const cjs = `require(${JSON.stringify(join(dir, 'dist/extension.cjs'))}).main(process.argv[1])`;

    // Nowhere to be found: a clear error naming the file.
    const missing = run(elsewhere, cjs);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /cannot find web-tree-sitter\.wasm/);

    // Next to the bundles, as scripts/build.mjs copies them.
    copyFileSync(join(ROOT, 'node_modules/web-tree-sitter/web-tree-sitter.wasm'), join(dir, 'dist/web-tree-sitter.wasm'));
    copyFileSync(join(ROOT, 'node_modules/tree-sitter-c/tree-sitter-c.wasm'), join(dir, 'dist/tree-sitter-c.wasm'));
    assert.equal(run(elsewhere, esm).stdout, '10000000001');
    assert.equal(run(elsewhere, cjs).stdout, '10000000001');

    // An explicit directory (the extension host passing its install path).
    const wasmDir = join(dir, 'wasm');
    mkdirSync(wasmDir);
    for (const f of ['web-tree-sitter.wasm', 'tree-sitter-c.wasm']) {
      copyFileSync(join(dir, 'dist', f), join(wasmDir, f));
      rmSync(join(dir, 'dist', f));
    }
    const withDir = spawnSync(process.execPath, ['-e', cjs, wasmDir], { cwd: elsewhere, encoding: 'utf8' });
    assert.equal(withDir.stdout.trim(), '10000000001', withDir.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
