/* SBI calls and the console (the SBI debug console: on the bare machine or as instance 0 it is the
   UART; as instance 1 the firmware gives it its own channel). */
#include "svc.h"

volatile u32 svc_fault __attribute__((section(".data"))) = FAULT_NONE;

struct sbiret sbi_call(u64 eid, u64 fid, u64 a0, u64 a1, u64 a2)
{
  register u64 r0 asm("a0") = a0, r1 asm("a1") = a1;
  register u64 r2 asm("a2") = a2, r6 asm("a6") = fid, r7 asm("a7") = eid;
  asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){ (i64)r0, (i64)r1 };
}

void putc(char c) { sbi_call(EXT_DBCN, 2, (u8)c, 0, 0); }

void puts(const char *s)
{
  /* console_write (DBCN fid 0) takes the buffer's physical address: one call per line. */
  u64 n = strlen(s);
  if (n) sbi_call(EXT_DBCN, 0, n, (u64)s, 0);
}

void putdec(u64 v)
{
  char t[21]; int n = 20; t[n] = 0;
  do { t[--n] = '0' + v % 10; v /= 10; } while (v);
  puts(t + n);
}

void puthex(u64 v)
{
  char t[19]; int n = 18; t[n] = 0;
  do { t[--n] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
  t[--n] = 'x'; t[--n] = '0';
  puts(t + n);
}

/* One timeline line: "svc<version> @<ticks> <what> <arg>", parsed by harness/service/. */
void log_event(const char *what, u64 arg)
{
  puts("svc"); putdec(SVC_VERSION); puts(" @"); putdec(now()); puts(" ");
  puts(what); puts(" "); putdec(arg); puts("\n");
}

void shutdown(int failed)
{
  /* SRST system_reset: shutdown, reason 0 none or 1 system failure. */
  sbi_call(EXT_SRST, 0, 0, failed ? 1 : 0, 0);
  for (;;) asm volatile("wfi");
}

void fatal_trap(u64 cause, u64 epc, u64 tval)
{
  puts("svc"); putdec(SVC_VERSION); puts(" fatal trap cause="); puthex(cause);
  puts(" epc="); puthex(epc); puts(" tval="); puthex(tval); puts("\n");
  shutdown(1);
}
