/*
 * mmlens oracle harness: runs a scenario's userspace steps on the live kernel.
 *
 * Input (stdin), one step per line, all numbers decimal:
 *   mmap SLOT REGION PAGES PROT FLAGS
 *   munmap|mprotect|madvise|fill SLOT REGION FIRST COUNT [PROT|ADVICE|VALUE]
 *   write SLOT REGION PAGE VALUE
 *   read SLOT REGION PAGE
 *   fork SLOT CHILDSLOT
 *   exit SLOT
 *   noop SLOT                              (steps with nothing to do here, e.g. ib_open)
 *   pin SLOT REF REGION FIRST COUNT         (FOLL_WRITE|FOLL_LONGTERM pins: io_uring fixed buffer)
 *   pinwrite SLOT REF PAGE VALUE            ("device" write into the pinned page: READ_FIXED)
 *   pinread SLOT REF PAGE                   ("device" read of the pinned page: WRITE_FIXED)
 *   unpin SLOT REF                          (unregister the buffer, close the ring)
 * Output (stdout), one line per step: "ok", "ok VALUE", "errno NAME" or "signal NAME".
 *
 * Each simulated process is a real process ("worker") that owns a slot; the coordinator sends
 * it commands over a pipe created before the first fork, so children inherit the pipes of
 * every slot and a forked worker simply switches to its new slot's pipes. Region addresses
 * live in the worker's own (private) memory, so after fork a child refers to its copy of
 * the region table, as the scenario format says. Faults are caught with sigsetjmp and
 * reported instead of killing the worker.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/io_uring.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_SLOTS 16
#define MAX_REGIONS 64
#define MAX_STEPS 4096
#define MAX_REFS 64

struct cmd { int op, slot, region, a, b, c; long long v1, v2; };
struct reply { int kind; long long value; char name[16]; };
enum { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MADVISE, OP_WRITE, OP_READ, OP_FILL, OP_FORK, OP_EXIT,
       OP_NOOP, OP_PIN, OP_PINWRITE, OP_PINREAD, OP_UNPIN };
enum { RES_OK, RES_VALUE, RES_ERRNO, RES_SIGNAL };

static int cmd_pipe[MAX_SLOTS][2], reply_pipe[MAX_SLOTS][2];
static struct { char *addr; long pages; } regions[MAX_REGIONS];
static long page_size;
/* Where the next mapping goes, in pages, like the simulator: each mmap right after the
 * previous one with a one-page gap, never in a hole an earlier munmap left (the kernel's
 * allocator would reuse it, e.g. for io_uring's rings, and a stale access would then hit
 * that). Per worker, so a child continues from its parent's value, as in the simulator. */
static unsigned long next_page; /* set in main: 4 GiB */

/* A pin: an io_uring instance with one registered (fixed) buffer. Registering buffers pins
 * the pages with FOLL_WRITE|FOLL_LONGTERM, as RDMA memory registration does; READ_FIXED and
 * WRITE_FIXED then move data to and from the pinned pages without looking at page tables,
 * like a device's DMA. */
struct ring {
  int fd;
  unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
  struct io_uring_sqe *sqes;
  struct io_uring_cqe *cqes;
  char *base;
};
static struct ring refs[MAX_REFS];
static int data_pipe[2];

static int ring_open(struct ring *r) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  int fd = (int)syscall(__NR_io_uring_setup, 4, &p);
  if (fd < 0) return -1;
  size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  if ((p.features & IORING_FEAT_SINGLE_MMAP) && cq_sz > sq_sz) sq_sz = cq_sz;
  char *sq = mmap(NULL, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  char *cq = (p.features & IORING_FEAT_SINGLE_MMAP) ? sq
    : mmap(NULL, cq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
  void *sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) { close(fd); return -1; }
  r->fd = fd;
  r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
  r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
  r->sq_array = (unsigned *)(sq + p.sq_off.array);
  r->cq_head = (unsigned *)(cq + p.cq_off.head);
  r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
  r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
  r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
  r->sqes = sqes;
  return 0;
}

