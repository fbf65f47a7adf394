  .file "start.S"
/* Guest entry (Linux boot protocol: a0 = hartid, a1 = device tree), the S-mode trap vector, and
   the switch into U-mode and back. sscratch always holds the trap stack while the guest runs, so
   a firmware that disturbed it would be seen. */
#include "gpr-frame.h"
#define REG(n) (n * 8)

  .section .text.entry, "ax"
  .globl _start
_start:
  la sp, __stack_top
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:
  la t0, boot_hartid
  sd a0, 0(t0)
  la t0, boot_fdt
  sd a1, 0(t0)
  la t0, trap_vector
  csrw stvec, t0
  la t0, __trap_stack_top
  csrw sscratch, t0
  call main
  call sbi_shutdown
3:
  j 3b

  .align 2
  .globl trap_vector
trap_vector:
  csrrw sp, sscratch, sp
  addi sp, sp, -(32 * 8)
  SAVE_X sp, 1, 1
  SAVE_X sp, 3, 31
  csrr t0, sscratch
  sd t0, REG(2)(sp)
  mv a0, sp
  call s_trap
  LOAD_X sp, 1, 1
  LOAD_X sp, 3, 31
  addi sp, sp, 32 * 8
  csrrw sp, sscratch, sp
  sret

/* long run_user(u64 entry, u64 user_sp): run U-mode code until it calls user_exit (syscall 0);
   returns the exit value. */
  .globl run_user
run_user:
  la t0, kernel_context
  sd ra, 0(t0)
  sd sp, 8(t0)
  sd s0, 16(t0)
  sd s1, 24(t0)
  sd s2, 32(t0)
  sd s3, 40(t0)
  sd s4, 48(t0)
  sd s5, 56(t0)
  sd s6, 64(t0)
  sd s7, 72(t0)
  sd s8, 80(t0)
  sd s9, 88(t0)
  sd s10, 96(t0)
  sd s11, 104(t0)
  csrw sepc, a0
  li t1, 0x100
  csrc sstatus, t1
  mv sp, a1
  sret

/* Called by the trap handler (on the trap stack) when U-mode exits: back into run_user's caller. */
  .globl user_return
user_return:
  la t0, __trap_stack_top
  csrw sscratch, t0
  la t0, kernel_context
  ld ra, 0(t0)
  ld sp, 8(t0)
  ld s0, 16(t0)
  ld s1, 24(t0)
  ld s2, 32(t0)
  ld s3, 40(t0)
  ld s4, 48(t0)
  ld s5, 56(t0)
  ld s6, 64(t0)
  ld s7, 72(t0)
  ld s8, 80(t0)
  ld s9, 88(t0)
  ld s10, 96(t0)
  ld s11, 104(t0)
  ret

  .bss
  .align 3
kernel_context:
  .space 14 * 8
