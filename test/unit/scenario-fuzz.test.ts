// Fuzzing the scenario pipeline (fast-check, fixed seeds): any JSON value, any mutation of a
// library file's text, and random step sequences over a small pool of names go through
// parse -> validate -> run -> print without throwing; refusals name the file, the step and the
// field; valid scenarios keep the simulator's invariants after every step and leak nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { initC } from '../../src/c/index';
import { ERAS, kernelModel } from '../../src/kernel/index';
import {
  formatScenarioError, formatTimeline, libraryScenarios, parseScenario, resultsToJson, runScenario,
  scenarioFromJson, validateScenario, OPS, type ScenarioError,
} from '../../src/scenarios/index';
import { LIBRARY_FILES } from '../../src/scenarios/library';
import { readFileSync } from 'node:fs';

await initC();

const FILE = 'fuzz.json';

/** Every refusal names the file; a step's refusal names its index (inside the document) and,
 *  unless the step is not an object at all, the field. */
function checkErrors(errors: ScenarioError[], stepCount: number): void {
  assert.ok(errors.length > 0);
  for (const e of errors) {
    assert.equal(e.file, FILE);
    assert.ok(e.message.length > 0);
    assert.ok(formatScenarioError(e).startsWith(`${FILE}: `));
    if (e.step !== undefined) {
      assert.ok(Number.isInteger(e.step) && e.step >= 0 && e.step < stepCount, `step ${e.step} of ${stepCount}`);
      if (e.message !== 'a step is a JSON object') assert.ok(e.field, `no field in ${JSON.stringify(e)}`);
    }
  }
}

/** Parse, validate and run on every era; checks what each stage promises. */
function pipeline(value: unknown): void {
  const parsed = scenarioFromJson(value, FILE);
  const stepCount = Array.isArray((value as { steps?: unknown })?.steps) ? (value as { steps: unknown[] }).steps.length : 0;
  if (!parsed.ok) { checkErrors(parsed.errors, stepCount); return; }
  for (const era of ERAS) {
    const model = kernelModel(era);
    const errors = validateScenario(parsed.scenario, model);
    if (errors.length) { checkErrors(errors, stepCount); continue; }
    const r = runScenario(parsed.scenario, model, { checkInvariants: true });
    assert.equal(r.valid, true);
    assert.equal(r.steps.length, parsed.scenario.steps.length);
    assert.deepEqual(r.invariantViolations, [], `${era}: ${JSON.stringify(value)}`);
    for (const st of r.steps) assert.equal(typeof st.result.ok, 'boolean');
    for (const ev of r.events) assert.ok(ev.step >= 0 && ev.step < r.steps.length);
    formatTimeline(parsed.scenario, r);
    JSON.parse(resultsToJson([r]));
  }
}

test('any JSON value: no throw, refusals name file, step and field', () => {
  fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => {
    pipeline(v);
    pipeline({ scenario: 's', steps: Array.isArray(v) ? v : [v] });
  }), { seed: 7, numRuns: 300 });
});

test('mutated library files: no throw; JSON errors give a line and column inside the file', () => {
  const texts = LIBRARY_FILES.map((f) => readFileSync(new URL(`../../src/scenarios/library/${f}`, import.meta.url), 'utf8'));
  const mutation = fc.record({
    file: fc.nat(texts.length - 1),
    at: fc.nat(100_000),
    cut: fc.nat(3),
    insert: fc.constantFrom('', ',', '}', ']', '"', '{', ':', '1', 'x', 'null', '\n'),
  });
  fc.assert(fc.property(mutation, ({ file, at, cut, insert }) => {
    const t = texts[file];
    const i = at % (t.length + 1);
    const text = t.slice(0, i) + insert + t.slice(i + cut);
    const r = parseScenario(text, FILE);
    if (!r.ok) {
      for (const e of r.errors) assert.equal(e.file, FILE);
      const json = r.errors.find((e) => e.message.startsWith('not valid JSON'));
      if (json) {
        const m = /at line (\d+), column (\d+)$/.exec(json.message);
        if (m) {
          const lines = text.split('\n');
          assert.ok(Number(m[1]) <= lines.length, json.message);
          assert.ok(Number(m[2]) <= lines[Number(m[1]) - 1].length + 1, json.message);
        } else assert.match(json.message, /at the end of the file/);
      }
      return;
    }
    pipeline(JSON.parse(text));
  }), { seed: 11, numRuns: 300 });
});

