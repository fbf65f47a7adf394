/* Devices and their owners (conformance/maintenance-sbi.md, "Devices and handoff").

   Every device an instance can own (the UART, the RTC, the eight virtio-mmio slots: DEVIRT_DEVICES
   in devirt-platform.h, generated from reference/machine/devices/device-ids.ts) has exactly one
   owner; the owner table is instances[id].devices (instance.h), a bitmap of device ids, and
   instance 0 owns every device from boot. The owner alone reaches its MMIO window (PMP, pmp.c),
   receives its PLIC source (plic_emul.c while two instances share the hart) and has its DMA
   confined to its memory (iopmp.c). devices.c quiesces a device and moves it. */
#ifndef DEVICES_H
#define DEVICES_H

#include "microvisor.h"

/* The ids (generated from the one table). */
#define DEV_UART    DEVICE_UART
#define DEV_RTC     DEVICE_RTC
#define DEV_VIRTIO0 DEVICE_VIRTIO0
#define DEV_COUNT   DEVICE_COUNT
#define DEV_ALL     ((1UL << DEV_COUNT) - 1)

/* The MMIO window of a device (4 KiB each: the UART's 256 bytes are rounded up to its page, where
   nothing else lives, so that the UART and the virtio slots form one run of pages). */
u64 device_base(u64 dev);
#define DEVICE_WINDOW 0x1000UL

/* ---- devices.c ---------------------------------------------------------------------------- */
/* Quiesce `dev` (a virtio device is reset and the reset read back as complete; the UART's and
   RTC's interrupts are disabled; its PLIC source is cleared), move it to instance `to` (owner
   bitmaps, PLIC routing, IOPMP requestor), re-apply the running instance's PMP, and set `to`'s
   supervisor software interrupt pending. The caller has checked the ids and that the giver owns
   it. Returns an SBI error (FAILED when the device does not read back quiesced: nothing changed). */
long devices_hand_over(u64 dev, u64 to);
/* The owner of `dev` (0 or 1), or -1 if nobody owns it. */
int devices_owner(u64 dev);

/* ---- iopmp.c ------------------------------------------------------------------------------ */
/* Boot, if the device tree has the IOPMP (QEMU has none: then every iopmp_ function does nothing
   and device DMA is unchecked there): the firmware guard (no device ever reaches the firmware),
   every requestor given to instance 0's memory, checks enabled. */
void iopmp_init(const void *fdt);
/* The instances' memories changed (create, retire, the survivor): reprogram their domains. */
void iopmp_memory_changed(void);
/* Requestor `rrid` (a virtio slot) now belongs to instance `owner`. */
void iopmp_grant(int rrid, u64 owner);

/* ---- plic_emul.c -------------------------------------------------------------------------- */
/* The hart goes from one instance to two sharing it (sched_start): save the running instance's S
   context of the PLIC as its virtual state and start trapping. */
void plic_emul_begin(void);
/* Back to one instance (sched_stop): the survivor's virtual state goes back to the real context. */
void plic_emul_end(u64 survivor);
/* Is the PLIC emulated now (two instances share the hart)? pmp.c denies it to both then. */
int plic_emul_active(void);
/* World switch: program the real S context for instance `to` (its enables of its own sources,
   its threshold); the other instance's enabled sources go to context 0 (MEIP) with its threshold,
   so their arrival wakes the firmware. */
void plic_emul_switch(u64 to);
/* A load or store access fault from S while two instances share the hart. Returns 1 if it was an
   access to the PLIC and has been emulated (mepc advanced), 0 if it is the guest's own fault. */
int plic_emul_access_fault(struct trap_frame *f, u64 cause, u64 addr);
/* Source `src` changes owner (a handoff): it is cleared and disappears from both virtual states. */
void plic_emul_source_moved(u32 src, u64 from, u64 to);
/* The machine external interrupt (context 0): which instance has a device interrupt waiting
   (-1 if none); the source is masked in context 0 until that instance runs. */
int plic_emul_meip(void);
/* Has instance `id` (not running) a device interrupt it would take: one of its enabled sources
   pending above its threshold? (The scheduler runs it soon then.) */
int plic_emul_pending(u64 id);
/* Deliver a trap the firmware took on the guest's behalf to the guest's S-mode handler. */
void trap_redirect_to_s(u64 cause, u64 tval);

#endif