/* One READ_FIXED/WRITE_FIXED of len bytes at addr (inside the fixed buffer) from/to fd. */
static int ring_rw(struct ring *r, int opcode, int fd, char *addr, unsigned len) {
  unsigned tail = *r->sq_tail, idx = tail & *r->sq_mask;
  struct io_uring_sqe *sqe = &r->sqes[idx];
  memset(sqe, 0, sizeof *sqe);
  sqe->opcode = opcode;
  sqe->fd = fd;
  sqe->addr = (unsigned long)addr;
  sqe->len = len;
  sqe->off = (unsigned long long)-1; /* pipes: current position */
  sqe->buf_index = 0;
  r->sq_array[idx] = idx;
  __atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
  if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0) return -errno;
  unsigned head = __atomic_load_n(r->cq_head, __ATOMIC_ACQUIRE);
  while (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {}
  int res = r->cqes[head & *r->cq_mask].res;
  __atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
  return res;
}
static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig) { fault_sig = sig; siglongjmp(fault_jmp, 1); }

static const char *errno_name(int e) {
  switch (e) {
  case EINVAL: return "EINVAL"; case ENOMEM: return "ENOMEM"; case EACCES: return "EACCES";
  case EPERM: return "EPERM"; case EFAULT: return "EFAULT"; case EBADF: return "EBADF";
  case EAGAIN: return "EAGAIN"; case ENOSYS: return "ENOSYS"; case EOPNOTSUPP: return "EOPNOTSUPP";
  case EEXIST: return "EEXIST"; case EBUSY: return "EBUSY"; case EIO: return "EIO";
  case EOVERFLOW: return "EOVERFLOW"; case ERANGE: return "ERANGE"; case ENOSPC: return "ENOSPC";
  default: return "EUNKNOWN";
  }
}

static void full_write(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n) { ssize_t w = write(fd, p, n); if (w <= 0) { if (errno == EINTR) continue; _exit(3); } p += w; n -= w; }
}
static int full_read(int fd, void *buf, size_t n) {
  char *p = buf;
  while (n) { ssize_t r = read(fd, p, n); if (r <= 0) { if (r < 0 && errno == EINTR) continue; return -1; } p += r; n -= r; }
  return 0;
}

static struct reply errno_result(int e) {
  struct reply out = { RES_ERRNO, 0, "" };
  snprintf(out.name, sizeof out.name, "%s", errno_name(e));
  return out;
}

static struct reply syscall_result(long r) {
  struct reply out = { RES_OK, 0, "" };
  if (r != 0) { out.kind = RES_ERRNO; snprintf(out.name, sizeof out.name, "%s", errno_name(errno)); }
  return out;
}

static int slot; /* the slot this worker serves (static: survives siglongjmp) */

