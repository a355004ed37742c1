// `mmlens check`, `mmlens rules`, `mmlens explain`: output formats, exit codes, options,
// .mmlens.json, unusable input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './check-helpers';

const TRUNCATED = 'test-fixtures/rules/mm000-truncated.patch';
const CLEAN = 'test-fixtures/rules/clean-comment-only.patch';

test('MM000: a truncated hunk is reported in text form with file:line:col and exit 1', async () => {
  const r = await runCli(['check', TRUNCATED]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^test-fixtures\/rules\/mm000-truncated\.patch:3:1: error MM000 hunk @@ -235,7 \+235,7 @@ is cut short/m);
  // The era line goes to stderr with its clues.
  assert.match(r.stderr, /kernel v2\.6\.1[36] \(auto: .*sys_mprotect/);
});

test('a clean patch gives no findings and exit 0', async () => {
  const r = await runCli(['check', CLEAN]);
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.stdout, '');
});

test('json output has the DESIGN shape with the kernel choice', async () => {
  const r = await runCli(['check', '--format', 'json', TRUNCATED, CLEAN]);
  const out = JSON.parse(r.stdout);
  assert.equal(out.files.length, 2);
  assert.equal(out.files[0].path, TRUNCATED);
  const f = out.files[0].findings.find((x: { rule: string }) => x.rule === 'MM000');
  assert.ok(f);
  for (const k of ['rule', 'severity', 'message', 'line', 'column', 'endLine', 'endColumn', 'related']) assert.ok(k in f, k);
  assert.equal(f.line, 3);
  assert.equal(out.files[0].kernel.requested, 'auto');
  assert.ok(out.files[0].kernel.clues.length > 0);
  assert.deepEqual(out.files[1].findings, []);
  assert.equal(r.stderr, '', 'no era line on stderr in json mode');
});

test('sarif output is 2.1.0 with rule metadata and help', async () => {
  const r = await runCli(['check', '--format', 'sarif', TRUNCATED]);
  const s = JSON.parse(r.stdout);
  assert.equal(s.version, '2.1.0');
  const driver = s.runs[0].tool.driver;
  assert.equal(driver.name, 'mmlens');
  const ids = driver.rules.map((x: { id: string }) => x.id);
  assert.ok(ids.includes('MM000') && ids.includes('MM002'), ids.join(','));
  const mm002 = driver.rules.find((x: { id: string }) => x.id === 'MM002');
  assert.match(mm002.help.markdown, /# MM002/);
  assert.match(mm002.helpUri, /^file:.*docs\/rules\/MM002\.md$/);
  const res = s.runs[0].results[0];
  assert.equal(res.ruleId, 'MM000');
  assert.equal(res.level, 'error');
  assert.equal(driver.rules[res.ruleIndex].id, 'MM000');
  assert.equal(res.locations[0].physicalLocation.region.startLine, 3);
  assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, TRUNCATED);
});

test('--rule changes a severity and can turn a rule off', async () => {
  // The truncated fixture also carries an MM002 finding (the reader still read the + line).
  const off = await runCli(['check', '--rule', 'MM000=off,MM002=off', TRUNCATED]);
  assert.equal(off.code, 0);
  assert.equal(off.stdout, '');
  const warn = await runCli(['check', '--rule=MM000=warning', '--rule', 'mprotect-clears-kept-flag=warning', TRUNCATED]);
  assert.equal(warn.code, 0, 'warnings do not fail the run');
  assert.match(warn.stdout, /: warning MM000 /);
  assert.match(warn.stdout, /: warning MM002 /);
});

test('bad arguments exit 2 with a message', async () => {
  for (const args of [
    ['check'],
    ['check', '--format', 'xml', CLEAN],
    ['check', '--kernel', 'v9.9', CLEAN],
    ['check', '--arch', 'vax', CLEAN],
    ['check', '--rule', 'MM999=off', CLEAN],
    ['check', '--rule', 'MM002=loud', CLEAN],
    ['check', '--bogus', CLEAN],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.ok(r.stderr.length > 0);
  }
});

test('unusable input exits 2 naming the file; the other inputs are still checked', async () => {
  const r = await runCli(['check', 'no/such/file.patch', TRUNCATED]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no\/such\/file\.patch: no such file/);
  assert.match(r.stdout, /MM000/);
  const dir = await runCli(['check', 'test-fixtures']);
  assert.equal(dir.code, 2);
  assert.match(dir.stderr, /test-fixtures: is a directory/);
});

test('standard input is read with -', async () => {
  const { readFileSync } = await import('node:fs');
  const r = await runCli(['check', '-'], { stdin: readFileSync(TRUNCATED, 'utf8') });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^<stdin>:3:1: error MM000/m);
});

