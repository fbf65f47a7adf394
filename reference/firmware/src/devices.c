/* How a device changes hands (conformance/maintenance-sbi.md, "Devices and handoff"): the owner
   releases it, the firmware quiesces it (a virtio device is reset and the reset read back as
   complete, so no DMA is in flight and none can start; the UART's and RTC's interrupts are
   disabled), clears its PLIC source, revokes the old owner's access and grants the new owner's
   (owner bitmaps, which the PMP layouts follow; PLIC routing; IOPMP requestor), and tells the new
   owner with its supervisor software interrupt. A device that does not read back as quiesced is
   not handed over (FAILED, nothing changes). */
#include "devices.h"
#include "instance.h"
#include "platform.h"
#include "csr.h"
#include "sbi.h"

struct device { u64 base; u32 irq; int rrid; };
#define DEVICE_ROW(id, b, s, irq, rrid) [id] = { b, irq, rrid },
static const struct device devices[DEV_COUNT] = { DEVIRT_DEVICES(DEVICE_ROW) };

/* How many times the firmware reads a virtio device's status back after the reset before it
   gives up on it (the reference completes a reset at once; real devices may take a while). */
#define RESET_POLLS 1000

u64 device_base(u64 dev) { return dev < DEV_COUNT ? devices[dev].base : 0; }

int devices_owner(u64 dev)
{
  if (dev >= DEV_COUNT) return -1;
  for (int id = 0; id < 2; id++) if ((instances[id].devices >> dev) & 1) return id;
  return -1;
}

/* Stop a device doing anything its next owner did not ask for. 0 when it reads back quiesced. */
static int quiesce(u64 dev)
{
  u64 base = devices[dev].base;
  if (dev == DEV_UART) {
    /* IER is at offset 1 only while LCR.DLAB is clear. */
    u8 lcr = mmio_read8(base + UART0_REG_LCR);
    mmio_write8(base + UART0_REG_LCR, lcr & ~UART0_LCR_DLAB);
    mmio_write8(base + UART0_REG_IER, 0);
    u8 ier = mmio_read8(base + UART0_REG_IER);
    mmio_write8(base + UART0_REG_LCR, lcr);
    return ier == 0 ? 0 : -1;
  }
  if (dev == DEV_RTC) {
    mmio_write32(base + RTC_REG_IRQ_ENABLED, 0);
    mmio_write32(base + RTC_REG_CLEAR_ALARM, 0);
    mmio_write32(base + RTC_REG_CLEAR_INTERRUPT, 0);
    return mmio_read32(base + RTC_REG_IRQ_ENABLED) == 0 ? 0 : -1;
  }
  /* virtio 1.x 4.2.2.1 (and 2.4): the driver writes 0 to Status to reset the device and reads it
     back until it reads 0; then no buffer is in use and no DMA can follow. An empty slot reads 0. */
#ifdef BUG_HANDOVER_NO_RESET
  /* The bug (negative control of the maintenance suite): a virtio device changes hands live. */
  return 0;
#endif
  mmio_write32(base + VIRTIO_MMIO_STATUS, 0);
  for (int i = 0; i < RESET_POLLS; i++) {
    if (mmio_read32(base + VIRTIO_MMIO_STATUS) == 0) return 0;
  }
  return -1;
}

long devices_hand_over(u64 dev, u64 to)
{
  if (quiesce(dev) != 0) return SBI_ERR_FAILED;
  u64 from = !to;
  instances[from].devices &= ~(1UL << dev);
  instances[to].devices |= 1UL << dev;
  plic_emul_source_moved(devices[dev].irq, from, to);
  if (devices[dev].rrid >= 0) iopmp_grant(devices[dev].rrid, to);
  pmp_apply(instance_current());
  /* The receiver learns of it by its supervisor software interrupt (query(self, 4) says what). */
  if (to == instance_current()) csr_set(mip, MIP_SSIP);
  else instances[to].ctx.sip_soft |= MIP_SSIP;
  return SBI_SUCCESS;
}
