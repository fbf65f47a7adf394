/* CLINT timer and software interrupts, their priority, wfi, mip/mie, and Sstc's stimecmp
 * (STIP from the comparator, delegated to S). No raw times are printed: QEMU's time is the
 * host's; only orders, causes and pending bits are. */
#include "rt.h"

#define MSIP      MMIO32(CLINT_MSIP)
#define MTIMECMP  MMIO64(CLINT_MTIMECMP)
#define MTIME     MMIO64(CLINT_MTIME)

static volatile uint64_t order[8];
static volatile uint64_t n_irq;

static void on_m_irq(uint64_t cause, struct frame *f) {
  (void)f;
  if (n_irq < 8) order[n_irq] = cause & 0xff;
  n_irq++;
  if ((cause & 0xff) == IRQ_MTI) MTIMECMP = ~0UL;
  else if ((cause & 0xff) == IRQ_MSI) MSIP = 0;
  else if ((cause & 0xff) == IRQ_STI) csr_clear(mip, 1UL << IRQ_STI);
}
static void on_s_irq(uint64_t cause, struct frame *f) {
  (void)f;
  if (n_irq < 8) order[n_irq] = 0x100 | (cause & 0xff);
  n_irq++;
  if ((cause & 0xff) == IRQ_STI) csr_write(stimecmp, ~0UL);
  if ((cause & 0xff) == IRQ_SSI) csr_clear(sip, 1UL << IRQ_SSI);
}

static void show_order(const char *what) {
  printf_("%s: %u interrupts:", what, n_irq);
  for (uint64_t i = 0; i < n_irq && i < 8; i++) printf_(" %x", order[i]);
  printf_("\n");
  n_irq = 0;
}

static long s_wait_stimecmp(long arg) {
  (void)arg;
  csr_write(stimecmp, csr_read(time) + 2000);
  csr_set(sie, 1UL << IRQ_STI);
  csr_set(sstatus, MSTATUS_SIE);
  while (n_irq == 0) wfi();
  csr_clear(sstatus, MSTATUS_SIE);
  return (long)((csr_read(sip) >> IRQ_STI) & 1);
}
static long s_touch_stimecmp(long arg) { (void)arg; return (long)csr_read(stimecmp); }

int main(void) {
  m_irq_hook = on_m_irq;
  s_irq_hook = on_s_irq;
  m_expected = 1UL << 2;
  uint64_t t0 = MTIME;
  for (volatile int i = 0; i < 1000; i++) {}
  printf_("mtime advances: %d, time CSR agrees in order: %d\n", (long)(MTIME > t0), (long)(csr_read(time) >= t0));

  /* A pending bit without enable: visible in mip, not taken. */
  MTIMECMP = 0;
  printf_("mtimecmp=0: MTIP=%d\n", (long)((csr_read(mip) >> IRQ_MTI) & 1));
  MTIMECMP = ~0UL;
  printf_("mtimecmp=max: MTIP=%d\n", (long)((csr_read(mip) >> IRQ_MTI) & 1));

  /* The timer wakes wfi and is taken. */
  csr_write(mie, 1UL << IRQ_MTI);
  MTIMECMP = MTIME + 1000;
  csr_set(mstatus, MSTATUS_MIE);
  while (n_irq == 0) wfi();
  csr_clear(mstatus, MSTATUS_MIE);
  show_order("timer");

  /* wfi wakes on a pending enabled interrupt even with mstatus.MIE clear; nothing is taken. */
  MTIMECMP = MTIME + 1000;
  wfi();
  while (!((csr_read(mip) >> IRQ_MTI) & 1)) {}
  printf_("wfi with MIE=0: woke, MTIP=1, taken %u\n", n_irq);
  MTIMECMP = ~0UL;

  /* Software interrupt. */
  csr_write(mie, 1UL << IRQ_MSI);
  MSIP = 1;
  printf_("msip=1: MSIP=%d\n", (long)((csr_read(mip) >> IRQ_MSI) & 1));
  csr_set(mstatus, MSTATUS_MIE);
  csr_clear(mstatus, MSTATUS_MIE);
  show_order("software");

  /* Both pending: MSI before MTI (privileged spec 3.1.9: MEI, MSI, MTI, SEI, SSI, STI). */
  MSIP = 1;
  MTIMECMP = 0;
  csr_write(mie, (1UL << IRQ_MSI) | (1UL << IRQ_MTI));
  csr_set(mstatus, MSTATUS_MIE);
  csr_clear(mstatus, MSTATUS_MIE);
  show_order("MSI and MTI together");

  /* M-level interrupts are taken in S and U whatever mstatus.MIE says; S ones are below M. */
  csr_write(mie, (1UL << IRQ_MSI) | (1UL << IRQ_SSI));
  csr_write(mideleg, 1UL << IRQ_SSI);
  csr_set(mip, 1UL << IRQ_SSI);
  MSIP = 1;
  run_in_mode(PRV_U, s_touch_stimecmp, 0); /* traps illegal in U; the interrupts come first */
  show_order("MSI and SSI pending, entering U");
  show_trap("  trap", &m_rec);

  /* Sstc: STCE off makes stimecmp illegal in S; on, the comparator drives STIP. */
  csr_write(mideleg, 1UL << IRQ_STI);
  csr_write(mie, 1UL << IRQ_STI);
  csr_write(mcounteren, 2); /* TM */
  run_in_mode(PRV_S, s_touch_stimecmp, 0);
  show_trap("stimecmp from S with STCE=0", &m_rec);
  csr_write(menvcfg, 1UL << 63);
  printf_("menvcfg.STCE reads %d\n", (long)(csr_read(menvcfg) >> 63));
  long stip = run_in_mode(PRV_S, s_wait_stimecmp, 0);
  show_order("stimecmp in S");
  printf_("STIP after stimecmp=max: %d\n", stip);
  csr_write(mcounteren, 0);
  run_in_mode(PRV_S, s_touch_stimecmp, 0);
  show_trap("stimecmp from S with TM=0", &m_rec);
  csr_write(menvcfg, 0);
  csr_write(mie, 0);
  csr_write(mideleg, 0);
  return failures();
}
