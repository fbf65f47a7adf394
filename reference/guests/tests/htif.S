# The file name symbol, fixed (not the preprocessor's temporary file).
  .file "htif.S"
# The HTIF convention of riscv-tests: a `tohost` symbol the host watches. Console output is
# device 1, command 1 (one byte each, acknowledged by the host clearing tohost); the run ends
# with tohost = (status << 1) | 1. This program prints a line and exits with status 3, so that
# both the console and the status path are proven. QEMU runs it on its `spike` machine (the one
# with HTIF); the reference recognises the symbol on its virt layout.
  .section .text.start, "ax"
  .globl _start
_start:
  la s0, tohost
  la s1, message
1:lbu a0, 0(s1)
  beqz a0, 3f
  li t0, 0x0101000000000000     # device 1, command 1
  or t0, t0, a0
  sd t0, 0(s0)
2:ld t1, 0(s0)                  # wait for the host to take it
  bnez t1, 2b
  la t2, fromhost
  sd zero, 0(t2)
  addi s1, s1, 1
  j 1b
3:li t0, (3 << 1) | 1
  sd t0, 0(s0)
4:j 4b

  .section .rodata
message:
  .asciz "hello through HTIF\n"

  .section .tohost, "aw", @progbits
  .balign 64
  .globl tohost
tohost: .dword 0
  .size tohost, 8
  .balign 64
  .globl fromhost
fromhost: .dword 0
  .size fromhost, 8
