# The file name symbol, fixed (not the preprocessor's temporary file).
  .file "crt0.S"
# Reset entry for -bios none: one stack, zeroed .bss, the M trap vector, PMP opened for S and U
# (with PMP implemented and no entry set, S and U may touch nothing), then main(); its return
# value goes to the sifive_test finisher.
  .section .text.start, "ax"
  .globl _start
_start:
  .option push
  .option norelax
  la gp, __global_pointer$
  .option pop
  la sp, __m_stack_top
  la t0, __bss_start
  la t1, __bss_end
1:bgeu t0, t1, 2f
  sd zero, 0(t0)
  addi t0, t0, 8
  j 1b
2:la t0, m_trap_entry
  csrw mtvec, t0
  la t0, __m_trap_stack_top
  csrw mscratch, t0
  la t0, s_trap_entry
  csrw stvec, t0
  la t0, __s_trap_stack_top
  csrw sscratch, t0
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f              # NAPOT, R W X: everything
  csrw pmpcfg0, t0
  call main
  call finish
3:j 3b
