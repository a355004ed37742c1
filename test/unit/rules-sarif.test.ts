// SARIF 2.1.0 shape, checked field by field against what code-scanning UIs read: the log's
// version and $schema, every rule's id/name/descriptions/help/defaultConfiguration, and every
// result's ruleId/ruleIndex/level/message/locations/relatedLocations/fixes, with valid regions
// and URI references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkText } from '../../src/rules/check';
import { RULES } from '../../src/rules/registry';
import { formatSarif } from '../../src/rules/output/sarif';

const FIXTURES = ['mm007-whitelist-54-missing.patch', 'mm004-alpha-mips-map-2616.patch', 'mm009-612-self-update.patch'];

function assertRegion(r: { startLine: number; startColumn: number; endLine?: number; endColumn?: number }, lines: number, where: string) {
  assert.ok(Number.isInteger(r.startLine) && r.startLine >= 1 && r.startLine <= lines, where);
  assert.ok(Number.isInteger(r.startColumn) && r.startColumn >= 1, where);
  if (r.endLine !== undefined) assert.ok(r.endLine >= r.startLine, where);
  if (r.endColumn !== undefined && (r.endLine ?? r.startLine) === r.startLine) assert.ok(r.endColumn >= r.startColumn, where);
}

test('sarif: 2.1.0 log with complete rule metadata and well-formed results', async () => {
  const reports = [];
  const lineCounts = new Map<string, number>();
  for (const f of FIXTURES) {
    const path = `test-fixtures/rules/${f}`;
    const text = readFileSync(path, 'utf8');
    lineCounts.set(path, text.split('\n').length);
    reports.push(await checkText(text, { path }));
  }
  const log = JSON.parse(formatSarif(reports, RULES, '0.0.0-test'));
  assert.equal(log.version, '2.1.0');
  assert.match(log.$schema, /sarif-2\.1\.0.*\.json$/);
  assert.equal(log.runs.length, 1);
  const run = log.runs[0];
  const driver = run.tool.driver;
  assert.equal(driver.name, 'mmlens');
  assert.equal(driver.rules.length, RULES.length);
  for (const r of driver.rules) {
    assert.match(r.id, /^MM0\d\d$/);
    assert.ok(r.shortDescription.text.length > 0 && r.fullDescription.text.length > 0, r.id);
    assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration.level), r.id);
    assert.ok(URL.canParse(r.helpUri), r.helpUri);
    assert.match(r.help.markdown, new RegExp(`^# ${r.id}: `));
  }
  assert.ok(run.results.length >= 5);
  const kinds = new Set<string>();
  for (const res of run.results) {
    assert.equal(driver.rules[res.ruleIndex].id, res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.ok(res.message.text.length > 0);
    assert.equal(res.locations.length, 1);
    const loc = res.locations[0].physicalLocation;
    const uri: string = loc.artifactLocation.uri;
    assert.ok(lineCounts.has(decodeURIComponent(uri)), uri);
    assertRegion(loc.region, lineCounts.get(uri)!, res.message.text);
    for (const rel of res.relatedLocations ?? []) {
      kinds.add('related');
      assert.ok(Number.isInteger(rel.id) && rel.message.text.length > 0);
      assertRegion(rel.physicalLocation.region, lineCounts.get(uri)!, rel.message.text);
    }
    for (const fix of res.fixes ?? []) {
      kinds.add('fix');
      assert.ok(fix.description.text.length > 0);
      for (const ch of fix.artifactChanges) {
        assert.equal(ch.artifactLocation.uri, uri);
        for (const rep of ch.replacements) {
          assertRegion(rep.deletedRegion, lineCounts.get(uri)! + 1, fix.description.text);
          assert.equal(typeof rep.insertedContent.text, 'string');
        }
      }
    }
  }
  assert.deepEqual([...kinds].sort(), ['fix', 'related']);
  assert.deepEqual(run.artifacts.map((a: { location: { uri: string } }) => a.location.uri), FIXTURES.map((f) => `test-fixtures/rules/${f}`));
});

test('sarif: artifact URIs are URI references (encoded relative paths, file: URLs for absolute ones)', async () => {
  const text = readFileSync('test-fixtures/rules/mm002-hex-literal.patch', 'utf8');
  const rel = await checkText(text, { path: 'patches/my fix#1.patch' });
  const abs = await checkText(text, { path: resolve('test-fixtures/rules/mm002-hex-literal.patch') });
  const log = JSON.parse(formatSarif([rel, abs], RULES, '0'));
  const uris = log.runs[0].artifacts.map((a: { location: { uri: string } }) => a.location.uri);
  assert.equal(uris[0], 'patches/my%20fix%231.patch');
  assert.match(uris[1], /^file:\/\/\/.*test-fixtures\/rules\/mm002-hex-literal\.patch$/);
  for (const res of log.runs[0].results) assert.ok(uris.includes(res.locations[0].physicalLocation.artifactLocation.uri));
});
