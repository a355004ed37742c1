// The simulation report -> the plain JSON the webview draws (media/simulate.js). BigInts become
// hex strings (webview messages are JSON), every list is bounded, and nothing here is HTML:
// the webview builds DOM nodes with textContent, so report text can never become markup.
import type { ConsequenceLike, EventLike, FrameLike, HookChangeLike, MachineStateLike, OutcomeLike, SimulationReportLike, StepLike } from './engine-types';
import { describeResult } from './hover-content';
import { orderConsequences } from './diagnostic-specs';

export interface PageView {
  frame: string | null;
  cow: boolean;
  pinned: boolean;
  device: boolean;
  /** Another process maps the same frame. */
  shared: boolean;
}
export interface VmaView {
  start: string;
  end: string;
  region: string;
  flags: string[];
  pages: PageView[];
}
export interface ProcessView {
  name: string;
  vmas: VmaView[];
}
export interface FrameView {
  id: string;
  pins: number;
  refs: number | null;
  mapcount: number | null;
  value: string | null;
  device: boolean;
  mappedBy: string[];
}
export interface StateView {
  processes: ProcessView[];
  frames: FrameView[];
}
export interface StepView {
  index: number;
  label: string;
  result: string;
  ok: boolean;
  /** Result differs from the other run's step at the same index. */
  differs: boolean;
  events: string[];
  state: StateView | null;
}
export interface RunView {
  steps: StepView[];
  final: StateView | null;
  passed: boolean | null;
}
export interface ConsequenceView {
  id: number;
  scenario: string;
  severity: string;
  summary: string;
  /** 1-based document lines behind it; the first is revealed on click. */
  lines: number[];
  base: RunView;
  /** Null for a single run (a scenario run with no patch open). */
  patched: RunView | null;
}
export interface HookChangeView {
  hook: string;
  before: string;
  after: string;
  lines: number[];
}
export interface SimulationView {
  title: string;
  kernel: string;
  /** Why `auto` chose the era (shown folded). */
  kernelClues: string[];
  hookChanges: HookChangeView[];
  consequences: ConsequenceView[];
  notes: string[];
}

const MAX_STEPS = 200;
const MAX_CONSEQUENCES = 50;

export function show(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? '0x' + x.toString(16) : x instanceof Map ? Object.fromEntries(x) : x));
  } catch {
    return String(v);
  }
}

function framesOf(state: MachineStateLike): FrameLike[] {
  const f = state.frames;
  if (!f) return [];
  return Array.isArray(f) ? f : Object.entries(f).map(([id, fr]) => ({ ...fr, id: fr.id ?? id }));
}

export function stateView(state: MachineStateLike | undefined | null): StateView | null {
  if (!state || typeof state !== 'object' || !state.processes) return null;
  const frames = framesOf(state);
  const byId = new Map(frames.map((f) => [String(f.id), f]));
  const mappedBy = new Map<string, Set<string>>();
  const procs = Object.entries(state.processes).map(([name, p]) => {
    const vmas = (p?.vmas ?? []).map((v) => {
      const pages = (v.pages ?? []).map((pg) => {
        const frame = pg.frame === undefined || pg.frame === null ? null : String(pg.frame);
        if (frame !== null) {
          if (!mappedBy.has(frame)) mappedBy.set(frame, new Set());
          mappedBy.get(frame)!.add(name);
        }
        const fr = frame !== null ? byId.get(frame) : undefined;
        return { frame, cow: !!pg.cow, pinned: (fr?.pins ?? 0) > 0, device: !!fr?.device, shared: false };
      });
      return { start: show(v.start), end: show(v.end), region: v.region ?? '', flags: Array.isArray(v.flags) ? v.flags.map(String) : String(v.flags).split('|').filter(Boolean), pages };
    });
    return { name, vmas };
  });
  for (const p of procs) for (const v of p.vmas) for (const pg of v.pages) if (pg.frame !== null) pg.shared = (mappedBy.get(pg.frame)?.size ?? 0) > 1;
  return {
    processes: procs,
    frames: frames.map((f) => ({
      id: String(f.id),
      pins: f.pins ?? 0,
      refs: f.refs ?? null,
      mapcount: f.mapcount ?? null,
      value: f.value === undefined ? null : String(f.value),
      device: !!f.device,
      mappedBy: [...(mappedBy.get(String(f.id)) ?? [])].sort(),
    })),
  };
}

