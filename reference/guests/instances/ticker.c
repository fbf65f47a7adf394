/* A timer-driven instance 0: every millisecond of its supervisor timer it counts a tick, and every
   ten ticks it prints "tick N" on the UART, sleeping in wfi in between (which yields the hart to
   an instance 1 beside it). It stops after `ticker_limit` ticks (0: never; a test patches it). */
#include "instances.h"

volatile u64 ticker_limit __attribute__((section(".data"))) = 0;
static volatile u64 ticks;

static void on_irq(u64 code)
{
  if (code == IRQ_STI) { ticks++; sbi_call(EXT_TIME, 0, rdtime() + TIMEBASE / 1000, 0, 0); }
  else irq_default(code);
}

static void put_dec(u64 v)
{
  char t[21]; int n = 20; t[n] = 0;
  do { t[--n] = '0' + v % 10; v /= 10; } while (v);
  uart_puts(t + n);
}

int main(void)
{
  irq_hook = on_irq;
  uart_puts("ticker: start\n");
  sbi_call(EXT_TIME, 0, rdtime() + TIMEBASE / 1000, 0, 0);
  csr_set(sie, 1UL << IRQ_STI);
  u64 printed = 0;
  for (;;) {
    WAIT_UNTIL(ticks != printed);
    printed = ticks;
    if (printed % 10 == 0) { uart_puts("tick "); put_dec(printed); uart_puts("\n"); }
    if (ticker_limit && printed >= ticker_limit) break;
  }
  uart_puts("ticker: done\n");
  sbi_shutdown();
}
