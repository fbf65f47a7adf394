// The platform's physical memory map and interrupt numbers: QEMU 7.2 virt's, plus devirt's
// management doorbell and IOPMP in a hole QEMU 7.2 leaves free between its RTC (0x101000) and
// CLINT (0x2000000) (conformance/platform.md).

export const MROM_BASE = 0x1000;
export const MROM_SIZE = 0xf000;
export const TEST_BASE = 0x100000;
export const RTC_BASE = 0x101000;
export const DOORBELL_BASE = 0x102000;
export const DOORBELL_SIZE = 0x1000;
/** The IOPMP that checks device DMA (devices/iopmp.ts); 16 KiB, aligned to its size so one NAPOT PMP entry covers it. */
export const IOPMP_BASE = 0x104000;
export const IOPMP_SIZE = 0x4000;
export const CLINT_BASE = 0x2000000;
export const CLINT_SIZE = 0x10000;
export const PLIC_BASE = 0xc000000;
export const PLIC_SIZE = 0x600000;
export const UART0_BASE = 0x10000000;
export const UART0_SIZE = 0x100;
export const VIRTIO_BASE = 0x10001000;
export const VIRTIO_STRIDE = 0x1000;
export const VIRTIO_COUNT = 8;
export const RAM_BASE = 0x80000000;
/** Where a kernel goes when firmware occupies the start of RAM (QEMU's kernel_start_addr on RV64). */
export const KERNEL_BASE = 0x80200000;

// PLIC sources.
export const VIRTIO_IRQ0 = 1;
export const UART0_IRQ = 10;
export const RTC_IRQ = 11;

/** mtime frequency (the device tree's timebase-frequency). */
export const TIMEBASE = 10_000_000;
/** The UART's input clock as QEMU's device tree gives it (3.6864 MHz). */
export const UART_CLOCK = 3_686_400;

export const virtioSlotBase = (slot: number): number => VIRTIO_BASE + slot * VIRTIO_STRIDE;
export const virtioSlotIrq = (slot: number): number => VIRTIO_IRQ0 + slot;
