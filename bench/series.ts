// The generated 300-patch mbox series the lint benchmarks run on (bench/lint, bench/lint-phases):
// five kinds of change so every rule family gets work, no two hunks alike.
export const PATCHES = 300;

/** One generated mail; `i` varies the kind of change so every rule family gets work, and every
 *  hunk differs from the others (as in a real series: the engine caches parses by hunk content). */
function mail(i: number): string {
  const kinds = [
    // mprotect mask (MM002 material every fifth patch)
    () => ['mm/mprotect.c', 'static int do_mprotect_pkey(unsigned long start, size_t len,', [
      '\t\t}', '',
      `\t\t/* Here we know that vma->vm_start <= nstart < vma->vm_end (patch ${i}). */`,
      '-\t\tmask_off_old_flags = VM_ACCESS_FLAGS | VM_FLAGS_CLEAR;',
      i % 5 === 0 ? '+\t\tmask_off_old_flags = VM_ACCESS_FLAGS | VM_FLAGS_CLEAR | VM_DONTCOPY;' : '+\t\tmask_off_old_flags = VM_FLAGS_CLEAR | VM_ACCESS_FLAGS;',
      '', '\t\tnewflags = calc_vm_prot_bits(prot, new_vma_pkey);', '\t\tnewflags |= (vma->vm_flags & ~mask_off_old_flags);',
    ]],
    // madvise case
    () => ['mm/madvise.c', 'static int madvise_vma_behavior(struct vm_area_struct *vma,', [
      '\tcase MADV_DONTFORK:', '\t\tnew_flags |= VM_DONTCOPY;', '\t\tbreak;', '\tcase MADV_DOFORK:',
      '\t\tif (vma->vm_flags & VM_IO)', '\t\t\treturn -EINVAL;', '\t\tnew_flags &= ~VM_DONTCOPY;', '\t\tbreak;',
      `+\tcase MADV_GEN${i}:`, '+\t\tnew_flags |= VM_DONTDUMP;', '+\t\tbreak;',
      '\tcase MADV_WIPEONFORK:', '\t\tif (vma->vm_file || vma->vm_flags & VM_SHARED)', '\t\t\treturn -EINVAL;',
    ]],
    // driver mmap
    () => [`drivers/infiniband/hw/gen${i}/main.c`, `static int gen${i}_mmap(struct ib_ucontext *uctx, struct vm_area_struct *vma)`, [
      '\tif (vma->vm_end - vma->vm_start != PAGE_SIZE)', '\t\treturn -EINVAL;', '',
      i % 3 === 0 ? '+\tvma->vm_flags |= VM_DONTCOPY;' : '+\tvm_flags_set(vma, VM_DONTCOPY | VM_DONTEXPAND);',
      '\tvma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);', '',
      '\treturn rdma_user_mmap_io(uctx, vma, pfn, PAGE_SIZE, vma->vm_page_prot, NULL);',
    ]],
    // uapi header
    () => ['include/uapi/asm-generic/mman-common.h', '', [
      '#define MADV_GUARD_INSTALL 102\t\t/* fatal signal on access to range */',
      '#define MADV_GUARD_REMOVE 103\t\t/* unguard range */',
      `+#define MADV_GEN${i}\t${110 + (i % 50)}\t\t/* generated */`, '',
      '/* compatibility flags */', '#define MAP_FILE\t0',
    ]],
    // pinning
    () => [`drivers/misc/gen${i}.c`, `static int gen${i}_register(struct gen_ctx *ctx, unsigned long addr, size_t len)`, [
      '\tif (!pages)', '\t\treturn -ENOMEM;', '',
      i % 2 ? '+\tret = pin_user_pages_fast(addr, npages, FOLL_WRITE | FOLL_LONGTERM, pages);' : '+\tret = get_user_pages_fast(addr, npages, FOLL_WRITE, pages);',
      '+\tif (ret < 0)', '+\t\tgoto free_pages;', '\tctx->pages = pages;', '\tctx->npages = npages;', '\treturn 0;',
    ]],
  ];
  const hunks = [kinds[i % kinds.length]!(), kinds[(i + 2) % kinds.length]!()];
  let body = '';
  for (const [file, fn, lines] of hunks as Array<[string, string, string[]]>) {
    const ls = lines.map((l) => (l[0] === '+' || l[0] === '-' ? l : ' ' + l));
    const old = ls.filter((l) => l[0] !== '+').length;
    const nu = ls.filter((l) => l[0] !== '-').length;
    body += `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -${100 + i},${old} +${100 + i},${nu} @@ ${fn}\n${ls.join('\n')}\n`;
  }
  return `From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\nFrom: Gen Erator <gen@example.org>\nDate: Mon, 3 Mar 2025 10:00:00 +0000\nSubject: [PATCH ${i + 1}/${PATCHES}] mm: generated change ${i}\n\nGenerated patch ${i} for the lint benchmark.\n\nSigned-off-by: Gen Erator <gen@example.org>\n---\n${body}-- \n2.43.0\n\n`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const series = Array.from({ length: PATCHES }, (_, i) => mail(i)).join('');

/** The series with every generated name changed: same size and shape, content no run has seen
 *  (nothing in a warm engine's parse cache). */
export function freshSeries(r: number): string {
  return series.replace(/\bgen(\d+)/g, (_, n) => `gen${n}r${r}`).replace(/MADV_GEN(\d+)/g, (_, n) => `MADV_GEN${n}R${r}`)
    .replace(/mask_off_old_flags/g, `mask_off_old_flags_r${r}`).replace(/\bnew_flags\b/g, `new_flags_r${r}`);
}

