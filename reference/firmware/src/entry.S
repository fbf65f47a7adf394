  .file "entry.S"
/* Reset entry and the one trap vector. The firmware's trap frame sits at the top of its stack and
   mscratch points at it while a guest runs, so a trap swaps sp with mscratch and saves the guest's
   registers there. Accounting of the firmware's own cost happens here, so that it covers all of
   the handler: from the first csrr mcycle to just before mret. */
#include "microvisor.h"

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
  sd x1, REG(1)(sp)
  sd x3, REG(3)(sp)
  sd x4, REG(4)(sp)
  sd x6, REG(6)(sp)
  sd x7, REG(7)(sp)
  sd x8, REG(8)(sp)
  sd x9, REG(9)(sp)
  sd x10, REG(10)(sp)
  sd x11, REG(11)(sp)
  sd x12, REG(12)(sp)
  sd x13, REG(13)(sp)
  sd x14, REG(14)(sp)
  sd x15, REG(15)(sp)
  sd x16, REG(16)(sp)
  sd x17, REG(17)(sp)
  sd x18, REG(18)(sp)
  sd x19, REG(19)(sp)
  sd x20, REG(20)(sp)
  sd x21, REG(21)(sp)
  sd x22, REG(22)(sp)
  sd x23, REG(23)(sp)
  sd x24, REG(24)(sp)
  sd x25, REG(25)(sp)
  sd x26, REG(26)(sp)
  sd x27, REG(27)(sp)
  sd x28, REG(28)(sp)
  sd x29, REG(29)(sp)
  sd x30, REG(30)(sp)
  sd x31, REG(31)(sp)
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
  slli t0, t0, 3
  add t0, t0, t2
  sd t1, 16(t0)          /* virtualize_cycles (transition 1) or devirtualize_cycles (2) */
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
  ld x1, REG(1)(sp)
  ld x3, REG(3)(sp)
  ld x4, REG(4)(sp)
  ld x5, REG(5)(sp)
  ld x6, REG(6)(sp)
  ld x7, REG(7)(sp)
  ld x8, REG(8)(sp)
  ld x9, REG(9)(sp)
  ld x10, REG(10)(sp)
  ld x11, REG(11)(sp)
  ld x12, REG(12)(sp)
  ld x13, REG(13)(sp)
  ld x14, REG(14)(sp)
  ld x15, REG(15)(sp)
  ld x16, REG(16)(sp)
  ld x17, REG(17)(sp)
  ld x18, REG(18)(sp)
  ld x19, REG(19)(sp)
  ld x20, REG(20)(sp)
  ld x21, REG(21)(sp)
  ld x22, REG(22)(sp)
  ld x23, REG(23)(sp)
  ld x24, REG(24)(sp)
  ld x25, REG(25)(sp)
  ld x26, REG(26)(sp)
  ld x27, REG(27)(sp)
  ld x28, REG(28)(sp)
  ld x29, REG(29)(sp)
  ld x30, REG(30)(sp)
  ld x31, REG(31)(sp)
  ld x2, REG(2)(sp)
  mret
