/* Timer-interrupt heavy: the kernel re-arms the SBI timer 400 times, 20 us apart, and waits in
   wfi for each supervisor timer interrupt. */
#include "workload.h"

static volatile u64 ticks;
static void on_irq(u64 code)
{
  if (code == 5) { ticks++; sbi_call(EXT_TIME, 0, ticks < 400 ? rdtime() + 200 : -1UL, 0, 0); }
}
void workload_setup(void) { irq_hook = on_irq; }
u64 workload_run(void)
{
  sbi_call(EXT_TIME, 0, rdtime() + 200, 0, 0);
  csr_set(sie, SIP_STIP);
  WAIT_UNTIL(ticks >= 400);
  csr_clear(sie, SIP_STIP);
  return ticks;
}
