import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readOptions } from '../../src/cli/options';
import { UsageError } from '../../src/cli/io';

function read(args: string[]) {
  const out: string[] = [];
  for (const o of readOptions(args, 'usage: x')) out.push(o.name.startsWith('--') ? `${o.name}:${o.value()}` : o.arg);
  return out;
}

test('--name value, --name=value (values may contain =), positionals and -', () => {
  assert.deepEqual(read(['--kernel', 'v5.4', 'a.patch', '--rule=MM002=off', '-']), ['--kernel:v5.4', 'a.patch', '--rule:MM002=off', '-']);
});

test('a missing value is a usage error naming the option', () => {
  assert.throws(() => read(['a.patch', '--format']), (e: unknown) => e instanceof UsageError && /--format needs a value/.test(e.message));
});
