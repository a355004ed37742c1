// What `mmlens server` runs before and after it starts listening, so that the first real
// request does not pay for loading the parser and for running the engine's code unoptimised.
// V8 optimises a function after it has run for a while with the same kinds of values; one
// small patch (the quick warm-up) leaves most of the engine cold, and measured on the 300-patch
// bench series the first request after start took ~460 ms and the fifth ~220 ms. The rounds
// below are generated mm patches touching every hook the engine reads: mprotect's kept mask,
// madvise's behaviour switch, a driver mmap, uapi defines, pinning, fork's VMA copy and mmap's
// flag translation. Each round renames its identifiers, so the parse cache (keyed by hunk
// content) does not short-circuit the work.

/** One hunk: file, the function in the hunk header, and its lines (' ', '+' or '-' first). */
type HunkSpec = [file: string, fn: string, lines: string[]];

function hunks(n: number, r: number): HunkSpec[] {
  const id = `w${r}_${n}`;
  return [
    ['mm/mprotect.c', 'static int do_mprotect_pkey(unsigned long start, size_t len,', [
      ' \t\tnewflags = calc_vm_prot_bits(prot, new_vma_pkey);',
      `-\t\tmask_${id} = VM_ACCESS_FLAGS | VM_FLAGS_CLEAR;`,
      n % 3 === 1 ? `+\t\tmask_${id} = VM_ACCESS_FLAGS | VM_FLAGS_CLEAR | VM_LOCKED;` : `+\t\tmask_${id} = VM_FLAGS_CLEAR | VM_ACCESS_FLAGS;`,
      ` \t\tnewflags |= (vma->vm_flags & ~mask_${id});`,
      ' \t\tif (!arch_validate_flags(newflags)) {',
      ' \t\t\terror = -EINVAL;',
    ]],
    ['mm/madvise.c', 'static int madvise_vma_behavior(struct vm_area_struct *vma,', [
      ` \tunsigned long flags_${id} = vma->vm_flags;`,
      ' \tswitch (behavior) {',
      ' \tcase MADV_DONTFORK:',
      `-\t\tflags_${id} |= VM_DONTCOPY;`,
      `+\t\tflags_${id} |= VM_DONTCOPY${n % 2 ? ' | VM_DONTDUMP' : ''};`,
      ' \t\tbreak;',
      ' \tcase MADV_DOFORK:',
      ' \t\tif (vma->vm_flags & VM_IO)',
      ' \t\t\treturn -EINVAL;',
      `+\tcase MADV_WARM_${id.toUpperCase()}:`,
      `+\t\tflags_${id} &= ~VM_DONTCOPY;`,
      ' \t\tbreak;',
    ]],
    [`drivers/infiniband/hw/${id}/mmap.c`, `static int ${id}_mmap(struct ib_ucontext *uctx, struct vm_area_struct *vma)`, [
      ' \tif (vma->vm_end - vma->vm_start != PAGE_SIZE)',
      ' \t\treturn -EINVAL;',
      n % 2 ? '+\tvm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_IO);' : '+\tvma->vm_flags |= VM_DONTCOPY | VM_DONTEXPAND;',
      ' \treturn io_remap_pfn_range(vma, vma->vm_start, pfn, PAGE_SIZE, vma->vm_page_prot);',
    ]],
    ['include/uapi/asm-generic/mman-common.h', '', [
      ' #define PROT_EXEC\t0x4\t\t/* page can be executed */',
      `+#define PROT_${id.toUpperCase()}\t0x${(0x10 << (n % 4)).toString(16)}`,
      ` #define MADV_COLD\t20`,
      `+#define MADV_${id.toUpperCase()}\t${120 + (n % 40)}`,
    ]],
    [`drivers/misc/${id}.c`, `static int ${id}_pin(struct ${id}_ctx *ctx, unsigned long addr, int npages)`, [
      ' \tif (!pages)',
      ' \t\treturn -ENOMEM;',
      n % 2 ? '+\tret = pin_user_pages_fast(addr, npages, FOLL_WRITE | FOLL_LONGTERM, pages);' : '+\tret = get_user_pages_fast(addr, npages, FOLL_WRITE, pages);',
      ' \tctx->pages = pages;',
    ]],
    ['kernel/fork.c', 'static __latent_entropy int dup_mmap(struct mm_struct *mm,', [
      ' \tfor_each_vma(vmi, mpnt) {',
      '-\t\tif (mpnt->vm_flags & VM_DONTCOPY) {',
      `+\t\tif (mpnt->vm_flags & (VM_DONTCOPY${n % 2 ? ' | VM_IO' : ''})) {`,
      ' \t\t\tvm_stat_account(mm, mpnt->vm_flags, -vma_pages(mpnt));',
      ' \t\t\tcontinue;',
      ' \t\t}',
    ]],
    ['include/linux/mman.h', 'calc_vm_prot_bits(unsigned long prot, unsigned long pkey)', [
      ' \treturn _calc_vm_trans(prot, PROT_READ,  VM_READ ) |',
      ' \t       _calc_vm_trans(prot, PROT_WRITE, VM_WRITE) |',
      `+\t       _calc_vm_trans(prot, PROT_${id.toUpperCase()}, VM_DONTCOPY) |`,
      ' \t       _calc_vm_trans(prot, PROT_EXEC,  VM_EXEC) |',
    ]],
  ];
}

function patch(n: number, r: number): string {
  let body = '';
  for (const [file, fn, shown] of hunks(n, r).filter((_, k) => (k + n) % 3 !== 0)) {
    // A comment naming the round: no hunk's content repeats from round to round.
    const lines = [...shown.slice(0, 1), ` \t/* warm-up ${r}.${n} */`, ...shown.slice(1)];
    const old = lines.filter((l) => l[0] !== '+').length;
    const nu = lines.filter((l) => l[0] !== '-').length;
    body += `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -${100 + n},${old} +${100 + n},${nu} @@ ${fn}\n${lines.join('\n')}\n`;
  }
  return `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: mmlens warm-up <warm-up@localhost>\nSubject: [PATCH ${n + 1}] mm: warm-up ${r}.${n}\n\n---\n${body}-- \n2.43.0\n\n`;
}

/** Round `r` of the warm-up: a series of `patches` generated patches, names unique to the round. */
export function warmUpSeries(r: number, patches = 40): string {
  return Array.from({ length: patches }, (_, n) => patch(n, r)).join('');
}

/** How many rounds the server runs after it starts listening (one at a time, stopping as soon
 *  as a request arrives: a request warms the engine as well as a round does). */
export const WARM_UP_ROUNDS = 8;
