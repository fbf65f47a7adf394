  .file "entry.S"
/* Reset entry and the one trap vector. The firmware's trap frame sits at the top of its stack and
   mscratch points at it while a guest runs, so a trap swaps sp with mscratch and saves the guest's
   registers there. Accounting of the firmware's own cost happens here, so that it covers all of
   the handler: from the first csrr mcycle to just before mret. */
#include "microvisor.h"
#include "gpr-frame.h"

#define REG(n) (n * 8)

  .section .text.entry, "ax"
  .globl _start
_start:
  csrw mie, zero
  la sp, __stack_top - 64
  /* The frame lies above the C stack: sp - sizeof(frame), 16-byte aligned. */
  addi sp, sp, -(35 * 8 + 8)
  andi sp, sp, -16
  mv s0, sp
  csrw mscratch, s0
  la t0, trap_entry
  csrw mtvec, t0
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  mv a3, s0
  call fw_main
  mv sp, s0
  j restore

  .align 2
  .globl trap_entry
trap_entry:
  csrrw sp, mscratch, sp
  sd t0, REG(5)(sp)
  csrr t0, mcycle
  sd t0, FRAME_CYCLE0(sp)
  csrr t0, minstret
  sd t0, FRAME_INSTRET0(sp)
  sd zero, FRAME_TRANSITION(sp)
  SAVE_X sp, 1, 1
  SAVE_X sp, 3, 4
  SAVE_X sp, 6, 31
  csrrw t0, mscratch, sp
  sd t0, REG(2)(sp)
  mv a0, sp
  call trap_handler
  csrr sp, mscratch

  /* Accounting: add this trap's cycles and instructions to mv_stats. */
  la t2, mv_stats
  csrr t1, mcycle
  ld t0, FRAME_CYCLE0(sp)
  sub t1, t1, t0
  ld t0, 0(t2)
  add t0, t0, t1
  sd t0, 0(t2)
  ld t0, FRAME_TRANSITION(sp)
  beqz t0, 3f
  li t3, 3
  bgeu t0, t3, 4f
  slli t0, t0, 3
  add t0, t0, t2
  sd t1, 16(t0)          /* virtualize_cycles (transition 1) or devirtualize_cycles (2) */
  j 3f
4:
  sd t0, 112(t2)         /* last_switch_kind: which of the three the last switch was */
  slli t0, t0, 3
  add t0, t0, t2
  sd t1, 64(t0)          /* switch_cycles (3), yield_cycles (4) or waited_cycles (5): sched.c */
3:
  csrr t1, minstret
  ld t0, FRAME_INSTRET0(sp)
  sub t1, t1, t0
  ld t0, 8(t2)
  add t0, t0, t1
  sd t0, 8(t2)
  ld t0, 16(t2)
  addi t0, t0, 1
  sd t0, 16(t2)

restore:
  LOAD_X sp, 1, 1
  LOAD_X sp, 3, 31
  ld x2, REG(2)(sp)
  mret
