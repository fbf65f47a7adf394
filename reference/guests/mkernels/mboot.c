/* The kernel's M-mode part: the boot prologue and the machine trap handler, as kernels written
 * for QEMU virt with -bios none have them (timer re-armed in M-mode and passed down to S-mode as
 * a supervisor software interrupt; machine software interrupts; a few services for S-mode). */
#include "mk.h"

struct mshared mshared;
static u64 timer_interval = 2000;          /* ticks of the 10 MHz timebase */

#define MIP_SSIP (1UL << IRQ_SSI)
#define MIP_MSIP (1UL << IRQ_MSI)
#define MIP_MTIP (1UL << IRQ_MTI)
#define MSTATUS_MPP_S ((u64)PRV_S << MSTATUS_MPP_SHIFT)

extern char m_trap_stack_top[], m_trap_vector[], m_vector_table[], s_entry[];

/* The variant built with -DVECTORED uses a vectored mtvec and raises SSIP through sip, as xv6's
 * timer code does, rather than through mip. */
#ifdef VECTORED
#define MTVEC_VALUE ((u64)m_vector_table | 1)
#define RAISE_SSIP() csr_set(sip, MIP_SSIP)
#else
#define MTVEC_VALUE ((u64)m_trap_vector)
#define RAISE_SSIP() csr_set(mip, MIP_SSIP)
#endif
/* A page only M-mode may touch: the kernel's PMP entry 0 denies S and U every access. */
char guard_page[4096] __attribute__((aligned(4096), section(".bss.pages")));

static void arm_timer(void) {
  if (timer_interval == 0) mmio64(CLINT_MTIMECMP) = ~0UL;
  else mmio64(CLINT_MTIMECMP) = mmio64(CLINT_MTIME) + timer_interval;
}

void m_boot(void) {
  uart_puts("mkernel: M-mode boot\n");
  /* PMP: entry 0 a NAPOT guard page with no permissions, entry 1 all of memory for S and U. */
  u64 guard = (u64)guard_page;
  csr_write(pmpaddr0, (guard + 2048 - 1) >> 2);
  csr_write(pmpaddr1, ~0UL >> 10);
  csr_write(pmpcfg0, (0x18UL << 0) | (0x1fUL << 8));
  __asm__ volatile("sfence.vma" ::: "memory");
  /* Page faults, U-mode ecalls and breakpoints go to S-mode; access faults stay in M-mode. */
  csr_write(medeleg, (1 << 3) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15));
  csr_write(mideleg, (1 << 1) | (1 << 5) | (1 << 9));
  csr_write(mtvec, MTVEC_VALUE);
  csr_write(mscratch, (u64)m_trap_stack_top);
  csr_write(mcounteren, 7);
  arm_timer();
  csr_write(mie, MIP_MTIP | MIP_MSIP);
  u64 ms = csr_read(mstatus);
  ms = (ms & ~MSTATUS_MPP) | MSTATUS_MPP_S;
  csr_write(mstatus, ms);
  csr_write(mepc, (u64)s_entry);
  __asm__ volatile("mret");
}

static u64 read_mcsr(u64 i) {
  switch (i) {
    case 0: return csr_read(mstatus);
    case 1: return csr_read(medeleg);
    case 2: return csr_read(mideleg);
    case 3: return csr_read(mie);
    case 4: return csr_read(mtvec);
    case 5: return csr_read(mscratch);
    case 6: return csr_read(mepc);
    case 7: return csr_read(mcause);
    case 8: return csr_read(mtval);
    case 9: return csr_read(pmpcfg0);
    case 10: return csr_read(pmpaddr0);
    case 11: return csr_read(pmpaddr1);
    case 12: return csr_read(misa);
    case 13: return csr_read(mcounteren);
    case 14: return csr_read(mip) & MIP_MSIP;
    case 15: return csr_read(mhartid);
    case 16: return csr_read(sie);
    case 17: return csr_read(sip) & ~MIP_SSIP;
  }
  return 0;
}

