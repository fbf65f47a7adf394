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
#include "vm-layout.h"
#define MNRET .word 0x70200073
#define INSN_MRET 0x30200073
#define INSN_SWAP_SP 0x34011173           /* csrrw sp, mscratch, sp */
#define PLAIN_READ_MASK  (-0x301000)      /* 0xffcff000, sign-extended (one lui): a CSR instruction's CSR bits 11:2, rs1, funct3 */
#define PLAIN_READ_MATCH 0x34002000       /* ... of csrrs rd, 0x340..0x343, x0 */
#define V(off) (VM_FROM_FRAME + (off))    /* a field of vm, from sp = &trap_frame */
#define S(off) (SU_FROM_FRAME + (off))    /* a field of su_view */

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
  SAVE_X sp, 5, 7
  SAVE_X sp, 28, 29
#ifndef NO_FAST_PATH
/* Fast paths for the traps a kernel that owns M-mode takes most (bench/mk-profile.ts measures
 * them): from its deprivileged M-mode code, the CSR instructions on mscratch, mepc, mcause, mtval,
 * mstatus, mie and mip, and MRET; from its own S or U code, every trap (delivered to its virtual
 * mtvec). They run on t0-t4 only (saved above), with vm, su_view and deferred_request reached
 * from sp (vm-layout.h), emulate exactly what fw_trap would, and return with mret; anything else,
 * or anything unusual (a CSR they do not know, an S/U PMP view to rebuild), goes to the general
 * path below with its full frame. Built with -DNO_FAST_PATH the firmware has only the general path, and must give the
 * kernel identical results (test/mkernel/fast-path.test.ts). */
  lw t0, V(VM_IN_VM)(sp)
  beqz t0, fast_inject       /* from the kernel's own S or U code */
  /* From the kernel's M-mode code (or from the firmware itself, a bug: every instruction the fast
   * paths emulate is legal in M-mode, so a trap of the firmware's own never matches one and the
   * general path stops the machine). */
  csrr t0, mcause
  li t1, EXC_ILLEGAL
  bne t0, t1, slow_entry

/* The instruction's bits are in mtval: the platform writes them for illegal-instruction traps
 * (conformance/choices.ts, illegal-instruction-tval). t0 = the instruction. */
fast_illegal:
  csrr t0, mtval
  li t1, INSN_SWAP_SP
  beq t0, t1, fast_swap_sp
  andi t1, t0, 0x7f
  li t2, 0x73
  bne t1, t2, slow_entry
  srli t1, t0, 12
  andi t1, t1, 3
  bnez t1, fast_csr
  li t2, INSN_MRET
  beq t0, t2, fast_mret
  j slow_entry               /* sret, wfi, sfence.vma: the general path */

/* A CSR instruction, t0. Plain reads (csrrs rd, csr, x0) of mscratch, mepc, mcause, mtval first:
 * the CSR's bits 11:2, rs1 and funct3 match (the opcode is known), in one mask and compare. */
fast_csr:
  li t1, PLAIN_READ_MASK
  and t1, t0, t1
  li t2, PLAIN_READ_MATCH
  beq t1, t2, fast_plain_read
  /* The source operand into t2: the immediate, or the kernel's register rs1. */
  srli t3, t0, 15
  andi t3, t3, 31
  slli t1, t0, 49            /* funct3 bit 2 (instruction bit 14): the immediate forms */
  bgez t1, 1f
  mv t2, t3
  j 2f
1:
  la t2, read_gpr_table
  slli t1, t3, 3
  add t2, t2, t1
  jalr t4, 0(t2)
2:
  srli t1, t0, 20            /* the CSR's number */
  addi t3, t1, -0x340
  sltiu t4, t3, 4
  bnez t4, fast_vm_field
  addi t3, t1, -0x344
  beqz t3, fast_mip
  addi t3, t1, -0x304
  beqz t3, fast_mie
  addi t3, t1, -0x300
  beqz t3, fast_mstatus
  j slow_entry

