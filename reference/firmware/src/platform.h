/* The platform the Microvisor runs on: QEMU virt's memory map plus devirt's management doorbell
   (conformance/microvisor.md has the whole layout and why each region is protected). */
#ifndef PLATFORM_H
#define PLATFORM_H

#define RAM_BASE          0x80000000UL
#define FW_BASE           0x80000000UL   /* the firmware's own memory, denied to S and U */
/* 512 KiB, as OpenSBI reserves on QEMU virt: S-mode kernels loaded at KERNEL_ENTRY (U-Boot) grow
   their early stack down from there, so the firmware must not reserve up to it. A power of two
   and aligned to itself, so that one NAPOT PMP entry covers it; link.ld checks the image fits. */
#define FW_SIZE           0x00080000UL
#define KERNEL_ENTRY      0x80200000UL   /* the next stage's default entry (Linux boot protocol) */
#define FINISHER_BASE     0x00100000UL
#define DOORBELL_BASE     0x00102000UL
#define DOORBELL_SIZE     0x1000UL
#define CLINT_BASE        0x02000000UL
#define CLINT_SIZE        0x10000UL
#define CLINT_MTIMECMP    (CLINT_BASE + 0x4000)
#define CLINT_MTIME       (CLINT_BASE + 0xbff8)
#define PLIC_BASE         0x0c000000UL
#define PLIC_M_ENABLE     (PLIC_BASE + 0x2000)     /* context 0 = hart 0 M-mode */
#define PLIC_M_ENABLE_SIZE 0x80UL
#define PLIC_M_CONTEXT    (PLIC_BASE + 0x200000)   /* threshold and claim of context 0 */
#define PLIC_M_CONTEXT_SIZE 0x1000UL
#define UART_BASE         0x10000000UL

/* Doorbell registers and causes (conformance/maintenance-sbi.md). */
#define DOORBELL_RING     0x0
#define DOORBELL_CAUSE    0x4
#define DOORBELL_ACK      0x8
#define DOORBELL_CAUSE_VIRTUALIZE   1
#define DOORBELL_CAUSE_DEVIRTUALIZE 2

/* Machine-level local interrupt the doorbell raises (mip/mie bit 16). */
#define IRQ_DOORBELL      16

/* The time slice of a virtualized machine, in ticks of the 10 MHz timebase (1 ms). */
#define SLICE_TICKS       10000UL

static inline unsigned int mmio_read32(unsigned long a) { return *(volatile unsigned int *)a; }
static inline void mmio_write32(unsigned long a, unsigned int v) { *(volatile unsigned int *)a = v; }
static inline unsigned char mmio_read8(unsigned long a) { return *(volatile unsigned char *)a; }
static inline void mmio_write8(unsigned long a, unsigned char v) { *(volatile unsigned char *)a = v; }

#endif
