/* The U-mode program every process runs. It lives in its own pages (.utext), mapped at
 * USER_TEXT in each process, and keeps all its data on its stack. */
#include "mk.h"
#include "sys.h"

#define U __attribute__((section(".utext")))

U static u64 sys(u64 n, u64 a0) {
  register u64 r_a0 __asm__("a0") = a0;
  register u64 r_a7 __asm__("a7") = n;
  __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory");
  return r_a0;
}

/* a0 = what to run (USER_*), a1 = how much of it. */
U void user_main(u64 what, u64 n) {
  u64 pid = sys(SYS_GETPID, 0);
  if (what == USER_PROBE && pid == 1) {
    /* An access to an unmapped page: S-mode sees the page fault, skips the access. */
    volatile u64 *nowhere = (volatile u64 *)0x50000000UL;
    u64 v;
    __asm__ volatile(".option push\n.option norvc\nld %0, 0(%1)\n.option pop" : "=r"(v) : "r"(nowhere) : "memory");
    sys(SYS_REPORT, v);
  }
  if (what == USER_SYSCALLS) {
    u64 s = 0;
    for (u64 i = 0; i < n; i++) s += sys(SYS_GETPID, 0);
    sys(SYS_REPORT, s);
    sys(SYS_EXIT, 0);
  }
  /* 64-bit constants built in registers: a literal pool would land outside .utext. */
  u64 mul = 0x5851f42d, inc = 0x14057b7e;
  __asm__("" : "+r"(mul), "+r"(inc));
  mul = (mul << 32) | 0x4c957f2d;
  inc = (inc << 32) | 0x7f4a7c15;
  u64 acc = pid * 7 + 1;
  for (u64 i = 0; i < n; i++) {
    acc = acc * mul + inc;
    acc ^= acc >> 29;
    if (what == USER_PROBE && (i & 1023) == 0) sys(SYS_YIELD, 0);
  }
  sys(SYS_REPORT, acc);
  sys(SYS_EXIT, 0);
}