/* t1 = the old value, t2 = the operand: the new value in t4 (csrrw: the operand; csrrs: old | it;
 * csrrc: old & ~it). A set or clear with x0/0 writes the old value back, which for these
 * registers changes nothing, as the instruction must. */
.macro NEW_VALUE
  slli t4, t0, 50            /* funct3 bit 1 (instruction bit 13): set or clear */
  bgez t4, 1f
  slli t4, t0, 51            /* funct3 bit 0: clear */
  bltz t4, 2f
  or t4, t1, t2
  j 3f
2:
  not t4, t2
  and t4, t4, t1
  j 3f
1:
  mv t4, t2
3:
.endm

/* csrrw sp, mscratch, sp: the first and last instruction of most M-mode trap handlers. The
 * kernel's sp is in the real mscratch, its virtual mscratch in vm: swap them. */
fast_swap_sp:
  ld t1, V(VM_MSCRATCH)(sp)
  csrrw t1, mscratch, t1
  sd t1, V(VM_MSCRATCH)(sp)
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  j fast_resume

/* mscratch, mepc, mcause, mtval: plain fields of the virtual M-mode (mepc keeps bit 0 clear). */
fast_vm_field:
  slli t3, t3, 3
  add t3, t3, sp
  ld t1, V(VM_MSCRATCH)(t3)
  NEW_VALUE
  srli t2, t0, 20
  addi t2, t2, -0x341
  bnez t2, 1f
  andi t4, t4, -2
1:
  sd t4, V(VM_MSCRATCH)(t3)
  j fast_csr_done

/* mip: the real register's software bits, doorbell hidden, with the instruction's own kind of
 * write (csrrs/csrrc must not turn a read of SEIP into a written bit). */
fast_mip:
  csrr t1, mip
  li t3, ~(1 << IRQ_DOORBELL)
  and t1, t1, t3
  and t2, t2, t3
  slli t4, t0, 50
  bgez t4, 1f
  slli t4, t0, 51
  bltz t4, 2f
  csrs mip, t2
  j fast_csr_done
2:
  csrc mip, t2
  j fast_csr_done
1:
  csrw mip, t2
  j fast_csr_done

/* mie: legalised by the real register, then the real mie for the virtual M-mode (vm_set_real_mie). */
fast_mie:
  ld t1, V(VM_MIE)(sp)
  NEW_VALUE
  csrw mie, t4
  csrr t4, mie
  li t2, ~(1 << IRQ_DOORBELL)
  and t4, t4, t2
#ifdef BUG_LOSE_MSIE
  andi t4, t4, ~(1 << IRQ_MSI)
#endif
  sd t4, V(VM_MIE)(sp)
  j fast_set_real_mie

/* mstatus: the M fields are virtual, the S fields the real ones; MPP = 2 (reserved) keeps MPP. */
fast_mstatus:
  csrr t1, mstatus
  li t4, MS_VIRTUAL
  not t4, t4
  and t1, t1, t4
  ld t4, V(VM_MSTATUS)(sp)
  or t1, t1, t4
  NEW_VALUE
  srli t2, t4, MSTATUS_MPP_SHIFT
  andi t2, t2, 3
  addi t2, t2, -2
  bnez t2, 1f
  li t2, MSTATUS_MPP
  not t2, t2
  and t4, t4, t2             /* reserved MPP: keep the old one */
  ld t2, V(VM_MSTATUS)(sp)
  srli t2, t2, MSTATUS_MPP_SHIFT
  andi t2, t2, 3
  slli t2, t2, MSTATUS_MPP_SHIFT
  or t4, t4, t2
1:
  li t2, MS_VIRTUAL
  and t2, t4, t2
  sd t2, V(VM_MSTATUS)(sp)
  li t2, MS_SFIELDS          /* one write of the S fields, as an sstatus write would be */
  and t4, t4, t2
  not t2, t2
  csrr t3, mstatus
  and t3, t3, t2
  or t3, t3, t4
  csrw mstatus, t3
  /* fall through */

/* Real mie for the kernel's M-mode code: its enabled, undelegated interrupts while its MIE is
 * set, else none (fw.c vm_set_real_mie). */
