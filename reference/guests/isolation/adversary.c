/* The adversary of the isolation suite: it reads an attack plan from its command line
   (/chosen/bootargs) and tries each attack once, printing one line per attempt: the token, then
   what happened (a trap's cause and tval, the value a load returned, "ok" for a store that went
   through, an SBI call's error and value). The generator (vectors/generators/isolation.ts) writes
   the plan and, from the specification, what each line must say; the judge compares
   (conformance/isolation-check.ts, conformance/isolation.md).
   Roles: alone (instance 0, no "spawn": it virtualizes itself, unless "dormant"); instance 0 with
   "spawn" (it creates the victim it carries as instance 1, hands over give:DEVICE, starts it and
   attacks once the victim says ready); instance 1 (built in the partition, started by the victim). */
#include "iso.h"

#define WAIT_YIELDS 24

/* ---- attacks ---------------------------------------------------------------------------------- */
static u64 try_op(const char *op, u64 addr, u64 v)
{
  u64 r = 0;
  fault_arm();
#define ASM(insn) asm volatile(".option push\n.option norvc\n" insn "\n.option pop" : "+r"(r) : "r"(addr), "r"(v) : "memory")
  if (token_is(op, "lb")) ASM("lb %0, 0(%1)");
  else if (token_is(op, "lh")) ASM("lh %0, 0(%1)");
  else if (token_is(op, "lw")) ASM("lw %0, 0(%1)");
  else if (token_is(op, "ld")) ASM("ld %0, 0(%1)");
  else if (token_is(op, "sb")) ASM("sb %2, 0(%1)");
  else if (token_is(op, "sh")) ASM("sh %2, 0(%1)");
  else if (token_is(op, "sw")) ASM("sw %2, 0(%1)");
  else if (token_is(op, "sd")) ASM("sd %2, 0(%1)");
  else if (token_is(op, "amoswapw")) ASM("amoswap.w %0, %2, (%1)");
  else if (token_is(op, "amoaddd")) ASM("amoadd.d %0, %2, (%1)");
  else if (token_is(op, "amoord")) ASM("amoor.d %0, %2, (%1)");
  else if (token_is(op, "lrd")) ASM("lr.d %0, (%1)");
  else if (token_is(op, "scd")) ASM("sc.d %0, %2, (%1)");
#undef ASM
  return r;
}

static int is_store(const char *op)
{
  return token_is(op, "sb") || token_is(op, "sh") || token_is(op, "sw") || token_is(op, "sd");
}

static void print_fault_or(const char *ok_text, u64 value, int show_value)
{
  if (last_fault.hit) { sig_str("trap "); sig_dec(last_fault.cause); sig_str(" "); sig_hex(last_fault.tval); }
  else if (show_value) { sig_str("= "); sig_hex(value); }
  else sig_str(ok_text);
  last_fault.hit = 0;
}

static void print_sbi(struct sbiret r)
{
  sig_str("sbi ");
  if (r.error < 0) { sig_str("-"); sig_dec((u64)-r.error); } else sig_dec((u64)r.error);
  sig_str(" "); sig_hex((u64)r.value);
}

/* A 32-bit instruction whose first half is the last two bytes of memory this instance may use and
   whose second half is the first two of memory it may not: the fetch of the second half faults. */
static void straddling_fetch(u64 addr)
{
  *(volatile u16 *)addr = 0x0013;   /* low half of addi x0, x0, 0 */
  asm volatile("fence.i" ::: "memory");
  try_fetch(addr);
}

/* ---- DMA through the adversary's own virtio-blk device (virtio 1.2, 4.2.2 MMIO register layout) ---
   One request whose descriptor table, available ring, used ring or data buffer is placed at `where`
   (the other's memory) and the rest in the adversary's own memory. The device must refuse the
   access outside its owner's memory (IOPMP): it stops with DEVICE_NEEDS_RESET, or completes the
   request with an error, and the other's memory is untouched. The line reports the device status,
   the used index and the request's status byte. */
#define VQ 8
struct vdesc { u64 addr; u32 len; u16 flags, next; };
static struct vdesc dma_desc[VQ] __attribute__((aligned(4096)));
static volatile u16 dma_avail[4 + VQ] __attribute__((aligned(4096)));
static volatile u16 dma_used[4 + 4 * VQ] __attribute__((aligned(4096)));
static struct { u32 type, reserved; u64 sector; } dma_hdr __attribute__((aligned(16)));
static u8 dma_data[512] __attribute__((aligned(512)));
static volatile u8 dma_status;

