# The file name symbol, fixed (not the preprocessor's temporary file).
  .file "trap.S"
# Trap entries for M and S. Each swaps sp with its scratch register (which holds the top of a
# trap stack, so a trap from any mode lands on a known stack), saves all registers in a frame,
# calls the C handler with the frame, and returns to frame->epc, which the handler may change.
#include "frame.h"
#include "gpr-frame.h"

.macro SAVE_REGS scratch
  csrrw sp, \scratch, sp
  addi sp, sp, -FRAME_SIZE
  SAVE_X sp, 1, 1
  SAVE_X sp, 3, 31
  csrr t0, \scratch
  sd t0, (2*8)(sp)
  addi t0, sp, FRAME_SIZE
  csrw \scratch, t0
.endm

.macro RESTORE_REGS
  LOAD_X sp, 1, 1
  LOAD_X sp, 3, 31
  ld sp, (2*8)(sp)
.endm

  .text
  .balign 64
  .globl m_trap_entry
m_trap_entry:
  SAVE_REGS mscratch
  csrr t0, mepc
  sd t0, FRAME_EPC(sp)
  csrr t0, mcause
  sd t0, FRAME_CAUSE(sp)
  csrr t0, mtval
  sd t0, FRAME_TVAL(sp)
  csrr t0, mstatus
  sd t0, FRAME_STATUS(sp)
  mv a0, sp
  call m_trap
  ld t0, FRAME_EPC(sp)
  csrw mepc, t0
  RESTORE_REGS
  mret

  .balign 64
  .globl s_trap_entry
s_trap_entry:
  SAVE_REGS sscratch
  csrr t0, sepc
  sd t0, FRAME_EPC(sp)
  csrr t0, scause
  sd t0, FRAME_CAUSE(sp)
  csrr t0, stval
  sd t0, FRAME_TVAL(sp)
  csrr t0, sstatus
  sd t0, FRAME_STATUS(sp)
  mv a0, sp
  call s_trap
  ld t0, FRAME_EPC(sp)
  csrw sepc, t0
  RESTORE_REGS
  sret

# enter_mode(arg, fn, sp, mode, trampoline): run fn(arg) in `mode` on stack `sp`, through mret
# to `trampoline` (mode_trampoline, or an alias of it under paging). The function returns into
# mode_return, which asks M (by ecall) to resume the caller of run_in_mode.
  .globl enter_mode
enter_mode:
  li t0, 3 << 11
  csrc mstatus, t0
  slli t1, a3, 11
  csrs mstatus, t1
  csrw mepc, a4
  mv sp, a2
  mret
  .globl mode_trampoline
mode_trampoline:
  jalr a1
  .globl mode_return
mode_return:
  li a7, SYS_EXIT
  ecall
1:j 1b

# A setjmp/longjmp pair for leaving a trap handler back to the M-mode caller of run_in_mode.
  .globl rt_setjmp
rt_setjmp:
  sd ra, 0(a0)
  sd sp, 8(a0)
  .irp i, 0,1,2,3,4,5,6,7,8,9,10,11
  sd s\i, (16+\i*8)(a0)
  .endr
  li a0, 0
  ret
  .globl rt_longjmp
rt_longjmp:
  ld ra, 0(a0)
  ld sp, 8(a0)
  .irp i, 0,1,2,3,4,5,6,7,8,9,10,11
  ld s\i, (16+\i*8)(a0)
  .endr
  mv a0, a1
  ret
