/* The Microvisor's shared state and the interfaces between its parts. One file per concern:
   entry.S (reset and trap entry/exit, cost accounting), main.c (boot), trap.c (dispatch),
   sbi.c (the standard SBI extensions), maintenance.c (the vendor extension, the doorbell, the
   virtualize/devirtualize transitions), instance.c (instances and their state machine), sched.c
   (time slices and world switches), image.c (kernel images), devices.c (device owners), pmp.c
   (the memory protection layouts), fdt.c (device tree reading and patching), fdt-instance.c
   (instance 1's device tree), console.c (UART and instance 1's console). */
#ifndef MICROVISOR_H
#define MICROVISOR_H

#define FRAME_CYCLE0 (32 * 8)
#define FRAME_INSTRET0 (33 * 8)
#define FRAME_TRANSITION (34 * 8)

#ifndef __ASSEMBLER__
typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned char u8;

/* Saved guest registers; x[2] is the guest's sp. entry.S knows these offsets. */
struct trap_frame {
  u64 x[32];
  u64 cycle0;       /* mcycle and minstret at trap entry (accounting) */
  u64 instret0;
  u64 transition;   /* set by the handler: 1 virtualize, 2 devirtualize, 3 switch, 4 yield, 5 wait (accounting) */
};
/* What the firmware cost: read by the status function and, through the symbol, by the harness.
   entry.S updates the first five fields; keep their order. */
struct mv_stats {
  u64 cycles;               /* cycles spent in trap handlers, first csrr mcycle to before mret */
  u64 instructions;         /* instructions retired in the same stretch */
  u64 traps;                /* traps taken by the firmware after boot */
  u64 virtualize_cycles;    /* cost of the last virtualize transition (same stretch) */
  u64 devirtualize_cycles;  /* cost of the last devirtualize transition */
  u64 sbi_calls;
  u64 doorbells;
  u64 slice_ticks;
  u64 virtualizations;
  u64 devirtualizations;
  u64 world_switches;       /* switches between two instances (sched.c) */
  u64 switch_cycles;        /* cost of the last world switch at a slice end or a sleeper's deadline */
  u64 yield_cycles;         /* cost of the last world switch by wfi (or the yield function) */
  u64 waited_cycles;        /* the last wfi trap in which both instances waited (cost + idle time) */
  u64 last_switch_kind;     /* 3, 4 or 5: which of the three fields above the last switch wrote */
};
extern struct mv_stats mv_stats;

/* Layout discovered at boot and used by PMP, the device tree patch and DBCN. */
struct mv_layout {
  u64 ram_base, ram_size;
  u64 partition_base, partition_size;   /* memory reserved for a maintenance instance */
  u64 fdt;
};
extern struct mv_layout mv_layout;

struct sbiret { long error; long value; };

/* main.c */
void fw_main(u64 hartid, u64 fdt, u64 fw_dynamic, struct trap_frame *frame);
/* trap.c */
void trap_handler(struct trap_frame *f);
void fw_panic(const char *why, u64 a, u64 b) __attribute__((noreturn));
/* sbi.c */
struct sbiret sbi_dispatch(struct trap_frame *f);
void system_finish(u32 value) __attribute__((noreturn));
/* maintenance.c */
void dormant_configure(void);
struct sbiret maintenance_call(u64 fid, u64 arg0, struct trap_frame *f);
void doorbell_interrupt(struct trap_frame *f);
void slice_interrupt(struct trap_frame *f);
void wait_for_guest_interrupt(struct trap_frame *f);
int maintenance_virtualized(void);
long maintenance_devirtualize(struct trap_frame *f);
/* pmp.c */
void pmp_configure(void);
void pmp_apply(u64 id);
int pmp_fits(u64 id);
int pmp_guest_may_access(u64 base, u64 len);
/* fdt.c */
u64 fdt_ram_size(const void *fdt);
int fdt_reserve_regions(void *fdt, u64 space_end);
int fdt_has_compatible(const void *fdt, const char *compat);
/* console.c */
void console_putc(char c);
void console_putc_instance(u64 id, char c);   /* instance 1's bytes go to its own channel */
extern int console_has_doorbell;
void console_puts(const char *s);
void console_puthex(u64 v);
int console_getc(void);
#endif

#endif