test('.mmlens.json is found upward from the input and the CLI overrides it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mmlens-config-'));
  mkdirSync(join(root, 'a', 'b'), { recursive: true });
  copyFileSync(TRUNCATED, join(root, 'a', 'b', 'x.patch'));
  writeFileSync(join(root, '.mmlens.json'), JSON.stringify({ kernel: 'v5.4', arch: 'mips', rules: { MM000: 'info', MM002: 'info' } }));
  const r = await runCli(['check', '--format', 'json', join(root, 'a', 'b', 'x.patch')]);
  const out = JSON.parse(r.stdout);
  assert.equal(out.files[0].kernel.era, 'v5.4');
  assert.equal(out.files[0].arch, 'mips');
  assert.equal(out.files[0].findings[0].severity, 'info');
  assert.equal(r.code, 0);
  const o = await runCli(['check', '--format', 'json', '--kernel', 'v2.6.16', '--rule', 'MM000=error', join(root, 'a', 'b', 'x.patch')]);
  const oo = JSON.parse(o.stdout);
  assert.equal(oo.files[0].kernel.era, 'v2.6.16');
  assert.equal(oo.files[0].arch, 'mips');
  assert.equal(oo.files[0].findings[0].severity, 'error');
  assert.equal(o.code, 1);
});

test('a malformed .mmlens.json exits 2 naming the file and field', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mmlens-config-'));
  copyFileSync(CLEAN, join(root, 'x.patch'));
  writeFileSync(join(root, '.mmlens.json'), JSON.stringify({ rules: { MM002: 'loud' } }));
  const r = await runCli(['check', join(root, 'x.patch')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\.mmlens\.json: field 'rules\.MM002'/);
  writeFileSync(join(root, '.mmlens.json'), '{ not json');
  const r2 = await runCli(['check', join(root, 'x.patch')]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /\.mmlens\.json: not valid JSON/);
});

test('mmlens rules lists every rule MM000-MM010; explain prints a page', async () => {
  const r = await runCli(['rules']);
  assert.equal(r.code, 0);
  for (let i = 0; i <= 10; i++) assert.match(r.stdout, new RegExp(`^MM0${String(i).padStart(2, '0')} `, 'm'));
  const j = JSON.parse((await runCli(['rules', '--format', 'json'])).stdout);
  assert.equal(j.rules.length, 11);
  const e = await runCli(['explain', 'MM002']);
  assert.equal(e.code, 0);
  assert.match(e.stdout, /^# MM002/);
  assert.match(e.stdout, /## Bad example/);
  assert.match(e.stdout, /## Good example/);
  const lower = await runCli(['explain', 'mm009']);
  assert.match(lower.stdout, /^# MM009/);
  const bad = await runCli(['explain', 'MM099']);
  assert.equal(bad.code, 2);
});

test('the seed reply: MM002 on the quoted + line and MM001 on the define, compiler-style', async () => {
  const r = await runCli(['check', 'test-fixtures/examples/prot-dontcopy-reply.eml']);
  assert.equal(r.code, 1);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 2, r.stdout);
  assert.match(lines[0]!, /^test-fixtures\/examples\/prot-dontcopy-reply\.eml:26:8: warning MM001 PROT_DONTCOPY \(0x04000000, bit 26\)/);
  assert.match(lines[1]!, /^test-fixtures\/examples\/prot-dontcopy-reply\.eml:56:21: error MM002 .*VM_DONTCOPY \(0x00020000, bit 17\)/);
  assert.match(r.stderr, /kernel v2\.6\.13 \(auto: .*\), arch all/);
  const explicit = await runCli(['check', '--kernel', 'v6.12', '--arch', 'x86', 'test-fixtures/examples/prot-dontcopy-reply.eml']);
  assert.match(explicit.stderr, /kernel v6\.12 \(requested\), arch x86/);
});
