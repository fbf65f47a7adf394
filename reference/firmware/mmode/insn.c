/* Reading and decoding the kernel's instructions for emulation. Its M-mode code runs with bare
 * translation, so a virtual pc is a physical address the firmware can read directly. */
#include "fw.h"
#include "platform.h"

u32 insn_fetch(u64 pc, int *len) {
  u32 lo = *(volatile u16 *)pc;
  if ((lo & 3) != 3) { *len = 2; return lo; }
  *len = 4;
  return lo | ((u32)*(volatile u16 *)(pc + 2) << 16);
}

static u64 read_width(u64 addr, int size) {
  switch (size) {
    case 1: return *(volatile unsigned char *)addr;
    case 2: return *(volatile u16 *)addr;
    case 4: return *(volatile u32 *)addr;
    default: return *(volatile u64 *)addr;
  }
}

static void write_width(u64 addr, int size, u64 v) {
  switch (size) {
    case 1: *(volatile unsigned char *)addr = v; break;
    case 2: *(volatile u16 *)addr = v; break;
    case 4: *(volatile u32 *)addr = v; break;
    default: *(volatile u64 *)addr = v; break;
  }
}

/* A load or store of the kernel's M-mode code to the CLINT. The single instance's CLINT is the
 * real one, so the access is performed for it; the firmware keeps its own copy of mtimecmp
 * (the M timer is the firmware's once a second instance needs time slices). */
int clint_emulate(struct frame *f, u32 insn, int len, u64 addr) {
  int store, size, reg, sign = 0;
  if (len == 4) {
    u32 op = insn & 0x7f, f3 = (insn >> 12) & 7;
    if (op == 0x03) { store = 0; size = 1 << (f3 & 3); sign = !(f3 & 4) && size < 8; reg = (insn >> 7) & 31; if (f3 == 7) return 0; }
    else if (op == 0x23) { store = 1; size = 1 << (f3 & 3); reg = (insn >> 20) & 31; if (f3 > 3) return 0; }
    else return 0;
  } else {
    u32 q = insn & 3, f3 = (insn >> 13) & 7;
    if (q == 0) { reg = 8 + ((insn >> 2) & 7); }
    else if (q == 2) { reg = f3 >= 6 ? (insn >> 2) & 31 : (insn >> 7) & 31; }
    else return 0;
    switch (f3) {
      case 2: store = 0; size = 4; sign = 1; break;
      case 3: store = 0; size = 8; break;
      case 6: store = 1; size = 4; break;
      case 7: store = 1; size = 8; break;
      default: return 0;
    }
  }
  if (addr & (size - 1)) return 0;
  if (store) {
    write_width(addr, size, f->x[reg]);
    if (addr >= CLINT_MTIMECMP && addr < CLINT_MTIMECMP + 8) vm.mtimecmp = *(volatile u64 *)CLINT_MTIMECMP;
  } else if (reg != 0) {
    u64 v = read_width(addr, size);
    if (sign) { int sh = 64 - 8 * size; v = (u64)((s64)(v << sh) >> sh); }
    f->x[reg] = v;
  }
  return 1;
}