static inline void mw(u64 base, u64 off, u32 v) { *(volatile u32 *)(base + off) = v; }
static inline u32 mr(u64 base, u64 off) { return *(volatile u32 *)(base + off); }

static void dma_attack(u64 kind, u64 where, u64 slot)
{
  u64 base = VIRTIO_BASE + slot * VIRTIO_STRIDE;
  if (mr(base, 0x0) != 0x74726976 || mr(base, 0x4) != 2 || mr(base, 0x8) != 2) { sig_str("no virtio-blk"); return; }
  mw(base, 0x70, 0);
  mw(base, 0x70, 1);
  mw(base, 0x70, 1 | 2);
  mw(base, 0x24, 1); mw(base, 0x20, 1);   /* VIRTIO_F_VERSION_1 (feature bit 32) */
  mw(base, 0x24, 0); mw(base, 0x20, 0);
  mw(base, 0x70, 1 | 2 | 8);
  u64 desc = kind == 3 ? where : (u64)dma_desc, avail = kind == 4 ? where : (u64)dma_avail, used = kind == 5 ? where : (u64)dma_used;
  u64 data = kind == 1 || kind == 2 ? where : (u64)dma_data;
  mw(base, 0x30, 0);
  mw(base, 0x38, VQ);
  mw(base, 0x80, (u32)desc); mw(base, 0x84, (u32)(desc >> 32));
  mw(base, 0x90, (u32)avail); mw(base, 0x94, (u32)(avail >> 32));
  mw(base, 0xa0, (u32)used); mw(base, 0xa4, (u32)(used >> 32));
  mw(base, 0x44, 1);
  mw(base, 0x70, 1 | 2 | 8 | 4);
  dma_hdr.type = kind == 2 ? 1 : 0;       /* VIRTIO_BLK_T_OUT reads the buffer, T_IN writes it */
  dma_hdr.reserved = 0; dma_hdr.sector = 0;
  dma_status = 0xff;
  dma_desc[0] = (struct vdesc){ (u64)&dma_hdr, 16, 1, 1 };
  dma_desc[1] = (struct vdesc){ data, 512, (u16)(kind == 2 ? 1 : 3), 2 };
  dma_desc[2] = (struct vdesc){ (u64)&dma_status, 1, 2, 0 };
  dma_avail[0] = 0; dma_avail[2] = 0; dma_used[1] = 0;
  asm volatile("fence rw, rw" ::: "memory");
  dma_avail[1] = 1;
  asm volatile("fence rw, rw" ::: "memory");
  mw(base, 0x50, 0);
  for (int i = 0; i < 2000 && dma_used[1] == 0 && !(mr(base, 0x70) & 0x40); i++) asm volatile("");
  sig_str("= "); sig_hex(mr(base, 0x70)); sig_str(" "); sig_hex(dma_used[1]); sig_str(" "); sig_hex(dma_status);
  mw(base, 0x70, 0);                      /* reset: nothing in flight any more */
}

static u64 storm_count;
static void storm(u64 n)
{
  /* Illegal instructions the adversary's own handler takes (delegated to S): a trap storm that
     never reaches the other instance. */
  for (u64 i = 0; i < n; i++) { fault_arm(); asm volatile(".word 0x34001073"); /* csrw mscratch, x0 */ if (last_fault.hit) storm_count++; }
  last_fault.hit = 0;
}

