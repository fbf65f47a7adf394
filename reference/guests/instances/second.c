/* Instance 1 of the in-band scenario: booted by the Microvisor in the partition with the Linux
   boot protocol. It reports what it was given (a0, a1, satp, sstatus.SIE, its device tree), what
   it may not touch, sleeps on its own timer (the wfi yields to instance 0), says it is ready,
   waits for the device instance 0 hands over (a supervisor software interrupt), and waits to be
   left alone: then it is dormant on the bare hart, and it ends the machine. Its signature goes to
   its console (DBCN: the doorbell's CONSOLE1 on the reference machine). */
#include "instances.h"

static volatile u64 timer_fired, soft_fired;

static void on_irq(u64 code)
{
  if (code == IRQ_STI) { csr_write(stimecmp, -1UL); timer_fired++; }
  else if (code == IRQ_SSI) { csr_clear(sip, SIP_SSIP); soft_fired++; }
  else irq_default(code);
}

static u32 be(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }
static int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
static int starts(const char *a, const char *p) { while (*p) if (*a++ != *p++) return 0; return 1; }
static int has_word(const char *s, const char *w)
{
  for (; *s; s++) if (starts(s, w)) return 1;
  return 0;
}
static const char *bootargs = "";
static u64 initrd_start, initrd_end;
static u64 be64(const u8 *p) { return ((u64)be(p) << 32) | be(p + 4); }

/* The device tree, walked: nodes of interest and their properties into the signature. */
static void sig_tree(void)
{
  const u8 *f = (const u8 *)boot_fdt;
  if (be(f) != 0xd00dfeed) { sig_str("fdt: bad magic\n"); return; }
  const u8 *s = f + be(f + 8);
  const char *strings = (const char *)f + be(f + 12);
  const char *node = "";
  u64 disabled = 0, nodes = 0;
  for (u32 off = 0;;) {
    u32 tok = be(s + off); off += 4;
    if (tok == 1) {
      node = (const char *)s + off;
      u32 n = 0; while (node[n]) n++;
      off += (n + 4) & ~3U;
      nodes++;
      if (starts(node, "reserved-memory") || starts(node, "test@") || starts(node, "doorbell@") || streq(node, "poweroff")) {
        sig_str("fdt: unexpected node "); sig_str(node); sig_str("\n");
      }
    } else if (tok == 3) {
      u32 len = be(s + off), no = be(s + off + 4);
      const u8 *v = s + off + 8;
      const char *pn = strings + no;
      if (starts(node, "memory@") && streq(pn, "reg") && len == 16) {
        sig_str("fdt: "); sig_str(node); sig_str(" reg "); sig_hex(((u64)be(v) << 32) | be(v + 4));
        sig_str(" "); sig_hex(((u64)be(v + 8) << 32) | be(v + 12)); sig_str("\n");
      }
      if (streq(node, "chosen")) {
        sig_str("fdt: chosen "); sig_str(pn);
        if (streq(pn, "bootargs")) { sig_str(" "); sig_str((const char *)v); bootargs = (const char *)v; }
        if (streq(pn, "linux,initrd-start")) initrd_start = len == 8 ? be64(v) : be(v);
        if (streq(pn, "linux,initrd-end")) initrd_end = len == 8 ? be64(v) : be(v);
        sig_str("\n");
      }
      if (streq(pn, "status") && streq((const char *)v, "disabled")) disabled++;
      off += 8 + ((len + 3) & ~3U);
    } else if (tok == 2 || tok == 4) {
    } else break;
  }
  sig_str("fdt: disabled devices "); sig_dec(disabled); sig_str("\n");
  if (initrd_end > initrd_start) {
    /* Its initrd is in its own memory, and holds what it was given (text, for the signature). */
    sig_str("initrd: in partition "); sig_dec(initrd_start >= maint(M_QUERY, 1, 2, 0).value && initrd_end <= maint(M_QUERY, 1, 2, 0).value + maint(M_QUERY, 1, 3, 0).value);
    sig_str(" text ");
    for (u64 a = initrd_start; a < initrd_end && *(const char *)a; a++) { char c[2] = { *(const char *)a, 0 }; sig_str(c); }
    sig_str("\n");
  }
}

int main(void)
{
  u64 satp = csr_read(satp), sie_bit = csr_read(sstatus) & SSTATUS_SIE;
  irq_hook = on_irq;
  u64 base = maint(M_QUERY, 1, 2, 0).value, size = maint(M_QUERY, 1, 3, 0).value;
  sig_str("second: hartid "); sig_dec(boot_hartid); sig_str(" satp "); sig_hex(satp); sig_str(" sie "); sig_dec(sie_bit);
  sig_str(" fdt in partition "); sig_dec(boot_fdt >= base && boot_fdt < base + size); sig_str("\n");
  sig_tree();
  sig_maint("self", M_SELF, 0, 0, 0);
  sig_maint("status state", M_STATUS, 0, 0, 0);
  sig_maint("create from 1", M_CREATE, base, 4096, 0);
  sig_maint("start from 1", M_START, 1, 0, 0);
  sig_maint("share from 1", M_SET_SHARE, 1, 50, 0);
  sig_maint("watchdog from 1", M_SET_WATCHDOG, 1, 100, 0);
  sig_maint("hand over not owned", M_HAND_OVER, 0, 1, 0);
  sig_maint("query 0 state", M_QUERY, 0, 0, 0);
  sig_maint("query 1 state", M_QUERY, 1, 0, 0);
  /* Its own console buffer must be its own memory. */
  struct sbiret r = sbi_call(EXT_DBCN, 0, 4, RAM_BASE + 0x200000, 0);
  sig_str("dbcn write instance 0's memory "); sig_dec(-r.error); sig_str("\n");
  /* Everything outside its partition, its devices and the PLIC is denied. */
  sig_try_load("instance 0 memory", RAM_BASE + 0x200000);
  sig_try_store("instance 0 memory", RAM_BASE + 0x200000, 1);
  sig_try_load("firmware", RAM_BASE);
  sig_try_load("below partition", base - 8);
  sig_try_load("above partition", base + size);
  sig_try_load("clint mtime", CLINT_BASE + 0xbff8);
  sig_try_load("doorbell", DOORBELL_BASE);
  sig_try_load("uart", UART0_BASE);
  sig_try_load("virtio 0", VIRTIO_BASE);
  sig_try_load("partition last word", base + size - 8);

  if (has_word(bootargs, "srst")) {
    sig_str("second: ending by SRST\n");
    sig_flush();
    sbi_call(EXT_SRST, 0, 0, 1, 0);   /* shutdown, reason 1: this instance only */
    sig_str("second: SRST returned\n");
    sig_flush();
    for (;;) {}
  }
  if (has_word(bootargs, "hang")) { sig_str("second: never ready\n"); sig_flush(); for (;;) {} }
  /* Its own timer: 1 ms from now, slept through with wfi. */
  u64 t0 = rdtime();
  sbi_call(EXT_TIME, 0, t0 + TIMEBASE / 1000, 0, 0);
  csr_set(sie, (1UL << IRQ_STI) | (1UL << IRQ_SSI));
  WAIT_UNTIL(timer_fired);
  sig_str("second: timer woke after deadline "); sig_dec(rdtime() >= t0 + TIMEBASE / 1000); sig_str("\n");
  sig_maint("ready", M_READY, 0, 0, 0);
  sig_maint("query 1 state", M_QUERY, 1, 0, 0);
  sig_flush();

  /* The handoff arrives as a supervisor software interrupt. */
  WAIT_UNTIL(soft_fired);
  sig_str("second: owns virtio 0 "); sig_dec((maint(M_QUERY, 1, 4, 0).value >> 2) & 1); sig_str("\n");
  u32 magic = try_lw(VIRTIO_BASE);
  sig_str("virtio 0 magic "); sig_hex(last_fault.hit ? 0 : magic); sig_str("\n");
  /* Instance 0 retires: then this one is alone, and the machine dormant. */
  while (maint(M_STATUS, 0, 0, 0).value != 0) { maint(M_YIELD, 0, 0, 0); }
  sig_maint("status state", M_STATUS, 0, 0, 0);
  sig_maint("query 0 state", M_QUERY, 0, 0, 0);
  sig_maint("query 1 state", M_QUERY, 1, 0, 0);
  sig_maint("query 1 devices", M_QUERY, 1, 4, 0);
  sig_maint("self", M_SELF, 0, 0, 0);
  sig_try_load("instance 0 memory", RAM_BASE + 0x200000);
  sig_str("second: done\n");
  sig_flush();
  sbi_shutdown();
}
