#!/usr/bin/env node
// Runs every test file under test/ (except e2e) with Node's built-in runner and the tsx loader.
// Node 20's --test takes no globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'e2e' && name !== 'fixtures') collect(p, out);
    } else if (/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}
const only = process.argv.slice(2);
const files = only.length ? only : collect('test', []);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