function eventText(e: EventLike): string {
  return e.detail ? `${e.kind}: ${e.detail}` : e.kind;
}

/** One run as the view draws it; `other` is the run it is compared with (null: none, and a
 *  step is marked when its expectation failed). */
export function runView(run: OutcomeLike, other: OutcomeLike | null): RunView {
  const steps = (run.steps ?? []).slice(0, MAX_STEPS);
  const others = other?.steps ?? [];
  const events = run.events ?? [];
  return {
    steps: steps.map((s: StepLike, i) => ({
      index: s.index ?? i,
      label: s.text ?? `${s.op}${s.proc ? ` ${s.proc}` : ''}`,
      result: describeResult(s),
      ok: s.result?.ok !== false,
      differs: other ? describeResult(s) !== describeResult(others[i]) : s.passed === false,
      events: events.filter((e) => e.step === (s.index ?? i)).map(eventText),
      state: stateView(s.state),
    })),
    final: stateView(run.final),
    passed: typeof run.passed === 'boolean' ? run.passed : null,
  };
}

export function simulationView(report: SimulationReportLike, title: string): SimulationView {
  const notes: string[] = [];
  const cs = orderConsequences(report.consequences ?? []);
  if (cs.length > MAX_CONSEQUENCES) notes.push(`showing ${MAX_CONSEQUENCES} of ${cs.length} consequences`);
  const hookChanges = (report.hookChanges ?? []).map((h: HookChangeLike) => ({ hook: h.hook, before: show(h.before), after: show(h.after), lines: [...(h.lines ?? [])] }));
  if (hookChanges.length === 0) notes.push('The patch changes no behaviour the simulator models.');
  else if (cs.length === 0) notes.push('The patch changes modelled behaviour, but no scenario of the library runs differently.');
  return {
    title,
    kernel: kernelText(report.kernel),
    kernelClues: kernelClues(report.kernel),
    hookChanges,
    consequences: cs.slice(0, MAX_CONSEQUENCES).map((c: ConsequenceLike, id) => ({
      id,
      scenario: c.scenario,
      severity: c.severity,
      summary: c.summary,
      lines: [...(c.lines ?? [])].sort((a, b) => a - b),
      base: runView(c.base ?? {}, c.patched ?? {}),
      patched: runView(c.patched ?? {}, c.base ?? {}),
    })),
    notes,
  };
}

export function kernelText(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k && typeof k === 'object' && 'era' in k) {
    const o = k as { era: string; arch?: string; requested?: string };
    return `${o.era}${o.arch ? ` ${o.arch}` : ''}${o.requested === 'auto' ? ' (auto)' : ''}`;
  }
  return show(k);
}

export function kernelClues(k: unknown): string[] {
  if (k && typeof k === 'object' && 'clues' in k && Array.isArray((k as { clues: unknown }).clues)) return (k as { clues: unknown[] }).clues.map(String).slice(0, 20);
  return [];
}

/** Validates a message from the webview. Anything else is ignored. */
export type WebviewMessage = { type: 'ready' } | { type: 'reveal'; line: number };

export function parseWebviewMessage(m: unknown, lineCount: number): WebviewMessage | null {
  if (!m || typeof m !== 'object') return null;
  const o = m as Record<string, unknown>;
  if (o.type === 'ready' && Object.keys(o).length === 1) return { type: 'ready' };
  if (o.type === 'reveal' && Object.keys(o).length === 2 && typeof o.line === 'number' && Number.isInteger(o.line) && o.line >= 1 && o.line <= lineCount) {
    return { type: 'reveal', line: o.line };
  }
  return null;
}
