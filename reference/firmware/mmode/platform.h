/* The platform as the M-mode firmware sees it (conformance/mmode-kernels.md).
 * The firmware RAM is devirt's extension of QEMU virt: 128 KiB just below DRAM, present only
 * when the machine starts this firmware, and absent from the device tree the kernel gets. */
#ifndef MMODE_PLATFORM_H
#define MMODE_PLATFORM_H

#define FW_RAM_BASE      0x7ffe0000UL
#define FW_RAM_SIZE      0x20000UL
#define DRAM_BASE        0x80000000UL   /* where QEMU virt's boot ROM starts a -bios none kernel */
#define MROM_FW_DYNAMIC  0x1040UL       /* the boot ROM's fw_dynamic block (a2 at reset) */

#define CLINT_BASE       0x2000000UL
#define CLINT_SIZE       0x10000UL
#define DOORBELL_BASE    0x102000UL
#define DOORBELL_CAUSE   (DOORBELL_BASE + 4)
#define DOORBELL_ACK     (DOORBELL_BASE + 8)
#define DOORBELL_MODE    (DOORBELL_BASE + 12)
#define FINISHER_BASE    0x100000UL

/* Doorbell causes (reference/run-image.ts). */
#define REQ_VIRTUALIZE   1
#define REQ_DEVIRTUALIZE 2

#endif
