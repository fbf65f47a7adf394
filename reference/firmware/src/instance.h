/* The instances the Microvisor runs (conformance/maintenance-sbi.md, "Instances"): instance 0 is
   the OS that was running when the machine was virtualized, instance 1 the maintenance instance in
   the partition. This header is the interface the other parts (sched.c, pmp.c, devices.c, sbi.c)
   and other helpers' code use:

     instances[id]       the table; .state, .mem_base/.mem_size (the RAM the instance may touch),
                         .share (percent of the 2 ms period), .devices (bitmap of device ids)
     instance_current()  the id of the instance whose context is in the trap frame now
     instance_owns(id, base, len)  is [base, base + len) wholly inside id's memory (no wrap)?

   Memory: instance 0 owns all RAM but the firmware and the partition (the partition is denied to
   it from boot, so create changes nothing it could see); instance 1 owns the partition only.
   pmp_apply(id) (pmp.c) writes id's layout; the firmware applies it at every world switch. */
#ifndef INSTANCE_H
#define INSTANCE_H

#include "microvisor.h"

enum instance_state { INST_ABSENT = 0, INST_CREATED = 1, INST_RUNNING = 2, INST_READY = 3 };

/* Everything of an instance's S and U context that is not in the trap frame. */
struct s_context {
  u64 x[32];
  u64 pc;             /* where it resumes (mepc) */
  u64 mstatus;        /* its sstatus bits and MPP (the mode it was in) */
  u64 sie, sip_soft, stvec, sscratch, sepc, scause, stval, satp, stimecmp, senvcfg, scounteren;
};

#define BOOTARGS_MAX 1024

struct instance {
  enum instance_state state;
  u64 mem_base, mem_size;   /* RAM it owns (conformance/maintenance-sbi.md) */
  u64 share;                /* percent of the period */
  u64 devices;              /* bitmap of device ids it owns (devices.h) */
  u64 srst_reason;          /* query(id, 5) */
  u64 cycles;               /* cycles it has run while virtualized (query(id, 6)) */
  u64 slice_start;          /* mcycle when its current slice began (accounting) */
  int sleeping;             /* yielded by wfi (or HSM suspend): runnable again at its deadline */
  struct s_context ctx;     /* saved while the other instance runs */
  /* Instance 1's boot: image entry, its end (image and bss), initrd, bootargs, watchdog. */
  u64 entry, image_end, initrd_start, initrd_end, watchdog;
  u64 bootargs_len;
  char bootargs[BOOTARGS_MAX + 1];
};

extern struct instance instances[2];

u64 instance_current(void);
void instance_set_current(u64 id);       /* sched.c's world switch */
void instances_boot(void);               /* main.c: instance 0 is the OS, owning everything */
int instance_owns(u64 id, u64 base, u64 len);
/* Two instances share the hart (instance 1 running or ready beside instance 0). */
int instance_two_running(void);

/* instance.c: the vendor functions 3..15 and the doorbell's causes 3..7. */
struct sbiret instance_call(u64 fid, struct trap_frame *f);
long instance_doorbell(u32 cause, u64 a0, u64 a1, u64 a2, struct trap_frame *f);
/* At virtualize: instance 0 is the running OS, alone, owning every device. */
void instances_virtualized(void);
/* The caller ends by SRST while the other lives: it is retired instead of the machine stopping.
   Returns 0 if there is no other instance (the machine stops as before). */
int instance_srst(u64 type, u64 reason, struct trap_frame *f);
/* The watchdog (an M timer deadline): roll back if it expired before ready. */
void instance_watchdog_check(struct trap_frame *f);

/* sched.c: time slices and world switches while two instances run. */
void sched_start(void);                      /* instance 1 joined: TW, illegal-instruction to M, slices */
void sched_stop(void);                       /* one instance left: back to the single-instance settings */
void sched_switch_to(u64 id, struct trap_frame *f);   /* save the current context, load id's */
void sched_timer(struct trap_frame *f);      /* M timer: slice end, a sleeper's deadline, watchdog */
void sched_arm(void);                        /* program the M timer for the next event */
void sched_wait(struct trap_frame *f, u64 advance);   /* the current instance waits: yield, or wait in M */
void sched_yield(struct trap_frame *f);      /* give the rest of the slice to the other */
u64 sched_tick_arm(void);                    /* one instance: the next accounting tick */
int sched_illegal(struct trap_frame *f);     /* illegal instruction while two run: wfi or reflect */
u64 sched_world_switches(void);

/* image.c: validate an image (ELF64 RISC-V executable or Linux Image) and place it. */
long image_load(const u8 *src, u64 len, u64 part_base, u64 part_size, u64 limit, u64 *entry, u64 *end);

/* fdt-instance.c: write instance 1's device tree at `at` (at most `room` bytes); returns its size
   or 0 if it does not fit. */
u64 fdt_instance_write(u8 *at, u64 room, const struct instance *in);
void fdt_instance_keep(const void *platform_fdt);   /* copy the platform tree at boot */

#endif