// Random steps, built in order with names picked mostly among those that exist at that point
// (so most scenarios are valid and reach the interesting states) and sometimes wrong on purpose.
const PROT = ['PROT_READ|PROT_WRITE', 'PROT_READ|PROT_WRITE', 'PROT_READ', 'PROT_NONE', 'PROT_WRITE', 'PROT_EXEC|PROT_READ', '0x3', 'PROT_SEM', 'PROT_READ|0x1000'];
const MAPF = ['MAP_PRIVATE|MAP_ANONYMOUS', 'MAP_PRIVATE|MAP_ANONYMOUS', 'MAP_SHARED|MAP_ANONYMOUS', 'MAP_PRIVATE', 'MAP_SHARED|MAP_PRIVATE|MAP_ANONYMOUS', 'MAP_PRIVATE|MAP_ANONYMOUS|MAP_LOCKED'];
const ADVICE = ['MADV_DONTFORK', 'MADV_DOFORK', 'MADV_WIPEONFORK', 'MADV_KEEPONFORK', 'MADV_DONTNEED', 'MADV_NORMAL', 'MADV_RANDOM', 'MADV_SEQUENTIAL', 'MADV_DONTDUMP', 'MADV_DODUMP', '12345'];
const WEIGHTED_OPS = [...OPS, 'mmap', 'write', 'write', 'read', 'fork', 'ib_reg_mr', 'ib_dma_write', 'gup', 'fill', 'madvise'] as const;
const intent = fc.record({
  op: fc.constantFrom(...WEIGHTED_OPS),
  a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000), d: fc.nat(1000),
  first: fc.option(fc.nat(3), { nil: undefined }),
  count: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  expect: fc.option(fc.constantFrom<unknown>('ok', 0, 42, { errno: 'EINVAL' }, { signal: 'SIGSEGV' }, { 'v5.4': 'ok', default: 0 }), { nil: undefined }),
  /** 0: everything right; otherwise a field dropped (1) or a name that does not exist (2). */
  wrong: fc.oneof({ weight: 15, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, 2) }),
});

type Intent = typeof intent extends fc.Arbitrary<infer T> ? T : never;