fast_set_real_mie:
  ld t2, V(VM_MSTATUS)(sp)
  andi t2, t2, MSTATUS_MIE
  beqz t2, 1f
  ld t2, V(VM_MIE)(sp)
  ld t4, V(VM_MIDELEG)(sp)
  not t4, t4
  and t2, t2, t4
1:
  csrw mie, t2
  j fast_csr_done

/* csrrs rd, mscratch/mepc/mcause/mtval, x0: the field's value (the CSR's low two bits index them). */
fast_plain_read:
  srli t3, t0, 20 - 3
  andi t3, t3, 3 << 3
  add t3, t3, sp
  ld t1, V(VM_MSCRATCH)(t3)
  /* fall through */

/* The old value to rd, then past the 4-byte instruction. t0 = the instruction, t1 = the old value.
 * After an mscratch access (a handler's first or last instruction) look at the next one. */
fast_csr_done:
  srli t3, t0, 7
  andi t3, t3, 31
  beqz t3, 1f
  la t2, write_gpr_table
  slli t3, t3, 3
  add t2, t2, t3
  jalr t4, 0(t2)
1:
  srli t2, t0, 20
  addi t2, t2, -0x340
  csrr t1, mepc
  addi t1, t1, 4
  csrw mepc, t1
  bnez t2, fast_exit
  /* fall through */

/* mepc is where the kernel resumes in its M-mode code (every path here comes from a trap of that
 * code or from fast_inject, so in_vm is set). If the instruction there is one the fast paths
 * emulate without fail (a CSR access to mscratch, mepc, mcause, mtval, mstatus, mie or mip;
 * mret), emulate it now rather than return and take its trap: a handler's
 * `csrrw sp, mscratch, sp; mret`, or the first instruction of its trap vector. The paths taken
 * from here never fall back to the general path (which would read mcause and mtval of the
 * previous trap). The upper half is read only when it lies in mepc's page. */
fast_resume:
  csrr t1, mepc
fast_resume_at:
  lhu t0, 0(t1)              /* mepc is 2-byte aligned: this half is in mepc's page */
  andi t2, t0, 0x7f
  li t3, 0x73
  bne t2, t3, fast_exit
  addi t2, t1, 3
  xor t2, t2, t1
  srli t2, t2, 12
  bnez t2, fast_exit         /* its upper half is on the next page */
  lhu t2, 2(t1)
  slli t2, t2, 16
  or t0, t0, t2
  li t2, INSN_SWAP_SP
  beq t0, t2, fast_swap_sp
  li t2, INSN_MRET
  beq t0, t2, fast_mret_ahead
  srli t2, t0, 12
  andi t2, t2, 3
  beqz t2, fast_exit         /* ecall, ebreak, wfi, sret, sfence.vma: let it trap */
  srli t2, t0, 20
  addi t3, t2, -0x340
  sltiu t3, t3, 5
  bnez t3, fast_csr          /* mscratch, mepc, mcause, mtval, mip */
  addi t3, t2, -0x300
  beqz t3, fast_csr
  addi t3, t2, -0x304
  beqz t3, fast_csr
  j fast_exit

/* mret of the virtual M-mode (fw.c emulate_mret): MIE = MPIE, MPIE = 1, MPP = U, MPRV cleared
 * below M; back to its M-mode code at the virtual mepc, or into its S or U code with its own
 * configuration (fw.c enter_su_config) when the S/U PMP view is cached (vpmp.c). */
fast_mret:
  ld t4, S(SU_VALID)(sp)
  beqz t4, slow_entry        /* the S/U view must be built (or may be, by an mret below M): the general path */
  j fast_mret_viewed
fast_mret_ahead:             /* found by fast_resume: without the S/U view, let the mret trap */
  ld t4, S(SU_VALID)(sp)
  beqz t4, fast_exit
fast_mret_viewed:
  ld t2, V(VM_MSTATUS)(sp)
  srli t3, t2, MSTATUS_MPP_SHIFT
  andi t3, t3, 3             /* t3 = MPP */
  addi t4, t3, -PRV_M
  beqz t4, 1f
  li t4, ~MSTATUS_MPRV
  and t2, t2, t4
