/* The platform the Microvisor runs on: QEMU virt's memory map plus devirt's management doorbell
   (devirt-platform.h, generated from the reference machine), and the regions the firmware
   reserves (conformance/microvisor.md has the whole layout and why each region is protected). */
#ifndef PLATFORM_H
#define PLATFORM_H

#include "devirt-platform.h"

#define FW_BASE           RAM_BASE   /* the firmware's own memory, denied to S and U */
/* 512 KiB, as OpenSBI reserves on QEMU virt: S-mode kernels loaded at KERNEL_BASE (U-Boot) grow
   their early stack down from there, so the firmware must not reserve up to it. A power of two
   and aligned to itself, so that one NAPOT PMP entry covers it; link.ld checks the image fits. */
#define FW_SIZE           0x00080000UL
/* The PLIC registers of context 0 (hart 0's M-mode), which S and U must not reach. */
#define PLIC_M_ENABLE     (PLIC_BASE + PLIC_ENABLE)
#define PLIC_M_ENABLE_SIZE PLIC_ENABLE_STRIDE
#define PLIC_M_CONTEXT    (PLIC_BASE + PLIC_CONTEXT)   /* threshold and claim of context 0 */
#define PLIC_M_CONTEXT_SIZE PLIC_CONTEXT_STRIDE

/* The time slice of a virtualized machine, in ticks of the 10 MHz timebase (1 ms). */
#define SLICE_TICKS       10000UL

static inline unsigned int mmio_read32(unsigned long a) { return *(volatile unsigned int *)a; }
static inline void mmio_write32(unsigned long a, unsigned int v) { *(volatile unsigned int *)a = v; }
static inline unsigned char mmio_read8(unsigned long a) { return *(volatile unsigned char *)a; }
static inline void mmio_write8(unsigned long a, unsigned char v) { *(volatile unsigned char *)a = v; }

#endif
