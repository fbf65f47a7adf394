/* Which delegation bits exist. Privileged spec 1.12, 3.1.8: "medeleg[11] is read-only zero"
 * (an ecall from M cannot be delegated), and exceptions and interrupts the hart does not have
 * (the hypervisor's 20-23 with H off; VSSIP/VSTIP/VSEIP; LCOFI without Sscofpmf) cannot be
 * delegated. QEMU 7.2 keeps the hypervisor bits writable with h=off (see
 * conformance/qemu-divergences.md, deleg-warl-masks), all 64 bits of pmpaddr, and the reserved
 * pmpcfg combination R=0 W=1 (pmp-warl). */
#include "rt.h"
#define CFG7(v) ((uint64_t)(v) << 56)

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
  /* pmpaddr holds address bits 55:2 (bits 63:54 are WARL zero); R=0 W=1 is reserved. */
  csr_write(pmpaddr7, ~0UL);
  uint64_t pa = csr_read(pmpaddr7);
  csr_write(pmpcfg0, CFG7(0x18 | 2));
  uint64_t cfg = (csr_read(pmpcfg0) >> 56) & 0xff;
  csr_write(pmpcfg0, csr_read(pmpcfg0) & ~CFG7(0xff));
  printf_("pmpaddr all ones reads %x\npmpcfg NAPOT W without R reads %x\n", pa, cfg);
  CHECK_EQ(pa, (1UL << 54) - 1);
  CHECK((cfg & 3) != 2);
  csr_write(medeleg, 0);
  csr_write(mideleg, 0);
  return failures();
}
