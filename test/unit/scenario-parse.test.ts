// Scenario files that are not valid are refused with the file, the step index and the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initC } from '../../src/c/index';
import { kernelModel } from '../../src/kernel/index';
import { parseScenario, validateScenario, runScenario, formatScenarioError, expectationFor, type Scenario } from '../../src/scenarios/index';

await initC();

const mm = (extra = '') => `{"op": "mmap", "proc": "parent", "region": "buf", "pages": 2, "prot": "PROT_READ|PROT_WRITE", "flags": "MAP_PRIVATE|MAP_ANONYMOUS"${extra}}`;
const doc = (...steps: string[]) => `{"scenario": "t", "steps": [${steps.join(',')}]}`;

function parsed(text: string): Scenario {
  const r = parseScenario(text, 'f.json');
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.scenario;
}

function parseErrors(text: string) {
  const r = parseScenario(text, 'f.json');
  assert.ok(!r.ok);
  return r.errors;
}

test('JSON syntax errors name the line and column', () => {
  const e = parseErrors('{"scenario": "x",\n "steps": [}');
  assert.equal(e.length, 1);
  assert.match(e[0].message, /line 2, column 12/);
  assert.equal(formatScenarioError(e[0]).startsWith('f.json: not valid JSON'), true);
});

test('top-level problems: name, steps, kernel, driver', () => {
  const e = parseErrors('{"kernel": "v9.9", "driver": "nope"}');
  assert.deepEqual(e.map((x) => x.field).sort(), ['driver', 'kernel', 'scenario', 'steps']);
});

test('unknown op, missing field, bad types, unused field: step index and field', () => {
  const e = parseErrors(doc(mm(), '{"op": "frob"}', '{"op": "read", "proc": "parent", "page": 0}',
    '{"op": "write", "proc": "parent", "region": "buf", "page": -1, "value": "x"}', '{"op": "exit", "proc": "parent", "region": "buf"}'));
  assert.deepEqual(e.map((x) => `${x.step}:${x.field}`), ['1:op', '2:region', '3:page', '3:value', '4:region']);
  assert.match(e[0].message, /unknown op 'frob'/);
  assert.match(e[1].message, /missing field 'region'/);
  const big = parseErrors(doc(mm().replace('"pages": 2', '"pages": 1e12')));
  assert.deepEqual(big.map((x) => `${x.step}:${x.field}`), ['0:pages']);
});

test('expectations: plain, errno, signal, per era; unknown era key refused', () => {
  const s = parsed(doc(mm(', "expect": "ok"'), '{"op": "read", "proc": "parent", "region": "buf", "page": 0, "expect": {"v2.6.13": 1, "latest": {"signal": "SIGSEGV"}, "default": {"errno": "EINVAL"}}}'));
  assert.deepEqual(s.steps[0].expect, { kind: 'one', value: 'ok' });
  assert.equal(s.steps[1].expect?.kind, 'byEra');
  const e = parseErrors(doc(mm(', "expect": {"v3.0": 1}')));
  assert.equal(e[0].field, 'expect');
  assert.match(e[0].message, /unknown era key 'v3.0'/);
  const e2 = parseErrors(doc(mm(', "expect": "yes"')));
  assert.equal(e2[0].field, 'expect');
});

test('validation against a model: unknown names, used before they exist, out of range', () => {
  const s = parsed(doc(
    mm().replace('PROT_READ|PROT_WRITE', 'PROT_READ|PROT_DONTCOPY'),
    '{"op": "read", "proc": "child", "region": "buf", "page": 0}',
    '{"op": "write", "proc": "parent", "region": "other", "page": 0, "value": 1}',
    '{"op": "read", "proc": "parent", "region": "buf", "page": 5}',
    '{"op": "madvise", "proc": "parent", "region": "buf", "advice": "MADV_WIPEONFORK"}',
    '{"op": "ib_reg_mr", "ctx": "c", "region": "buf", "mr": "m"}',
    '{"op": "gup_read", "ref": "r"}',
    '{"op": "mprotect", "proc": "parent", "region": "buf", "prot": "PROT_READ", "first": 1, "count": 2}',
  ));
  const e = validateScenario(s, kernelModel('v2.6.13'));
  assert.deepEqual(e.map((x) => `${x.step}:${x.field}`), ['0:prot', '1:proc', '2:region', '3:page', '4:advice', '5:ctx', '6:ref', '7:count']);
  assert.match(e[0].message, /unknown identifier 'PROT_DONTCOPY'/);
  assert.match(e[4].message, /unknown identifier 'MADV_WIPEONFORK'.*v2\.6\.13/);
  assert.match(formatScenarioError(e[2]), /^f\.json: step 2 field 'region': region 'other' is used before it exists/);
  // The same names exist on 6.12 (WIPEONFORK) but PROT_DONTCOPY does not.
  const later = validateScenario(s, kernelModel('v6.12')).map((x) => `${x.step}:${x.field}`);
  assert.ok(later.includes('0:prot') && !later.includes('4:advice'));
  // A model that defines the name (as a patched one would) accepts it.
  const base = kernelModel('v2.6.13');
  const patched = { ...base, symbols: new Map([...base.symbols, ['PROT_DONTCOPY', 0x10n]]) };
  assert.ok(!validateScenario(s, patched).some((x) => x.field === 'prot'));
});

