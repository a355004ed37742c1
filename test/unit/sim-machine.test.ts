// The simulator's semantics, step by step on the Machine API, per era, plus models changed
// field by field (as the patch bridge does) to show behaviour follows the model's values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelModel, ERAS, type KernelModel } from '../../src/kernel/index';
import { Machine } from '../../src/sim/machine';
import { IbDevice } from '../../src/sim/drivers/ib';
import { PIN_BIAS } from '../../src/sim/frames';

const sym = (m: KernelModel, n: string) => m.symbols.get(n)!;
const RW = (m: KernelModel) => sym(m, 'PROT_READ') | sym(m, 'PROT_WRITE');
const PRIV = (m: KernelModel) => sym(m, 'MAP_PRIVATE') | sym(m, 'MAP_ANONYMOUS');
const SHARED = (m: KernelModel) => sym(m, 'MAP_SHARED') | sym(m, 'MAP_ANONYMOUS');

function setup(model: KernelModel, pages = 1, flags = PRIV(model)) {
  const m = new Machine(model);
  const parent = m.spawn('parent');
  assert.equal(m.mmap(parent, 'buf', pages, RW(model), flags).ok, true);
  const base = parent.regions.get('buf')!.start;
  return { m, parent, base };
}

function value(r: ReturnType<Machine['read']>): number | string {
  return r.ok ? r.value! : 'errno' in r ? r.errno : r.signal;
}

test('COW both ways in every era, invariants after each step', () => {
  for (const era of ERAS) {
    const model = kernelModel(era);
    const { m, parent, base } = setup(model, 2);
    m.write(parent, base, 1);
    m.fork(parent, 'child');
    const child = m.proc('child');
    assert.deepEqual(m.checkInvariants(), [], era);
    m.write(parent, base, 2);
    m.write(child, base + 1, 7);
    assert.equal(value(m.read(parent, base)), 2, era);
    assert.equal(value(m.read(child, base)), 1, era);
    assert.equal(value(m.read(parent, base + 1)), 0, era);
    assert.equal(value(m.read(child, base + 1)), 7, era);
    assert.deepEqual(m.checkInvariants(), [], era);
    m.exit(child);
    m.exit(parent);
    assert.deepEqual(m.checkInvariants(), [], era);
    assert.equal(m.frames.live, 0, era);
  }
});

test('refcount accounting: mappings, references and FOLL_PIN bias', () => {
  const model = kernelModel('v6.12');
  const { m, parent, base } = setup(model);
  m.write(parent, base, 1);
  const f = m.frameAt(parent, base);
  const ref = m.gup(parent, base, { write: false, pin: false, longterm: false }, 'r');
  const pin = m.gup(parent, base, { write: true, pin: true, longterm: true }, 'p');
  assert.ok('pin' in ref && 'pin' in pin);
  assert.equal(m.frames.refcount[f], 1 + 1 + PIN_BIAS);
  assert.equal(m.frames.pincount[f], 1);
  assert.equal(parent.hasPinned, true);
  m.unpin(ref.pin);
  m.unpin(pin.pin);
  assert.equal(m.frames.refcount[f], 1);
  assert.deepEqual(m.checkInvariants(), []);
});

test('pinned exclusive pages are copied for the child at fork only where the model says so', () => {
  for (const era of ERAS) {
    const model = kernelModel(era);
    const { m, parent, base } = setup(model);
    m.write(parent, base, 1);
    const pinned = m.frameAt(parent, base);
    m.gup(parent, base, { write: true, pin: true, longterm: true }, 'p');
    m.fork(parent, 'child');
    const childFrame = m.frameAt(m.proc('child'), base);
    if (model.fork.copyPinnedAnon && model.gup.hasFollPin) {
      assert.notEqual(childFrame, pinned, era);
      assert.equal(m.frames.content[childFrame], 1, era);
    } else assert.equal(childFrame, pinned, era);
    assert.equal(m.frameAt(parent, base), pinned, era);
    assert.deepEqual(m.checkInvariants(), [], era);
  }
});

test('COW reuse rule comes from model.fault.cowReuse', () => {
  // Same steps; only the reuse rule differs. A plain reference plus mapcount 1:
  // mapcount-based reuse keeps the page (the reference sees the write), refcount-based copies.
  const base26 = kernelModel('v2.6.16');
  for (const rule of ['mapcount', 'refcount'] as const) {
    const model: KernelModel = { ...base26, fault: { ...base26.fault, cowReuse: rule } };
    const { m, parent, base } = setup(model);
    m.write(parent, base, 1);
    m.fork(parent, 'child');
    const got = m.gup(parent, base, { write: false, pin: false, longterm: false }, 'r');
    assert.ok('pin' in got);
    m.exit(m.proc('child'));
    m.write(parent, base, 2);
    assert.equal(m.readPinned(got.pin, 'r'), rule === 'mapcount' ? 2 : 1, rule);
    assert.deepEqual(m.checkInvariants(), [], rule);
  }
});

