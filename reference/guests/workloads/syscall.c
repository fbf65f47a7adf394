/* System-call heavy: a U-mode process makes thousands of system calls (ecall from U, delegated
   straight to the S-mode kernel). */
#include "workload.h"

#define USER __attribute__((section(".usertext"), noinline))
static u64 user_stack[256] __attribute__((aligned(16), section(".noinit")));
USER static u64 ucall(u64 n, u64 a0) { register u64 r0 asm("a0") = a0; register u64 r7 asm("a7") = n; asm volatile("ecall" : "+r"(r0) : "r"(r7) : "memory"); return r0; }
USER static void user_main(void)
{
  u64 acc = 0;
  for (u64 i = 0; i < 6000; i++) acc += ucall(1, i);
  ucall(0, acc);
}
static u64 sys(u64 n, u64 a0, u64 a1) { (void)a1; return n == 1 ? a0 * 7 + 1 : 0; }
void workload_setup(void) { syscall_hook = sys; }
u64 workload_run(void) { return run_user((u64)user_main, (u64)(user_stack + 256)); }
