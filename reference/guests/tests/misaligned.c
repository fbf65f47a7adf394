/* Misaligned loads and stores complete, as on QEMU (the specification lets them trap or
 * complete): every size at every offset, signed and unsigned, across a page boundary, and
 * compressed forms. Values are checked against byte-wise assembly. */
#include "rt.h"

static uint8_t area[8192 + 64] __attribute__((aligned(4096)));

#define LOAD(insn, T, addr) ({ T v_; __asm__ volatile(insn " %0, 0(%1)" : "=r"(v_) : "r"(addr) : "memory"); v_; })
#define STORE(insn, val, addr) __asm__ volatile(insn " %0, 0(%1)" :: "r"(val), "r"(addr) : "memory")

static uint64_t bytes_le(const uint8_t *p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

int main(void) {
  for (int i = 0; i < (int)sizeof area; i++) area[i] = (uint8_t)(i * 37 + 11);
  uint64_t sum = 0;
  int bad = 0;
  uint64_t starts[2] = { (uint64_t)area + 16, (uint64_t)area + 4096 - 8 };
  for (int s = 0; s < 2; s++) {
    for (int off = 0; off < 8; off++) {
      uint64_t a = starts[s] + off;
      const uint8_t *p = (const uint8_t *)a;
      uint64_t d = LOAD("ld", uint64_t, a);
      int64_t w = LOAD("lw", int64_t, a);
      uint64_t wu = LOAD("lwu", uint64_t, a);
      int64_t h = LOAD("lh", int64_t, a);
      uint64_t hu = LOAD("lhu", uint64_t, a);
      bad += d != bytes_le(p, 8);
      bad += (uint64_t)w != (uint64_t)(int64_t)(int32_t)bytes_le(p, 4);
      bad += wu != bytes_le(p, 4);
      bad += (uint64_t)h != (uint64_t)(int64_t)(int16_t)bytes_le(p, 2);
      bad += hu != bytes_le(p, 2);
      sum = sum * 31 + d + (uint64_t)w + wu + (uint64_t)h + hu;
    }
  }
  printf_("loads: sum %016x mismatches %d\n", sum, (long)bad);
  CHECK_EQ(bad, 0);

  for (int s = 0; s < 2; s++) {
    for (int off = 1; off < 8; off++) {
      uint64_t a = starts[s] + off;
      STORE("sd", 0x0123456789abcdefUL + (uint64_t)off, a);
      CHECK_EQ(bytes_le((const uint8_t *)a, 8), 0x0123456789abcdefUL + (uint64_t)off);
      STORE("sw", 0xdeadbeefUL, a + 1);
      CHECK_EQ(bytes_le((const uint8_t *)a + 1, 4), 0xdeadbeef);
      STORE("sh", 0xa55aUL, a + 2);
      CHECK_EQ(bytes_le((const uint8_t *)a + 2, 2), 0xa55a);
    }
  }
  uint64_t after = 0;
  for (int i = 0; i < (int)sizeof area; i++) after = after * 131 + area[i];
  printf_("stores: image %016x\n", after);
  /* Compressed forms with an odd base. */
  uint64_t v;
  __asm__ volatile("mv a5, %1\n\tc.ld a4, 8(a5)\n\tmv %0, a4" : "=r"(v) : "r"((uint64_t)area + 1) : "a4", "a5", "memory");
  printf_("c.ld at +9: %016x\n", v);
  CHECK_EQ(v, bytes_le(area + 9, 8));
  return failures();
}
