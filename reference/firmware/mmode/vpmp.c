/* PMP while virtualized. Real entry 0 is the firmware's in both views, and entry 1 is OFF with
 * address 0 in both (so that a kernel TOR entry 0 keeps its base at 0 after the shift). In the
 * S/U view the kernel's entries 0..13 follow as 2..15. The virtual M-mode view replaces entry 2
 * with everything allowed (M-mode is not checked by unlocked entries), which makes the entries
 * after it irrelevant. So switching views costs two CSR writes (pmpaddr2, pmpcfg0), until the
 * kernel changes its PMP and the S/U view has to be rebuilt. */
#include "fw.h"
#include "platform.h"

#define LAYOUT(field, off) _Static_assert(__builtin_offsetof(struct su_view, field) == off, #field " moved: update vm-layout.h")

#define SHIFT 2                 /* kernel entry i is real entry i + SHIFT in the S/U view */

static void write_addr(int i, u64 v) {
  switch (i) {
#define W(n) case n: csr_write(pmpaddr##n, v); break;
    W(0) W(1) W(2) W(3) W(4) W(5) W(6) W(7) W(8) W(9) W(10) W(11) W(12) W(13) W(14) W(15)
#undef W
  }
}

/* Turn every entry off before moving addresses, so no half-written view is ever in force. */
static void clear_cfg(void) {
  csr_write(pmpcfg0, 0);
  csr_write(pmpcfg2, 0);
}

static u64 cfg_byte(int i) { return (vm.pmpcfg[i >> 3] >> (8 * (i & 7))) & 0xff; }

#define ALL PMP_ADDR_ALL

/* The S/U view of the current virtual PMP, kept for cheap switches (entry.S switches with it too). */
struct su_view su_view __attribute__((section(".bss.fast.su_view")));
#define su_valid su_view.valid
#define su_addr2 su_view.addr2
LAYOUT(valid, SU_VALID); LAYOUT(cfg0, SU_CFG0); LAYOUT(addr2, SU_ADDR2);

void vpmp_changed(void) { su_valid = 0; }

/* Firmware RAM denied, everything else allowed, as for real M-mode (devices included). */
void pmp_load_vm_view(void) {
  if (su_valid) {
    csr_write(pmpaddr2, ALL);
    csr_write(pmpcfg0, PMP_VM_CFG0);
    return;
  }
  clear_cfg();
  write_addr(0, NAPOT(FW_RAM_BASE, FW_RAM_SIZE));
  write_addr(1, 0);
  write_addr(2, ALL);
  csr_write(pmpcfg0, PMP_VM_CFG0);
}

/* Firmware RAM denied, then the kernel's entries 0..13 as it wrote them. */
void pmp_load_su_view(void) {
  if (su_valid) {   /* pmpaddr1 is 0 in both views */
    csr_write(pmpaddr2, su_addr2);
    csr_write(pmpcfg0, su_view.cfg0);
    return;
  }
  clear_cfg();
  write_addr(0, NAPOT(FW_RAM_BASE, FW_RAM_SIZE));
  write_addr(1, 0);
  int active = 0;
  u64 cfg[2] = { PMP_NAPOT, 0 };
  for (int i = 0; i + SHIFT < 16; i++) {
    u64 c = cfg_byte(i) & ~(u64)PMP_L;
    write_addr(i + SHIFT, vm.pmpaddr[i]);
    int r = i + SHIFT;
    cfg[r >> 3] |= c << (8 * (r & 7));
    if (c & (3 << 3)) active = 1;
  }
  if (!active) {
    /* No kernel entry is active: S and U may access everything (the platform's rule, as on
     * QEMU), which the firmware's own entry must not change. */
    write_addr(SHIFT, ALL);
    cfg[0] |= (u64)(PMP_NAPOT | PMP_R | PMP_W | PMP_X) << (8 * SHIFT);
  }
  csr_write(pmpcfg0, cfg[0]);
  csr_write(pmpcfg2, cfg[1]);
  su_view.cfg0 = cfg[0];
  su_view.cfg2 = cfg[1];
  su_addr2 = active ? vm.pmpaddr[0] : ALL;
  su_valid = 1;
}

/* Give the kernel its PMP back, byte for byte. */
void pmp_load_virtual(void) {
  su_valid = 0;
  clear_cfg();
  for (int i = 0; i < 16; i++) write_addr(i, vm.pmpaddr[i]);
  csr_write(pmpcfg0, vm.pmpcfg[0]);
  csr_write(pmpcfg2, vm.pmpcfg[1]);
}

/* pmpcfg WARL, as the platform legalises it: bits 5-6 read zero, R=0 W=1 keeps the previous
 * permissions, a locked entry keeps its byte. */
u64 vpmp_legal_cfg(u64 old, u64 value) {
  u64 out = 0;
  for (int i = 0; i < 8; i++) {
    u64 o = (old >> (8 * i)) & 0xff, b = (value >> (8 * i)) & 0x9f;
    if (o & PMP_L) b = o;
    else if ((b & (PMP_R | PMP_W)) == PMP_W) b = (b & ~7UL) | (o & 7);
    out |= b << (8 * i);
  }
  return out;
}

int vpmp_addr_locked(int i) {
  if (cfg_byte(i) & PMP_L) return 1;
  return i + 1 < 16 && (cfg_byte(i + 1) & PMP_L) && ((cfg_byte(i + 1) >> 3) & 3) == 1;
}