test('madvise: DONTFORK splits, the child lacks the range, DOFORK merges; unknown advice EINVAL', () => {
  const model = kernelModel('v5.4');
  const { m, parent, base } = setup(model, 4);
  m.fill(parent, base, 4, 5);
  assert.deepEqual(m.madvise(parent, base + 1, 2, sym(model, 'MADV_DONTFORK')), { ok: true });
  assert.equal(parent.vmas.length, 3);
  m.fork(parent, 'child');
  const child = m.proc('child');
  assert.equal(child.vmas.length, 2);
  assert.equal(value(m.read(child, base + 1)), 'SIGSEGV');
  assert.equal(value(m.read(child, base + 3)), 5);
  assert.deepEqual(m.madvise(parent, base + 1, 2, sym(model, 'MADV_DOFORK')), { ok: true });
  assert.equal(parent.vmas.length, 1);
  assert.deepEqual(m.madvise(parent, base, 4, 12345n), { ok: false, errno: 'EINVAL' });
  assert.deepEqual(m.checkInvariants(), []);
});

test('madvise: holes give ENOMEM after the mapped part changed; guards give their errno', () => {
  const model = kernelModel('v6.12');
  const { m, parent, base } = setup(model, 3);
  m.munmap(parent, base + 1, 1);
  assert.deepEqual(m.madvise(parent, base, 3, sym(model, 'MADV_DONTFORK')), { ok: false, errno: 'ENOMEM' });
  assert.notEqual(parent.vmas[0].flags & sym(model, 'VM_DONTCOPY'), 0n);
  assert.notEqual(parent.vmas[1].flags & sym(model, 'VM_DONTCOPY'), 0n);
  m.mmap(parent, 'shm', 1, RW(model), SHARED(model));
  const shm = parent.regions.get('shm')!.start;
  assert.deepEqual(m.madvise(parent, shm, 1, sym(model, 'MADV_WIPEONFORK')), { ok: false, errno: 'EINVAL' });
});

test('mprotect: access check against VM_MAY* bits, kept mask preserves VM_DONTCOPY', () => {
  const model = kernelModel('v6.12');
  const { m, parent, base } = setup(model, 2);
  m.madvise(parent, base, 2, sym(model, 'MADV_DONTFORK'));
  assert.deepEqual(m.mprotect(parent, base, 1, sym(model, 'PROT_READ')), { ok: true });
  assert.equal(parent.vmas.length, 2);
  assert.notEqual(parent.vmas[0].flags & sym(model, 'VM_DONTCOPY'), 0n);
  assert.deepEqual(m.mprotect(parent, base, 2, RW(model)), { ok: true });
  assert.equal(parent.vmas.length, 1);
  // Drop VM_MAYWRITE by hand: PROT_WRITE is then EACCES.
  parent.vmas[0].flags &= ~sym(model, 'VM_MAYWRITE');
  assert.deepEqual(m.mprotect(parent, base, 2, RW(model)), { ok: false, errno: 'EACCES' });
  assert.deepEqual(m.mprotect(parent, base, 2, sym(model, 'PROT_READ') | 0x100n), { ok: false, errno: 'EINVAL' });
  assert.equal(m.events.length, 0);
});

test('a patched mprotect kept-mask that drops VM_DONTCOPY clears it and reports flag-cleared', () => {
  const base612 = kernelModel('v6.12');
  const model: KernelModel = { ...base612, mprotectKept: base612.mprotectKept & ~sym(base612, 'VM_DONTCOPY') };
  const { m, parent, base } = setup(model, 1);
  m.write(parent, base, 3);
  m.madvise(parent, base, 1, sym(model, 'MADV_DONTFORK'));
  m.step = 2;
  m.mprotect(parent, base, 1, sym(model, 'PROT_READ'));
  assert.equal(m.events.length, 1);
  assert.equal(m.events[0].kind, 'flag-cleared');
  assert.equal(m.events[0].step, 2);
  assert.match(m.events[0].detail, /VM_DONTCOPY set by madvise\(MADV_DONTFORK\).*cleared by mprotect/);
  m.fork(parent, 'child');
  assert.equal(value(m.read(m.proc('child'), base)), 3);
  // DOFORK is the related call: clearing by it is not reported.
  const again = setup(kernelModel('v6.12'), 1);
  again.m.madvise(again.parent, again.base, 1, sym(model, 'MADV_DONTFORK'));
  again.m.madvise(again.parent, again.base, 1, sym(model, 'MADV_DOFORK'));
  assert.equal(again.m.events.length, 0);
});

