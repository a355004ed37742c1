#!/usr/bin/env node
// `npm start`: mmlens on the bundled example, the 2005 PROT_DONTCOPY patch quoted three levels
// deep in a reply: the lint findings, then what the patch does at fork time. Both commands
// exit 1 on this example (it has error-level findings, which is the point); only a status of
// 2 or a crash means something is wrong.
import { spawnSync } from 'node:child_process';

const example = process.argv[2] ?? 'test-fixtures/examples/prot-dontcopy-reply.eml';
let broken = false;
for (const [title, args] of [
  ['mmlens check', ['check', example]],
  ['mmlens simulate', ['simulate', example]],
]) {
  console.log(`\n$ ${title} ${example}\n`);
  const r = spawnSync(process.execPath, ['bin/mmlens', ...args], { stdio: 'inherit' });
  if (r.status === null || r.status >= 2) broken = true;
}
process.exit(broken ? 1 : 0);
