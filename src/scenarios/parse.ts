// Reading a scenario file: JSON syntax, top-level fields and each step's fields and types.
// Names and expressions are checked later against a model (validate.ts).
import { ERAS } from '../kernel/model';
import { parseEra } from '../kernel/index';
import { IB_DRIVER_PRESETS, type IbDriverPreset } from '../sim/drivers/ib';
import { OPS, type ExpectSpec, type Expectation, type Op, type Scenario, type ScenarioError, type Step } from './types';

type FieldKind = 'name' | 'expr' | 'int' | 'count' | 'number' | 'bool';

/** Required and optional fields of each op. */
const OP_FIELDS: Record<Op, { required: [string, FieldKind][]; optional?: [string, FieldKind][] }> = {
  mmap: { required: [['proc', 'name'], ['region', 'name'], ['pages', 'count'], ['prot', 'expr'], ['flags', 'expr']] },
  munmap: { required: [['proc', 'name'], ['region', 'name']], optional: [['first', 'int'], ['count', 'count']] },
  mprotect: { required: [['proc', 'name'], ['region', 'name'], ['prot', 'expr']], optional: [['first', 'int'], ['count', 'count']] },
  madvise: { required: [['proc', 'name'], ['region', 'name'], ['advice', 'expr']], optional: [['first', 'int'], ['count', 'count']] },
  write: { required: [['proc', 'name'], ['region', 'name'], ['page', 'int'], ['value', 'number']] },
  read: { required: [['proc', 'name'], ['region', 'name'], ['page', 'int']] },
  fill: { required: [['proc', 'name'], ['region', 'name'], ['value', 'number']], optional: [['first', 'int'], ['count', 'count']] },
  fork: { required: [['proc', 'name'], ['child', 'name']] },
  exit: { required: [['proc', 'name']] },
  gup: { required: [['proc', 'name'], ['region', 'name'], ['page', 'int'], ['ref', 'name']], optional: [['write', 'bool'], ['pin', 'bool'], ['longterm', 'bool']] },
  gup_read: { required: [['ref', 'name']] },
  unpin: { required: [['ref', 'name']] },
  ib_open: { required: [['proc', 'name'], ['ctx', 'name']] },
  ib_fork_init: { required: [['proc', 'name']] },
  ib_reg_mr: { required: [['ctx', 'name'], ['region', 'name'], ['mr', 'name']] },
  ib_dereg_mr: { required: [['mr', 'name']] },
  ib_dma_write: { required: [['mr', 'name'], ['page', 'int'], ['value', 'number']] },
  ib_dma_read: { required: [['mr', 'name'], ['page', 'int']] },
  ib_ring_doorbell: { required: [['proc', 'name'], ['ctx', 'name']] },
};

/** 2^24 pages (64 GiB of 4 KiB pages): page tables stay allocatable. */
const MAX_PAGES = 1 << 24;

const COMMON_FIELDS = new Set(['op', 'expect', 'note', 'comment']);
const EXPECT_KEYS = new Set<string>([...ERAS, 'latest', 'default']);

export type ParseResult = { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioError[] };

export function parseScenario(text: string, file: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ file, message: `not valid JSON: ${jsonErrorWhere(text, (e as Error).message)}` }] };
  }
  return scenarioFromJson(json, file);
}

/** The same checks on an already parsed JSON value. */
export function scenarioFromJson(json: unknown, file: string): ParseResult {
  const errors: ScenarioError[] = [];
  if (!isObject(json)) return { ok: false, errors: [{ file, message: 'a scenario is a JSON object' }] };
  const name = json.scenario;
  if (typeof name !== 'string' || !name) errors.push({ file, field: 'scenario', message: 'missing scenario name (a non-empty string)' });
  if (json.description !== undefined && typeof json.description !== 'string') errors.push({ file, field: 'description', message: 'must be a string' });
  const kernel = json.kernel;
  if (kernel !== undefined && (typeof kernel !== 'string' || parseEra(kernel) === null)) {
    errors.push({ file, field: 'kernel', message: `unknown kernel era ${JSON.stringify(kernel)} (known: ${ERAS.join(', ')}, latest)` });
  }
  const driver = json.driver;
  if (driver !== undefined && !IB_DRIVER_PRESETS.includes(driver as IbDriverPreset)) {
    errors.push({ file, field: 'driver', message: `unknown driver preset ${JSON.stringify(driver)} (known: ${IB_DRIVER_PRESETS.join(', ')})` });
  }
  const steps: Step[] = [];
  if (!Array.isArray(json.steps)) {
    errors.push({ file, field: 'steps', message: 'missing steps (an array)' });
  } else {
    json.steps.forEach((raw: unknown, index: number) => {
      const s = parseStep(raw, index, file, errors);
      if (s) steps.push(s);
    });
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    scenario: {
      file, name: name as string, description: json.description as string | undefined,
      kernel: kernel === undefined ? undefined : parseEra(kernel as string)!, driver: driver as IbDriverPreset | undefined, steps,
    },
  };
}

