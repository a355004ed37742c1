// The emulated InfiniBand device: device contexts with a doorbell (UAR) page mapped by the
// driver's mmap handler, memory registration that pins pages the way the era's ib_umem_get
// does, device DMA straight to the pinned frames, and libibverbs' ibv_fork_init bookkeeping.
import type { KernelModel } from '../../kernel/model';
import { DOORBELL_PRESETS, doorbellVmaFlags, type DoorbellPresetName } from '../../kernel/index';
import { hexAddr, type Machine, type Pin } from '../machine';
import { fail, ok, type StepResult } from '../types';
import type { Process } from '../vma';

export interface IbContext {
  name: string;
  owner: Process;
  closed: boolean;
  mrs: Set<MemoryRegion>;
}

export interface MemoryRegion {
  name: string;
  ctx: IbContext;
  owner: Process;
  start: number;
  pages: number;
  pins: Pin[];
  /** DONTFORK was applied through ibv_fork_init's range counting. */
  forkTracked: boolean;
}

/**
 * The driver's doorbell vm_flags come from the model (`doorbellFlags`); the kernel module's
 * presets offer `design2005` (VM_IO|VM_PFNMAP|VM_DONTCOPY|VM_DONTEXPAND: the 2005 thread's
 * design, the default) and `mainline` (what rdma_user_mmap_io/io_remap_pfn_range set today:
 * no VM_DONTCOPY, so children inherit the doorbell).
 */
export type IbDriverPreset = DoorbellPresetName;
export const IB_DRIVER_PRESETS: readonly IbDriverPreset[] = Object.keys(DOORBELL_PRESETS) as IbDriverPreset[];

/** The model with the driver's doorbell flags replaced by a preset. */
export function withDriverPreset(model: KernelModel, preset: IbDriverPreset): KernelModel {
  return { ...model, doorbellFlags: DOORBELL_PRESETS[preset][model.era] };
}

export class IbDevice {
  readonly contexts = new Map<string, IbContext>();
  readonly mrs = new Map<string, MemoryRegion>();
  private readonly m: Machine;

  constructor(machine: Machine) {
    this.m = machine;
    machine.exitHooks.push((p) => this.closeAllOf(p));
  }

  /** ibv_open_device + the UAR mmap: maps region `<ctx>.doorbell` with the driver's flags. */
  open(p: Process, ctxName: string): StepResult {
    if (!p.alive) return fail('EBADF');
    const ctx: IbContext = { name: ctxName, owner: p, closed: false, mrs: new Set() };
    this.contexts.set(ctxName, ctx);
    const m = this.m;
    return m.mapDevice(p, `${ctxName}.doorbell`, {
      ctx: ctxName,
      ownerPid: p.pid,
      onUserWrite: (pid, name) => {
        if (pid !== p.pid) {
          m.emit('foreign-doorbell', `${name} rang the doorbell of ${ctxName}, a context opened by ${p.name}${ctx.closed ? ' (closed)' : ''}`);
        }
      },
      // The UAR is mmapped MAP_SHARED with PROT_READ|PROT_WRITE (rdma_user_mmap_io refuses
      // private maps): mmap's own bits plus the driver's.
    }, doorbellVmaFlags(m.model), `the ib driver's mmap (ib_open ${ctxName})`);
  }

  /** ibv_fork_init(): 0, EINVAL after a registration, ENOSYS without MADV_DONTFORK. */
  forkInit(p: Process): StepResult {
    const m = this.m.model;
    const c = this.m.c;
    if (p.ib.forkInit) return { ok: true, status: 'enabled' };
    // IBV_FORK_UNNEEDED: the kernel copies pinned pages at fork and the driver pins with FOLL_PIN.
    if (m.fork.copyPinnedAnon && m.gup.ibRegistration === 'pin_user_pages_longterm' && m.gup.hasFollPin) {
      return { ok: true, status: 'unneeded' };
    }
    if (p.ib.tooLate) return fail('EINVAL');
    if (c.MADV_DONTFORK === undefined || c.MADV_DOFORK === undefined || !m.madvise.has(c.MADV_DONTFORK) || !m.madvise.has(c.MADV_DOFORK)) {
      return fail('ENOSYS');
    }
    p.ib.forkInit = true;
    return { ok: true, status: 'enabled' };
  }

