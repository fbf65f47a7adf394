/* The kernel's S-mode part: Sv39 paging, two U-mode processes scheduled round robin (on
 * yields and on the timer ticks M-mode passes down as supervisor software interrupts), and the
 * probes whose results form the signature it prints before it shuts down through M-mode. */
#include "mk.h"
#include "sys.h"

#define NPROC 2
#define PTE_V 1
#define PTE_R 2
#define PTE_W 4
#define PTE_X 8
#define PTE_U 16
#define PTE_G 32
#define PTE_A 64
#define PTE_D 128
#define SATP_SV39 (8UL << 60)

struct proc {
  u64 regs[33];          /* x0..x31 (x0 unused), then pc */
  u64 satp;
  u64 reports[4];
  int nreports;
  u64 syscalls;
  int state;             /* 0 free, 1 runnable, 2 exited */
};

u64 tf[33];              /* the trap frame s_trap_vector fills: x1..x31 at 8..248, sepc at 256 */
u64 kctx[14];
static struct proc procs[NPROC];
static int current = -1;
static u64 s_ticks, s_faults, s_fault_cause, s_fault_tval;

typedef u64 pagetable[512] __attribute__((aligned(4096)));
static pagetable root[NPROC] __attribute__((section(".bss.pages")));
static pagetable l1[NPROC] __attribute__((section(".bss.pages")));
static pagetable l0[NPROC] __attribute__((section(".bss.pages")));
static char udata[NPROC][2][4096] __attribute__((aligned(4096), section(".bss.pages")));

extern char __utext_start[], __utext_end[], s_trap_vector[];
extern void user_main(u64, u64);
extern void run_user(void);

static u64 pte(u64 pa, u64 flags) { return ((pa >> 12) << 10) | flags | PTE_V; }

static void setup_process(int p, u64 what, u64 n) {
  struct proc *pr = &procs[p];
  for (int i = 0; i < 512; i++) { root[p][i] = 0; l1[p][i] = 0; l0[p][i] = 0; }
  root[p][0] = pte(0, PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);                    /* devices */
  root[p][2] = pte(0x80000000UL, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G); /* the kernel */
  root[p][1] = pte((u64)l1[p], 0);
  l1[p][0] = pte((u64)l0[p], 0);
  u64 pages = ((u64)__utext_end - (u64)__utext_start) / 4096;
  for (u64 i = 0; i < pages; i++) l0[p][i] = pte((u64)__utext_start + 4096 * i, PTE_R | PTE_X | PTE_U | PTE_A);
  for (int i = 0; i < 2; i++) {
    for (int b = 0; b < 4096; b++) udata[p][i][b] = 0;
    l0[p][16 + i] = pte((u64)udata[p][i], PTE_R | PTE_W | PTE_U | PTE_A | PTE_D);
  }
  for (int i = 0; i < 33; i++) pr->regs[i] = 0;
  pr->regs[2] = USER_STACK_TOP;
  pr->regs[10] = what;
  pr->regs[11] = n;
  pr->regs[32] = USER_TEXT + ((u64)user_main - (u64)__utext_start);
  pr->satp = SATP_SV39 | ((u64)root[p] >> 12);
  pr->nreports = 0;
  pr->syscalls = 0;
  pr->state = 1;
}

static void load_context(int p) {
  current = p;
  for (int i = 1; i < 33; i++) tf[i] = procs[p].regs[i];
  csr_write(satp, procs[p].satp);
  __asm__ volatile("sfence.vma" ::: "memory");
}

static void save_context(int p) {
  for (int i = 1; i < 33; i++) procs[p].regs[i] = tf[i];
}

/* Next runnable process after the current one, or -1. */
static int pick_next(void) {
  for (int k = 1; k <= NPROC; k++) {
    int p = (current + k) % NPROC;
    if (procs[p].state == 1) return p;
  }
  return -1;
}

/* Returns 1 when no process is left and run_user should return to the kernel. */
static int reschedule(int keep_current) {
  int next = pick_next();
  if (next < 0) { current = -1; csr_write(satp, 0); __asm__ volatile("sfence.vma" ::: "memory"); return 1; }
  if (next == current && keep_current) return 0;
  if (current >= 0 && procs[current].state == 1) save_context(current);
  load_context(next);
  return 0;
}

int s_trap(u64 *frame) {
  u64 cause = csr_read(scause);
  int from_user = (csr_read(sstatus) & (1 << 8)) == 0;
  if ((s64)cause < 0) {
    if ((cause & 0xff) == 1) {
      csr_clear(sip, 2);
      s_ticks++;
      if (from_user) return reschedule(1);
      return 0;
    }
  } else if (cause == 8 && from_user) {
    struct proc *pr = &procs[current];
    pr->syscalls++;
    frame[32] += 4;
    switch (frame[17]) {
      case SYS_GETPID: frame[10] = current; return 0;
      case SYS_YIELD: return reschedule(1);
      case SYS_REPORT: if (pr->nreports < 4) pr->reports[pr->nreports++] = frame[10]; return 0;
      case SYS_EXIT: pr->state = 2; return reschedule(0);
    }
    frame[10] = -1UL;
    return 0;
  } else if ((cause == 13 || cause == 15) && from_user) {
    s_faults++;
    s_fault_cause = cause;
    s_fault_tval = csr_read(stval);
    frame[32] += 4;
    return 0;
  }
  uart_puts("mkernel: unexpected S-mode trap ");
  uart_hex(cause);
  uart_puts(" at ");
  uart_hex(csr_read(sepc));
  uart_putc('\n');
  mk_call(MK_SHUTDOWN, 0x66);
  return 0;
}