test('runScenario refuses a scenario that is not valid', () => {
  const s = parsed(doc('{"op": "read", "proc": "parent", "region": "nope", "page": 0}'));
  const r = runScenario(s, kernelModel('v6.12'));
  assert.equal(r.valid, false);
  assert.equal(r.passed, false);
  assert.equal(r.errors[0].field, 'region');
});

test('a failed expectation does not stop the run', () => {
  const s = parsed(doc(mm(), '{"op": "read", "proc": "parent", "region": "buf", "page": 0, "expect": 7}',
    '{"op": "write", "proc": "parent", "region": "buf", "page": 0, "value": 7}', '{"op": "read", "proc": "parent", "region": "buf", "page": 0, "expect": 7}'));
  const r = runScenario(s, kernelModel('v6.12'));
  assert.equal(r.passed, false);
  assert.deepEqual(r.steps.map((x) => x.passed), [undefined, false, undefined, true]);
});

test('per-era expectations pick the era, then latest, then default', () => {
  const spec = { kind: 'byEra' as const, values: { 'v2.6.13': 1, latest: 2, default: 3 } };
  assert.equal(expectationFor(spec, kernelModel('v2.6.13')), 1);
  assert.equal(expectationFor(spec, kernelModel('v6.12')), 2);
  assert.equal(expectationFor(spec, kernelModel('v5.4')), 3);
  assert.equal(expectationFor({ kind: 'byEra', values: { 'v5.4': 1 } }, kernelModel('v6.12')), undefined);
});

test('steps on a region whose mmap failed get the answers a program holding MAP_FAILED gets', () => {
  // MAP_SHARED_VALIDATE with MAP_ANONYMOUS is EINVAL, so `buf` never exists.
  const bad = `{"op": "mmap", "proc": "parent", "region": "buf", "pages": 2, "prot": "PROT_READ|PROT_WRITE", "flags": "MAP_SHARED_VALIDATE|MAP_ANONYMOUS"}`;
  const s = parsed(doc(bad,
    '{"op": "fill", "proc": "parent", "region": "buf", "value": 1}',
    '{"op": "write", "proc": "parent", "region": "buf", "page": 0, "value": 1}',
    '{"op": "read", "proc": "parent", "region": "buf", "page": 0}',
    '{"op": "mprotect", "proc": "parent", "region": "buf", "prot": "PROT_READ"}',
    '{"op": "madvise", "proc": "parent", "region": "buf", "advice": "MADV_DONTFORK"}',
    '{"op": "munmap", "proc": "parent", "region": "buf"}',
    '{"op": "gup", "proc": "parent", "region": "buf", "page": 0, "write": true, "pin": true, "longterm": true, "ref": "r"}'));
  const model = kernelModel('v6.12');
  assert.deepEqual(validateScenario(s, model), []);
  const r = runScenario(s, model, { checkInvariants: true });
  assert.deepEqual(r.steps.map((x) => x.result), [
    { ok: false, errno: 'EINVAL' },
    { ok: false, signal: 'SIGSEGV' },
    { ok: false, signal: 'SIGSEGV' },
    { ok: false, signal: 'SIGSEGV' },
    { ok: false, errno: 'EINVAL' },
    { ok: false, errno: 'EINVAL' },
    { ok: false, errno: 'EINVAL' },
    { ok: false, errno: 'EFAULT' },
  ]);
});

test('JSON errors point at the bad token, also when a shorter prefix fails differently', () => {
  // A trailing comma: V8 gives no position; prefixes that stop inside the last step fail with
  // "Expected ',' ... at position <end>", which is not where the mistake is.
  const trailing = '{"scenario": "x",\n "steps": [\n {"op": "fork", "proc": "parent", "child": "c"},\n ]}';
  assert.match(parseErrors(trailing)[0].message, /unexpected '\]' at line 4, column 2$/);
  // V8's own position is used when it gives one.
  assert.match(parseErrors('{"scenario": "x" "steps": []}')[0].message, /at line 1, column 18$/);
  assert.match(parseErrors('{"scenario": "x", "steps": []}}')[0].message, /after JSON at line 1, column 31$/);
});

test('a failed mmap leaves the name holding MAP_FAILED, also when it named a mapping before', () => {
  const s = parsed(doc(mm(),
    '{"op": "write", "proc": "parent", "region": "buf", "page": 0, "value": 5}',
    '{"op": "mmap", "proc": "parent", "region": "buf", "pages": 1, "prot": "PROT_READ", "flags": "MAP_PRIVATE"}',
    '{"op": "read", "proc": "parent", "region": "buf", "page": 0}',
    '{"op": "munmap", "proc": "parent", "region": "buf"}'));
  const r = runScenario(s, kernelModel('v6.12'), { checkInvariants: true });
  assert.deepEqual(r.steps.slice(2).map((x) => x.result), [
    { ok: false, errno: 'EBADF' }, // no MAP_ANONYMOUS, fd -1
    { ok: false, signal: 'SIGSEGV' },
    { ok: false, errno: 'EINVAL' },
  ]);
  assert.deepEqual(r.invariantViolations, []);
  // The first mapping is still there, nameless (the program lost its pointer).
  assert.equal(r.final.processes.parent.vmas.length, 1);
});
