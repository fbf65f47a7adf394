// devirt's extension of QEMU virt for kernels that own M-mode (conformance/mmode-kernels.md):
// a small firmware RAM just below DRAM, which the device tree does not describe, holding the
// Microvisor's M-mode firmware and the vectors of the resumable NMI (Smrnmi).

/** 128 KiB of firmware RAM ending where DRAM begins. */
export const FW_RAM_BASE = 0x7ffe0000;
export const FW_RAM_SIZE = 0x20000;
/** Fixed by the platform, as Smrnmi leaves them to it. */
export const RNMI_VECTOR = FW_RAM_BASE + 0x40;
export const RNMI_EXCEPTION_VECTOR = FW_RAM_BASE + 0x80;
