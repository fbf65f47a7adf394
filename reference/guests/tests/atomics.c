/* A extension: every AMO in both widths (results sign-extended for .w; signed and unsigned
 * min/max), LR/SC success, SC without a reservation, SC to another address, a reservation
 * consumed by SC, and an LR/SC increment loop. */
#include "rt.h"

static uint64_t cell[4] __attribute__((aligned(16)));

#define AMO(insn, addr, val) ({ uint64_t o_; __asm__ volatile(insn " %0, %2, (%1)" : "=r"(o_) : "r"(addr), "r"(val) : "memory"); o_; })

static uint64_t lr_d(uint64_t *a) { uint64_t v; __asm__ volatile("lr.d %0, (%1)" : "=r"(v) : "r"(a) : "memory"); return v; }
static uint64_t sc_d(uint64_t *a, uint64_t v) { uint64_t r; __asm__ volatile("sc.d %0, %2, (%1)" : "=r"(r) : "r"(a), "r"(v) : "memory"); return r; }
static uint64_t lr_w(void *a) { uint64_t v; __asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(a) : "memory"); return v; }
static uint64_t sc_w(void *a, uint64_t v) { uint64_t r; __asm__ volatile("sc.w %0, %2, (%1)" : "=r"(r) : "r"(a), "r"(v) : "memory"); return r; }

int main(void) {
  static const uint64_t vals[4] = { 0x0000000180000005UL, 0xfffffffe7ffffff0UL, 5, 0x8000000000000000UL };
  uint64_t h = 0;
  for (int i = 0; i < 4; i++) {
    for (int j = 0; j < 4; j++) {
      uint64_t a = vals[i], b = vals[j], o, m;
#define STEP(insn)                                   \
      cell[0] = a; o = AMO(insn, &cell[0], b); m = cell[0]; \
      h = h * 1000003 + o * 7 + m;                   \
      if (i == 1 && j == 0) printf_("%s old %016x new %016x\n", insn, o, m);
      STEP("amoswap.d") STEP("amoadd.d") STEP("amoxor.d") STEP("amoand.d") STEP("amoor.d")
      STEP("amomin.d") STEP("amomax.d") STEP("amominu.d") STEP("amomaxu.d")
      STEP("amoswap.w") STEP("amoadd.w") STEP("amoxor.w") STEP("amoand.w") STEP("amoor.w")
      STEP("amomin.w") STEP("amomax.w") STEP("amominu.w") STEP("amomaxu.w")
    }
  }
  printf_("AMO hash %016x\n", h);

  cell[1] = 41;
  uint64_t v = lr_d(&cell[1]);
  uint64_t r = sc_d(&cell[1], v + 1);
  printf_("lr/sc.d: loaded %u sc=%u now %u\n", v, r, cell[1]);
  r = sc_d(&cell[1], 99);
  printf_("second sc.d (reservation used): sc=%u now %u\n", r, cell[1]);
  CHECK(r != 0);
  lr_d(&cell[1]);
  r = sc_d(&cell[2], 7);
  printf_("sc.d to another address: sc=%u cell2 %u\n", r, cell[2]);
  CHECK(r != 0);
  cell[2] = 0x0000000080000005UL;
  v = lr_w(&cell[2]);
  r = sc_w(&cell[2], 0x7fffffffUL);
  printf_("lr.w sign-extends %016x; sc.w=%u now %016x\n", v, r, cell[2]);
  for (int i = 0; i < 1000; i++) {
    do { v = lr_d(&cell[3]); } while (sc_d(&cell[3], v + 3) != 0);
  }
  printf_("lr/sc loop: %u\n", cell[3]);
  CHECK_EQ(cell[3], 3000);
  return failures();
}
