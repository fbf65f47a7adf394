/* Device ownership, minimal: an owner bitmap per instance (instances[].devices), quiescing a device
   before it changes hands, and the PMP windows that follow ownership (pmp.c reads the bitmaps). */
#include "devices.h"
#include "instance.h"
#include "platform.h"
#include "csr.h"
#include "sbi.h"

#define UART_IER 1
#define RTC_IRQ_ENABLED 0x10
#define RTC_CLEAR_ALARM 0x14
#define RTC_CLEAR_INTERRUPT 0x1c
#define VIRTIO_MMIO_STATUS 0x70

u64 device_base(u64 dev)
{
  if (dev == DEV_UART) return UART0_BASE;
  if (dev == DEV_RTC) return RTC_BASE;
  return VIRTIO_BASE + (dev - DEV_VIRTIO0) * VIRTIO_STRIDE;
}

/* Stop a device doing anything on its own: no interrupt raised, no DMA in flight or to come. */
static int quiesce(u64 dev)
{
  u64 base = device_base(dev);
  if (dev == DEV_UART) { mmio_write8(base + UART_IER, 0); return 1; }
  if (dev == DEV_RTC) {
    mmio_write32(base + RTC_IRQ_ENABLED, 0);
    mmio_write32(base + RTC_CLEAR_ALARM, 0);
    mmio_write32(base + RTC_CLEAR_INTERRUPT, 0);
    return 1;
  }
  /* virtio 1.2, 4.2.2.1: writing 0 to Status resets the device; the driver reads it back as 0
     when the reset is complete. An empty slot (magic 0 device id) reads 0 too. */
  mmio_write32(base + VIRTIO_MMIO_STATUS, 0);
  return mmio_read32(base + VIRTIO_MMIO_STATUS) == 0;
}

long devices_hand_over(u64 dev, u64 to)
{
  if (!quiesce(dev)) return SBI_ERR_FAILED;
  instances[!to].devices &= ~(1UL << dev);
  instances[to].devices |= 1UL << dev;
  pmp_apply(instance_current());
  /* The receiver learns of it by its supervisor software interrupt (query(self, 4) says what). */
  if (to == instance_current()) csr_set(mip, MIP_SSIP);
  else instances[to].ctx.sip_soft |= MIP_SSIP;
  return SBI_SUCCESS;
}
