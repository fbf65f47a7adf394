/* Entry points: reset (M-mode, at 0x80000000 as QEMU's -bios none boot starts it), the M-mode
 * trap vector, the S-mode entry and trap vector, and the switch into a U-mode process. */

  .file "entry.S"   /* a fixed name in the symbol table, not the assembler's temporary object */
#include "gpr-frame.h"

.macro SAVE_ALL base
  SAVE_X \base, 1, 30
.endm
.macro LOAD_ALL base
  LOAD_X \base, 1, 30
.endm

  .section .text.entry, "ax"
  .globl _start
_start:
  la sp, m_stack_top
  call m_boot
1:j 1b

#ifdef VECTORED
/* The vectored variant's mtvec table: exceptions at entry 0, interrupt i at entry i. */
  .align 8
  .globl m_vector_table
m_vector_table:
  .rept 17
  j m_trap_vector
  .endr
#endif

/* M-mode traps: mscratch holds the top of the M trap stack (a frame of 32 registers). */
  .align 4
  .globl m_trap_vector
m_trap_vector:
  csrrw sp, mscratch, sp
  addi sp, sp, -256
  SAVE_X sp, 1, 1
  SAVE_X sp, 3, 31
  mv a0, sp
  call m_trap
  LOAD_X sp, 1, 1
  LOAD_X sp, 3, 31
  addi sp, sp, 256
  csrrw sp, mscratch, sp
  mret

/* S-mode starts here (m_boot's mret). */
  .globl s_entry
s_entry:
  la sp, s_stack_top
  call s_main
1:j 1b

/* S-mode traps. sscratch holds &tf, the one trap frame: 31 registers, then sepc at 256. */
  .align 4
  .globl s_trap_vector
s_trap_vector:
  csrrw t6, sscratch, t6
  SAVE_ALL t6
  csrr t5, sscratch
  sd t5, 248(t6)
  csrw sscratch, t6
  csrr t5, sepc
  sd t5, 256(t6)
  la sp, s_trap_stack_top
  mv a0, t6
  call s_trap
  bnez a0, back_to_kernel
  la t6, tf
  ld t5, 256(t6)
  csrw sepc, t5
  LOAD_ALL t6
  ld x31, 248(t6)
  sret

/* void run_user(void): enter the process whose context is in tf; returns when s_trap says so. */
  .globl run_user
run_user:
  la t0, kctx
  sd ra, 0(t0); sd sp, 8(t0); sd s0, 16(t0); sd s1, 24(t0); sd s2, 32(t0); sd s3, 40(t0)
  sd s4, 48(t0); sd s5, 56(t0); sd s6, 64(t0); sd s7, 72(t0); sd s8, 80(t0); sd s9, 88(t0)
  sd s10, 96(t0); sd s11, 104(t0)
  li t0, (1 << 8)
  csrc sstatus, t0              /* SPP = U */
  li t0, (1 << 5)
  csrs sstatus, t0              /* SPIE: interrupts on in U */
  la t6, tf
  ld t5, 256(t6)
  csrw sepc, t5
  LOAD_ALL t6
  ld x31, 248(t6)
  sret

back_to_kernel:
  la t0, kctx
  ld ra, 0(t0); ld sp, 8(t0); ld s0, 16(t0); ld s1, 24(t0); ld s2, 32(t0); ld s3, 40(t0)
  ld s4, 48(t0); ld s5, 56(t0); ld s6, 64(t0); ld s7, 72(t0); ld s8, 80(t0); ld s9, 88(t0)
  ld s10, 96(t0); ld s11, 104(t0)
  ret
