/* Transparency probe "basic": SBI results, every S and U CSR, sensitive operations in S and U,
   memory and devices beyond the device tree, LR/SC, and the order of interrupt delivery. Its
   signature must be the same whatever the Microvisor does (docs: conformance/microvisor.md). */
#include "guest.h"

#define CSR_PROBE(name) do { u64 v = 0; fault_arm(); asm volatile(".option push\n.option norvc\ncsrr %0, " #name "\n.option pop" : "+r"(v) :: "memory"); \
  sig_str("csrr " #name); if (last_fault.hit) { sig_str(" trap "); sig_dec(last_fault.cause); sig_str(" tval "); sig_hex(last_fault.tval); } else sig_str(" ok"); sig_str("\n"); } while (0)
#define CSR_VALUE(name) sig_kv(#name, csr_read(name))
/* WARL: write all ones, read back, write zero, read back, restore. */
#define CSR_WARL(name) do { u64 old = csr_read(name); csr_write(name, -1UL); u64 ones = csr_read(name); csr_write(name, 0); u64 zero = csr_read(name); csr_write(name, old); \
  sig_str("warl " #name " "); sig_hex(ones); sig_str(" "); sig_hex(zero); sig_str("\n"); } while (0)

static u64 partition_base, partition_size, firmware_size;

static void sbi_results(void)
{
  static const u64 exts[] = { 0x00, 0x01, 0x02, 0x03, 0x08, EXT_BASE, EXT_TIME, EXT_IPI, EXT_RFENCE, EXT_HSM, EXT_SRST, EXT_DBCN,
    0x53555350 /* SUSP */, 0x43505043 /* CPPC */, 0x504D55 /* PMU */, EXT_MAINT, 0x09000000, 0x0A000001, 0x12345678 };
  for (int f = 0; f <= 7; f++) {
    struct sbiret r = sbi_call(EXT_BASE, f, 0, 0, 0);
    sig_str("base "); sig_dec(f); sig_str(" "); sig_hex(r.error); sig_str(" "); sig_hex(r.value); sig_str("\n");
  }
  for (unsigned i = 0; i < sizeof exts / sizeof exts[0]; i++) {
    struct sbiret r = sbi_call(EXT_BASE, 3, exts[i], 0, 0);
    sig_str("probe "); sig_hex(exts[i]); sig_str(" "); sig_hex(r.error); sig_str(" "); sig_hex(r.value); sig_str("\n");
  }
  struct { u64 eid, fid, a0, a1, a2; const char *what; } calls[] = {
    { EXT_HSM, 2, 0, 0, 0, "hsm status 0" }, { EXT_HSM, 2, 1, 0, 0, "hsm status 1" },
    { EXT_HSM, 0, 0, 0x80200000, 0, "hsm start 0" }, { EXT_HSM, 0, 3, 0x80200000, 0, "hsm start 3" },
    { EXT_HSM, 3, 7, 0, 0, "hsm suspend bad type" }, { EXT_HSM, 9, 0, 0, 0, "hsm fid 9" },
    { EXT_IPI, 0, 2, 0, 0, "ipi mask 2" }, { EXT_IPI, 0, 1, 5, 0, "ipi base 5" }, { EXT_IPI, 0, 0, 0, 0, "ipi none" },
    { EXT_RFENCE, 0, 1, 0, 0, "fence.i" }, { EXT_RFENCE, 1, 1, 0, 0, "sfence.vma" }, { EXT_RFENCE, 2, 1, 0, 0, "sfence.vma asid" },
    { EXT_RFENCE, 3, 1, 0, 0, "hfence" }, { EXT_RFENCE, 1, 4, 0, 0, "rfence mask 4" },
    { EXT_SRST, 0, 5, 0, 0, "srst bad type" }, { EXT_SRST, 0, 0, 7, 0, "srst bad reason" }, { EXT_SRST, 1, 0, 0, 0, "srst fid 1" },
    { EXT_DBCN, 0, 4, 0x80000000, 0, "dbcn write firmware" }, { EXT_DBCN, 0, 4, 0x80200000, 1, "dbcn write high" },
    { EXT_DBCN, 1, 4, 0x80000000, 0, "dbcn read firmware" }, { EXT_DBCN, 2, 'x', 0, 0, "dbcn write_byte" }, { EXT_DBCN, 3, 0, 0, 0, "dbcn fid 3" },
    { EXT_TIME, 1, 0, 0, 0, "time fid 1" }, { EXT_MAINT, 0, 99, 0, 0, "maintenance status 99" }, { EXT_MAINT, 9, 0, 0, 0, "maintenance fid 9" },
    { 0x12345678, 0, 0, 0, 0, "unknown extension" }, { EXT_BASE, 99, 0, 0, 0, "base fid 99" },
  };
  for (unsigned i = 0; i < sizeof calls / sizeof calls[0]; i++) {
    struct sbiret r = sbi_call(calls[i].eid, calls[i].fid, calls[i].a0, calls[i].a1, calls[i].a2);
    sig_str("sbi "); sig_str(calls[i].what); sig_str(" "); sig_hex(r.error); sig_str(" "); sig_hex(r.value); sig_str("\n");
  }
  /* The maintenance partition is in the device tree; the firmware's memory too. */
  u64 b = 0;
  sig_str("reserved microvisor "); sig_dec(fdt_find_reserved("microvisor@", &b, &firmware_size)); sig_str(" "); sig_hex(b); sig_str(" "); sig_hex(firmware_size); sig_str("\n");
  sig_str("reserved maintenance "); sig_dec(fdt_find_reserved("maintenance@", &partition_base, &partition_size)); sig_str(" "); sig_hex(partition_base); sig_str(" "); sig_hex(partition_size); sig_str("\n");
  /* IPI to self: SSIP becomes pending (sie is off, so it stays pending). */
  struct sbiret r = sbi_call(EXT_IPI, 0, 1, 0, 0);
  sig_str("ipi self "); sig_hex(r.error); sig_str(" ssip "); sig_hex(csr_read(sip) & SIP_SSIP); sig_str("\n");
  csr_clear(sip, SIP_SSIP);
  /* set_timer in the past: STIP pending; in the future: not pending. */
  sbi_call(EXT_TIME, 0, 0, 0, 0);
  sig_str("timer past sip "); sig_hex(csr_read(sip) & SIP_STIP); sig_str("\n");
  sbi_call(EXT_TIME, 0, -1UL, 0, 0);
  sig_str("timer never sip "); sig_hex(csr_read(sip) & SIP_STIP); sig_str("\n");
}

static void s_csrs(void)
{
  CSR_VALUE(sstatus); CSR_VALUE(sie); CSR_VALUE(sip); CSR_VALUE(scounteren); CSR_VALUE(senvcfg);
  CSR_VALUE(satp); CSR_VALUE(stimecmp);
  CSR_WARL(sie); CSR_WARL(scounteren); CSR_WARL(senvcfg); CSR_WARL(sepc); CSR_WARL(scause);
  CSR_WARL(stval); CSR_WARL(satp); CSR_WARL(stimecmp);
  { u64 old = csr_read(stvec); csr_write(stvec, -1UL); u64 v = csr_read(stvec); csr_write(stvec, old); sig_kv("warl stvec", v); }
  { u64 old = csr_read(sstatus); csr_write(sstatus, old | SSTATUS_SUM | SSTATUS_MXR); sig_kv("sstatus sum mxr", csr_read(sstatus)); csr_write(sstatus, old); }
  /* Readable counters: readability only, never the values. */
  CSR_PROBE(cycle); CSR_PROBE(time); CSR_PROBE(instret); CSR_PROBE(hpmcounter3); CSR_PROBE(hpmcounter31);
  /* Machine-level CSRs: all illegal from S. */
  CSR_PROBE(mstatus); CSR_PROBE(misa); CSR_PROBE(medeleg); CSR_PROBE(mideleg); CSR_PROBE(mie); CSR_PROBE(mtvec);
  CSR_PROBE(mcounteren); CSR_PROBE(mscratch); CSR_PROBE(mepc); CSR_PROBE(mcause); CSR_PROBE(mtval); CSR_PROBE(mip);
  CSR_PROBE(menvcfg); CSR_PROBE(pmpcfg0); CSR_PROBE(pmpaddr0); CSR_PROBE(mcycle); CSR_PROBE(minstret);
  CSR_PROBE(mvendorid); CSR_PROBE(mhartid); CSR_PROBE(0x744); CSR_PROBE(0x741); CSR_PROBE(0x7a0); CSR_PROBE(0x5a8);
  CSR_PROBE(0x15d);
}

static void s_sensitive(void)
{
  fault_arm(); asm volatile(".option push\n.option norvc\nebreak\n.option pop"); sig_fault("ebreak");
  fault_arm(); asm volatile(".option push\n.option norvc\nmret\n.option pop"); sig_fault("mret");
  fault_arm(); asm volatile(".option push\n.option norvc\n.word 0x70200073\n.option pop"); sig_fault("mnret");
  fault_arm(); asm volatile(".half 0"); sig_fault("zero half");
  fault_arm(); asm volatile(".option push\n.option norvc\n.word 0xffffffff\n.option pop"); sig_fault("ones word");
  fault_arm(); asm volatile(".option push\n.option norvc\nsfence.vma\n.option pop"); sig_fault("sfence.vma");
  fault_arm(); asm volatile(".option push\n.option norvc\nfence.i\n.option pop"); sig_fault("fence.i");
  /* WFI that a masked, enabled timer wakes (no trap is taken: SIE is off). */
  csr_write(stimecmp, rdtime() + 50);
  csr_set(sie, SIP_STIP);
  while (!(csr_read(sip) & SIP_STIP)) asm volatile("wfi");
  sig_kv("wfi woke sip", csr_read(sip));
  csr_write(stimecmp, -1UL);
  csr_clear(sie, SIP_STIP);
  /* Retentive HSM suspend, ended by the supervisor timer (pending, not taken: SIE is off). */
  csr_write(stimecmp, rdtime() + 300);
  csr_set(sie, SIP_STIP);
  struct sbiret r = sbi_call(EXT_HSM, 3, 0, 0, 0);
  sig_str("hsm suspend "); sig_hex(r.error); sig_str(" stip "); sig_hex(csr_read(sip) & SIP_STIP); sig_str("\n");
  csr_write(stimecmp, -1UL);
  csr_clear(sie, SIP_STIP);
  /* Misaligned accesses. */
  static u64 words[4] = { 0x1122334455667788UL, 0x99aabbccddeeff00UL };
  sig_try_load("misaligned", (u64)words + 3);
  sig_try_store("misaligned", (u64)words + 5, 0x0102030405060708UL);
  sig_kv("after misaligned", words[0] ^ words[1]);
}

static void beyond_the_tree(void)
{
  u64 fw = 0x80000000UL, part = partition_base, size = partition_size;
  sig_try_load("firmware", fw);
  if (firmware_size) sig_try_load("firmware end", fw + firmware_size - 8);
  sig_try_store("firmware", fw + 0x1000, 1);
  try_fetch(fw); sig_fault("fetch firmware");
  if (size) {
    sig_try_load("partition", part);
    sig_try_load("partition end", part + size - 8);
    sig_try_store("partition", part + 64, 2);
    try_fetch(part); sig_fault("fetch partition");
    sig_try_load("above partition", part + size);
  }
  sig_try_load("clint msip", 0x2000000);
  sig_try_load("clint mtimecmp", 0x2004000);
  sig_try_store("clint mtimecmp", 0x2004000, 0);
  sig_try_load("clint mtime", 0x200bff8);
  sig_try_load("plic m enable", 0xc002000);
  sig_try_load("plic m threshold", 0xc200000);
  sig_try_store("plic m claim", 0xc200004, 0);
  sig_kv("plic s enable", try_lw(0xc002080)); sig_fault("plic s enable read");
  sig_kv("plic s threshold", try_lw(0xc201000)); sig_fault("plic s threshold read");
  sig_try_load("doorbell", 0x102000);
  sig_try_store("doorbell ring", 0x102000, 1);
  sig_try_load("finisher", 0x100000);
  sig_kv("boot rom", try_lw(0x1000)); sig_fault("boot rom read");
  sig_kv("virtio magic", try_lw(0x10001000)); sig_fault("virtio read");
  *(volatile u8 *)0x10000007UL = 0x5a;
  sig_kv("uart scratch", try_lbu(0x10000007)); sig_fault("uart scratch read");
  sig_try_load("null", 0);
  sig_try_load("hole", 0x3000000);
  sig_try_load("ram end", 0x80000000UL + (16UL << 20));
  sig_try_load("ram far", 0xc0000000UL);
}

static u64 lrsc_cell, amo_cell;
static void atomics(void)
{
  u64 done = 0, old;
  for (int i = 0; i < 50; i++) {
    u64 fail;
    do {
      asm volatile("lr.d %0, (%2)\naddi %0, %0, 3\nsc.d %1, %0, (%2)" : "=&r"(old), "=&r"(fail) : "r"(&lrsc_cell) : "memory");
    } while (fail);
    done++;
  }
  for (int i = 0; i < 20; i++) asm volatile("amoadd.d zero, %1, (%0)" :: "r"(&amo_cell), "r"((u64)i) : "memory");
  sig_kv("lrsc cell", lrsc_cell);
  sig_kv("amo cell", amo_cell);
  /* SC without a reservation fails. */
  u64 fail;
  asm volatile("sc.d %0, %1, (%2)" : "=r"(fail) : "r"(7UL), "r"(&lrsc_cell) : "memory");
  sig_kv("sc alone", fail);
}

static void interrupt_order(void)
{
  /* SEI (the UART's THRE through the PLIC, context 1), SSI and STI all pending at once. */
  volatile u32 *plic = (volatile u32 *)0x0c000000UL;
  plic[10] = 1;
  plic[(0x2080) / 4] = 1U << 10;
  plic[(0x201000) / 4] = 0;
  *(volatile u8 *)0x10000001UL = 2;
  csr_set(sip, SIP_SSIP);
  csr_write(stimecmp, 0);
  csr_set(sie, SIP_SSIP | SIP_STIP | SIP_SEIP);
  sig_kv("pending", csr_read(sip));
  csr_set(sstatus, SSTATUS_SIE);
  asm volatile("nop");
  csr_clear(sstatus, SSTATUS_SIE);
  csr_clear(sie, SIP_SSIP | SIP_STIP | SIP_SEIP);
  sig_kv("pending after", csr_read(sip));
  plic[(0x2080) / 4] = 0;
  /* A timer through SBI, taken with interrupts on, in a wfi loop. */
  static volatile int ticks;
  ticks = 0;
  sbi_call(EXT_TIME, 0, rdtime() + 200, 0, 0);
  csr_set(sie, SIP_STIP);
  WAIT_UNTIL(csr_read(stimecmp) == -1UL);
  csr_clear(sie, SIP_STIP);
  (void)ticks;
}

/* ---- U-mode ---------------------------------------------------------------------------------- */
#define USER __attribute__((section(".usertext"), noinline))
static u64 user_stack[512] __attribute__((aligned(16), section(".noinit")));
USER static u64 ucall(u64 n, u64 a0) { register u64 r0 asm("a0") = a0; register u64 r7 asm("a7") = n; asm volatile("ecall" : "+r"(r0) : "r"(r7) : "memory"); return r0; }
#define UPROBE(insn, tag) do { ucall(2, tag); asm volatile(".option push\n.option norvc\n" insn "\n.option pop" ::: "memory"); ucall(3, tag); } while (0)
USER static void user_main(void)
{
  UPROBE("csrr t0, cycle", 1);
  UPROBE("csrr t0, time", 2);
  UPROBE("csrr t0, instret", 3);
  UPROBE("csrr t0, sstatus", 4);
  UPROBE("csrr t0, mstatus", 5);
  UPROBE("wfi", 6);
  UPROBE("sret", 7);
  UPROBE("ebreak", 8);
  UPROBE("sfence.vma", 9);
  UPROBE("ld t0, 0(zero)", 10);
  UPROBE("lui t0, 0x80000\nld t0, 0(t0)", 11);
  UPROBE("lui t0, 0x2000\nld t0, 0(t0)", 12);
  u64 cell = 5, fail;
  asm volatile("1: lr.d t0, (%1)\naddi t0, t0, 1\nsc.d %0, t0, (%1)\nbnez %0, 1b" : "=&r"(fail) : "r"(&cell) : "t0", "memory");
  ucall(4, cell);
  ucall(0, 42);
}

static u64 user_syscall(u64 n, u64 a0, u64 a1)
{
  (void)a1;
  if (n == 2) fault_arm();
  else if (n == 3) { sig_str("user "); sig_dec(a0); sig_fault(""); }
  else if (n == 4) sig_kv("user lrsc", a0);
  return 0;
}

static void user_part(void)
{
  syscall_hook = user_syscall;
  i64 r = run_user((u64)user_main, (u64)(user_stack + 512));
  sig_kv("user exit", r);
  sig_kv("sstatus after user", csr_read(sstatus));
  csr_write(scounteren, 7);
  r = run_user((u64)user_main, (u64)(user_stack + 512));
  sig_kv("user exit counters on", r);
  csr_write(scounteren, 0);
}

int main(void)
{
  sig_kv("hartid", boot_hartid);
  sig_kv("sscratch", csr_read(sscratch) - (u64)&main);
  sbi_results();
  s_csrs();
  s_sensitive();
  beyond_the_tree();
  atomics();
  interrupt_order();
  user_part();
  sig_kv("final sscratch", csr_read(sscratch) - (u64)&main);
  CSR_VALUE(sstatus); CSR_VALUE(sie); CSR_VALUE(scounteren); CSR_VALUE(senvcfg); CSR_VALUE(satp); CSR_VALUE(stimecmp);
  sig_kv("stvec", csr_read(stvec) - (u64)&main);
  sig_flush();
  return 0;
}
