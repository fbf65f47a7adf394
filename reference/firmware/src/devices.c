/* The owner of each device and how a device changes hands (conformance/maintenance-sbi.md,
   "Devices and handoff"): the owner releases it, the firmware quiesces it (a virtio device is
   reset and the reset read back as complete, so no DMA is in flight and none can start; the
   UART's and RTC's interrupts are disabled; the PLIC source's pending and claimed state is
   cleared), revokes the old owner's access and grants the new owner's (PMP windows, PLIC routing,
   IOPMP), and tells the new owner with its supervisor software interrupt. A device that does not
   read back as quiesced is not handed over (FAILED). */
#include "devices.h"
#include "csr.h"
#include "platform.h"
#include "sbi.h"

struct device { u64 base, size; u32 irq; int rrid; };
#define DEVICE_ROW(id, b, s, irq, rrid) [id] = { b, s, irq, rrid },
static const struct device devices[DEVICE_COUNT] = { DEVIRT_DEVICES(DEVICE_ROW) };

static u8 owner[DEVICE_COUNT];

/* How many times the firmware reads a virtio device's status back after the reset before it
   gives up on it (the reference completes a reset at once; real devices may take a while). */
#define RESET_POLLS 1000

void devices_reset_owners(void)
{
  for (int d = 0; d < DEVICE_COUNT; d++) owner[d] = 0;
}

int devices_owner(u64 dev) { return dev < DEVICE_COUNT ? owner[dev] : -1; }

u64 devices_owned(int id)
{
  u64 bits = 0;
  for (int d = 0; d < DEVICE_COUNT; d++) if (owner[d] == id) bits |= 1UL << d;
  return bits;
}

/* Stop a device doing anything its next owner did not ask for. 0 when it reads back quiesced. */
static int quiesce(int d)
{
  const struct device *dv = &devices[d];
  if (d == DEVICE_UART) {
    /* IER is at offset 1 only while LCR.DLAB is clear. */
    u8 lcr = mmio_read8(dv->base + UART0_REG_LCR);
    mmio_write8(dv->base + UART0_REG_LCR, lcr & ~UART0_LCR_DLAB);
    mmio_write8(dv->base + UART0_REG_IER, 0);
    u8 ier = mmio_read8(dv->base + UART0_REG_IER);
    mmio_write8(dv->base + UART0_REG_LCR, lcr);
    return ier == 0 ? 0 : -1;
  }
  if (d == DEVICE_RTC) {
    mmio_write32(dv->base + RTC_REG_IRQ_ENABLED, 0);
    mmio_write32(dv->base + RTC_REG_CLEAR_ALARM, 0);
    mmio_write32(dv->base + RTC_REG_CLEAR_INTERRUPT, 0);
    return mmio_read32(dv->base + RTC_REG_IRQ_ENABLED) == 0 ? 0 : -1;
  }
  /* virtio 1.x 4.2.2.1: "the driver MUST ... write 0 to Status to reset, and read it back until
     it reads 0" before it reuses the device: then no buffer is in use and no DMA can follow. */
  mmio_write32(dv->base + VIRTIO_MMIO_STATUS, 0);
  for (int i = 0; i < RESET_POLLS; i++) {
    if (mmio_read32(dv->base + VIRTIO_MMIO_STATUS) == 0) return 0;
  }
  return -1;
}

/* Give device `d`, already quiesced, to `to`. */
static void grant(int d, int to)
{
  int from = owner[d];
  owner[d] = (u8)to;
  plic_emul_source_moved(devices[d].irq, from, to);
  if (devices[d].rrid >= 0) iopmp_grant(devices[d].rrid, to);
  mv_instance_pmp_changed(from);
  mv_instance_pmp_changed(to);
}

long devices_hand_over(u64 dev, u64 to, int caller)
{
  if (dev >= DEVICE_COUNT || to >= MV_INSTANCES || !mv_instance_present((int)to)) return SBI_ERR_INVALID_PARAM;
  if (owner[dev] != caller) return SBI_ERR_DENIED;
  if ((int)to == caller) return SBI_SUCCESS; /* it has it already: nothing to quiesce or move */
  if (quiesce((int)dev) != 0) return SBI_ERR_FAILED;
  grant((int)dev, (int)to);
  mv_instance_raise_ssip((int)to);
  return SBI_SUCCESS;
}

void devices_give_all(int to)
{
  for (int d = 0; d < DEVICE_COUNT; d++) {
    if (owner[d] == to) continue;
    quiesce(d); /* the device goes whatever it says: its owner is gone */
    grant(d, to);
  }
}

/* ---- PMP windows while two instances share the hart ------------------------------------------
   The device windows of the 0x10000000 block are nine consecutive pages (the UART, then virtio
   slots 0..7); the RTC is a page of its own. An instance is denied each page it does not own, in
   as few NAPOT entries as the runs of such pages allow (a run is split into naturally aligned
   power-of-two blocks), and the whole PLIC (its S context is emulated, plic_emul.c). */
#define PMP_NAPOT 0x18
#define PAGE 0x1000UL
#define PLIC_TRAPPED_SIZE 0x400000UL /* priorities, pending, enables and both contexts' registers */

static u64 napot(u64 base, u64 size) { return (base | (size / 2 - 1)) >> 2; }

int devices_pmp_denials(int id, u64 *addr, u8 *cfg, int max)
{
  int n = 0;
#define DENY(b, s) do { if (n >= max) return -1; addr[n] = napot((b), (s)); cfg[n] = PMP_NAPOT; n++; } while (0)
  DENY(PLIC_BASE, PLIC_TRAPPED_SIZE);
  if (owner[DEVICE_RTC] != id) DENY(devices[DEVICE_RTC].base, PAGE);
  /* Pages 0..8 of the block at UART0_BASE: page p is device p (UART = 0, virtio slot s = 2 + s
     is page 1 + s). */
  int page_dev[VIRTIO_COUNT + 1];
  page_dev[0] = DEVICE_UART;
  for (int s = 0; s < VIRTIO_COUNT; s++) page_dev[1 + s] = DEVICE_VIRTIO0 + s;
  for (int p = 0; p <= VIRTIO_COUNT;) {
    if (owner[page_dev[p]] == id) { p++; continue; }
    int end = p;
    while (end <= VIRTIO_COUNT && owner[page_dev[end]] != id) end++;
    /* Cover [p, end) with aligned power-of-two blocks. */
    while (p < end) {
      int len = 1;
      while ((p % (len * 2)) == 0 && p + len * 2 <= end) len *= 2;
      DENY(UART0_BASE + p * PAGE, len * PAGE);
      p += len;
    }
  }
#undef DENY
  return n;
}
