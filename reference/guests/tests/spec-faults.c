/* Two faults where QEMU 7.2 departs from the specification (conformance/qemu-divergences.md,
 * found by an S-mode probe, issue 13). The checks are the specification's:
 * - an SC without a reservation to memory PMP denies must not retire: "No SC.W instruction shall
 *   retire unless it passes memory permission checks" (unprivileged, Zalrsc): store/AMO access
 *   fault (7), tval the address, memory unchanged (QEMU fails the SC quietly);
 * - a misaligned 8-byte load that faults reports "the virtual address of the portion of the
 *   access that caused the fault" (privileged, mtval): 0xc00002c, not the aligned 0xc000028 QEMU
 *   reports. */
#include "rt.h"

#define NAPOT(base, size) (((uint64_t)(base) >> 2) | (((uint64_t)(size) >> 3) - 1))
#define CFG(i, v) ((uint64_t)(v) << (8 * (i)))
enum { R = 1, W = 2, X = 4, NAPOT_ = 0x18 };

static uint64_t ro[512] __attribute__((aligned(4096)));

static void show(const char *what) {
  printf_("%s: traps=%u cause=%x tval=%x\n", what, m_rec.count, m_rec.cause, m_rec.tval);
}

static long sc_to_read_only(long arg) {
  (void)arg;
  uint64_t v = 0x77;
  __asm__ volatile("sc.d %0, %0, (%1)" : "+r"(v) : "r"(&ro[4]) : "memory");
  return (long)v;
}

int main(void) {
  m_expected = (1UL << 5) | (1UL << 7);
  ro[4] = 0x1234;
  csr_write(pmpaddr0, NAPOT(ro, 4096));  /* read-only for S and U */
  csr_write(pmpaddr15, ~0UL);            /* everything else */
  csr_write(pmpcfg0, CFG(0, NAPOT_ | R));
  csr_write(pmpcfg2, CFG(7, NAPOT_ | R | W | X));

  run_in_mode(PRV_S, sc_to_read_only, 0);
  show("S sc.d without a reservation to PMP read-only memory");
  CHECK_EQ(m_rec.count, 1);
  CHECK_EQ(m_rec.cause, 7);
  CHECK_EQ(m_rec.tval, (uint64_t)&ro[4]);
  CHECK_EQ(ro[4], 0x1234);
  m_rec.count = 0; m_rec.cause = 0; m_rec.tval = 0;

  uint64_t v = 0xdead;
  __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(PLIC_BASE + 0x2c) : "memory");
  show("ld at 0xc00002c (PLIC: 4-byte registers)");
  CHECK_EQ(m_rec.count, 1);
  CHECK_EQ(m_rec.cause, 5);
  CHECK_EQ(m_rec.tval, PLIC_BASE + 0x2c);
  return failures();
}
