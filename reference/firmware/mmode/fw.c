/* The M-mode part of the Microvisor: start a kernel that owns M-mode, take the machine from it
 * through the doorbell's RNMI (virtualize), run its M-mode code deprivileged with
 * trap-and-emulate, and give the machine back (devirtualize). */
#include "fw.h"
#include "platform.h"

struct vmachine vm __attribute__((section(".bss.fast.vm")));

/* entry.S's fast paths address these fields by the offsets in vm-layout.h. */
#define LAYOUT(field, off) _Static_assert(__builtin_offsetof(struct vmachine, field) == off, #field " moved: update vm-layout.h")
LAYOUT(in_vm, VM_IN_VM); LAYOUT(mstatus, VM_MSTATUS); LAYOUT(mideleg, VM_MIDELEG); LAYOUT(mie, VM_MIE);
LAYOUT(mscratch, VM_MSCRATCH); LAYOUT(mepc, VM_MSCRATCH + 8); LAYOUT(mcause, VM_MSCRATCH + 16);
LAYOUT(mtval, VM_MTVAL); LAYOUT(virtualized, VM_VIRTUALIZED);
_Static_assert(sizeof(struct vmachine) == SU_FROM_FRAME - VM_FROM_FRAME, "struct vmachine resized: update vm-layout.h");
LAYOUT(medeleg, VM_MEDELEG); LAYOUT(mtvec, VM_MTVEC); LAYOUT(mepc, VM_MEPC); LAYOUT(mcause, VM_MCAUSE); LAYOUT(satp, VM_SATP);
struct mv_stats mv_stats;
volatile u64 deferred_request __attribute__((section(".bss.fast.deferred")));
volatile u64 transition_served;

#define mmio32(a) (*(volatile u32 *)(a))

static void defer(u64 request);

void fw_boot(struct frame *f, u64 hartid, u64 fdt, u64 fw_dynamic) {
  /* The doorbell raises RNMIs from now on: the firmware's only way back in while dormant. */
  mmio32(DOORBELL_BASE + DOORBELL_MODE) = DOORBELL_MODE_RNMI;
  /* A ring before that raised the doorbell's interrupt line instead: take it as a request
   * (served before the kernel's first instruction) and lower the line, which the kernel must
   * never see. */
  if (csr_read(mip) & (1UL << IRQ_DOORBELL)) {
    u64 cause = mmio32(DOORBELL_BASE + DOORBELL_CAUSE) & 0xff;
    mmio32(DOORBELL_BASE + DOORBELL_ACK) = 1;
    if (cause) defer(cause);
  }
  for (int i = 0; i < 32; i++) f->x[i] = 0;
  /* Exactly what QEMU virt's boot ROM leaves for a -bios none kernel. */
  f->x[5] = RAM_BASE;
  f->x[10] = hartid;
  f->x[11] = fdt;
  f->x[12] = fw_dynamic;
  f->pc = RAM_BASE;
  f->priv = PRV_M;
}

/* Real mie while virtualized: in its M-mode code the kernel takes only its enabled, undelegated
 * interrupts, and only with MIE set; in S/U it takes every enabled one (delegated ones natively). */
void vm_set_real_mie(void) {
  u64 m;
  if (vm.in_vm) m = (vm.mstatus & MSTATUS_MIE) ? (vm.mie & ~vm.mideleg) : 0;
  else m = vm.mie;
  csr_write(mie, m);
}

/* S-mode writes sie natively while the kernel runs in S/U: take those bits back into the
 * virtual mie whenever the firmware gets control from there. */
static void sync_from_su(void) {
  vm.mie = (vm.mie & ~vm.mideleg) | (csr_read(mie) & vm.mideleg);
}

static void enter_vm_config(void) {
  vm.in_vm = 1;
  vm.satp = csr_read(satp);
  csr_write(satp, 0);
  csr_write(medeleg, 0);
  csr_write(mideleg, 0);
  csr_clear(mstatus, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPRV);
  pmp_load_vm_view();
  vm_set_real_mie();
  __asm__ volatile("sfence.vma" ::: "memory");
}

static void enter_su_config(void) {
  if (vm.in_vm) csr_write(satp, vm.satp);
  vm.in_vm = 0;
  csr_write(medeleg, vm.medeleg);
  csr_write(mideleg, vm.mideleg);
  csr_clear(mstatus, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPRV);
  csr_set(mstatus, vm.mstatus & (MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR));
  pmp_load_su_view();
  vm_set_real_mie();
  __asm__ volatile("sfence.vma" ::: "memory");
}

/* Continue the kernel at (pc, priv) of the virtual machine: M runs deprivileged in U. */
static void resume_at(struct frame *f, u64 pc, u64 vpriv) {
  f->pc = pc;
  if (vpriv == PRV_M) {
    if (!vm.in_vm) enter_vm_config();
    f->priv = PRV_U;
  } else {
    if (vm.in_vm) enter_su_config();
    f->priv = vpriv;
  }
}