function buildSteps(intents: Intent[]): Record<string, unknown>[] {
  const procs = new Map<string, Map<string, number>>([['parent', new Map([['a', 4]])]]);
  const ctxs: string[] = [];
  const mrs: string[] = [];
  const refs: string[] = [];
  let n = 0;
  const pick = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
  const out: Record<string, unknown>[] = [
    { op: 'mmap', proc: 'parent', region: 'a', pages: 4, prot: 'PROT_READ|PROT_WRITE', flags: 'MAP_PRIVATE|MAP_ANONYMOUS' },
  ];
  for (const x of intents) {
    const procName = pick([...procs.keys()], x.a) ?? 'parent';
    const regions = procs.get(procName) ?? new Map<string, number>();
    const [region, pages] = pick([...regions.entries()], x.b) ?? ['nowhere', 1];
    const page = x.c % pages;
    const s: Record<string, unknown> = { op: x.op };
    switch (x.op) {
      case 'mmap': {
        const name = x.d % 4 === 0 ? region : `r${n++}`;
        const size = 1 + (x.c % 4);
        Object.assign(s, { proc: procName, region: name, pages: size, prot: pick(PROT, x.b), flags: pick(MAPF, x.d) });
        regions.set(name, size);
        break;
      }
      case 'munmap': case 'mprotect': case 'madvise': case 'fill':
        Object.assign(s, { proc: procName, region });
        if (x.first !== undefined && x.first < pages) s.first = x.first;
        if (x.count !== undefined && (s.first as number ?? 0) + x.count <= pages) s.count = x.count;
        if (x.op === 'mprotect') s.prot = pick(PROT, x.d);
        if (x.op === 'madvise') s.advice = pick(ADVICE, x.d);
        if (x.op === 'fill') s.value = x.d;
        break;
      case 'write': Object.assign(s, { proc: procName, region, page, value: x.d }); break;
      case 'read': Object.assign(s, { proc: procName, region, page }); break;
      case 'fork': {
        const child = `c${n++}`;
        Object.assign(s, { proc: procName, child });
        procs.set(child, new Map(regions));
        break;
      }
      case 'exit':
        // The parent exiting early ends every sequence: let it happen rarely.
        if (procName === 'parent' && x.d % 8 !== 0) continue;
        s.proc = procName;
        procs.delete(procName);
        break;
      case 'gup': {
        const ref = `g${n++}`;
        Object.assign(s, { proc: procName, region, page, ref, write: (x.d & 1) === 1, pin: (x.d & 2) === 2, longterm: (x.d & 4) === 4 });
        refs.push(ref);
        break;
      }
      case 'gup_read': case 'unpin': {
        const ref = pick(refs, x.d);
        if (!ref) continue;
        s.ref = ref;
        if (x.op === 'unpin') refs.splice(refs.indexOf(ref), 1);
        break;
      }
      case 'ib_open': {
        const ctx = `x${n++}`;
        Object.assign(s, { proc: procName, ctx });
        ctxs.push(ctx);
        regions.set(`${ctx}.doorbell`, 1);
        break;
      }
      case 'ib_fork_init': s.proc = procName; break;
      case 'ib_reg_mr': {
        const ctx = pick(ctxs, x.a);
        if (!ctx) continue;
        const mr = `m${n++}`;
        Object.assign(s, { ctx, region, mr });
        mrs.push(mr);
        break;
      }
      case 'ib_dereg_mr': case 'ib_dma_write': case 'ib_dma_read': {
        const mr = pick(mrs, x.d);
        if (!mr) continue;
        s.mr = mr;
        if (x.op === 'ib_dereg_mr') mrs.splice(mrs.indexOf(mr), 1);
        else { s.page = 0; if (x.op === 'ib_dma_write') s.value = x.c; }
        break;
      }
      case 'ib_ring_doorbell': {
        const ctx = pick(ctxs, x.a);
        if (!ctx) continue;
        Object.assign(s, { proc: procName, ctx });
        break;
      }
    }
    if (x.expect !== undefined) s.expect = x.expect;
    const fields = Object.keys(s).filter((k) => k !== 'op' && k !== 'expect' && typeof s[k] === 'string');
    if (x.wrong === 1 && fields.length) delete s[fields[x.c % fields.length]];
    if (x.wrong === 2 && fields.length) s[fields[x.c % fields.length]] = 'missing_name';
    out.push(s);
  }
  return out;
}

test('random step sequences: refused precisely; valid ones keep the invariants on every era', () => {
  let valid = 0;
  fc.assert(fc.property(fc.array(intent, { minLength: 1, maxLength: 30 }), (intents) => {
    const doc = { scenario: 'fuzz', steps: buildSteps(intents) };
    pipeline(doc);
    const p = scenarioFromJson(doc, FILE);
    if (p.ok && validateScenario(p.scenario, kernelModel(ERAS[ERAS.length - 1])).length === 0) valid++;
  }), { seed: 2024, numRuns: 300 });
  assert.ok(valid >= 100, `only ${valid} random scenarios were valid: the generator does not reach the runner`);
});

test('the library itself goes through the same checks', () => {
  for (const s of libraryScenarios()) {
    for (const era of ERAS) assert.deepEqual(runScenario(s, kernelModel(era), { checkInvariants: true }).invariantViolations, []);
  }
});