static void worker(int first_slot) {
  slot = first_slot;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fault;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  for (;;) {
    struct cmd c;
    if (full_read(cmd_pipe[slot][0], &c, sizeof c)) _exit(0);
    /* static: these survive the siglongjmp out of a faulting access unclobbered */
    static struct reply out;
    static char *base;
    memset(&out, 0, sizeof out);
    out.kind = RES_OK;
    base = c.region >= 0 ? regions[c.region].addr : NULL;
    switch (c.op) {
    case OP_MMAP: {
      void *p = mmap((void *)(next_page * page_size), c.a * page_size, (int)c.v1, (int)c.v2 | MAP_FIXED_NOREPLACE, -1, 0);
      /* As in `buf = mmap(...)`: a failed call leaves the program holding MAP_FAILED. */
      if (p == MAP_FAILED) { out = syscall_result(-1); regions[c.region].addr = MAP_FAILED; regions[c.region].pages = 0; }
      else { regions[c.region].addr = p; regions[c.region].pages = c.a; next_page += c.a + 1; }
      break;
    }
    case OP_MUNMAP: out = syscall_result(munmap(base + c.a * page_size, c.b * page_size)); break;
    case OP_MPROTECT: out = syscall_result(mprotect(base + c.a * page_size, c.b * page_size, (int)c.v1)); break;
    case OP_MADVISE: out = syscall_result(madvise(base + c.a * page_size, c.b * page_size, (int)c.v1)); break;
    case OP_WRITE: case OP_READ: case OP_FILL: {
      static long first, count;
      first = c.a;
      count = c.op == OP_FILL ? c.b : 1;
      if (sigsetjmp(fault_jmp, 1) == 0) {
        for (long i = first; i < first + count; i++) {
          volatile long long *cell = (volatile long long *)(base + i * page_size);
          if (c.op == OP_READ) { out.kind = RES_VALUE; out.value = *cell; }
          else *cell = c.v1;
        }
      } else {
        out.kind = RES_SIGNAL;
        snprintf(out.name, sizeof out.name, "%s", fault_sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
      }
      break;
    }
    case OP_FORK: {
      pid_t pid = fork();
      if (pid == 0) { slot = c.a; continue; } /* the child serves its new slot, silently */
      if (pid < 0) out = syscall_result(-1);
      break;
    }
    case OP_EXIT:
      full_write(reply_pipe[slot][1], &out, sizeof out);
      _exit(0);
    case OP_NOOP:
      break;
    case OP_PIN: {
      struct ring *r = &refs[c.b];
      if (ring_open(r)) { out = errno_result(errno); r->fd = -1; break; }
      r->base = base + c.a * page_size;
      struct iovec iov = { r->base, (size_t)c.v1 * page_size };
      if (syscall(__NR_io_uring_register, r->fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0) {
        out = errno_result(errno);
        close(r->fd);
        r->fd = -1;
      }
      break;
    }
    case OP_PINWRITE: case OP_PINREAD: {
      struct ring *r = &refs[c.b];
      /* The pin was never taken (its call failed): the simulator answers EINVAL. */
      if (r->fd < 0) { out = errno_result(EINVAL); break; }
      char *at = r->base + c.a * page_size;
      long long v = c.v1;
      int res;
      if (c.op == OP_PINWRITE) {
        full_write(data_pipe[1], &v, sizeof v);
        res = ring_rw(r, IORING_OP_READ_FIXED, data_pipe[0], at, sizeof v);
      } else {
        res = ring_rw(r, IORING_OP_WRITE_FIXED, data_pipe[1], at, sizeof v);
        if (res == (int)sizeof v && full_read(data_pipe[0], &v, sizeof v) == 0) { out.kind = RES_VALUE; out.value = v; }
      }
      if (res < 0) out = errno_result(-res);
      else if (res != (int)sizeof v) out = errno_result(EIO);
      break;
    }
    case OP_UNPIN: {
      struct ring *r = &refs[c.b];
      if (r->fd < 0) { out = errno_result(EINVAL); break; }
      syscall(__NR_io_uring_register, r->fd, IORING_UNREGISTER_BUFFERS, NULL, 0);
      close(r->fd);
      r->fd = -1;
      break;
    }
    }
    full_write(reply_pipe[slot][1], &out, sizeof out);
  }
}

static int op_of(const char *s) {
  static const char *names[] = { "mmap", "munmap", "mprotect", "madvise", "write", "read", "fill", "fork", "exit",
                                 "noop", "pin", "pinwrite", "pinread", "unpin" };
  for (int i = 0; i < 14; i++) if (!strcmp(s, names[i])) return i;
  return -1;
}

int main(void) {
  page_size = sysconf(_SC_PAGESIZE);
  next_page = 0x100000000UL / (unsigned long)page_size;
  static struct cmd steps[MAX_STEPS];
  int n = 0;
  char line[512], op[32];
  while (n < MAX_STEPS && fgets(line, sizeof line, stdin)) {
    struct cmd c = { 0, 0, -1, 0, 0, 0, 0, 0 };
    long long x[6] = { 0 };
    int got = sscanf(line, "%31s %lld %lld %lld %lld %lld %lld", op, &x[0], &x[1], &x[2], &x[3], &x[4], &x[5]);
    if (got < 2) continue;
    c.op = op_of(op);
    if (c.op < 0) { fprintf(stderr, "harness: unknown op %s\n", op); return 2; }
    c.slot = (int)x[0];
    switch (c.op) {
    case OP_MMAP: c.region = (int)x[1]; c.a = (int)x[2]; c.v1 = x[3]; c.v2 = x[4]; break;
    case OP_MUNMAP: c.region = (int)x[1]; c.a = (int)x[2]; c.b = (int)x[3]; break;
    case OP_MPROTECT: case OP_MADVISE: case OP_FILL: c.region = (int)x[1]; c.a = (int)x[2]; c.b = (int)x[3]; c.v1 = x[4]; break;
    case OP_WRITE: c.region = (int)x[1]; c.a = (int)x[2]; c.v1 = x[3]; break;
    case OP_READ: c.region = (int)x[1]; c.a = (int)x[2]; break;
    case OP_FORK: c.a = (int)x[1]; break;
    case OP_EXIT: case OP_NOOP: break;
    case OP_PIN: c.b = (int)x[1]; c.region = (int)x[2]; c.a = (int)x[3]; c.v1 = x[4]; break;
    case OP_PINWRITE: c.b = (int)x[1]; c.a = (int)x[2]; c.v1 = x[3]; break;
    case OP_PINREAD: c.b = (int)x[1]; c.a = (int)x[2]; break;
    case OP_UNPIN: c.b = (int)x[1]; break;
    }
    if ((c.op >= OP_PIN) && (c.b < 0 || c.b >= MAX_REFS)) { fprintf(stderr, "harness: step %d ref out of range\n", n); return 2; }
    if (c.slot < 0 || c.slot >= MAX_SLOTS || c.region >= MAX_REGIONS || (c.op == OP_FORK && (c.a < 0 || c.a >= MAX_SLOTS))) {
      fprintf(stderr, "harness: step %d out of range\n", n);
      return 2;
    }
    steps[n++] = c;
  }
  if (pipe(data_pipe)) { perror("pipe"); return 2; }
  for (int i = 0; i < MAX_SLOTS; i++) if (pipe(cmd_pipe[i]) || pipe(reply_pipe[i])) { perror("pipe"); return 2; }
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int alive[MAX_SLOTS] = { 0 };
  pid_t first = fork();
  if (first == 0) worker(0);
  alive[0] = 1;
  for (int i = 0; i < n; i++) {
    struct cmd *c = &steps[i];
    if (!alive[c->slot]) { printf("skipped\n"); continue; }
    full_write(cmd_pipe[c->slot][1], c, sizeof *c);
    struct reply r;
    if (full_read(reply_pipe[c->slot][0], &r, sizeof r)) { printf("lost\n"); alive[c->slot] = 0; continue; }
    if (c->op == OP_FORK && r.kind == RES_OK) alive[c->a] = 1;
    if (c->op == OP_EXIT) alive[c->slot] = 0;
    switch (r.kind) {
    case RES_OK: printf("ok\n"); break;
    case RES_VALUE: printf("ok %lld\n", r.value); break;
    case RES_ERRNO: printf("errno %s\n", r.name); break;
    case RES_SIGNAL: printf("signal %s\n", r.name); break;
    }
    fflush(stdout);
  }
  struct cmd quit = { OP_EXIT, 0, -1, 0, 0, 0, 0, 0 };
  for (int s = 0; s < MAX_SLOTS; s++) {
    if (!alive[s]) continue;
    quit.slot = s;
    full_write(cmd_pipe[s][1], &quit, sizeof quit);
    struct reply r;
    full_read(reply_pipe[s][0], &r, sizeof r);
  }
  while (wait(NULL) > 0 || errno == EINTR) {}
  return 0;
}