static void virtualize(struct frame *f) {
  if (vm.virtualized) return;
  /* A locked PMP entry binds M-mode and cannot be rewritten until reset: the firmware could
   * neither protect itself nor build the kernel's views, so it stays dormant. */
  if ((csr_read(pmpcfg0) | csr_read(pmpcfg2)) & 0x8080808080808080UL) { vm.refused++; return; }
  u64 ms = csr_read(mstatus);
  vm.mstatus = ms & MS_VIRTUAL;
  vm.medeleg = csr_read(medeleg);
  vm.mideleg = csr_read(mideleg);
  vm.mie = csr_read(mie) & ~(1UL << IRQ_DOORBELL);
  vm.mtvec = csr_read(mtvec);
  vm.mscratch = csr_read(mscratch);
  vm.mepc = csr_read(mepc);
  vm.mcause = csr_read(mcause);
  vm.mtval = csr_read(mtval);
  vm.pmpcfg[0] = csr_read(pmpcfg0);
  vm.pmpcfg[1] = csr_read(pmpcfg2);
#define SAVE_ADDR(i) vm.pmpaddr[i] = csr_read(pmpaddr##i)
  SAVE_ADDR(0); SAVE_ADDR(1); SAVE_ADDR(2); SAVE_ADDR(3); SAVE_ADDR(4); SAVE_ADDR(5); SAVE_ADDR(6); SAVE_ADDR(7);
  SAVE_ADDR(8); SAVE_ADDR(9); SAVE_ADDR(10); SAVE_ADDR(11); SAVE_ADDR(12); SAVE_ADDR(13); SAVE_ADDR(14); SAVE_ADDR(15);
  vpmp_changed();
  vm.virtualized = 1;
  mv_stats.virtualizations++;
  transition_served = DOORBELL_CAUSE_VIRTUALIZE;
  /* From here on, traps from the kernel come to the firmware; M-level interrupts reach it only
   * from S/U, so real MIE stays clear. */
  csr_write(mscratch, (u64)&trap_frame);
  csr_write(mtvec, (u64)trap_entry);
  csr_clear(mstatus, MSTATUS_MIE);
  vm.in_vm = 0;
  if (f->priv == PRV_M) { enter_vm_config(); f->priv = PRV_U; }
  else enter_su_config();
}

static void devirtualize(struct frame *f) {
  if (!vm.virtualized) return;
  u64 priv = f->priv;
  if (vm.in_vm) { csr_write(satp, vm.satp); priv = PRV_M; }
  else sync_from_su();
  vm.in_vm = 0;
  pmp_load_virtual();
  u64 ms = csr_read(mstatus);
  csr_write(mstatus, (ms & ~MS_VIRTUAL) | vm.mstatus);
  csr_write(medeleg, vm.medeleg);
  csr_write(mideleg, vm.mideleg);
  csr_write(mie, vm.mie);
  csr_write(mtvec, vm.mtvec);
  csr_write(mscratch, vm.mscratch);
  csr_write(mepc, vm.mepc);
  csr_write(mcause, vm.mcause);
  csr_write(mtval, vm.mtval);
  __asm__ volatile("sfence.vma" ::: "memory");
  vm.virtualized = 0;
  mv_stats.devirtualizations++;
  transition_served = DOORBELL_CAUSE_DEVIRTUALIZE;
  f->priv = priv;
}

static void serve(struct frame *f, u64 request) {
  if (request == DOORBELL_CAUSE_VIRTUALIZE) virtualize(f);
  else if (request == DOORBELL_CAUSE_DEVIRTUALIZE) devirtualize(f);
}

/* Requests that arrived while the firmware itself was running, served on its way out. */
void fw_serve_deferred(struct frame *f) {
  while (deferred_request) {
    u64 r = deferred_request & 0xff;
    deferred_request >>= 8;
    serve(f, r);
  }
}

static void defer(u64 request) {
  u64 d = deferred_request;
  int shift = 0;
  while ((d >> shift) & 0xff) shift += 8;
  if (shift < 64) deferred_request = d | (request << shift);
}

