/* Boot: find the next stage, protect the firmware, patch the device tree, go dormant, and enter
   the S-mode kernel with the Linux boot protocol (a0 = hartid, a1 = device tree). */
#include "microvisor.h"
#include "csr.h"
#include "platform.h"
#include "instance.h"
#include "devices.h"

struct mv_stats mv_stats;
struct mv_layout mv_layout;

/* fw_dynamic_info as QEMU's (and devirt's) boot ROM passes it in a2. */
struct fw_dynamic_info { u64 magic, version, next_addr, next_mode, options, boot_hart; };
#define FW_DYNAMIC_MAGIC 0x4942534fUL

#define PARTITION_ALIGN 0x200000UL

void fw_main(u64 hartid, u64 fdt, u64 fw_dynamic, struct trap_frame *frame)
{
  const struct fw_dynamic_info *info = (const struct fw_dynamic_info *)fw_dynamic;
  u64 next = KERNEL_BASE;
  if (info && info->magic == FW_DYNAMIC_MAGIC && info->next_addr) next = info->next_addr;

  mv_layout.ram_base = RAM_BASE;
  mv_layout.ram_size = fdt_ram_size((const void *)fdt);
  mv_layout.fdt = fdt;
  /* The maintenance partition: the third quarter of RAM, 2 MiB aligned, below the device tree
     QEMU places near the top (conformance/microvisor.md). */
  u64 quarter = (mv_layout.ram_size / 4) & ~(PARTITION_ALIGN - 1);
  mv_layout.partition_base = (RAM_BASE + mv_layout.ram_size / 2 + PARTITION_ALIGN - 1) & ~(PARTITION_ALIGN - 1);
  mv_layout.partition_size = quarter;
  if (mv_layout.partition_base + quarter > fdt) mv_layout.partition_size = 0;

  instances_boot();
  pmp_configure();
  iopmp_init((const void *)fdt);
  if (fdt_reserve_regions((void *)fdt, RAM_BASE + mv_layout.ram_size) != 0)
    console_puts("microvisor: device tree not patched\n");
  /* Instance 1's device tree is made from the platform's: keep a copy the kernel cannot touch. */
  fdt_instance_keep((const void *)fdt);
  dormant_configure();
  /* stimecmp resets to 0, which with Sstc on (STCE) would enter the kernel with STIP already
     pending: no timer is armed until the kernel arms one, as OpenSBI leaves it on QEMU. */
  csr_write(stimecmp, ~0UL);

  for (int i = 0; i < 32; i++) frame->x[i] = 0;
  frame->x[10] = hartid;
  frame->x[11] = fdt;
  csr_write(mepc, next);
  u64 ms = csr_read(mstatus);
  ms &= ~(MSTATUS_MPP | MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_MPIE | MSTATUS_MIE);
  ms |= MSTATUS_MPP_S;
  csr_write(mstatus, ms);
  csr_write(satp, 0);
}