/* Write a reserved or out-of-range value to one WARL field, report what stuck, put it back. */
static u64 warl_probe(u64 which) {
  u64 tvec = csr_read(mtvec), ms = csr_read(mstatus), ed = csr_read(medeleg), id = csr_read(mideleg);
  u64 cfg = csr_read(pmpcfg0), epc = csr_read(mepc), r = 0;
  switch (which) {
    case 0: csr_write(mtvec, tvec | 3); r = csr_read(mtvec); break;
    case 1: csr_write(mstatus, (ms & ~MSTATUS_MPP) | (2UL << 11)); r = csr_read(mstatus); break;
    case 2: csr_write(medeleg, ~0UL); r = csr_read(medeleg); break;
    case 3: csr_write(mideleg, ~0UL); r = csr_read(mideleg); break;
    case 4: csr_write(pmpcfg0, cfg | (0x2UL << 16)); r = csr_read(pmpcfg0); break;   /* W without R */
    case 5: csr_write(mepc, 0x80001001UL); r = csr_read(mepc); break;
  }
  csr_write(mtvec, tvec);
  csr_write(mstatus, ms);
  csr_write(medeleg, ed);
  csr_write(mideleg, id);
  csr_write(pmpcfg0, cfg);
  csr_write(mepc, epc);
  return r;
}

static void m_sleep(void) {
  /* Wait, in M-mode with interrupts off, for the next machine timer interrupt to be pending. */
  mmio64(CLINT_MTIMECMP) = mmio64(CLINT_MTIME) + 50;
  while ((csr_read(mip) & MIP_MTIP) == 0) __asm__ volatile("wfi");
  mshared.sleeps++;
  arm_timer();
}

/* Put the timer's phase on a tick boundary: wfi returns exactly when mtime reaches mtimecmp, so
 * what follows takes the same cycles wherever the tick phase was. */
static void align(u64 interval) {
  mmio64(CLINT_MTIMECMP) = mmio64(CLINT_MTIME) + 4;
  while ((csr_read(mip) & MIP_MTIP) == 0) __asm__ volatile("wfi");
  timer_interval = interval;
  arm_timer();
}

void m_trap(u64 *regs) {
  u64 cause = csr_read(mcause);
  if ((s64)cause < 0) {
    switch (cause & 0xff) {
      case 7:
        mshared.timer_ticks++;
        arm_timer();
        RAISE_SSIP();
        return;
      case 3:
        mmio32(CLINT_MSIP) = 0;
        mshared.soft_ints++;
        RAISE_SSIP();
        return;
    }
  } else if (cause == 9) {
    u64 a0 = regs[10], r = 0;
    switch (regs[17]) {
      case MK_SHUTDOWN: mmio32(TEST_BASE) = a0 == 0 ? FINISHER_PASS : (u32)((a0 << 16) | FINISHER_FAIL); for (;;) {}
      case MK_IPI: mmio32(CLINT_MSIP) = 1; break;
      case MK_SET_TIMER: timer_interval = a0; arm_timer(); break;
      case MK_READ_MCSR: r = read_mcsr(a0); break;
      case MK_SLEEP: m_sleep(); break;
      case MK_WARL: r = warl_probe(a0); break;
      case MK_ALIGN: align(a0); break;
    }
    regs[10] = r;
    csr_write(mepc, csr_read(mepc) + 4);
    return;
  } else if (cause == 5 || cause == 7) {
    /* S-mode touched the guard page: record it and skip the (uncompressed) instruction. */
    mshared.fault_cause = cause;
    mshared.fault_tval = csr_read(mtval);
    mshared.fault_epc = csr_read(mepc);
    mshared.faults++;
    csr_write(mepc, csr_read(mepc) + 4);
    return;
  }
  uart_puts("mkernel: unexpected M-mode trap ");
  uart_hex(cause);
  uart_puts(" at ");
  uart_hex(csr_read(mepc));
  uart_putc('\n');
  mmio32(TEST_BASE) = (0x77 << 16) | FINISHER_FAIL;
  for (;;) {}
}