void fw_rnmi(struct frame *f) {
  u64 request = csr_read(CSR_MNCAUSE) & 0xff;   /* mncause: the doorbell's cause */
  mv_stats.doorbells++;
  u64 pc = f->pc;
  int in_firmware = f->priv == PRV_M && pc >= FW_RAM_BASE && pc < FW_RAM_BASE + FW_RAM_SIZE;
  if (in_firmware) {
    if (pc >= (u64)trap_exit && pc <= (u64)trap_exit_end) {
      /* The trap path had finished: this RNMI interrupted the kernel where that path was
       * returning to. Adopt its context and abandon the rest of the path. */
      *f = trap_frame;
      fw_serve_deferred(f);
#ifndef NO_FAST_PATH
    } else if (pc >= (u64)fast_window && pc <= (u64)fast_window_end) {
      /* A fast path had finished: the registers are the kernel's but for t0 (still in the trap
       * frame before fast_window's load) and sp (in mscratch before the csrrw); it resumes at
       * mepc with the privilege in mstatus.MPP (U for its M-mode code, else its S or U). */
      if (pc == (u64)fast_window) f->x[5] = trap_frame.x[5];
      if (pc < (u64)fast_window_end) { f->x[2] = csr_read(mscratch); csr_write(mscratch, (u64)&trap_frame); }
      f->pc = csr_read(mepc);
      f->priv = (csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
      fw_serve_deferred(f);
#endif
    } else {
      defer(request);
      return;
    }
  }
  serve(f, request);
}

/* Deliver a trap to the kernel's virtual M-mode. */
void vm_inject(struct frame *f, u64 cause, u64 tval, u64 from_priv) {
  vm.mepc = f->pc;
#ifdef BUG_MEPC_OFF_BY_ONE
  /* Deliberate fault for the negative tests: an ecall delivered with mepc past it. */
  if (cause == EXC_ECALL_U || cause == EXC_ECALL_S || cause == EXC_ECALL_M) vm.mepc += 4;
#endif
  vm.mcause = cause;
  vm.mtval = tval;
  u64 ms = vm.mstatus;
  ms = (ms & MSTATUS_MIE) ? (ms | MSTATUS_MPIE) : (ms & ~MSTATUS_MPIE);
  ms &= ~(MSTATUS_MIE | MSTATUS_MPP);
  ms |= from_priv << MSTATUS_MPP_SHIFT;
  vm.mstatus = ms;
  u64 base = vm.mtvec & ~3UL;
  u64 target = ((cause & CAUSE_INTERRUPT) && (vm.mtvec & 3) == 1) ? base + 4 * (cause & 0xff) : base;
  resume_at(f, target, PRV_M);
  vm_set_real_mie();
}

static void emulate_mret(struct frame *f) {
  u64 ms = vm.mstatus;
  u64 mpp = (ms & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
  ms = (ms & MSTATUS_MPIE) ? (ms | MSTATUS_MIE) : (ms & ~MSTATUS_MIE);
  ms = (ms | MSTATUS_MPIE) & ~MSTATUS_MPP;
  if (mpp != PRV_M) ms &= ~MSTATUS_MPRV;
  vm.mstatus = ms;
  resume_at(f, vm.mepc, mpp);
  vm_set_real_mie();
}

static void emulate_sret(struct frame *f) {
  u64 ms = csr_read(mstatus);
  u64 spp = (ms & MSTATUS_SPP) ? PRV_S : PRV_U;
  ms = (ms & MSTATUS_SPIE) ? (ms | MSTATUS_SIE) : (ms & ~MSTATUS_SIE);
  ms = (ms | MSTATUS_SPIE) & ~MSTATUS_SPP;
  csr_write(mstatus, ms);
  vm.mstatus &= ~MSTATUS_MPRV;
  resume_at(f, csr_read(sepc), spp);
  vm_set_real_mie();
}

/* WFI of the virtual M-mode: wait, in M-mode, for anything the kernel has enabled in mie. */
static void emulate_wfi(void) {
  csr_write(mie, vm.mie);
  __asm__ volatile("wfi");
  vm_set_real_mie();
}

#define INSN_MRET 0x30200073u
#define INSN_SRET 0x10200073u
#define INSN_WFI  0x10500073u

static void trap_from_vm(struct frame *f, u64 cause, u64 tval) {
  int len;
  if (cause == EXC_ILLEGAL) {
    u32 insn = insn_fetch(f->pc, &len);
    vm.emulated++;
    if (insn == INSN_MRET) { emulate_mret(f); return; }
    if (insn == INSN_SRET) { emulate_sret(f); return; }
    if (insn == INSN_WFI) { f->pc += 4; emulate_wfi(); return; }
    if ((insn & 0xfe007fffu) == 0x12000073u) { __asm__ volatile("sfence.vma" ::: "memory"); f->pc += 4; return; }
    if ((insn & 0x7f) == 0x73 && (insn & 0x3000) != 0 && vcsr_emulate(f, insn)) { f->pc += 4; return; }
    vm.emulated--;
    vm_inject(f, EXC_ILLEGAL, tval, PRV_M);
    return;
  }
  if (cause == EXC_ECALL_U) { vm_inject(f, EXC_ECALL_M, 0, PRV_M); return; }
  vm_inject(f, cause, tval, PRV_M);
}

void fw_trap(struct frame *f) {
  u64 cause = csr_read(mcause);
  u64 tval = csr_read(mtval);
  if (f->priv == PRV_M || !vm.virtualized) {
    /* A trap of the firmware itself: a bug. Stop the machine rather than run on. */
    *(volatile u32 *)TEST_BASE = (0xf1 << 16) | FINISHER_FAIL;
    for (;;) {}
  }
  if (vm.in_vm) {
    if (cause & CAUSE_INTERRUPT) vm_inject(f, cause, 0, PRV_M);
    else trap_from_vm(f, cause, tval);
    return;
  }
  /* From the kernel's own S/U code: everything here is what its M-mode would have received. */
  sync_from_su();
  vm_inject(f, cause, (cause & CAUSE_INTERRUPT) ? 0 : tval, f->priv);
}
