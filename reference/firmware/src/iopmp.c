/* The IOPMP layout (conformance/platform.md "IOPMP"; reference/machine/devices/iopmp.ts).

   Memory domains and entries, set at boot and changed only when the instances' memories change:
     MD 0  entry 0      NAPOT over the firmware, no permission. A priority entry, so a device
                        transaction that touches any byte of the firmware is refused whatever
                        else would allow it. Every requestor is associated with MD 0, and the
                        entry, MDCFG(0) and MD 0's column of the SRCMD table are locked: not even
                        a confused firmware can open it again.
     MD 1  entries 1-4  instance 0's memory: [1] OFF at the base, [2] TOR to the end of its first
                        range, [3] OFF at its second range, [4] TOR to its end (the second range
                        exists while instance 1 holds the partition in the middle of RAM).
     MD 2  entries 5-6  instance 1's memory (the partition): [5] OFF at its base, [6] TOR to its end.
   Requestor s (virtio slot s) is associated with MD 0 and with MD 1 + its owner's id. All entries
   are priority entries, so a transaction that straddles the end of its owner's memory is refused
   (partial hit) rather than half-done. */
#include "devices.h"
#include "platform.h"

#define IOPMP(off) (IOPMP_BASE + (off))
#define MD_FIRMWARE 0
#define MD_INSTANCE(id) (1 + (id))
#define E_FW 0
#define E_I0 1      /* entries 1..4 */
#define E_I1 5      /* entries 5..6 */
#define E_END 7
#define RW (IOPMP_CFG_R | IOPMP_CFG_W)

static int present;

static void entry(int i, u64 addr, u32 cfg)
{
  mmio_write32(IOPMP(IOPMP_ENTRY_ADDR(i)), (u32)(addr >> 2));
  mmio_write32(IOPMP(IOPMP_ENTRY_CFG(i)), cfg);
}

/* A TOR range [base, base + size) in entries i (OFF, the lower bound) and i + 1; an empty range
   leaves both OFF. */
static void range(int i, u64 base, u64 size)
{
  entry(i, base, 0);
  entry(i + 1, base + size, size ? (RW | IOPMP_CFG_TOR) : 0);
}

/* Instance 0's memory is RAM but the partition (the firmware is guarded by entry 0), instance 1's
   the partition (instance.h): fixed from boot, so that a requestor is confined to its owner's
   memory whichever instances exist. Only a change of the partition would call for this again. */
void iopmp_memory_changed(void)
{
  if (!present) return;
  u64 ram = mv_layout.ram_base, end = ram + mv_layout.ram_size;
  u64 pb = mv_layout.partition_base, ps = mv_layout.partition_size;
  if (!ps) {
    range(E_I0, ram, end - ram);
    range(E_I0 + 2, 0, 0);
  } else {
    range(E_I0, ram, pb - ram);
    range(E_I0 + 2, pb + ps, end - (pb + ps));
  }
  range(E_I1, pb, ps);
}

void iopmp_grant(int rrid, u64 owner)
{
  if (!present || rrid < 0 || rrid >= IOPMP_RRIDS) return;
  mmio_write32(IOPMP(IOPMP_SRCMD_EN(rrid)), (1U << (1 + MD_FIRMWARE)) | (1U << (1 + MD_INSTANCE(owner))));
}

void iopmp_init(const void *fdt)
{
  present = fdt_has_compatible(fdt, "devirt,iopmp");
  if (!present) return;
  /* The firmware guard: FW_SIZE is a power of two aligned to itself (platform.h). */
  entry(E_FW, FW_BASE | (FW_SIZE / 2 - 1), IOPMP_CFG_NAPOT);
  mmio_write32(IOPMP(IOPMP_MDCFG(MD_FIRMWARE)), E_I0);
  mmio_write32(IOPMP(IOPMP_MDCFG(MD_INSTANCE(0))), E_I1);
  for (int m = MD_INSTANCE(1); m < IOPMP_MDS; m++) mmio_write32(IOPMP(IOPMP_MDCFG(m)), E_END);
  iopmp_memory_changed();
  for (int s = 0; s < IOPMP_RRIDS; s++) iopmp_grant(s, 0);
  /* Lock the guard: entry 0, MDCFG(0), and MD 0's association for every requestor. */
  mmio_write32(IOPMP(IOPMP_ENTRYLCK), (E_FW + 1) << 1);
  mmio_write32(IOPMP(IOPMP_MDCFGLCK), (MD_FIRMWARE + 1) << 1);
  mmio_write32(IOPMP(IOPMP_MDLCK), 1U << (1 + MD_FIRMWARE));
#ifndef BUG_IOPMP_OPEN
  mmio_write32(IOPMP(IOPMP_HWCFG0), IOPMP_HWCFG0_ENABLE);
#endif  /* the deliberate bug (make variant BUG=iopmp-open): checks never start, DMA goes anywhere */
}
