// The simulation webview's data (plain JSON) and the validation of messages coming back from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebviewMessage, simulationView, stateView, show, kernelText } from '../../src/extension/simulation-view';
import type { SimulationReportLike } from '../../src/extension/engine-types';

const report: SimulationReportLike = {
  kernel: { era: 'v2.6.13', requested: 'auto', clues: ['sys_mprotect', 'include/asm-i386/ layout'] },
  hookChanges: [{ hook: 'mprotectKept', before: ~0x7n & 0xffffffffn, after: ~0x20007n & 0xffffffffn, lines: [57] }],
  consequences: [
    {
      scenario: 'info-one',
      severity: 'info',
      summary: 'mmap accepts PROT_DONTCOPY',
      lines: [30],
      base: { steps: [{ index: 0, op: 'mmap', proc: 'parent', result: { ok: false, errno: 'EINVAL' } }] },
      patched: { steps: [{ index: 0, op: 'mmap', proc: 'parent', result: { ok: true, addr: '0x1000' } }] },
    },
    {
      scenario: 'doorbell',
      severity: 'error',
      summary: 'child inherits the doorbell',
      lines: [58, 57],
      base: {
        steps: [
          { index: 0, op: 'ib_open', proc: 'parent', result: { ok: true } },
          { index: 1, op: 'ib_ring_doorbell', proc: 'child', result: { ok: false, signal: 'SIGSEGV' } },
        ],
        final: { processes: { parent: { vmas: [{ start: 0x1000n, end: 0x2000n, flags: ['VM_IO', 'VM_DONTCOPY'], region: 'ctx0.doorbell', pages: [{ frame: 'd0' }] }] } }, frames: [{ id: 'd0', device: true }] },
      },
      patched: {
        steps: [
          { index: 0, op: 'ib_open', proc: 'parent', result: { ok: true } },
          {
            index: 1,
            op: 'ib_ring_doorbell',
            proc: 'child',
            result: { ok: true },
            state: {
              processes: {
                parent: { vmas: [{ start: '0x1000', end: '0x2000', flags: 'VM_IO|VM_SHARED', region: 'ctx0.doorbell', pages: [{ frame: 'd0' }] }] },
                child: { vmas: [{ start: '0x1000', end: '0x2000', flags: ['VM_IO'], region: 'ctx0.doorbell', pages: [{ frame: 'd0' }] }] },
              },
              frames: { d0: { id: 'd0', device: true, pins: 0 } },
            },
          },
        ],
        events: [{ step: 1, kind: 'foreign-doorbell', detail: 'child rings ctx0' }],
      },
    },
  ],
};

test('view: consequences most severe first, lines sorted, bigints as hex', () => {
  const v = simulationView(report, 'prot-dontcopy.patch');
  assert.equal(v.kernel, 'v2.6.13 (auto)');
  assert.deepEqual(v.kernelClues, ['sys_mprotect', 'include/asm-i386/ layout']);
  assert.deepEqual(v.consequences.map((c) => c.scenario), ['doorbell', 'info-one']);
  assert.deepEqual(v.consequences[0].lines, [57, 58]);
  assert.deepEqual(v.hookChanges, [{ hook: 'mprotectKept', before: '0xfffffff8', after: '0xfffdfff8', lines: [57] }]);
  assert.deepEqual(v.notes, []);
  // JSON-safe: no bigint anywhere.
  assert.doesNotThrow(() => JSON.stringify(v));
});

test('view: timelines mark the steps that differ, with events and per-step state', () => {
  const c = simulationView(report, 't').consequences[0];
  assert.deepEqual(c.base.steps.map((s) => [s.label, s.result, s.differs]), [['ib_open parent', 'ok', false], ['ib_ring_doorbell child', 'killed by SIGSEGV', true]]);
  assert.equal(c.patched!.steps[1].ok, true);
  assert.deepEqual(c.patched!.steps[1].events, ['foreign-doorbell: child rings ctx0']);
  const st = c.patched!.steps[1].state!;
  assert.deepEqual(st.processes.map((p) => p.name), ['parent', 'child']);
  assert.deepEqual(st.processes[0].vmas[0].flags, ['VM_IO', 'VM_SHARED']);
  assert.equal(st.processes[1].vmas[0].pages[0].shared, true, 'both processes map the device frame');
  assert.equal(st.processes[1].vmas[0].pages[0].device, true);
  assert.deepEqual(st.frames[0].mappedBy, ['child', 'parent']);
  assert.equal(c.base.final?.processes[0].vmas[0].start, '0x1000');
});

test('view: notes when nothing is modelled or nothing differs', () => {
  assert.deepEqual(simulationView({ kernel: 'v6.12', hookChanges: [], consequences: [] }, 't').notes, ['The patch changes no behaviour the simulator models.']);
  assert.match(simulationView({ kernel: 'v6.12', hookChanges: [{ hook: 'x', lines: [1] }], consequences: [] }, 't').notes[0], /no scenario of the library runs differently/);
  assert.equal(stateView(undefined), null);
  assert.equal(show(255n), '0xff');
  assert.equal(kernelText('v5.4'), 'v5.4');
});

test('messages from the webview are validated', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }, 10), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'reveal', line: 10 }, 10), { type: 'reveal', line: 10 });
  for (const bad of [null, 'reveal', { type: 'reveal', line: 11 }, { type: 'reveal', line: 0 }, { type: 'reveal', line: 2.5 }, { type: 'reveal', line: '3' }, { type: 'reveal', line: 3, command: 'x' }, { type: 'run', cmd: 'rm' }, { type: 'ready', extra: 1 }]) {
    assert.equal(parseWebviewMessage(bad, 10), null, JSON.stringify(bad));
  }
});
