/* Self-modifying code: instructions written by stores run after fence.i, including a
 * compressed one replacing half of a 32-bit one, code rewritten in a loop, and code copied
 * to a fresh buffer. */
#include "rt.h"

static uint32_t code[64] __attribute__((aligned(64)));

static uint64_t call(void *p, uint64_t a) { return ((uint64_t (*)(uint64_t))p)(a); }
/* addi a0, a0, imm */
static uint32_t addi_a0(int imm) { return ((uint32_t)(imm & 0xfff) << 20) | (10 << 15) | (10 << 7) | 0x13; }
#define RET 0x00008067u

int main(void) {
  code[0] = addi_a0(5); code[1] = RET;
  fence_i();
  printf_("addi 5: %u\n", call(code, 10));
  code[0] = addi_a0(100);
  fence_i();
  printf_("rewritten to addi 100: %u\n", call(code, 10));
  uint64_t total = 0;
  for (int i = 0; i < 50; i++) {
    code[0] = addi_a0(i);
    fence_i();
    total += call(code, 1000);
  }
  printf_("rewritten 50 times: %u\n", total);
  CHECK_EQ(total, 50 * 1000 + 49 * 50 / 2);
  /* c.addi a0, 3 (0x050d) then c.nop (0x0001) in place of the 32-bit addi. */
  code[0] = 0x0001050du;
  fence_i();
  printf_("compressed c.addi 3 + c.nop: %u\n", call(code, 10));
  /* A straddling 32-bit instruction after a compressed one: c.nop; addi a0, a0, 7; ret. */
  uint16_t *h = (uint16_t *)code;
  uint32_t ins = addi_a0(7);
  h[0] = 0x0001; h[1] = (uint16_t)ins; h[2] = (uint16_t)(ins >> 16); h[3] = (uint16_t)RET; h[4] = (uint16_t)(RET >> 16);
  fence_i();
  printf_("c.nop; addi 7 at +2: %u\n", call(code, 10));
  /* Copy a function's code and run the copy. */
  code[10] = addi_a0(-1); code[11] = addi_a0(-1); code[12] = RET;
  fence_i();
  printf_("copy: %u\n", call(&code[10], 10));
  return failures();
}
