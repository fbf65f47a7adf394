/* Transparency probe "interrupts": supervisor interrupts taken in U-mode and in S-mode, their
   priority when several are pending, an IPI to itself through SBI, wfi with interrupts on, and a
   non-retentive HSM suspend that resumes at a new entry point. Only causes, privilege levels,
   order and values are recorded: never how long anything took. */
#include "guest.h"

static volatile u64 flag;
static u64 order[8];
static volatile int norder;

static void record_irq(u64 code)
{
  int from_user = !(csr_read(sstatus) & SSTATUS_SPP);
  if (norder < 8) order[norder++] = code | ((u64)from_user << 8);
  if (code == 1) csr_clear(sip, SIP_SSIP);
  else if (code == 5) csr_write(stimecmp, -1UL);
  flag = 1;
}

static void print_order(const char *what)
{
  sig_str(what);
  for (int i = 0; i < norder; i++) { sig_str(" "); sig_str(order[i] >> 8 ? "U:" : "S:"); sig_dec(order[i] & 0xff); }
  sig_str("\n");
  norder = 0;
}

#define USER __attribute__((section(".usertext"), noinline))
static u64 user_stack[512] __attribute__((aligned(16), section(".noinit")));
USER static u64 ucall(u64 n, u64 a0) { register u64 r0 asm("a0") = a0; register u64 r7 asm("a7") = n; asm volatile("ecall" : "+r"(r0) : "r"(r7) : "memory"); return r0; }
/* Spin until the kernel's interrupt handler sets the flag; the work done meanwhile is not recorded. */
USER static void user_wait_flag(void)
{
  u64 acc = 1;
  while (!flag) acc = acc * 3 + 1;
  ucall(0, 7);
}
USER static void user_exit_now(void) { ucall(0, 9); }

static u64 sys(u64 n, u64 a0, u64 a1) { (void)n; (void)a0; (void)a1; return 0; }

static void in_user_mode(void)
{
  /* An SSI pending when U-mode is entered is taken at once, in U, whatever SIE says. */
  csr_set(sie, SIP_SSIP);
  sbi_call(EXT_IPI, 0, 1, 0, 0);
  i64 r = run_user((u64)user_exit_now, (u64)(user_stack + 512));
  print_order("ipi then user entry:");
  sig_kv("exit", r);
  /* A timer that fires while U-mode computes. */
  flag = 0;
  csr_set(sie, SIP_STIP);
  sbi_call(EXT_TIME, 0, rdtime() + 400, 0, 0);
  r = run_user((u64)user_wait_flag, (u64)(user_stack + 512));
  print_order("timer during user:");
  sig_kv("exit", r);
  /* SSI, STI and SEI all pending when U-mode is entered: delivered by priority, all in U. */
  volatile u32 *plic = (volatile u32 *)0x0c000000UL;
  plic[10] = 1; plic[0x2080 / 4] = 1U << 10; plic[0x201000 / 4] = 0;
  csr_set(sie, SIP_SEIP);
  *(volatile u8 *)0x10000001UL = 2;            /* UART THRE interrupt */
  csr_set(sip, SIP_SSIP);
  csr_write(stimecmp, 0);
  irq_hook = irq_default;
  r = run_user((u64)user_exit_now, (u64)(user_stack + 512));
  sig_kv("exit", r);
  irq_hook = record_irq;
  plic[0x2080 / 4] = 0;
  csr_clear(sie, SIP_SSIP | SIP_STIP | SIP_SEIP);
}

static void in_supervisor_mode(void)
{
  /* wfi with interrupts on: the handler runs, then execution continues after the wfi. */
  flag = 0;
  csr_set(sie, SIP_STIP);
  csr_write(stimecmp, rdtime() + 300);
  WAIT_UNTIL(flag);
  print_order("wfi in S:");
  /* Masked by SIE, then unmasked: taken at the csrs that sets SIE. */
  csr_set(sip, SIP_SSIP);
  csr_set(sie, SIP_SSIP);
  sig_kv("pending while masked", csr_read(sip) & SIP_SSIP);
  csr_set(sstatus, SSTATUS_SIE);
  csr_clear(sstatus, SSTATUS_SIE);
  print_order("unmasked:");
  /* Disabling in sie keeps it pending. */
  csr_clear(sie, SIP_SSIP | SIP_STIP);
  csr_set(sip, SIP_SSIP);
  csr_set(sstatus, SSTATUS_SIE);
  asm volatile("nop");
  csr_clear(sstatus, SSTATUS_SIE);
  sig_kv("still pending", csr_read(sip) & SIP_SSIP);
  csr_clear(sip, SIP_SSIP);
}

/* Non-retentive suspend: the hart resumes at resume_entry (start of a fresh stack) with
   a0 = hartid, a1 = opaque, satp = 0, SIE = 0; the probe finishes from there. */
void resumed(u64 hartid, u64 opaque)
{
  sig_kv("resumed hartid", hartid);
  sig_kv("resumed opaque", opaque);
  sig_kv("resumed sstatus", csr_read(sstatus));
  sig_kv("resumed satp", csr_read(satp));
  sig_kv("resumed stip", csr_read(sip) & SIP_STIP);
  csr_write(stimecmp, -1UL);
  csr_clear(sie, SIP_STIP);
  sig_kv("final sscratch", csr_read(sscratch) - (u64)&resumed);
  sig_kv("sie", csr_read(sie));
  sig_flush();
  sbi_shutdown();
}
extern char resume_entry[];
asm(".text\n.globl resume_entry\nresume_entry:\nla sp, __stack_top\ncall resumed\n1: j 1b\n");

int main(void)
{
  irq_hook = record_irq;
  syscall_hook = sys;
  in_user_mode();
  in_supervisor_mode();
  /* Bad resume address (the firmware's memory): refused. */
  struct sbiret r = sbi_call(EXT_HSM, 3, 0x80000000UL, 0x80000000UL, 0);
  sig_str("suspend to firmware "); sig_hex(r.error); sig_str("\n");
  /* SIE is on (it must be off on resume), so the timer that ends the suspend must not fire before
     the call is made: 1 ms is far beyond the few instructions in between, on any platform. */
  csr_write(stimecmp, rdtime() + 10000);
  csr_set(sie, SIP_STIP);
  csr_set(sstatus, SSTATUS_SIE);
  r = sbi_call(EXT_HSM, 3, 0x80000000UL, (u64)resume_entry, 0x5eed);
  sig_str("suspend returned "); sig_hex(r.error); sig_str("\n");
  sig_flush();
  return 0;
}
