/* Delegation: exceptions and interrupts delegated by medeleg/mideleg reach the S handler with
 * scause/stval/sepc and sstatus.SPP/SPIE; traps are never delegated to a less privileged mode
 * (a delegated exception taken in M stays in M). Which bits of medeleg/mideleg are writable is
 * in warl-masks.c. */
#include "rt.h"

static long u_body(long a) {
  (void)a;
  __asm__ volatile("ebreak");                          /* 3, delegated */
  __asm__ volatile(".4byte 0xffffffff");               /* 2, delegated */
  __asm__ volatile("ld t0, 0(zero)" ::: "t0");          /* 5, not delegated: M */
  return 11;
}
static long s_body(long a) {
  (void)a;
  __asm__ volatile("ebreak");
  csr_set(sstatus, MSTATUS_SIE);
  csr_set(sip, 1UL << 1);          /* SSIP, delegated: taken in S at once */
  csr_clear(sstatus, MSTATUS_SIE);
  return 22;
}

static volatile uint64_t s_irqs, s_irq_cause, s_irq_spp;
static void on_s_irq(uint64_t cause, struct frame *f) {
  s_irqs++; s_irq_cause = cause; s_irq_spp = (f->status & MSTATUS_SPP) != 0;
  csr_clear(sip, 1UL << 1);
}

int main(void) {
  csr_write(medeleg, (1UL << 2) | (1UL << 3));
  csr_write(mideleg, 1UL << 1);
  s_expected = (1UL << 2) | (1UL << 3);
  m_expected = 1UL << 5 | 1UL << 3;
  s_irq_hook = on_s_irq;

  long r = run_in_mode(PRV_U, u_body, 0);
  printf_("U body -> %d\n", r);
  printf_("S saw: count=%u last cause=%x tval=%x SPP=%d\n", s_rec.count, s_rec.cause, s_rec.tval, (long)((s_rec.status >> 8) & 1));
  show_trap("  S", &s_rec);
  show_trap("  M", &m_rec);

  csr_write(mie, 1UL << 1);
  r = run_in_mode(PRV_S, s_body, 0);
  printf_("S body -> %d\n", r);
  printf_("S saw ebreak: count=%u cause=%x SPP=%d\n", s_rec.count, s_rec.cause, (long)((s_rec.status >> 8) & 1));
  printf_("S interrupts: %u cause=%x SPP=%d\n", s_irqs, s_irq_cause, s_irq_spp);
  show_trap("  S", &s_rec);
  CHECK_EQ(s_irqs, 1);

  /* In M, a delegated exception is still taken in M. */
  __asm__ volatile("ebreak");
  show_trap("ebreak in M with medeleg[3]", &m_rec);
  CHECK_EQ(m_rec.count, 0);

  /* A delegated interrupt is not taken in M, whatever mstatus.MIE says. */
  csr_set(mstatus, MSTATUS_MIE);
  csr_set(mip, 1UL << 1);
  csr_clear(mstatus, MSTATUS_MIE);
  printf_("SSIP pending in M: %d, S interrupts %u\n", (long)((csr_read(mip) >> 1) & 1), s_irqs);
  csr_clear(mip, 1UL << 1);
  return failures();
}
