/* PMP: NAPOT, NA4 and TOR regions, the lowest-numbered match deciding, S/U checked and M not
 * (unless locked), the implicit walk accesses of Sv39 checked too, and lock. WARL read-back of
 * pmpaddr and reserved pmpcfg values is in warl-masks.c. */
#include "rt.h"

#define NAPOT(base, size) (((uint64_t)(base) >> 2) | (((uint64_t)(size) >> 3) - 1))
#define CFG(i, v) ((uint64_t)(v) << (8 * (i)))
enum { R = 1, W = 2, X = 4, OFF = 0, TOR = 0x08, NA4 = 0x10, NAPOT_ = 0x18, L = 0x80 };

static uint64_t buf_a[512] __attribute__((aligned(4096)));
static uint64_t buf_b[512] __attribute__((aligned(4096)));
static uint64_t buf_c[1024] __attribute__((aligned(4096)));
static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1_denied[512] __attribute__((aligned(4096)));

static uint64_t ld(uint64_t a) { uint64_t v = 0xdead; __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static uint32_t lw(uint64_t a) { uint32_t v = 0xdead; __asm__ volatile("lw %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static void sd(uint64_t a, uint64_t v) { __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }

static void show(const char *what) {
  printf_("%s: traps=%u cause=%x tval=%x\n", what, m_rec.count, m_rec.cause, m_rec.tval);
  m_rec.count = 0; m_rec.cause = 0; m_rec.tval = 0;
}

static long probes(long mode) {
  ld((uint64_t)&buf_a[3]); show(mode ? "S ld NAPOT R" : "U ld NAPOT R");
  sd((uint64_t)&buf_a[3], 1); show(mode ? "S sd NAPOT R" : "U sd NAPOT R");
  lw((uint64_t)&buf_a[8]); show("lw NA4 (no access, entry 0 wins over entry 1)");
  ld((uint64_t)&buf_a[9]); show("ld the word after NA4");
  ld((uint64_t)&buf_b[0]); show("ld TOR X-only");
  ((void (*)(void))&buf_b[0])(); show("fetch TOR X-only (ret)");
  ld((uint64_t)&buf_c[0]); show("ld past TOR end");
  /* An 8-byte access straddling the NA4 word and the R region: must be wholly inside one entry. */
  ld((uint64_t)&buf_a[7] + 4); show("ld straddling NA4");
  return 0;
}

static long s_paged(long arg) {
  (void)arg;
  ld(0xc0000000UL + ((uint64_t)buf_c - RAM_BASE)); show("S load through a page table PMP denies");
  return 0;
}

int main(void) {
  m_expected = (1UL << 1) | (1UL << 5) | (1UL << 7);
  buf_b[0] = 0x8067; /* ret */

  csr_write(pmpaddr0, (uint64_t)&buf_a[8] >> 2);               /* NA4, no access */
  csr_write(pmpaddr1, NAPOT(buf_a, 4096));                      /* NAPOT 4K, R */
  csr_write(pmpaddr2, (uint64_t)buf_b >> 2);                    /* TOR base */
  csr_write(pmpaddr3, ((uint64_t)buf_b + 4096) >> 2);           /* TOR top, X */
  csr_write(pmpaddr15, ~0UL);                                   /* everything else */
  csr_write(pmpcfg0, CFG(0, NA4) | CFG(1, NAPOT_ | R) | CFG(2, OFF) | CFG(3, TOR | X));
  csr_write(pmpcfg2, CFG(7, NAPOT_ | R | W | X));
  printf_("pmpcfg0 %x pmpcfg2 %x pmpaddr1 %x\n", csr_read(pmpcfg0), csr_read(pmpcfg2), csr_read(pmpaddr1));
  buf_c[0] = 0xcc;

  sd((uint64_t)&buf_a[3], 0x77); show("M sd NAPOT R (M unchecked)");
  lw((uint64_t)&buf_a[8]); show("M lw NA4 (M unchecked)");
  ld((uint64_t)&buf_a[8]); show("M ld half in NA4 (a partial match fails, even for M)");
  run_in_mode(PRV_S, probes, 1);
  run_in_mode(PRV_U, probes, 0);

  /* Page-table walks are checked as S-mode loads: deny a second-level table, keep the data. */
  root[2] = (RAM_BASE >> 12) << 10 | 0xcf;
  root[3] = ((uint64_t)l1_denied >> 12) << 10 | 1;
  l1_denied[0] = (RAM_BASE >> 12) << 10 | 0xcf;
  root[0] = 0xc7; /* devices, identity */
  csr_write(pmpaddr4, NAPOT(l1_denied, 4096));
  csr_write(pmpcfg0, csr_read(pmpcfg0) | CFG(4, NAPOT_));
  csr_write(satp, (8UL << 60) | ((uint64_t)root >> 12));
  sfence_vma();
  run_in_mode(PRV_S, s_paged, 0);
  csr_write(satp, 0);
  sfence_vma();

  /* Lock: an NA4 entry with no permissions binds M too, and ignores writes until reset. */
  csr_write(pmpaddr5, (uint64_t)&buf_c[4] >> 2);
  csr_write(pmpcfg0, csr_read(pmpcfg0) | CFG(5, NA4 | L));
  lw((uint64_t)&buf_c[4]); show("M lw locked NA4");
  sd((uint64_t)&buf_c[4], 1); show("M sd locked NA4");
  ld((uint64_t)&buf_c[5]); show("M ld next to it");
  csr_write(pmpaddr5, 0);
  csr_write(pmpcfg0, csr_read(pmpcfg0) & ~CFG(5, 0xff));
  printf_("after writes to a locked entry: cfg5 %x addr5 matches %d\n", (csr_read(pmpcfg0) >> 40) & 0xff,
          (long)(csr_read(pmpaddr5) == ((uint64_t)&buf_c[4] >> 2)));
  return failures();
}
