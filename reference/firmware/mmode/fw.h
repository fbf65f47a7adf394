/* The firmware's state: the kernel's virtual M-mode while it is virtualized. */
#ifndef MMODE_FW_H
#define MMODE_FW_H
#include "csr.h"
#include "vm-layout.h"

/* A saved context: x0..x31, then where and at which privilege it resumes, then the counters
 * when the firmware was entered (entry.S's accounting). */
struct frame {
  u64 x[32];
  u64 pc;
  u64 priv;
  u64 entered_cycles, entered_instret;
};

/* The firmware's own cost, in the layout of the Microvisor's (reference/firmware/src/microvisor.h)
 * so that the harness reads both the same way. entry.S keeps the first five fields. */
struct mv_stats {
  u64 cycles, instructions, traps, virtualize_cycles, devirtualize_cycles;
  u64 sbi_calls, doorbells, slice_ticks, virtualizations, devirtualizations;
};
extern struct mv_stats mv_stats;
/* 1 or 2 when the current stretch served a virtualize or devirtualize request. */
extern volatile u64 transition_served;

/* The kernel's M-mode state while the firmware holds the machine. */
struct vmachine {
  int virtualized;   /* 0: dormant (the kernel owns M-mode), 1: virtualized */
  int in_vm;         /* the kernel is executing its M-mode code (deprivileged in U-mode) */
  u64 mstatus;       /* only the MS_VIRTUAL fields */
  u64 medeleg, mideleg, mie, mtvec, mscratch, mepc, mcause, mtval;
  u64 satp;          /* the kernel's satp while real satp is bare (in_vm) */
  u64 pmpcfg[2];     /* pmpcfg0, pmpcfg2 */
  u64 pmpaddr[16];
  u64 emulated;      /* instructions emulated for the virtual M-mode */
  u64 refused;       /* virtualize requests refused (locked PMP entries) */
};

extern struct vmachine vm;

/* vpmp.c's cached S/U view of the virtual PMP (offsets in vm-layout.h). */
struct su_view { u64 valid, cfg0, cfg2, addr2; };
extern struct su_view su_view;
extern volatile u64 deferred_request;
extern char trap_entry[], trap_exit[], trap_exit_end[], fast_window[], fast_window_end[], _start[], _end[];
extern struct frame trap_frame;

/* fw.c */
void vm_set_real_mie(void);
void vm_inject(struct frame *f, u64 cause, u64 tval, u64 from_priv);

/* vcsr.c: emulate one CSR instruction of the virtual M-mode; 0 if it must raise illegal. */
int vcsr_emulate(struct frame *f, u32 insn);

/* vpmp.c */
void pmp_load_vm_view(void);
void pmp_load_su_view(void);
void pmp_load_virtual(void);
void vpmp_changed(void);
u64 vpmp_legal_cfg(u64 old, u64 value);
int vpmp_addr_locked(int i);

/* insn.c */
u32 insn_fetch(u64 pc, int *len);

#endif
