/* Devices and their owners (conformance/maintenance-sbi.md, "Devices and handoff"). One owner per
   device; instance 0 owns every device at virtualize. Device ids: 0 the UART, 1 the RTC, 2..9
   virtio-mmio slots 0..7. This is the minimal version (an owner bitmap, the quiesce, the PMP
   window); the PLIC emulation and the IOPMP belong to devices work that replaces devices.c. */
#ifndef DEVICES_H
#define DEVICES_H

#include "microvisor.h"

#define DEV_UART   0
#define DEV_RTC    1
#define DEV_VIRTIO0 2
#define DEV_COUNT  10
#define DEV_ALL    ((1UL << DEV_COUNT) - 1)

/* The MMIO window of a device (4 KiB each: the UART's 256 bytes are rounded up to its page, where
   nothing else lives, so that the UART and the virtio slots form one run of pages). */
u64 device_base(u64 dev);
#define DEVICE_WINDOW 0x1000UL

/* Quiesce `dev`, move it to instance `to`, re-apply the running instance's PMP, and set `to`'s
   supervisor software interrupt pending. The caller has checked the ids and that the giver owns
   it. Returns an SBI error (FAILED when the device cannot be quiesced). */
long devices_hand_over(u64 dev, u64 to);

#endif