  /** ibv_reg_mr on a whole region: DONTFORK (with fork support), then pin every page. */
  regMr(ctxName: string, region: string, mrName: string): StepResult {
    const ctx = this.contexts.get(ctxName);
    if (!ctx || ctx.closed) return fail('EBADF');
    const p = ctx.owner;
    const r = p.regions.get(region);
    if (!r) return fail('EFAULT');
    p.ib.tooLate = true;
    let forkTracked = false;
    if (p.ib.forkInit) {
      const e = this.rangeAdvise(p, r.start, r.pages, +1);
      if (e) return e;
      forkTracked = true;
    }
    const model = this.m.model;
    const pinMode = model.gup.ibRegistration === 'pin_user_pages_longterm';
    const pins: Pin[] = [];
    for (let i = 0; i < r.pages; i++) {
      const got = this.m.gup(p, r.start + i, { write: true, pin: pinMode, longterm: pinMode }, `${mrName}[${i}]`);
      if ('errno' in got) {
        for (const x of pins) this.m.unpin(x);
        if (forkTracked) this.rangeAdvise(p, r.start, r.pages, -1);
        return fail(got.errno);
      }
      pins.push(got.pin);
    }
    const mr: MemoryRegion = { name: mrName, ctx, owner: p, start: r.start, pages: r.pages, pins, forkTracked };
    this.mrs.set(mrName, mr);
    ctx.mrs.add(mr);
    return ok;
  }

  deregMr(mrName: string): StepResult {
    const mr = this.mrs.get(mrName);
    if (!mr) return fail('EINVAL');
    this.release(mr);
    if (mr.forkTracked && mr.owner.alive) this.rangeAdvise(mr.owner, mr.start, mr.pages, -1);
    return ok;
  }

  private release(mr: MemoryRegion): void {
    for (const x of mr.pins) this.m.unpin(x);
    this.mrs.delete(mr.name);
    mr.ctx.mrs.delete(mr);
  }

  /** libibverbs' range refcounts: MADV_DONTFORK on 0->1, MADV_DOFORK on 1->0, per page. */
  private rangeAdvise(p: Process, start: number, pages: number, delta: 1 | -1): StepResult | null {
    const c = this.m.c;
    const counts = p.ib.dontforkCounts;
    for (let i = start; i < start + pages; i++) {
      const before = counts.get(i) ?? 0;
      const after = before + delta;
      if (after <= 0) counts.delete(i); else counts.set(i, after);
      if ((before === 0 && after === 1) || (before === 1 && after === 0)) {
        const advice = delta > 0 ? c.MADV_DONTFORK! : c.MADV_DOFORK!;
        const r = this.m.madvise(p, i, 1, advice);
        if (!r.ok && delta > 0) return r;
      }
    }
    return null;
  }

  private pageOf(mr: MemoryRegion, page: number): Pin | null {
    return page >= 0 && page < mr.pins.length ? mr.pins[page] : null;
  }

  /** The device writes `value` into page `page` of the registered region (DMA to the frame). */
  dmaWrite(mrName: string, page: number, value: number): StepResult {
    const mr = this.mrs.get(mrName);
    if (!mr) return fail('EINVAL');
    const pin = this.pageOf(mr, page);
    if (!pin) return fail('EINVAL');
    this.checkForeign(mr, pin, 'dma-to-foreign-frame', `wrote ${value} to`);
    const F = this.m.frames;
    if (pin.frame > 0) {
      F.content[pin.frame] = value;
      F.lastWriter[pin.frame] = 0;
      F.lastWriteStep[pin.frame] = this.m.step;
    }
    return ok;
  }

  dmaRead(mrName: string, page: number): StepResult {
    const mr = this.mrs.get(mrName);
    if (!mr) return fail('EINVAL');
    const pin = this.pageOf(mr, page);
    if (!pin) return fail('EINVAL');
    this.checkForeign(mr, pin, 'dma-from-foreign-frame', 'read');
    return { ok: true, value: this.m.frames.content[pin.frame] };
  }

  private checkForeign(mr: MemoryRegion, pin: Pin, kind: 'dma-to-foreign-frame' | 'dma-from-foreign-frame', verb: string): void {
    const now = this.m.frameAt(mr.owner, pin.page);
    if (now === pin.frame) return;
    const mappers = this.m.whoMaps(pin.frame);
    const where = mr.owner.alive
      ? `${mr.owner.name} now maps ${now > 0 ? `frame ${now}` : now === 0 ? 'the zero page' : 'nothing'} at ${hexAddr(pin.page)}`
      : `${mr.owner.name} has exited`;
    this.m.emit(kind, `device ${verb} frame ${pin.frame} of ${mr.name} (registered by ${mr.owner.name} at ${hexAddr(pin.page)}); ${where}; frame ${pin.frame} is mapped by ${mappers.length ? mappers.join(', ') : 'nobody'}`);
  }

  /** proc writes its mapping of ctx's doorbell page (user write through its own page tables). */
  ringDoorbell(p: Process, ctxName: string): StepResult {
    const r = p.regions.get(`${ctxName}.doorbell`);
    if (!r) return { ok: false, signal: 'SIGSEGV' };
    return this.m.write(p, r.start, 1);
  }

  /** Process exit closes its uverbs file: its contexts go and their regions are deregistered. */
  private closeAllOf(p: Process): void {
    for (const ctx of this.contexts.values()) {
      if (ctx.owner !== p || ctx.closed) continue;
      for (const mr of [...ctx.mrs]) this.release(mr);
      ctx.closed = true;
    }
  }
}
