/* The PMP layout. It is set once at boot and never changes: dormant and virtualized deny the guest
   exactly the same things (the firmware, the M timer and software interrupt in the CLINT, the
   PLIC's machine context, the doorbell, the IOPMP, and the maintenance partition), which is what makes the
   transitions invisible. Entries match lowest first; the last one opens everything else to S/U. */
#include "microvisor.h"
#include "platform.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_OFF   0x00
#define PMP_TOR   0x08
#define PMP_NAPOT 0x18

static u64 napot(u64 base, u64 size) { return (base | (size / 2 - 1)) >> 2; }

#define SET_PMPADDR(n, v) asm volatile("csrw pmpaddr" #n ", %0" :: "r"(v))

void pmp_configure(void)
{
  u64 cfg = 0;
  SET_PMPADDR(0, napot(FW_BASE, FW_SIZE));            cfg |= (u64)PMP_NAPOT << 0;
  SET_PMPADDR(1, napot(CLINT_BASE, CLINT_SIZE));      cfg |= (u64)PMP_NAPOT << 8;
  SET_PMPADDR(2, napot(PLIC_M_ENABLE, PLIC_M_ENABLE_SIZE)); cfg |= (u64)PMP_NAPOT << 16;
  SET_PMPADDR(3, napot(PLIC_M_CONTEXT, PLIC_M_CONTEXT_SIZE)); cfg |= (u64)PMP_NAPOT << 24;
  SET_PMPADDR(4, napot(DOORBELL_BASE, DOORBELL_SIZE)); cfg |= (u64)PMP_NAPOT << 32;
  if (mv_layout.partition_size) {
    SET_PMPADDR(5, mv_layout.partition_base >> 2);
    SET_PMPADDR(6, (mv_layout.partition_base + mv_layout.partition_size) >> 2);
    cfg |= (u64)PMP_TOR << 48;
  }
  /* The IOPMP: only the firmware decides where devices may DMA. */
  SET_PMPADDR(7, napot(IOPMP_BASE, IOPMP_SIZE));       cfg |= (u64)PMP_NAPOT << 56;
  asm volatile("csrw pmpcfg0, %0" :: "r"(cfg));
  /* Entries 8..14 stay OFF (room for the per-instance device windows); 15 opens the rest. */
  SET_PMPADDR(15, ~0UL);
  asm volatile("csrw pmpcfg2, %0" :: "r"((u64)(PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56));
  asm volatile("sfence.vma" ::: "memory");
}

static int overlaps(u64 a, u64 alen, u64 b, u64 blen) { return a < b + blen && b < a + alen; }

/* May S-mode touch [base, base + len) of RAM? Used for the addresses SBI calls pass in. */
int pmp_guest_may_access(u64 base, u64 len)
{
  u64 end = base + len;
  if (end < base) return 0;
  if (base < mv_layout.ram_base || end > mv_layout.ram_base + mv_layout.ram_size) return 0;
  if (overlaps(base, len, FW_BASE, FW_SIZE)) return 0;
  if (overlaps(base, len, mv_layout.partition_base, mv_layout.partition_size)) return 0;
  return 1;
}
