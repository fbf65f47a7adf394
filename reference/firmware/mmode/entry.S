/* Entry points of the M-mode firmware: reset, the RNMI vectors (at offsets the platform fixes:
 * conformance/mmode-kernels.md) and its trap vector while the kernel is virtualized.
 * Both the RNMI and the trap path save the interrupted context in a frame (x0..x31, pc, priv)
 * and leave through MNRET, which returns to any privilege without touching mstatus, so the
 * kernel's own MIE/MPIE/MPP survive a devirtualization exactly. mnstatus is written with NMIE
 * clear: software cannot clear NMIE, and setting it before MNRET would let a pending RNMI in
 * on top of the handler's own frame. */

#define FRAME_PC   256
#define FRAME_PRIV 264
#define FRAME_C0   272   /* mcycle and minstret when the firmware was entered */
#define FRAME_I0   280
#include "devirt-platform.h"
#include "gpr-frame.h"
#define MNRET .word 0x70200073

  .file "entry.S"   /* a fixed name in the symbol table, not the assembler's temporary object */

.macro SAVE_GPRS
  SAVE_X sp, 1, 1
  SAVE_X sp, 3, 31
.endm

/* Accounting, in the layout of the Microvisor's mv_stats (reference/run-image.ts reads it). */
.macro ENTERED
  csrr t0, mcycle
  sd t0, FRAME_C0(sp)
  csrr t0, minstret
  sd t0, FRAME_I0(sp)
  la t1, mv_stats
  ld t0, 16(t1)
  addi t0, t0, 1
  sd t0, 16(t1)
.endm

/* Add this stretch to the totals; a transition served in it also records its own cost. */
.macro LEAVING
  la t2, mv_stats
  csrr t0, mcycle
  ld t1, FRAME_C0(sp)
  sub t0, t0, t1
  ld t1, 0(t2)
  add t1, t1, t0
  sd t1, 0(t2)
  csrr t1, minstret
  ld t3, FRAME_I0(sp)
  sub t1, t1, t3
  ld t3, 8(t2)
  add t3, t3, t1
  sd t3, 8(t2)
  la t3, transition_served
  ld t4, 0(t3)
  beqz t4, 2f
  sd zero, 0(t3)
  addi t4, t4, 2           /* 1 virtualize -> mv_stats[3], 2 devirtualize -> mv_stats[4] */
  slli t4, t4, 3
  add t4, t4, t2
  sd t0, 0(t4)
2:
.endm

.macro RESTORE_GPRS
  LOAD_X sp, 1, 1
  LOAD_X sp, 3, 31
  ld sp, 16(sp)
.endm

  .option norvc
  .section .text.entry, "ax"
  .globl _start
_start:                         /* FW_RAM_BASE + 0x00: the boot ROM jumps here */
  j boot_entry
  .org 0x40                     /* FW_RAM_BASE + 0x40: RNMI vector */
  j rnmi_entry
  .org 0x80                     /* FW_RAM_BASE + 0x80: RNMI exception vector */
  j rnmi_exception

boot_entry:
  la sp, trap_frame
  la t0, nmi_frame
  csrw CSR_MNSCRATCH, t0
  mv a3, a2
  mv a2, a1
  mv a1, a0
  mv a0, sp
  call fw_boot
  csrr t0, mcycle
  sd t0, FRAME_C0(sp)
  csrr t0, minstret
  sd t0, FRAME_I0(sp)
  j trap_exit

rnmi_entry:
  csrrw sp, CSR_MNSCRATCH, sp
  SAVE_GPRS
  csrr t0, CSR_MNSCRATCH
  sd t0, 16(sp)
  csrw CSR_MNSCRATCH, sp
  csrr t0, CSR_MNEPC
  sd t0, FRAME_PC(sp)
  csrr t0, CSR_MNSTATUS
  srli t0, t0, 11
  andi t0, t0, 3
  sd t0, FRAME_PRIV(sp)
  ENTERED
  mv a0, sp
  call fw_rnmi
  LEAVING
  ld t0, FRAME_PC(sp)
  csrw CSR_MNEPC, t0
  ld t0, FRAME_PRIV(sp)
  slli t0, t0, 11
  csrw CSR_MNSTATUS, t0
  RESTORE_GPRS
  MNRET

/* An exception inside the RNMI handler is a firmware bug: stop the machine with code 0xf0. */
rnmi_exception:
  li t0, TEST_BASE
  li t1, (0xf0 << 16) | FINISHER_FAIL
  sw t1, 0(t0)
1:j 1b

  .align 4
  .globl trap_entry
trap_entry:
  csrrw sp, mscratch, sp
  SAVE_GPRS
  csrr t0, mscratch
  sd t0, 16(sp)
  csrw mscratch, sp
  csrr t0, mepc
  sd t0, FRAME_PC(sp)
  csrr t0, mstatus
  srli t0, t0, 11
  andi t0, t0, 3
  sd t0, FRAME_PRIV(sp)
  ENTERED
  mv a0, sp
  call fw_trap

/* From here to trap_exit_end the trap frame is final: an RNMI that lands in this window is
 * handled as if it had interrupted the kernel at the frame's pc (fw_rnmi). */
  .globl trap_exit, trap_exit_end
trap_exit:
  la t0, deferred_request
  ld t0, 0(t0)
  beqz t0, 1f
  mv a0, sp
  call fw_serve_deferred
  j trap_exit
1:
  LEAVING
  ld t0, FRAME_PC(sp)
  csrw CSR_MNEPC, t0
  ld t0, FRAME_PRIV(sp)
  slli t0, t0, 11
  csrw CSR_MNSTATUS, t0
  RESTORE_GPRS
trap_exit_end:
  MNRET