function parseStep(raw: unknown, index: number, file: string, errors: ScenarioError[]): Step | null {
  const err = (field: string | undefined, message: string) => errors.push({ file, step: index, field, message });
  if (!isObject(raw)) { err(undefined, 'a step is a JSON object'); return null; }
  const op = raw.op;
  if (typeof op !== 'string') { err('op', 'missing op'); return null; }
  if (!(OPS as readonly string[]).includes(op)) { err('op', `unknown op '${op}' (known: ${OPS.join(', ')})`); return null; }
  const spec = OP_FIELDS[op as Op];
  const step: Step = { index, op: op as Op };
  const known = new Set(COMMON_FIELDS);
  const before = errors.length;
  for (const [field, kind] of spec.required) {
    known.add(field);
    if (raw[field] === undefined) { err(field, `missing field '${field}' for op '${op}'`); continue; }
    readField(step, raw, field, kind, err);
  }
  for (const [field, kind] of spec.optional ?? []) {
    known.add(field);
    if (raw[field] !== undefined) readField(step, raw, field, kind, err);
  }
  for (const field of Object.keys(raw)) {
    if (!known.has(field)) err(field, `field '${field}' is not used by op '${op}'`);
  }
  if (raw.note !== undefined) {
    if (typeof raw.note !== 'string') err('note', 'must be a string'); else step.note = raw.note;
  }
  if (raw.expect !== undefined) {
    const e = parseExpectSpec(raw.expect, (m) => err('expect', m));
    if (e) step.expect = e;
  }
  return errors.length === before ? step : null;
}

function readField(step: Step, raw: Record<string, unknown>, field: string, kind: FieldKind, err: (f: string, m: string) => void): void {
  const v = raw[field];
  const target = step as unknown as Record<string, unknown>;
  switch (kind) {
    case 'name':
      if (typeof v !== 'string' || !v) return err(field, 'must be a non-empty string');
      target[field] = v;
      return;
    case 'expr':
      // C expression text; a plain number is accepted as its own expression.
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) { target[field] = String(v); return; }
      if (typeof v !== 'string' || !v.trim()) return err(field, 'must be a C expression string such as "PROT_READ|PROT_WRITE"');
      target[field] = v;
      return;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return err(field, 'must be an integer >= 0');
      target[field] = v;
      return;
    case 'count':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) return err(field, 'must be an integer >= 1');
      if (v > MAX_PAGES) return err(field, `${v} pages is more than the simulator handles (at most ${MAX_PAGES})`);
      target[field] = v;
      return;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) return err(field, 'must be a number');
      target[field] = v;
      return;
    case 'bool':
      if (typeof v !== 'boolean') return err(field, 'must be true or false');
      target[field] = v;
      return;
  }
}

function parseExpectation(v: unknown, err: (m: string) => void): Expectation | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'ok') return 'ok';
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && typeof v.errno === 'string' && /^E[A-Z0-9]+$/.test(v.errno)) return { errno: v.errno };
    if (keys.length === 1 && typeof v.signal === 'string' && /^SIG[A-Z]+$/.test(v.signal)) return { signal: v.signal };
  }
  err(`expectation ${JSON.stringify(v)} is not a number, "ok", {"errno": "E..."} or {"signal": "SIG..."}`);
  return null;
}

function parseExpectSpec(v: unknown, err: (m: string) => void): ExpectSpec | null {
  if (isObject(v) && !('errno' in v) && !('signal' in v)) {
    const values: Record<string, Expectation> = {};
    let good = true;
    for (const [k, x] of Object.entries(v)) {
      if (!EXPECT_KEYS.has(k)) { err(`unknown era key '${k}' in per-era expectation (known: ${[...EXPECT_KEYS].join(', ')})`); good = false; continue; }
      const e = parseExpectation(x, (m) => err(`${k}: ${m}`));
      if (e === null) good = false; else values[k] = e;
    }
    return good ? { kind: 'byEra', values } : null;
  }
  const e = parseExpectation(v, err);
  return e === null ? null : { kind: 'one', value: e };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Where JSON.parse failed, as line and column. V8 gives a position for most errors; for the
 * ones it does not ("Unexpected token ']', ... is not valid JSON"), find the shortest prefix
 * that fails at a point before its own end (prefixes that stop before the bad token fail only
 * at their end: "unexpected end", or "Expected ',' ... at position <prefix length>").
 */
function jsonErrorWhere(text: string, message: string): string {
  const positionOf = (m: string): number | null => {
    const p = / at position (\d+)/.exec(m);
    return p ? Number(p[1]) : null;
  };
  const failsAt = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      const m = (e as Error).message;
      if (/end of (JSON )?input|Unterminated string|Unexpected end/i.test(m)) return false;
      const p = positionOf(m);
      return p === null || p < n;
    }
  };
  let pos = positionOf(message);
  if (pos === null) {
    let lo = 0;
    let hi = text.length;
    if (!failsAt(hi)) return `${message.split('\n')[0]} (at the end of the file)`;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (failsAt(mid)) hi = mid; else lo = mid + 1;
    }
    pos = Math.max(0, lo - 1);
  }
  pos = Math.min(pos, text.length);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  const what = /Unexpected token '?(.)'?/.exec(message);
  const said = what ? `unexpected '${what[1]}'` : message.split('\n')[0].replace(/ (?:in JSON )?at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/, '');
  return `${said} at line ${line}, column ${col}`;
}
