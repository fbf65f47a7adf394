  .file "start.S"
/* Entry as the Linux boot protocol has it (a0 = hart id, a1 = device tree, satp = 0, SIE = 0),
   whether the firmware boots this kernel or starts it as the maintenance instance. Every trap is a
   bug in this kernel (it takes no interrupts as traps): report it and end, which under the
   Microvisor with two instances ends only this instance and rolls the upgrade back. */
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
  la t0, boot_fdt
  sd a1, 0(t0)
  la t0, trap_vector
  csrw stvec, t0
  call main
  li a0, 0
  call shutdown

  .align 2
trap_vector:
  la sp, __stack_top
  csrr a0, scause
  csrr a1, sepc
  csrr a2, stval
  call fatal_trap
3:
  j 3b
