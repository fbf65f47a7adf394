#include "guest.h"

u64 boot_hartid, boot_fdt;

struct sbiret sbi_call(u64 eid, u64 fid, u64 a0, u64 a1, u64 a2)
{
  register u64 r0 asm("a0") = a0, r1 asm("a1") = a1;
  register u64 r2 asm("a2") = a2, r6 asm("a6") = fid, r7 asm("a7") = eid;
  asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return (struct sbiret){ (i64)r0, (i64)r1 };
}

void sbi_shutdown(void)
{
  sbi_call(EXT_SRST, 0, 0, 0, 0);
  for (;;) {}
}

void sbi_fail(u32 code)
{
  sbi_call(EXT_SRST, 0, 0, 1, 0);
  (void)code;
  for (;;) {}
}

/* QEMU has no management doorbell. There the test patches this word in the image, and the guest
   itself asks the Microvisor (maintenance SBI extension) to virtualize or devirtualize at every
   n-th trap it takes, from inside its trap handler. Zero (the default) never asks. */
volatile u64 sbi_toggle_every __attribute__((section(".data"))) = 0;
static u64 traps_seen, toggled, toggles_made;

/* ---- signature ---------------------------------------------------------------------------- */
static char sig_buf[16384] __attribute__((section(".noinit")));
static u64 sig_len;

void sig_str(const char *s) { while (*s && sig_len < sizeof sig_buf) sig_buf[sig_len++] = *s++; }
void sig_hex(u64 v)
{
  char t[18]; int n = 18;
  do { t[--n] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
  t[--n] = 'x'; t[--n] = '0';
  while (n < 18 && sig_len < sizeof sig_buf) sig_buf[sig_len++] = t[n++];
}
void sig_dec(u64 v)
{
  char t[21]; int n = 20; t[n] = 0;
  do { t[--n] = '0' + v % 10; v /= 10; } while (v);
  sig_str(t + n);
}
void sig_kv(const char *k, u64 v) { sig_str(k); sig_str("="); sig_hex(v); sig_str("\n"); }

void sig_flush(void)
{
  u64 off = 0;
  if (sbi_toggle_every) {
    sig_str("maintenance: toggles="); sig_dec(toggles_made);
    sig_str(" state="); sig_dec(sbi_call(EXT_MAINT, 0, 0, 0, 0).value);
    sig_str(" firmware-traps="); sig_dec(sbi_call(EXT_MAINT, 0, 3, 0, 0).value); sig_str("\n");
  }
  while (off < sig_len) {
    struct sbiret r = sbi_call(EXT_DBCN, 0, sig_len - off, (u64)sig_buf + off, 0);
    if (r.error || r.value == 0) break;
    off += r.value;
  }
  sig_len = 0;
}

void uart_puts(const char *s)
{
  volatile u8 *uart = (volatile u8 *)UART0_BASE;
  while (*s) { while (!(uart[5] & 0x20)) {} uart[0] = *s++; }
}

/* ---- traps --------------------------------------------------------------------------------- */
volatile struct trap_record last_fault;
static volatile int fault_armed;
void fault_arm(void) { last_fault.hit = 0; fault_armed = 1; }

void irq_default(u64 code)
{
  sig_str("irq "); sig_dec(code); sig_str("\n");
  if (code == IRQ_SSI) csr_clear(sip, SIP_SSIP);
  else if (code == IRQ_STI) csr_write(stimecmp, -1UL);
  else if (code == IRQ_SEI) {
    /* Context 1: hart 0's S-mode. */
    volatile u32 *claim = (volatile u32 *)(PLIC_BASE + PLIC_CONTEXT + PLIC_CONTEXT_STRIDE + PLIC_CLAIM);
    u32 id = *claim;
    sig_str("claim "); sig_dec(id); sig_str("\n");
    if (id == UART0_IRQ) *(volatile u8 *)(UART0_BASE + 1) = 0; /* UART IER: interrupts off */
    *claim = id;
  }
}
void (*irq_hook)(u64 code) = irq_default;
static u64 syscall_none(u64 n, u64 a0, u64 a1) { (void)n; (void)a0; (void)a1; return -1UL; }
u64 (*syscall_hook)(u64 n, u64 a0, u64 a1) = syscall_none;

static u64 insn_length(u64 epc, int from_user)
{
  if (from_user) csr_set(sstatus, SSTATUS_SUM);
  u16 half = *(volatile u16 *)epc;
  if (from_user) csr_clear(sstatus, SSTATUS_SUM);
  return (half & 3) == 3 ? 4 : 2;
}


void s_trap(u64 *regs)
{
  u64 cause = csr_read(scause), epc = csr_read(sepc);
  if (sbi_toggle_every && ++traps_seen % sbi_toggle_every == 0) {
    struct sbiret r = sbi_call(EXT_MAINT, toggled ? 2 : 1, 0, 0, 0);
    if (r.error) { sig_str("MAINTENANCE CALL FAILED\n"); }
    toggled ^= 1;
    toggles_made++;
  }
  int from_user = !(csr_read(sstatus) & SSTATUS_SPP);
  if (cause & CAUSE_INT) { irq_hook(cause & ~CAUSE_INT); return; }
  if (cause == 8 && from_user) {
    if (regs[17] == 0) user_return((i64)regs[10]);
    regs[10] = syscall_hook(regs[17], regs[10], regs[11]);
    csr_write(sepc, epc + 4);
    return;
  }
  if (!fault_armed) {
    sig_str("UNEXPECTED trap "); sig_hex(cause); sig_str(" at "); sig_hex(epc); sig_str(" tval "); sig_hex(csr_read(stval)); sig_str("\n");
    sig_flush();
    sbi_fail(1);
  }
  last_fault.hit = 1; last_fault.cause = cause; last_fault.tval = csr_read(stval); last_fault.epc = epc;
  fault_armed = 0;
  /* An instruction fetch fault names the target, not a place to skip: return to the caller. */
  if (cause == 1 || cause == 12) { csr_write(sepc, regs[1]); return; }
  csr_write(sepc, epc + insn_length(epc, from_user));
}

u64 try_ld(u64 addr) { u64 v = 0; fault_arm(); asm volatile(".option push\n.option norvc\nld %0, 0(%1)\n.option pop" : "+r"(v) : "r"(addr) : "memory"); return v; }
u32 try_lw(u64 addr) { u64 v = 0; fault_arm(); asm volatile(".option push\n.option norvc\nlwu %0, 0(%1)\n.option pop" : "+r"(v) : "r"(addr) : "memory"); return v; }
u8 try_lbu(u64 addr) { u64 v = 0; fault_arm(); asm volatile(".option push\n.option norvc\nlbu %0, 0(%1)\n.option pop" : "+r"(v) : "r"(addr) : "memory"); return v; }
void try_sd(u64 addr, u64 v) { fault_arm(); asm volatile(".option push\n.option norvc\nsd %0, 0(%1)\n.option pop" :: "r"(v), "r"(addr) : "memory"); }
void try_sw(u64 addr, u32 v) { fault_arm(); asm volatile(".option push\n.option norvc\nsw %0, 0(%1)\n.option pop" :: "r"(v), "r"(addr) : "memory"); }
/* Jump to addr as if calling it; a fetch fault returns here through ra. */
void try_fetch(u64 addr) { fault_arm(); asm volatile("jalr ra, 0(%0)" :: "r"(addr) : "ra", "memory"); }

void sig_fault(const char *what)
{
  sig_str(what);
  if (last_fault.hit) { sig_str(" trap "); sig_dec(last_fault.cause); sig_str(" tval "); sig_hex(last_fault.tval); }
  else sig_str(" ok");
  sig_str("\n");
  last_fault.hit = 0;
  fault_armed = 0;
}

void sig_try_load(const char *what, u64 addr)
{
  u64 v = try_ld(addr);
  sig_str(what); sig_str(" ld "); sig_hex(addr);
  if (last_fault.hit) { sig_str(" trap "); sig_dec(last_fault.cause); sig_str(" tval "); sig_hex(last_fault.tval); }
  else { sig_str(" = "); sig_hex(v); }
  sig_str("\n");
  fault_armed = 0;
}

void sig_try_store(const char *what, u64 addr, u64 v)
{
  try_sd(addr, v);
  sig_str(what); sig_str(" sd "); sig_hex(addr);
  if (last_fault.hit) { sig_str(" trap "); sig_dec(last_fault.cause); sig_str(" tval "); sig_hex(last_fault.tval); }
  else sig_str(" ok");
  sig_str("\n");
  fault_armed = 0;
}

/* ---- device tree ------------------------------------------------------------------------------ */
static u32 be(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }

int fdt_find_reserved(const char *prefix, u64 *base, u64 *size)
{
  const u8 *f = (const u8 *)boot_fdt;
  if (be(f) != 0xd00dfeed) return 0;
  const u8 *s = f + be(f + 8);
  const char *strings = (const char *)f + be(f + 12);
  int match = 0;
  for (u32 off = 0;;) {
    u32 tok = be(s + off); off += 4;
    if (tok == 1) {
      const char *name = (const char *)s + off;
      u32 n = 0; while (name[n]) n++;
      match = 1;
      for (u32 i = 0; prefix[i]; i++) if (name[i] != prefix[i]) { match = 0; break; }
      off += (n + 4) & ~3U;
    } else if (tok == 3) {
      u32 len = be(s + off), no = be(s + off + 4);
      const char *pn = strings + no;
      if (match && len == 16 && pn[0] == 'r' && pn[1] == 'e' && pn[2] == 'g' && pn[3] == 0) {
        const u8 *v = s + off + 8;
        *base = ((u64)be(v) << 32) | be(v + 4);
        *size = ((u64)be(v + 8) << 32) | be(v + 12);
        return 1;
      }
      off += 8 + ((len + 3) & ~3U);
    } else if (tok == 2) { match = 0; }
    else if (tok == 4) {}
    else return 0;
  }
}

/* ---- pages --------------------------------------------------------------------------------- */
static u8 pages[32][4096] __attribute__((aligned(4096), section(".noinit")));
static int pages_used;
void *page_alloc(void)
{
  u64 *p = (u64 *)pages[pages_used++];
  for (int i = 0; i < 512; i++) p[i] = 0;
  return p;
}
