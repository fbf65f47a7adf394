#include "workload.h"

/* Start the measured phase on a timer tick: mtime advances every 10 cycles, so a phase whose work
   waits on the timer would otherwise depend on where in a tick it began. The wait is a wfi that
   the supervisor timer ends (SIE off: no interrupt is taken). */
static void align_to_tick(void)
{
  csr_write(stimecmp, rdtime() + 2);
  csr_set(sie, SIP_STIP);
  while (!(csr_read(sip) & SIP_STIP)) asm volatile("wfi");
  csr_write(stimecmp, -1UL);
  csr_clear(sie, SIP_STIP);
}

int main(void)
{
  workload_setup();
  uart_puts("ready\n");
  warm_up();
  align_to_tick();
  uart_puts("begin\n");
  u64 result = workload_run();
  uart_puts("end\n");
  sig_kv("result", result);
  sig_flush();
  return 0;
}