1:
  andi t4, t2, MSTATUS_MPIE
  srli t4, t4, 4             /* MPIE to MIE's place */
  andi t2, t2, ~MSTATUS_MIE
  or t2, t2, t4
  ori t2, t2, MSTATUS_MPIE
  li t4, ~MSTATUS_MPP
  and t2, t2, t4
  sd t2, V(VM_MSTATUS)(sp)
  ld t4, V(VM_MEPC)(sp)
  csrw mepc, t4
  addi t4, t3, -PRV_M
  bnez t4, fast_enter_su
  /* Still in its M-mode code: real mie as vm_set_real_mie. */
  andi t2, t2, MSTATUS_MIE
  beqz t2, 1f
  ld t2, V(VM_MIE)(sp)
  ld t4, V(VM_MIDELEG)(sp)
  not t4, t4
  and t2, t2, t4
1:
  csrw mie, t2
  j fast_resume

/* Into the kernel's S or U code (t3 = its privilege): its satp, delegation, TVM/TW/TSR
 * and the S/U PMP view, real mie = the virtual mie, and mret to that privilege. */
fast_enter_su:               /* t2 = the new virtual mstatus, t3 = MPP */
  li t4, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
  and t2, t2, t4
  slli t3, t3, MSTATUS_MPP_SHIFT
  or t2, t2, t3
  li t4, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPRV | MSTATUS_MPP
  csrc mstatus, t4
  csrs mstatus, t2
  ld t2, V(VM_SATP)(sp)
  csrw satp, t2
  sw zero, V(VM_IN_VM)(sp)
  ld t2, V(VM_MEDELEG)(sp)
  csrw medeleg, t2
  ld t2, V(VM_MIDELEG)(sp)
  csrw mideleg, t2
  ld t2, S(SU_ADDR2)(sp)      /* pmpaddr1 is 0 in both views */
  csrw pmpaddr2, t2
  ld t2, S(SU_CFG0)(sp)
  csrw pmpcfg0, t2
  ld t2, V(VM_MIE)(sp)
  csrw mie, t2
  sfence.vma
  /* fall through */

fast_exit:
  LOAD_X sp, 6, 7
  LOAD_X sp, 28, 29
  ld t0, DEFERRED_FROM_FRAME(sp)
  bnez t0, fast_to_slow
/* From fast_window to fast_window_end only t0 and sp are not yet the kernel's: an RNMI that lands
 * here is served as if it had interrupted the kernel at mepc (fw_rnmi). */
  .globl fast_window, fast_window_end
fast_window:
  ld t0, 40(sp)
  csrrw sp, mscratch, sp
fast_window_end:
  mret

/* A request came while a fast path ran: leave through the general exit, which serves it. */
fast_to_slow:
  ld t0, 40(sp)
  SAVE_X sp, 1, 1
  SAVE_X sp, 3, 31
  csrr t0, mscratch
  sd t0, 16(sp)
  csrw mscratch, sp
  csrr t0, mepc
  sd t0, FRAME_PC(sp)
  csrr t0, mstatus           /* where the kernel resumes: U for its M-mode code, or its S or U */
  srli t0, t0, MSTATUS_MPP_SHIFT
  andi t0, t0, 3
  sd t0, FRAME_PRIV(sp)
  ENTERED
  j trap_exit


/* A trap from the kernel's own S or U code while virtualized (fw.c fw_trap, vm_inject): it goes
 * to the virtual mtvec with virtual mepc, mcause, mtval (0 for interrupts), MPIE = MIE, MIE = 0,
 * MPP = where it came from, and the kernel continues in its M-mode code in U (enter_vm_config),
 * when the S/U view is cached (so the M view is three writes). */
