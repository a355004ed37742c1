// Random step sequences (fast-check) against the simulator's invariants, in every era: frame
// accounting holds after every step and nothing leaks once everything is torn down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kernelModel, ERAS, type KernelModel } from '../../src/kernel/index';
import { Machine, type Pin } from '../../src/sim/machine';
import { IbDevice, IB_DRIVER_PRESETS, withDriverPreset } from '../../src/sim/drivers/ib';
import type { Process } from '../../src/sim/vma';

type Action = { kind: number; a: number; b: number; c: number; d: number };

// Weighted towards the interactions that matter: writes, forks, references and DMA.
const KINDS = [0, 0, 1, 2, 3, 4, 4, 5, 5, 5, 6, 6, 7, 8, 9, 9, 9, 10, 11, 11, 11, 12, 13, 13, 13, 14, 14, 14, 15];
export const action = fc.record({
  kind: fc.constantFrom(...KINDS),
  a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000), d: fc.nat(1000),
});

function pick<T>(xs: T[], i: number): T | undefined {
  return xs.length ? xs[i % xs.length] : undefined;
}

export function runActions(model: KernelModel, actions: Action[], seen: Set<string>): string[] {
  const m = new Machine(model);
  const ib = new IbDevice(m);
  const first = m.spawn('p0');
  m.mmap(first, 'r', 2, (model.symbols.get('PROT_READ') ?? 0n) | (model.symbols.get('PROT_WRITE') ?? 0n),
    (model.symbols.get('MAP_PRIVATE') ?? 0n) | (model.symbols.get('MAP_ANONYMOUS') ?? 0n));
  const s = (n: string) => model.symbols.get(n) ?? 0n;
  const advices = [...model.madvise.keys()];
  const pins: Pin[] = [];
  let names = 0;
  const alive = () => [...m.procs.values()].filter((p) => p.alive);
  const regionOf = (p: Process, i: number) => pick([...p.regions.entries()], i);
  const problems: string[] = [];
  actions.forEach((x, step) => {
    m.step = step;
    const p = pick(alive(), x.a);
    if (!p) return;
    const reg = p ? regionOf(p, x.b) : undefined;
    const page = reg ? reg[1].start + (x.c % reg[1].pages) : 0;
    const count = reg ? 1 + (x.d % reg[1].pages) : 0;
    switch (x.kind) {
      case 0: case 1:
        m.mmap(p!, `r${names++}`, 1 + (x.b % 3), s('PROT_READ') | s('PROT_WRITE'),
          (x.kind === 0 ? s('MAP_PRIVATE') : s('MAP_SHARED')) | s('MAP_ANONYMOUS'));
        break;
      case 2: if (reg) m.munmap(p!, page, Math.min(count, reg[1].start + reg[1].pages - page)); break;
      case 3: if (reg) m.mprotect(p!, page, 1, BigInt(x.d % 8)); break;
      case 4: if (reg) m.madvise(p!, page, Math.min(count, reg[1].start + reg[1].pages - page), pick(advices, x.d) ?? 0n); break;
      case 5: case 6: if (reg) m.write(p!, page, x.d); break;
      case 7: if (reg) m.read(p!, page); break;
      case 8: if (reg) m.fill(p!, reg[1].start, reg[1].pages, x.d); break;
      case 9: if (alive().length < 6) m.fork(p!, `c${names++}`); break;
      case 10: if (alive().length > 1 || x.d % 4 === 0) m.exit(p!); break;
      case 11: if (reg) {
        const got = m.gup(p!, page, { write: (x.d & 1) === 1, pin: (x.d & 2) === 2, longterm: (x.d & 4) === 4 }, `g${step}`);
        if ('pin' in got) pins.push(got.pin);
      } break;
      case 12: {
        const i = x.d % Math.max(1, pins.length);
        if (!pins[i]) break;
        if (x.b % 3) m.readPinned(pins[i], 'ref');
        else { m.unpin(pins[i]); pins.splice(i, 1); }
        break;
      }
      case 13: {
        const ctx = ib.contexts.get('ctx');
        if (!ctx) { ib.open(p!, 'ctx'); break; }
        const r = regionOf(ctx.owner, x.b);
        if (r) ib.regMr('ctx', r[0], `mr${names++}`);
        break;
      }
      case 14: {
        const mr = pick([...ib.mrs.keys()], x.d);
        if (mr) { if (x.b % 3) ib.dmaWrite(mr, x.c % 3, x.c); else ib.deregMr(mr); }
        break;
      }
      case 15: if (x.d % 5 === 0) ib.forkInit(p!); else if (ib.contexts.size) ib.ringDoorbell(p!, 'ctx'); break;
    }
    const v = m.checkInvariants();
    if (v.length) problems.push(`after action ${step} ${JSON.stringify(x)}: ${v.join('; ')}`);
  });
  for (const e of m.events) seen.add(e.kind);
  for (const p of m.procs.values()) if (p.alive) m.exit(p);
  for (const mr of [...ib.mrs.keys()]) ib.deregMr(mr);
  for (const pin of pins) m.unpin(pin);
  const v = m.checkInvariants();
  if (v.length) problems.push(`after teardown: ${v.join('; ')}`);
  if (m.frames.live !== 0) problems.push(`after teardown: ${m.frames.live} frames leaked`);
  return problems;
}

const seen = new Set<string>();

for (const era of ERAS) {
  for (const driver of IB_DRIVER_PRESETS) {
    test(`random step sequences keep the invariants (${era}, ${driver} driver)`, () => {
      const model = withDriverPreset(kernelModel(era), driver);
      fc.assert(
        fc.property(fc.array(action, { minLength: 20, maxLength: 80 }), (actions) => {
          assert.deepEqual(runActions(model, actions, seen), []);
        }),
        { seed: 4242, numRuns: 100 },
      );
    });
  }
}

test('the random sequences reached the situations the invariants are about', () => {
  for (const kind of ['cow-off-pinned', 'dma-to-foreign-frame', 'foreign-doorbell', 'reference-detached']) {
    assert.ok(seen.has(kind), `no random run produced ${kind} (seen: ${[...seen].join(', ')})`);
  }
});
