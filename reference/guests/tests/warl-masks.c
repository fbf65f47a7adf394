/* Which delegation bits exist. Privileged spec 1.12, 3.1.8: "medeleg[11] is read-only zero"
 * (an ecall from M cannot be delegated), and exceptions and interrupts the hart does not have
 * (the hypervisor's 20-23 with H off; VSSIP/VSTIP/VSEIP; LCOFI without Sscofpmf) cannot be
 * delegated. QEMU 7.2 keeps the hypervisor bits writable with h=off (see
 * conformance/qemu-divergences.md, deleg-warl-masks). */
#include "rt.h"

int main(void) {
  csr_write(medeleg, ~0UL);
  uint64_t me = csr_read(medeleg);
  csr_write(mideleg, ~0UL);
  uint64_t mi = csr_read(mideleg);
  printf_("medeleg reads %x\nmideleg reads %x\n", me, mi);
  CHECK_EQ((me >> 11) & 1, 0);
  CHECK_EQ(me >> 16, 0);
  CHECK_EQ(mi & ~((1UL << 1) | (1UL << 5) | (1UL << 9)), 0);
  CHECK_EQ(mi, (1UL << 1) | (1UL << 5) | (1UL << 9));
  csr_write(medeleg, 0);
  csr_write(mideleg, 0);
  return failures();
}