fast_inject:
  csrr t1, mstatus
  li t4, MSTATUS_MPP
  and t1, t1, t4             /* t1 = MPP, the privilege it came from */
  beq t1, t4, slow_entry     /* M: the firmware trapped itself (a bug): the general path stops the machine */
  /* The S/U view is cached only while virtualized (vpmp.c), so this also says the kernel is. */
  ld t0, S(SU_VALID)(sp)
  beqz t0, slow_entry
  /* S-mode's sie writes back into the virtual mie (sync_from_su). */
  ld t2, V(VM_MIDELEG)(sp)
  csrr t3, mie
  and t3, t3, t2
  not t2, t2
  ld t4, V(VM_MIE)(sp)
  and t4, t4, t2
  or t4, t4, t3
  sd t4, V(VM_MIE)(sp)
  csrr t2, mepc
#ifdef BUG_MEPC_OFF_BY_ONE
  /* Deliberate fault for the negative tests (as fw.c vm_inject): an ecall delivered with mepc past it. */
  csrr t3, mcause
  addi t4, t3, -EXC_ECALL_U
  sltiu t4, t4, 2
  slli t4, t4, 2
  add t2, t2, t4
#endif
  sd t2, V(VM_MEPC)(sp)
  csrr t2, mcause
  sd t2, V(VM_MCAUSE)(sp)
  li t3, 0
  bltz t2, 1f
  csrr t3, mtval
1:
  sd t3, V(VM_MTVAL)(sp)
  ld t3, V(VM_MSTATUS)(sp)
  andi t4, t3, MSTATUS_MIE
  slli t4, t4, 4             /* MIE to MPIE's place */
  li t0, ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP)
  and t3, t3, t0
  or t3, t3, t4
  or t3, t3, t1              /* MPP = where it came from */
  sd t3, V(VM_MSTATUS)(sp)
  ld t1, V(VM_MTVEC)(sp)
  andi t4, t1, 3
  andi t1, t1, -4
  bgez t2, 1f
  beqz t4, 1f
  andi t4, t2, 0xff          /* a vectored interrupt: base + 4 * cause */
  slli t4, t4, 2
  add t1, t1, t4
1:
  csrw mepc, t1
  li t2, 1
  sw t2, V(VM_IN_VM)(sp)
  csrr t2, satp
  sd t2, V(VM_SATP)(sp)
  csrw satp, zero
  csrw medeleg, zero
  csrw mideleg, zero
  li t2, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPRV | MSTATUS_MPP
  csrc mstatus, t2           /* and MPP = U: its M-mode code runs in U */
  li t2, PMP_ADDR_ALL        /* the M view (vpmp.c): pmpaddr1 is 0 in both views */
  csrw pmpaddr2, t2
  li t2, PMP_VM_CFG0
  csrw pmpcfg0, t2
  csrw mie, zero             /* its MIE is now 0 */
  /* The PMP changed: fence, as the privileged spec requires (3.7.2), even though translation is
   * bare now: an implementation may cache identity mappings with their PMP results. */
  sfence.vma
  j fast_resume_at           /* t1 = mepc */

/* The kernel's register xN: read into t2, or written from t1; called with jalr t4. Entry N is
 * eight bytes. Registers the fast paths use live in the frame, sp in mscratch. */
.macro READ_GPR n
  .if \n == 0
    li t2, 0
  .elseif \n == 2
    csrr t2, mscratch
  .elseif (\n >= 5 && \n <= 7) || \n == 28 || \n == 29
    ld t2, (\n*8)(sp)
  .else
    mv t2, x\n
  .endif
  jr t4
.endm
.macro WRITE_GPR n
  .if \n == 0
    nop
  .elseif \n == 2
    csrw mscratch, t1
  .elseif (\n >= 5 && \n <= 7) || \n == 28 || \n == 29
    sd t1, (\n*8)(sp)
  .else
    mv x\n, t1
  .endif
  jr t4
.endm
  .align 3
read_gpr_table:
  .altmacro
  .set n, 0
  .rept 32
  READ_GPR %n
  .set n, n+1
  .endr
write_gpr_table:
  .set n, 0
  .rept 32
  WRITE_GPR %n
  .set n, n+1
  .endr
  .noaltmacro
#endif

slow_entry:
  SAVE_X sp, 1, 1
  SAVE_X sp, 3, 4
  SAVE_X sp, 8, 27
  SAVE_X sp, 30, 31
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
