/* Entry points: reset (M-mode, at 0x80000000 as QEMU's -bios none boot starts it), the M-mode
 * trap vector, the S-mode entry and trap vector, and the switch into a U-mode process. */

  .file "entry.S"   /* a fixed name in the symbol table, not the assembler's temporary object */

.macro SAVE_ALL base
  sd x1, 8(\base); sd x2, 16(\base); sd x3, 24(\base); sd x4, 32(\base); sd x5, 40(\base)
  sd x6, 48(\base); sd x7, 56(\base); sd x8, 64(\base); sd x9, 72(\base); sd x10, 80(\base)
  sd x11, 88(\base); sd x12, 96(\base); sd x13, 104(\base); sd x14, 112(\base); sd x15, 120(\base)
  sd x16, 128(\base); sd x17, 136(\base); sd x18, 144(\base); sd x19, 152(\base); sd x20, 160(\base)
  sd x21, 168(\base); sd x22, 176(\base); sd x23, 184(\base); sd x24, 192(\base); sd x25, 200(\base)
  sd x26, 208(\base); sd x27, 216(\base); sd x28, 224(\base); sd x29, 232(\base); sd x30, 240(\base)
.endm
.macro LOAD_ALL base
  ld x1, 8(\base); ld x2, 16(\base); ld x3, 24(\base); ld x4, 32(\base); ld x5, 40(\base)
  ld x6, 48(\base); ld x7, 56(\base); ld x8, 64(\base); ld x9, 72(\base); ld x10, 80(\base)
  ld x11, 88(\base); ld x12, 96(\base); ld x13, 104(\base); ld x14, 112(\base); ld x15, 120(\base)
  ld x16, 128(\base); ld x17, 136(\base); ld x18, 144(\base); ld x19, 152(\base); ld x20, 160(\base)
  ld x21, 168(\base); ld x22, 176(\base); ld x23, 184(\base); ld x24, 192(\base); ld x25, 200(\base)
  ld x26, 208(\base); ld x27, 216(\base); ld x28, 224(\base); ld x29, 232(\base); ld x30, 240(\base)
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
  sd x1, 8(sp); sd x3, 24(sp); sd x4, 32(sp); sd x5, 40(sp)
  sd x6, 48(sp); sd x7, 56(sp); sd x8, 64(sp); sd x9, 72(sp); sd x10, 80(sp)
  sd x11, 88(sp); sd x12, 96(sp); sd x13, 104(sp); sd x14, 112(sp); sd x15, 120(sp)
  sd x16, 128(sp); sd x17, 136(sp); sd x18, 144(sp); sd x19, 152(sp); sd x20, 160(sp)
  sd x21, 168(sp); sd x22, 176(sp); sd x23, 184(sp); sd x24, 192(sp); sd x25, 200(sp)
  sd x26, 208(sp); sd x27, 216(sp); sd x28, 224(sp); sd x29, 232(sp); sd x30, 240(sp)
  sd x31, 248(sp)
  mv a0, sp
  call m_trap
  ld x1, 8(sp); ld x3, 24(sp); ld x4, 32(sp); ld x5, 40(sp)
  ld x6, 48(sp); ld x7, 56(sp); ld x8, 64(sp); ld x9, 72(sp); ld x10, 80(sp)
  ld x11, 88(sp); ld x12, 96(sp); ld x13, 104(sp); ld x14, 112(sp); ld x15, 120(sp)
  ld x16, 128(sp); ld x17, 136(sp); ld x18, 144(sp); ld x19, 152(sp); ld x20, 160(sp)
  ld x21, 168(sp); ld x22, 176(sp); ld x23, 184(sp); ld x24, 192(sp); ld x25, 200(sp)
  ld x26, 208(sp); ld x27, 216(sp); ld x28, 224(sp); ld x29, 232(sp); ld x30, 240(sp)
  ld x31, 248(sp)
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
