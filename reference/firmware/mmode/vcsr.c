/* CSR instructions of the kernel's virtual M-mode. The virtual M-mode registers live in `vm`;
 * S-mode registers are the real ones (they are the kernel's, untouched by the firmware); WARL
 * legalisation is the hardware's own wherever it can be: the value is written to the real
 * register and read back, then the firmware's value is put back. */
#include "fw.h"
#include "platform.h"

#define RD(n) case n: return csr_read(n)
#define MIP_DOORBELL (1UL << IRQ_DOORBELL)

static int exists_counter(u32 n) {
  return (n >= 0xc00 && n <= 0xc1f) || (n >= 0xb00 && n <= 0xb1f && n != 0xb01) || (n >= 0x323 && n <= 0x33f) || n == 0x320;
}

/* Real reads of registers the firmware passes through, by number. */
static u64 real_read(u32 n, int *ok) {
  *ok = 1;
  switch (n) {
    case 0x100: return csr_read(sstatus);
    case 0x105: return csr_read(stvec);
    case 0x106: return csr_read(scounteren);
    case 0x10a: return csr_read(0x10a);
    case 0x140: return csr_read(sscratch);
    case 0x141: return csr_read(sepc);
    case 0x142: return csr_read(scause);
    case 0x143: return csr_read(stval);
    case 0x14d: return csr_read(0x14d);
    case 0x301: return csr_read(misa);
    case 0x306: return csr_read(mcounteren);
    case 0x30a: return csr_read(0x30a);
    case 0xf11: return csr_read(mvendorid);
    case 0xf12: return csr_read(marchid);
    case 0xf13: return csr_read(mimpid);
    case 0xf14: return csr_read(mhartid);
    case 0xf15: return 0;
    case 0xc00: case 0xb00: return csr_read(mcycle);
    case 0xc01: return csr_read(time);
    case 0xc02: case 0xb02: return csr_read(minstret);
    case CSR_MNSCRATCH: return csr_read(CSR_MNSCRATCH);
    case CSR_MNEPC: return csr_read(CSR_MNEPC);
    case CSR_MNCAUSE: return csr_read(CSR_MNCAUSE);
    case CSR_MNSTATUS: return csr_read(CSR_MNSTATUS);
    case 0x7a0: case 0x7a1: case 0x7a2: case 0x7a3: return 0;
  }
  if (exists_counter(n)) return 0;
  *ok = 0;
  return 0;
}

static void real_write(u32 n, u64 v) {
  switch (n) {
    case 0x100: csr_write(sstatus, v); break;
    case 0x105: csr_write(stvec, v); break;
    case 0x106: csr_write(scounteren, v); break;
    case 0x10a: csr_write(0x10a, v); break;
    case 0x140: csr_write(sscratch, v); break;
    case 0x141: csr_write(sepc, v); break;
    case 0x142: csr_write(scause, v); break;
    case 0x143: csr_write(stval, v); break;
    case 0x14d: csr_write(0x14d, v); break;
    case 0x306: csr_write(mcounteren, v); break;
    case 0x30a: csr_write(0x30a, v); break;
    case 0xb00: csr_write(mcycle, v); break;
    case 0xb02: csr_write(minstret, v); break;
    /* Smrnmi belongs to the firmware: the kernel's writes are dropped (conformance/mmode-kernels.md). */
  }
}

static u64 pmpaddr_index_read(int i) { return vm.pmpaddr[i]; }

static int vread(u32 n, u64 *out) {
  int ok = 1;
  switch (n) {
    case 0x300: *out = (csr_read(mstatus) & ~MS_VIRTUAL) | vm.mstatus; return 1;
    case 0x302: *out = vm.medeleg; return 1;
    case 0x303: *out = vm.mideleg; return 1;
    case 0x304: *out = vm.mie; return 1;
    case 0x305: *out = vm.mtvec; return 1;
    case 0x340: *out = vm.mscratch; return 1;
    case 0x341: *out = vm.mepc; return 1;
    case 0x342: *out = vm.mcause; return 1;
    case 0x343: *out = vm.mtval; return 1;
    case 0x344: *out = csr_read(mip) & ~MIP_DOORBELL; return 1;
    case 0x104: *out = vm.mie & vm.mideleg; return 1;
    case 0x144: *out = csr_read(mip) & vm.mideleg; return 1;
    case 0x180: *out = vm.satp; return 1;
    case 0x3a0: *out = vm.pmpcfg[0]; return 1;
    case 0x3a2: *out = vm.pmpcfg[1]; return 1;
  }
  if (n >= 0x3b0 && n <= 0x3bf) { *out = pmpaddr_index_read(n - 0x3b0); return 1; }
  *out = real_read(n, &ok);
  return ok;
}

