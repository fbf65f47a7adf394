/* What a guest reads of QEMU virt's devices where the reference used to differ (issue 13):
 * the UART's MCR after reset has OUT2 set (0x08, QEMU's serial_reset), and an empty virtio-mmio
 * slot answers 1- and 2-byte reads of its identity registers with their low bytes (QEMU answers
 * MagicValue, Version and VendorID before it checks the access size). Same on QEMU and the
 * reference. */
#include "rt.h"

int main(void) {
  uint64_t mcr = MMIO8(UART0_BASE + 4);
  printf_("uart mcr at reset: %x\n", mcr);
  CHECK_EQ(mcr, 0x08);
  /* Slot 0 is empty (no drive). */
  uint64_t magic1 = MMIO8(VIRTIO_BASE), magic2 = *(volatile uint16_t *)(uintptr_t)VIRTIO_BASE;
  uint64_t magic_hi = MMIO8(VIRTIO_BASE + 3), vendor1 = MMIO8(VIRTIO_BASE + 0xc), other1 = MMIO8(VIRTIO_BASE + 0x8);
  printf_("empty slot: magic byte %x, magic half %x, magic byte 3 %x, vendor byte %x, device id byte %x\n", magic1, magic2, magic_hi, vendor1, other1);
  CHECK_EQ(magic1, 0x76);
  CHECK_EQ(magic2, 0x6976);
  CHECK_EQ(magic_hi, 0); /* offset 3 is not a register: 0 */
  CHECK_EQ(vendor1, 0x51);
  CHECK_EQ(other1, 0);
  return failures();
}