static void attack(const char *tok)
{
  u64 a = token_field(tok, 1, 0), b = token_field(tok, 2, 0), c = token_field(tok, 3, 0);
  sig_str(tok); sig_str(": ");
  if (token_is(tok, "x")) { try_fetch(a); print_fault_or("ok", 0, 0); }
  else if (token_is(tok, "xs")) { straddling_fetch(a); print_fault_or("ok", 0, 0); }
  else if (token_is(tok, "pw")) {
    /* A device register: write, then read back what the write left (the bits of mask c, when given). */
    u64 mask = token_field(tok, 3, 0xffffffffUL);
    try_op("sw", a, b);
    if (last_fault.hit) print_fault_or("", 0, 0);
    else { u64 r = try_op("lw", a, 0); print_fault_or("", r & mask, 1); }
  }
  else if (token_is(tok, "dw")) print_sbi(sbi_call(EXT_DBCN, 0, b, a, c));
  else if (token_is(tok, "dr")) print_sbi(sbi_call(EXT_DBCN, 1, b, a, c));
  else if (token_is(tok, "hs")) print_sbi(sbi_call(EXT_HSM, 3, 0x80000000UL, a, 0));
  else if (token_is(tok, "hst")) print_sbi(sbi_call(EXT_HSM, 0, b, a, 0));
  else if (token_is(tok, "cr")) print_sbi(maint(M_CREATE, a, b, 0));
  else if (token_is(tok, "ba")) print_sbi(maint(M_SET_BOOTARGS, a, b, 0));
  else if (token_is(tok, "ir")) print_sbi(maint(M_LOAD_INITRD, a, b, 0));
  else if (token_is(tok, "ipi")) { print_sbi(sbi_call(EXT_IPI, 0, a, b, 0)); csr_clear(sip, SIP_SSIP); }
  else if (token_is(tok, "rfi")) print_sbi(sbi_call(EXT_RFENCE, 0, a, b, 0));
  else if (token_is(tok, "rsv")) print_sbi(sbi_call(EXT_RFENCE, 1, a, b, 0));
  else if (token_is(tok, "tm")) { print_sbi(sbi_call(EXT_TIME, 0, a, 0, 0)); }
  else if (token_is(tok, "ho")) print_sbi(maint(M_HAND_OVER, a, b, 0));
  else if (token_is(tok, "st")) print_sbi(maint(M_START, a, 0, 0));
  else if (token_is(tok, "share")) print_sbi(maint(M_SET_SHARE, a, b, 0));
  else if (token_is(tok, "wd")) print_sbi(maint(M_SET_WATCHDOG, a, b, 0));
  else if (token_is(tok, "dma")) dma_attack(a, b, c ? c : 7);
  else if (token_is(tok, "storm")) { storm(a); sig_str("= "); sig_dec(storm_count); }
  else if (token_is(tok, "srst")) { sig_flush(); print_sbi(sbi_call(EXT_SRST, 0, a, b, 0)); }
  else if (token_is(tok, "crash")) {
    /* Nothing left to catch a trap: every trap goes to an unusable stvec and faults again. */
    sig_str("crashing\n"); sig_flush();
    csr_write(stvec, a);
    asm volatile(".word 0x34001073");
  }
  else if (token_is(tok, "hog")) {
    sig_str("hogging\n"); sig_flush();
    csr_clear(sstatus, SSTATUS_SIE);
    for (;;) asm volatile("");
  }
  else {
    u64 r = try_op(tok, a, b ? b : 0x5a5a5a5a5a5a5a5aUL);
    print_fault_or("ok", r, !is_store(tok));
  }
  sig_str("\n");
  /* Each attempt is on the console before the next one (a crash or an SRST must not lose it). */
  sig_flush();
}

static int __attribute__((unused)) has_token(const char *word)
{
  char tok[96];
  for (u64 pos = 0; next_token(&pos, tok, sizeof tok);) if (token_is(tok, word)) return 1;
  return 0;
}

static int is_plan_word(const char *tok)
{
  return token_is(tok, "spawn") || token_is(tok, "give") || token_is(tok, "dormant");
}

int main(void)
{
  bootargs_read();
  u64 self = maint(M_SELF, 0, 0, 0).value;
#ifdef LAUNCHER
  int spawned = self == 0 && has_token("spawn");
  if (spawned) {
    /* Instance 0 starts the victim, which it carries, and waits until its vault is in place. */
    char tok[96];
    maint(M_VIRTUALIZE, 0, 0, 0);
    maint(M_CREATE, (u64)blob_start, (u64)(blob_end - blob_start), 0);
    for (u64 pos = 0; next_token(&pos, tok, sizeof tok);) if (token_is(tok, "give")) maint(M_HAND_OVER, token_field(tok, 1, 0), 1, 0);
    maint(M_START, 1, 0, 0);
    for (int k = 0; k < WAIT_YIELDS && instance_state(1) != ST_READY; k++) yield_slice();
  } else if (self == 0 && !has_token("dormant")) {
    maint(M_VIRTUALIZE, 0, 0, 0);
  }
#endif
  sig_str("adversary "); sig_dec(self); sig_str("\n");
  sig_flush();
  char tok[96];
  for (u64 pos = 0; next_token(&pos, tok, sizeof tok);) if (!is_plan_word(tok)) attack(tok);
  /* The firmware still answers, as the specification says it must (maintenance-sbi.md
     "Identification"). */
  sig_str("firmware "); sig_hex(sbi_call(EXT_BASE, 0, 0, 0, 0).value); sig_str(" "); sig_hex(sbi_call(EXT_BASE, 1, 0, 0, 0).value); sig_str("\n");
  sig_str("done\n");
  sig_flush();
#ifdef LAUNCHER
  /* Let the victim finish before the machine powers off. */
  if (spawned) for (int k = 0; k < WAIT_YIELDS && instance_state(1) != ST_ABSENT; k++) yield_slice();
#endif
  return 0;
}
