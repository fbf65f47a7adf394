/* Reading the kernel's instructions for emulation. Its M-mode code runs with bare
 * translation, so a virtual pc is a physical address the firmware can read directly. */
#include "fw.h"
#include "platform.h"

u32 insn_fetch(u64 pc, int *len) {
  u32 lo = *(volatile u16 *)pc;
  if ((lo & 3) != 3) { *len = 2; return lo; }
  *len = 4;
  return lo | ((u32)*(volatile u16 *)(pc + 2) << 16);
}
