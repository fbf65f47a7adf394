/* Devices and their owners (conformance/maintenance-sbi.md, "Devices and handoff").

   Every device an instance can own (the UART, the RTC, the eight virtio-mmio slots: DEVIRT_DEVICES
   in devirt-platform.h, generated from reference/machine/devices/device-ids.ts) has exactly one
   owner. The owner alone reaches its MMIO window (PMP, while two instances run), receives its PLIC
   source (plic_emul.c) and has its DMA confined to its memory (iopmp.c). devices.c keeps the owner
   table and hands devices over; iopmp.c programs the IOPMP; plic_emul.c traps and emulates the
   PLIC's S-mode context while two instances share it. */
#ifndef DEVICES_H
#define DEVICES_H

#include "microvisor.h"

#define MV_INSTANCES 2

/* ---- What the device code needs from the instance machinery (instance.c) ------------------
   These are the only facts devices.c, iopmp.c and plic_emul.c use about instances; the instance
   machinery provides them (instance-glue.c maps them onto the one-instance firmware until the
   instance table exists). */
/* The instance whose context is on the hart now (0 or 1). */
int mv_instance_current(void);
/* 1 if instance `id` exists (created, running or ready), else 0. */
int mv_instance_present(int id);
/* 1 while two instances share the hart (PLIC emulation and per-owner device windows are on). */
int mv_instances_sharing(void);
/* The memory instance `id` may use: up to two ranges (instance 0 loses the partition while
   instance 1 exists). Returns the number of ranges. */
int mv_instance_memory(int id, u64 base[2], u64 size[2]);
/* Make instance `id`'s supervisor software interrupt pending (now if it is current, else in its
   saved context). */
void mv_instance_raise_ssip(int id);
/* Instance `id`'s PMP layout changed (a device window was granted or revoked): rebuild the PMP of
   the current instance if it is `id`. */
void mv_instance_pmp_changed(int id);
/* Instance `id` has a device interrupt waiting (plic_emul_meip): switch to it soon. */
void mv_instance_wake(int id);

/* ---- devices.c ---------------------------------------------------------------------------- */
/* At virtualize: instance 0 owns every device. */
void devices_reset_owners(void);
int devices_owner(u64 dev);
/* Bitmap of the device ids instance `id` owns (query(id, 4)). */
u64 devices_owned(int id);
/* hand_over(dev, to) on behalf of `caller`: SBI error code. */
long devices_hand_over(u64 dev, u64 to, int caller);
/* Every device goes to `to` (retire, rollback): quiesced, granted. */
void devices_give_all(int to);
/* PMP entries that deny instance `id` what it must not reach while two instances share the hart:
   the other instance's device windows and the PLIC (trapped and emulated). Writes at most `max`
   (pmpaddr, pmpcfg byte) pairs; returns how many, or -1 if they do not fit. */
int devices_pmp_denials(int id, u64 *addr, u8 *cfg, int max);

/* ---- iopmp.c ------------------------------------------------------------------------------ */
/* Boot, if the device tree has the IOPMP (QEMU has none: then every iopmp_ function does
   nothing and device DMA is unchecked there): the firmware guard (no device ever reaches the firmware), every requestor given to
   instance 0's memory, checks enabled. */
void iopmp_init(const void *fdt);
/* The instances' memories changed (create, retire): reprogram their memory domains. */
void iopmp_memory_changed(void);
/* Requestor `rrid` (a virtio slot) now belongs to instance `owner`. */
void iopmp_grant(int rrid, int owner);

/* ---- plic_emul.c -------------------------------------------------------------------------- */
/* The hart goes from one instance to two sharing it: save the running instance's S context of
   the PLIC as its virtual state and start trapping. */
void plic_emul_begin(void);
/* Back to one instance (`survivor`): its virtual state goes back to the real S context. */
void plic_emul_end(int survivor);
/* World switch: program the real S context for instance `to` (its enables of its own sources,
   its threshold); the other instance's sources are routed to the M context so their arrival
   wakes the firmware. */
void plic_emul_switch(int to);
/* A load or store access fault from S while two instances share the hart. Returns 1 if it was an
   access to the PLIC and has been emulated (mepc advanced), 0 if it is the guest's own fault. */
int plic_emul_access_fault(struct trap_frame *f, u64 cause, u64 addr);
/* Source `src` changed owner (a handoff): it disappears from the old owner's virtual state. */
void plic_emul_source_moved(u32 src, int from, int to);
/* The machine external interrupt (context 0): which instance has a device interrupt waiting
   (-1 if none); the source is masked in context 0 until that instance runs. */
int plic_emul_meip(void);
/* Deliver a trap the firmware took on the guest's behalf to the guest's S-mode handler. */
void trap_redirect_to_s(u64 cause, u64 tval);

#endif
