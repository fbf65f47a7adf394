/* Counters: mcycle/minstret/time advance and are writable in M; cycle/time/instret in S and U
 * are gated by mcounteren and scounteren (illegal instruction otherwise). Only orders are
 * printed: QEMU's counters follow the host's time. */
#include "rt.h"

static long rd_cycle(long a) { (void)a; return (long)csr_read(cycle); }
static long rd_time(long a) { (void)a; return (long)csr_read(time); }
static long rd_instret(long a) { (void)a; return (long)csr_read(instret); }
static long (*const readers[3])(long) = { rd_cycle, rd_time, rd_instret };
static const char *const names[3] = { "cycle", "time", "instret" };

static void gate(int mode, uint64_t mcen, uint64_t scen) {
  csr_write(mcounteren, mcen);
  csr_write(scounteren, scen);
  printf_("mode %d mcounteren=%x scounteren=%x:", (long)mode, mcen, scen);
  for (int i = 0; i < 3; i++) {
    run_in_mode(mode, readers[i], 0);
    printf_(" %s %s", names[i], m_rec.count ? "traps" : "reads");
    m_rec.count = 0;
  }
  printf_("\n");
}

int main(void) {
  m_expected = 1UL << 2;
  uint64_t c0 = csr_read(mcycle), i0 = csr_read(minstret), t0 = csr_read(time);
  for (volatile int i = 0; i < 1000; i++) {}
  uint64_t c1 = csr_read(mcycle), i1 = csr_read(minstret), t1 = csr_read(time);
  printf_("advance: mcycle %d minstret %d time %d\n", (long)(c1 > c0), (long)(i1 > i0), (long)(t1 >= t0));
  printf_("user views equal machine ones in order: cycle %d instret %d\n",
          (long)(csr_read(cycle) >= c1), (long)(csr_read(instret) >= i1));
  csr_write(minstret, 1000000);
  uint64_t w = csr_read(minstret);
  printf_("minstret after writing 1000000: >= %d\n", (long)(w >= 1000000));
  csr_write(mcycle, 0);
  printf_("mcycle after writing 0: small %d\n", (long)(csr_read(mcycle) < 1000000000UL));
  csr_write(mcounteren, 7);
  printf_("mcounteren 7 reads %x\n", csr_read(mcounteren) & 7);

  gate(PRV_S, 0, 0);
  gate(PRV_S, 7, 0);
  gate(PRV_S, 5, 0);
  gate(PRV_U, 7, 0);
  gate(PRV_U, 7, 7);
  gate(PRV_U, 2, 7);
  gate(PRV_U, 0, 7);
  csr_write(mcounteren, 0);
  csr_write(scounteren, 0);
  return failures();
}
