/* The platform as the M-mode firmware sees it (conformance/mmode-kernels.md): the memory map,
 * device registers and doorbell causes come from devirt-platform.h (generated from the reference
 * machine). The firmware RAM (FW_RAM_BASE) is devirt's extension of QEMU virt: 128 KiB just below
 * DRAM, present only when the machine starts this firmware, and absent from the device tree the
 * kernel gets. */
#ifndef MMODE_PLATFORM_H
#define MMODE_PLATFORM_H

#include "devirt-platform.h"

#define MROM_FW_DYNAMIC  (MROM_BASE + 0x40)   /* the boot ROM's fw_dynamic block (a2 at reset) */

#endif