static void run(int nproc, u64 what, u64 n) {
  for (int p = 0; p < NPROC; p++) procs[p].state = 0;
  for (int p = 0; p < nproc; p++) setup_process(p, what, n);
  /* tf is about to hold a process's context: no S-mode trap may overwrite it before the sret.
   * (The transparency suite found this race: a tick that arrived here, under a schedule that
   * moved the timer's phase, started process 0 with the kernel's registers.) */
  csr_clear(sstatus, 2);
  current = -1;
  reschedule(0);
  run_user();
  csr_set(sstatus, 2);
}

__attribute__((unused)) static void line(const char *name, u64 v) {
  uart_puts("sig ");
  uart_puts(name);
  uart_puts(" = ");
  uart_hex(v);
  uart_putc('\n');
}

__attribute__((unused)) static const char *const mcsr_names[MK_READ_MCSR_COUNT] = {
  "mstatus", "medeleg", "mideleg", "mie", "mtvec", "mscratch", "mepc", "mcause", "mtval",
  "pmpcfg0", "pmpaddr0", "pmpaddr1", "misa", "mcounteren", "mip.msip", "mhartid", "sie from M", "sip from M (but SSIP)",
};

#ifndef BENCH
static void probes(void) {
  run(NPROC, USER_PROBE, 20000);
  for (int p = 0; p < NPROC; p++) {
    uart_puts("sig proc ");
    uart_putc('0' + p);
    uart_puts(": syscalls ");
    uart_hex(procs[p].syscalls);
    for (int i = 0; i < procs[p].nreports; i++) { uart_putc(' '); uart_hex(procs[p].reports[i]); }
    uart_putc('\n');
  }
  line("page faults", s_faults);
  line("page fault cause", s_fault_cause);
  line("page fault stval", s_fault_tval);
  /* Machine software interrupts, each asked for and waited for. */
  for (u64 k = 1; k <= 3; k++) {
    mk_call(MK_IPI, 0);
    while (mshared.soft_ints < k) __asm__ volatile("wfi");
  }
  line("machine software interrupts", mshared.soft_ints);
  /* The guard page: M-mode takes the access fault and skips the load. */
  u64 v = 0x1234;
  __asm__ volatile(".option push\n.option norvc\nld %0, 8(%1)\n.option pop" : "+r"(v) : "r"(guard_page) : "memory");
  line("guard load result", v);
  line("guard faults", mshared.faults);
  line("guard fault cause", mshared.fault_cause);
  line("guard fault tval", mshared.fault_tval - (u64)guard_page);
  mk_call(MK_SLEEP, 0);
  mk_call(MK_SLEEP, 0);
  line("M-mode sleeps", mshared.sleeps);
  static const char *const warl[MK_WARL_COUNT] = { "WARL mtvec mode 3", "WARL mstatus.MPP 2", "WARL medeleg", "WARL mideleg", "WARL pmpcfg W only", "WARL mepc odd" };
  for (u64 i = 0; i < MK_WARL_COUNT; i++) line(warl[i], mk_call(MK_WARL, i));
  for (u64 i = 0; i < MK_READ_MCSR_COUNT; i++) line(mcsr_names[i], mk_call(MK_READ_MCSR, i));
  line("sstatus", csr_read(sstatus));
  line("sie", csr_read(sie));
  line("satp", csr_read(satp));
}
#else
/* A measured phase starts on a timer tick boundary with an empty TLB, so that its cycles do
 * not depend on what ran before it (overhead figures in ci/budgets.json). */
static void phase(const char *name, u64 interval, int nproc, u64 what, u64 n) {
  mk_call(MK_ALIGN, interval);
  __asm__ volatile("sfence.vma" ::: "memory");
  uart_puts("bench ");
  uart_puts(name);
  uart_puts(": begin\n");
  run(nproc, what, n);
  uart_puts("bench ");
  uart_puts(name);
  uart_puts(": end ");
  uart_hex(procs[0].reports[0]);
  uart_putc('\n');
}

static void probes(void) {
  /* Unmeasured warm-up: room for the harness to virtualize (and devirtualize) first. */
  run(1, USER_COMPUTE, 8000);
  uart_puts("bench warm-up done\n");
  /* Timer intervals in ticks of the 10 MHz timebase: 1 kHz (Linux's HZ=1000), then 10 kHz. */
  phase("compute", 10000, 1, USER_COMPUTE, 60000);
  phase("syscall", 10000, 1, USER_SYSCALLS, 4000);
  phase("timer", 1000, 2, USER_COMPUTE, 30000);
}
#endif

void s_main(void) {
  uart_puts("mkernel: S-mode up\n");
  csr_write(stvec, (u64)s_trap_vector);
  csr_write(sscratch, (u64)tf);
  csr_write(sie, 2);                 /* supervisor software interrupts: the ticks M-mode passes on */
  csr_set(sstatus, 2);
  probes();
  uart_puts("mkernel: done\n");
  mk_call(MK_SHUTDOWN, 0);
}
