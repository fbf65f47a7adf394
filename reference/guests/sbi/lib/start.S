  .file "start.S"
/* Guest entry (Linux boot protocol: a0 = hartid, a1 = device tree), the S-mode trap vector, and
   the switch into U-mode and back. sscratch always holds the trap stack while the guest runs, so
   a firmware that disturbed it would be seen. */
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
  sd x1, REG(1)(sp)
  sd x3, REG(3)(sp)
  sd x4, REG(4)(sp)
  sd x5, REG(5)(sp)
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
  csrr t0, sscratch
  sd t0, REG(2)(sp)
  mv a0, sp
  call s_trap
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
