    .file "entry.S"   # fixed name: otherwise the FILE symbol is the preprocessor's temporary file
#include "gpr-frame.h"
# QEMU-side runner for "state" vectors: loads each vector's memory and registers, enters it in
# M-mode with mret, and catches its first trap to report the final state. See runner.c.
    # QEMU's reset vector jumps to the start of RAM whatever the ELF entry says; the vectors
    # themselves live there, so this two-instruction stub is the only thing placed at 0x80000000
    # and it is overwritten by the first vector.
    .section .text.boot, "ax"
    .globl _boot
_boot:
    la t0, _start
    jr t0

    .section .text.entry, "ax"
    .globl _start
_start:
    la sp, stack_top
    call main
1:  j 1b

# enter_vector(ctx, regs): save the runner's callee-saved state in ctx, load x1..x31 from regs,
# mret to mepc (set by the caller).
    .globl enter_vector
enter_vector:
    sd ra, 0(a0)
    sd sp, 8(a0)
    sd s0, 16(a0)
    sd s1, 24(a0)
    sd s2, 32(a0)
    sd s3, 40(a0)
    sd s4, 48(a0)
    sd s5, 56(a0)
    sd s6, 64(a0)
    sd s7, 72(a0)
    sd s8, 80(a0)
    sd s9, 88(a0)
    sd s10, 96(a0)
    sd s11, 104(a0)
    sd gp, 112(a0)
    sd tp, 120(a0)
    csrw mscratch, a1
    mv t6, a1
    LOAD_X t6, 1, 30
    ld t6, (31*8)(t6)
    mret

# Trap entry: save x1..x31 into the regs block (mscratch), then return from enter_vector.
    .align 4
    .globl trap_entry
trap_entry:
    csrrw t6, mscratch, t6
    SAVE_X t6, 1, 30
    csrr t5, mscratch
    sd t5, (31*8)(t6)
    la a0, runner_ctx
    ld ra, 0(a0)
    ld sp, 8(a0)
    ld s0, 16(a0)
    ld s1, 24(a0)
    ld s2, 32(a0)
    ld s3, 40(a0)
    ld s4, 48(a0)
    ld s5, 56(a0)
    ld s6, 64(a0)
    ld s7, 72(a0)
    ld s8, 80(a0)
    ld s9, 88(a0)
    ld s10, 96(a0)
    ld s11, 104(a0)
    ld gp, 112(a0)
    ld tp, 120(a0)
    ret

    .bss
    .align 4
    .space 16384
stack_top:
