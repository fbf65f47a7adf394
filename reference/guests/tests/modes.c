/* M, S and U: entering each by mret, ecall from each, what xRET does to mstatus, and the
 * CSRs a less privileged mode may not touch (illegal instruction, tval = the instruction). */
#include "rt.h"

static long read_sstatus(long arg) { (void)arg; return (long)csr_read(sstatus); }
static long touch_mstatus(long arg) { (void)arg; return (long)csr_read(mstatus); }
static long touch_sscratch(long arg) { (void)arg; csr_write(sscratch, 0x1234); return 7; }
static long do_ecall(long arg) {
  register long a0 __asm__("a0") = arg;
  register long a7 __asm__("a7") = 1;
  __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
  return a0 + 1;
}
static long sret_in_u(long arg) { (void)arg; __asm__ volatile("sret"); return 5; }
static long mret_in_s(long arg) { (void)arg; __asm__ volatile("mret"); return 6; }
static long wfi_in_u(long arg) { (void)arg; wfi(); return 8; }

int main(void) {
  m_expected = (1UL << 2) | (1UL << 8) | (1UL << 9) | (1UL << 11);

  CHECK_EQ(run_in_mode(PRV_S, read_sstatus, 0) & MSTATUS_SPP, 0);
  printf_("S reads sstatus: ok\n");

  for (int mode = 0; mode <= 1; mode++) {
    long r = run_in_mode(mode, touch_mstatus, 0);
    printf_("mode %d reads mstatus -> %d\n", (long)mode, r == 0 ? 0L : 1L);
    show_trap("  trap", &m_rec);
  }
  long r = run_in_mode(PRV_U, touch_sscratch, 0);
  printf_("U writes sscratch -> %d\n", r);
  show_trap("  trap", &m_rec);

  /* ecall: the handler records and skips it, so the call returns arg + 1. */
  for (int mode = 0; mode <= 3; mode += (mode == 1 ? 2 : 1)) {
    r = run_in_mode(mode, do_ecall, 40);
    printf_("ecall from mode %d returns %d\n", (long)mode, r);
    CHECK_EQ(m_rec.cause, 8 + mode);
    CHECK_EQ((m_rec.status & MSTATUS_MPP) >> 11, mode);
    show_trap("  trap", &m_rec);
  }
  r = run_in_mode(PRV_U, sret_in_u, 0);
  printf_("sret in U -> %d\n", r);
  show_trap("  trap", &m_rec);
  r = run_in_mode(PRV_S, mret_in_s, 0);
  printf_("mret in S -> %d\n", r);
  show_trap("  trap", &m_rec);
  r = run_in_mode(PRV_U, wfi_in_u, 0);
  printf_("wfi in U -> %d\n", r);
  show_trap("  trap", &m_rec);
  csr_set(mstatus, MSTATUS_TW);
  r = run_in_mode(PRV_S, wfi_in_u, 0);
  printf_("wfi in S with TW -> %d\n", r);
  show_trap("  trap", &m_rec);
  csr_clear(mstatus, MSTATUS_TW);

  /* mret restores MIE from MPIE and sets MPIE, MPP to U (the least privileged mode). */
  run_in_mode(PRV_S, read_sstatus, 0);
  uint64_t ms = csr_read(mstatus);
  printf_("after return: MPP=%d MPIE=%d\n", (long)((ms >> 11) & 3), (long)((ms >> 7) & 1));
  return failures();
}
