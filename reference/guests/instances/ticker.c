/* A timer-driven instance 0: every millisecond of its supervisor timer it counts a tick, and every
   ten ticks it prints "tick N" on the UART, sleeping in wfi in between (which yields the hart to
   an instance 1 beside it). It stops after `ticker_limit` ticks (0: never; a test patches it).
   Booted with an initrd (QEMU's -initrd, devirt boot --initrd), it takes the initrd for a kernel
   image and starts it as instance 1 in band (virtualize, create, set_bootargs, start): the way
   to run a second instance where there is no doorbell (QEMU). */
#include "instances.h"

static const char maint_bootargs[] = "earlycon=sbi keep_bootcon console=tty0";

static u32 be(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }
static int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }

/* /chosen's linux,initrd-start and -end (32- or 64-bit cells), or 0. */
static void find_initrd(u64 *start, u64 *end)
{
  const u8 *f = (const u8 *)boot_fdt;
  *start = *end = 0;
  if (be(f) != 0xd00dfeed) return;
  const u8 *s = f + be(f + 8);
  const char *strings = (const char *)f + be(f + 12);
  int chosen = 0;
  for (u32 off = 0;;) {
    u32 tok = be(s + off); off += 4;
    if (tok == 1) {
      const char *name = (const char *)s + off;
      u32 n = 0; while (name[n]) n++;
      off += (n + 4) & ~3U;
      chosen = streq(name, "chosen");
    } else if (tok == 3) {
      u32 len = be(s + off);
      const char *pn = strings + be(s + off + 4);
      const u8 *v = s + off + 8;
      u64 val = len == 8 ? ((u64)be(v) << 32) | be(v + 4) : be(v);
      if (chosen && streq(pn, "linux,initrd-start")) *start = val;
      if (chosen && streq(pn, "linux,initrd-end")) *end = val;
      off += 8 + ((len + 3) & ~3U);
    } else if (tok == 2 || tok == 4) {
    } else break;
  }
}

static void put_err(const char *what, struct sbiret r)
{
  uart_puts(what); uart_puts(r.error ? " failed\n" : " ok\n");
}

static void start_from_initrd(void)
{
  u64 start, end;
  find_initrd(&start, &end);
  if (end <= start) return;
  put_err("ticker: virtualize", maint(M_VIRTUALIZE, 0, 0, 0));
  put_err("ticker: create from initrd", maint(M_CREATE, start, end - start, 0));
  put_err("ticker: bootargs", maint(M_SET_BOOTARGS, (u64)maint_bootargs, sizeof maint_bootargs - 1, 0));
  put_err("ticker: start", maint(M_START, 1, 0, 0));
}

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
  start_from_initrd();
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
