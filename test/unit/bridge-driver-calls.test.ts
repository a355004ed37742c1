// The driver collector finds vm_flags_* and remap calls where the source spells their names
// (not by walking every call): spellings that name them without being such a call must not
// count, and every real call must, however it is spaced or nested.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initC } from '../../src/c/index';
import { readPatchSet } from '../../src/patch/index';
import { extractHookChanges, type HookChange } from '../../src/bridge/index';

const VM_IO = 0x4000n;
const VM_DONTCOPY = 0x20000n;
const VM_DONTEXPAND = 0x40000n;
const VM_DONTDUMP = 0x4000000n;

before(async () => {
  await initC();
});

/** A patch adding `added` lines to a driver's mmap handler that maps one page. */
function driverPatch(added: string[], context: string[] = []): string {
  const lines = [
    ' \tif (vma->vm_end - vma->vm_start != PAGE_SIZE)', ' \t\treturn -EINVAL;', ...context.map((l) => ' ' + l),
    ...added.map((l) => '+' + l), ' \treturn rdma_user_mmap_io(uctx, vma, pfn, PAGE_SIZE, vma->vm_page_prot, NULL);',
  ];
  const old = lines.filter((l) => l[0] !== '+').length;
  return [
    'diff --git a/drivers/infiniband/hw/x/main.c b/drivers/infiniband/hw/x/main.c',
    '--- a/drivers/infiniband/hw/x/main.c', '+++ b/drivers/infiniband/hw/x/main.c',
    `@@ -10,${old} +10,${lines.length} @@ static int x_mmap(struct ib_ucontext *uctx, struct vm_area_struct *vma)`, ...lines, '',
  ].join('\n');
}

function driverChange(patch: string): HookChange | undefined {
  return extractHookChanges(readPatchSet(patch), { era: 'v6.12' }).find((c) => c.hook === 'driver-mmap');
}

test('driver calls: names in comments, strings, longer words and a parenthesised callee are no calls', () => {
  const c = driverChange(driverPatch([
    '\t/* vm_flags_set(vma, VM_IO); */',
    '\tpr_debug("vm_flags_set(vma, VM_IO)");',
    '\tmy_vm_flags_set(vma, VM_IO);',
    '\tvm_flags_set_all(vma, VM_IO);',
    '\t(vm_flags_set)(vma, VM_IO);',
    '\tvm_flags_set /* spaced */ (vma,',
    '\t\t     VM_DONTCOPY);',
  ]));
  assert.deepEqual(c?.after, { type: 'driver-flags', set: VM_DONTCOPY, clear: 0n });
});

test('driver calls: every real call counts, in source order, also inside another call', () => {
  const c = driverChange(driverPatch([
    '\tvm_flags_set(vma, VM_DONTCOPY | VM_IO);',
    '\tif (x)',
    '\t\tvm_flags_clear(vma, VM_IO);',
    '\tfoo(vm_flags_mod(vma, VM_DONTEXPAND, VM_DONTDUMP));',
  ]));
  assert.deepEqual(c?.after, { type: 'driver-flags', set: VM_DONTCOPY | VM_DONTEXPAND, clear: VM_IO | VM_DONTDUMP });
  // The later call wins over the earlier one.
  const d = driverChange(driverPatch(['\tvm_flags_clear(vma, VM_IO);', '\tvm_flags_set(vma, VM_IO);']));
  assert.deepEqual(d?.after, { type: 'driver-flags', set: VM_IO, clear: 0n });
});

test('driver calls: a remap call of more than a page is read from its arguments', () => {
  // No `!= PAGE_SIZE` test in view; the handler's own remap calls decide.
  const handler = (size: string) => driverPatch(['\tvm_flags_set(vma, VM_IO);', `\tret = io_remap_pfn_range(vma, vma->vm_start, pfn, ${size}, prot);`])
    .replace(' \tif (vma->vm_end - vma->vm_start != PAGE_SIZE)\n \t\treturn -EINVAL;\n', '')
    .replace('pfn, PAGE_SIZE, vma->vm_page_prot', `pfn, ${size}, vma->vm_page_prot`);
  assert.equal(driverChange(handler('2 * PAGE_SIZE')), undefined);
  assert.deepEqual(driverChange(handler('PAGE_SIZE'))?.after, { type: 'driver-flags', set: VM_IO, clear: 0n });
});

test('driver calls: a helper defined in the window keeps its own calls', () => {
  const c = driverChange(driverPatch(
    ['\tvm_flags_set(vma, VM_DONTCOPY);'],
    ['}', '', 'static void helper(struct vm_area_struct *vma)', '{', '\tvm_flags_set(vma, VM_IO);', '}', '', 'static int y_mmap(struct ib_ucontext *uctx, struct vm_area_struct *vma)', '{'],
  ));
  assert.deepEqual(c?.after, { type: 'driver-flags', set: VM_DONTCOPY, clear: 0n });
});