test('fork: WIPEONFORK empties the child, VM_LOCKED is dropped, shared anon is shared', () => {
  const model = kernelModel('v5.4');
  const { m, parent, base } = setup(model, 1);
  m.write(parent, base, 9);
  m.madvise(parent, base, 1, sym(model, 'MADV_WIPEONFORK'));
  parent.vmas[0].flags |= sym(model, 'VM_LOCKED');
  m.mmap(parent, 'shm', 1, RW(model), SHARED(model));
  const shm = parent.regions.get('shm')!.start;
  m.write(parent, shm, 4);
  m.fork(parent, 'child');
  const child = m.proc('child');
  assert.equal(value(m.read(child, base)), 0);
  assert.equal(child.vmas[0].flags & sym(model, 'VM_LOCKED'), 0n);
  assert.notEqual(child.vmas[0].flags & sym(model, 'VM_WIPEONFORK'), 0n);
  assert.equal(value(m.read(parent, base)), 9);
  m.write(child, shm, 5);
  assert.equal(value(m.read(parent, shm)), 5);
  assert.deepEqual(m.checkInvariants(), []);
  m.exit(parent);
  m.exit(child);
  assert.deepEqual(m.checkInvariants(), []);
  assert.equal(m.frames.live, 0);
});

test('SIGSEGV without a VMA or permission; EFAULT for GUP on VM_IO', () => {
  const model = kernelModel('v6.12');
  const { m, parent, base } = setup(model, 1);
  assert.equal(value(m.read(parent, base + 5)), 'SIGSEGV');
  m.mprotect(parent, base, 1, 0n);
  assert.equal(value(m.read(parent, base)), 'SIGSEGV');
  assert.equal(value(m.write(parent, base, 1)), 'SIGSEGV');
  const ib = new IbDevice(m);
  ib.open(parent, 'ctx0');
  const db = parent.regions.get('ctx0.doorbell')!.start;
  const got = m.gup(parent, db, { write: true, pin: true, longterm: true }, 'x');
  assert.deepEqual(got, { errno: 'EFAULT' });
});

test('ib: the legacy failure mode and its events, and ibv_fork_init per era', () => {
  const model = kernelModel('v2.6.16');
  const { m, parent, base } = setup(model, 1);
  const ib = new IbDevice(m);
  m.write(parent, base, 1);
  ib.open(parent, 'ctx0');
  assert.deepEqual(ib.regMr('ctx0', 'buf', 'mr0'), { ok: true });
  m.fork(parent, 'child');
  m.step = 5;
  m.write(parent, base, 2);
  m.step = 6;
  ib.dmaWrite('mr0', 0, 42);
  assert.equal(value(m.read(m.proc('child'), base)), 42);
  const kinds = m.events.map((e) => `${e.step}:${e.kind}`);
  assert.deepEqual(kinds, ['5:cow-off-pinned', '6:dma-to-foreign-frame']);
  assert.match(m.events[1].detail, /mapped by child@0x/);
  // ibv_fork_init: EINVAL after a registration, ENOSYS without MADV_DONTFORK, unneeded on 6.12.
  assert.deepEqual(ib.forkInit(parent), { ok: false, errno: 'EINVAL' });
  const old = new Machine(kernelModel('v2.6.13'));
  assert.deepEqual(new IbDevice(old).forkInit(old.spawn('parent')), { ok: false, errno: 'ENOSYS' });
  const now = new Machine(kernelModel('v6.12'));
  assert.deepEqual(new IbDevice(now).forkInit(now.spawn('parent')), { ok: true, status: 'unneeded' });
});

test('exit deregisters the process\'s regions; nothing leaks', () => {
  for (const era of ERAS) {
    const model = kernelModel(era);
    const { m, parent } = setup(model, 3);
    const ib = new IbDevice(m);
    ib.open(parent, 'ctx0');
    ib.regMr('ctx0', 'buf', 'mr0');
    m.fork(parent, 'child');
    m.exit(parent);
    assert.equal(ib.mrs.size, 0, era);
    m.exit(m.proc('child'));
    assert.deepEqual(m.checkInvariants(), [], era);
    assert.equal(m.frames.live, 0, era);
  }
});

test('fill costs what its writes cost and gives the same state as page-by-page writes', () => {
  const model = kernelModel('v6.12');
  const a = setup(model, 64);
  const b = setup(model, 64);
  a.m.fill(a.parent, a.base, 64, 7);
  for (let i = 0; i < 64; i++) b.m.write(b.parent, b.base + i, 7);
  a.m.fork(a.parent, 'c');
  b.m.fork(b.parent, 'c');
  a.m.fill(a.parent, a.base + 10, 20, 8);
  for (let i = 10; i < 30; i++) b.m.write(b.parent, b.base + i, 8);
  for (let i = 0; i < 64; i++) {
    assert.equal(value(a.m.read(a.parent, a.base + i)), value(b.m.read(b.parent, b.base + i)));
    assert.equal(value(a.m.read(a.m.proc('c'), a.base + i)), 7);
  }
  assert.equal(a.m.frames.live, b.m.frames.live);
});

test('invariant checker catches a broken refcount', () => {
  const { m, parent, base } = setup(kernelModel('v6.12'));
  m.write(parent, base, 1);
  m.frames.refcount[m.frameAt(parent, base)]++;
  assert.match(m.checkInvariants().join('\n'), /refcount 2 != 1 mappings/);
});