/* Writes to mip and sip reach only the software-writable bits, exactly as csrrw/csrrs/csrrc on
 * the real register do; `kind` 0 write, 1 set, 2 clear. */
static void mip_op(int kind, u64 v) {
  if (kind == 0) csr_write(mip, v);
  else if (kind == 1) csr_set(mip, v);
  else csr_clear(mip, v);
}

static void vwrite(u32 n, u64 v, int kind, u64 operand) {
  u64 t;
  switch (n) {
    case 0x300: {
      u64 mpp = (v & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
      if (mpp == 2) v = (v & ~MSTATUS_MPP) | (vm.mstatus & MSTATUS_MPP);
      vm.mstatus = v & MS_VIRTUAL;
      u64 real = csr_read(mstatus);
      csr_write(mstatus, (real & ~MS_SFIELDS) | (v & MS_SFIELDS));
      vm_set_real_mie();
      return;
    }
    case 0x302: csr_write(medeleg, v); vm.medeleg = csr_read(medeleg); csr_write(medeleg, 0); return;
    case 0x303: csr_write(mideleg, v); vm.mideleg = csr_read(mideleg); csr_write(mideleg, 0); vm_set_real_mie(); return;
    case 0x304:
      csr_write(mie, v);
      vm.mie = csr_read(mie) & ~MIP_DOORBELL;
#ifdef BUG_LOSE_MSIE
      /* Deliberate fault for the negative tests: the virtual MSIE bit is lost. */
      vm.mie &= ~(1UL << IRQ_MSI);
#endif
      vm_set_real_mie();
      return;
    case 0x305:
      /* mtvec ignores a write of a reserved mode, so legalise against the kernel's value. */
      t = csr_read(mtvec);
      csr_write(mtvec, vm.mtvec);
      csr_write(mtvec, v);
      vm.mtvec = csr_read(mtvec);
      csr_write(mtvec, t);
      return;
    case 0x340: vm.mscratch = v; return;
    case 0x341: vm.mepc = v & ~1UL; return;
    case 0x342: vm.mcause = v; return;
    case 0x343: vm.mtval = v; return;
    case 0x344: mip_op(kind, (kind == 0 ? v : operand) & ~MIP_DOORBELL); return;
    case 0x104: vm.mie = (vm.mie & ~vm.mideleg) | (v & vm.mideleg & 0x222); vm_set_real_mie(); return;
    case 0x144: {
      u64 m = vm.mideleg & MIP_SSIP;
      if (kind == 0) { csr_clear(mip, m & ~v); csr_set(mip, m & v); }
      else mip_op(kind, operand & m);
      return;
    }
    case 0x180: csr_write(satp, v); t = csr_read(satp); csr_write(satp, 0); if (t != 0 || (v >> 60) == 0) vm.satp = t; return;
    case 0x3a0: case 0x3a2: { int r = (n - 0x3a0) >> 1; vm.pmpcfg[r] = vpmp_legal_cfg(vm.pmpcfg[r], v); vpmp_changed(); return; }
  }
  if (n >= 0x3b0 && n <= 0x3bf) { int i = n - 0x3b0; if (!vpmp_addr_locked(i)) vm.pmpaddr[i] = v & ((1UL << 54) - 1); vpmp_changed(); return; }
  real_write(n, v);
}

int vcsr_emulate(struct frame *f, u32 insn) {
  u32 n = insn >> 20, f3 = (insn >> 12) & 7, rd = (insn >> 7) & 31, src = (insn >> 15) & 31;
  int kind = (f3 & 3) - 1;                 /* 0 write, 1 set, 2 clear */
  u64 operand = (f3 & 4) ? src : f->x[src];
  int writes = kind == 0 || src != 0;
  u64 old;
  if (!vread(n, &old)) return 0;
  if (writes && (n >> 10) == 3) return 0;
  if (writes) {
    u64 nv = kind == 0 ? operand : kind == 1 ? (old | operand) : (old & ~operand);
    vwrite(n, nv, kind, operand);
  }
  if (rd != 0) f->x[rd] = old;
  return 1;
}
