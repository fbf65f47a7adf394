/* The PLIC's S-mode context while two instances share the hart (conformance/maintenance-sbi.md,
   "Devices and handoff").

   The hart has one S context (context 1) and two operating systems. While both run, PMP denies
   the PLIC (priorities, pending bits, enables and both contexts) to S (pmp.c), load and
   store access faults come to the firmware (medeleg bits 5 and 7 cleared), and each 4-byte
   access is emulated against the caller's virtual context: its enable bits and threshold. A
   source belongs to the owner of the device that raises it (devices.c); sources no device raises
   stay instance 0's. The caller sees and changes only its own sources: another instance's source
   reads as 0 in the priority, pending and enable registers, and writes to it (priority, enable,
   completion) are ignored. The real context 1 always holds the running instance's virtual
   context, so a claim returns only its sources; the sources the other instance enabled are
   routed to context 0 (the machine external interrupt) with that instance's threshold, so their
   arrival wakes the firmware, which masks them there until that instance runs.

   With one instance the PLIC is passed through untouched: the real context is the instance's.

   What is not emulated: accesses narrower or wider than 4 bytes, misaligned ones, AMOs, and
   accesses to context 0: they fault as on the bare platform (the fault is delivered to the
   guest's handler as it would have been, trap_redirect_to_s). */
#include "devices.h"
#include "instance.h"
#include "csr.h"
#include "platform.h"

#define PLIC(off) (PLIC_BASE + (off))
#define PLIC_WINDOW PLIC_SIZE
#define PENDING 0x1000UL
#define WORDS (PLIC_SOURCES / 32)
#define S_ENABLE (PLIC_ENABLE + PLIC_ENABLE_STRIDE)
#define S_CONTEXT (PLIC_CONTEXT + PLIC_CONTEXT_STRIDE)
#define M_THRESHOLD (PLIC_CONTEXT)
#define M_CLAIM (PLIC_CONTEXT + PLIC_CLAIM)
#define DELEG_ACCESS_FAULTS ((1UL << EXC_LOAD_ACCESS) | (1UL << EXC_STORE_ACCESS))

struct vcontext { u32 enable[WORDS]; u32 threshold; };
static struct vcontext vctx[2];
static int emulating;

/* The instance a source belongs to: its device's owner; instance 0 for a source no device raises. */
static u64 source_owner(u32 src)
{
  int owner = 0;
  if (src == UART0_IRQ) owner = devices_owner(DEV_UART);
  else if (src == RTC_IRQ) owner = devices_owner(DEV_RTC);
  else if (src >= VIRTIO_IRQ0 && src < VIRTIO_IRQ0 + VIRTIO_COUNT) owner = devices_owner(DEV_VIRTIO0 + (src - VIRTIO_IRQ0));
  return owner < 0 ? 0 : (u64)owner;
}

static int visible(u32 src, u64 id)
{
#ifdef BUG_PLIC_OTHER_VISIBLE
  /* The bug (make variant BUG=plic-other-visible): the UART's source stays visible to everybody. */
  if (src == UART0_IRQ) return 1;
#endif
  return source_owner(src) == id;
}

/* The bits of enable/pending word `w` that instance `id` may see. */
static u32 own_mask(int w, u64 id)
{
  u32 m = 0;
  for (int b = 0; b < 32; b++) if (visible(w * 32 + b, id)) m |= 1U << b;
  return m;
}

int plic_emul_active(void) { return emulating; }

/* What the real contexts hold, so that a world switch writes only the registers that change
   (usually the first enable word of each context: the devices' sources are 1..11). Valid while
   emulating; plic_emul_begin fills it. */
static u32 real_enable[2][WORDS], real_threshold[2];

static void set_enable(int ctx, int w, u32 v)
{
  if (real_enable[ctx][w] == v) return;
  real_enable[ctx][w] = v;
  mmio_write32(PLIC((ctx ? S_ENABLE : PLIC_ENABLE) + 4 * w), v);
}
static void set_threshold(int ctx, u32 v)
{
  if (real_threshold[ctx] == v) return;
  real_threshold[ctx] = v;
  mmio_write32(PLIC(ctx ? S_CONTEXT : M_THRESHOLD), v);
}

/* Every device an instance can own raises a source below 32 (DEVIRT_DEVICES), so only the first
   enable word differs between the instances; the other words hold sources no device raises,
   which are instance 0's and never pend: the real context 1 keeps instance 0's bits there, and
   plic_emul_end sets them for the survivor. */
#define DEVICE_WORD 0
#define IRQ_BELOW_32(id, b, s, irq, rrid) _Static_assert((irq) < 32, "a device source beyond the first enable word");
DEVIRT_DEVICES(IRQ_BELOW_32)

void plic_emul_switch(u64 to)
{
  u32 e1 = vctx[to].enable[DEVICE_WORD], e0 = vctx[!to].enable[DEVICE_WORD];
  if (real_enable[1][DEVICE_WORD] != e1) set_enable(1, DEVICE_WORD, e1);
  if (real_enable[0][DEVICE_WORD] != e0) set_enable(0, DEVICE_WORD, e0);
  if (real_threshold[1] != vctx[to].threshold) set_threshold(1, vctx[to].threshold);
  if (real_threshold[0] != vctx[!to].threshold) set_threshold(0, vctx[!to].threshold);
}

void plic_emul_begin(void)
{
  if (emulating) return;
  u64 cur = instance_current();
  for (int w = 0; w < WORDS; w++) {
    vctx[cur].enable[w] = mmio_read32(PLIC(S_ENABLE + 4 * w));
    vctx[!cur].enable[w] = 0;
  }
  vctx[cur].threshold = mmio_read32(PLIC(S_CONTEXT));
  vctx[!cur].threshold = 0;
  for (int c = 0; c < 2; c++) {
    for (int w = 0; w < WORDS; w++) real_enable[c][w] = mmio_read32(PLIC((c ? S_ENABLE : PLIC_ENABLE) + 4 * w));
    real_threshold[c] = mmio_read32(PLIC(c ? S_CONTEXT : M_THRESHOLD));
  }
  emulating = 1;
  csr_clear(medeleg, DELEG_ACCESS_FAULTS);
  plic_emul_switch(cur);
}

void plic_emul_end(u64 survivor)
{
  if (!emulating) return;
  vctx[!survivor] = (struct vcontext){ { 0 }, 0 };
  plic_emul_switch(survivor); /* context 0 gets the absent instance's (empty) state */
  for (int w = 0; w < WORDS; w++) if (w != DEVICE_WORD) set_enable(1, w, vctx[survivor].enable[w]);
  emulating = 0;
  csr_set(medeleg, DELEG_ACCESS_FAULTS);
}

/* Clear a source's claimed and pending state through context 0 (the firmware's): complete it,
   then claim it once with only it enabled there and complete that claim. */
static void source_clear(u32 src)
{
  u32 saved[WORDS];
  for (int w = 0; w < WORDS; w++) { saved[w] = mmio_read32(PLIC(PLIC_ENABLE + 4 * w)); mmio_write32(PLIC(PLIC_ENABLE + 4 * w), 0); }
  u32 threshold = mmio_read32(PLIC(M_THRESHOLD));
  mmio_write32(PLIC(M_CLAIM), src);
  mmio_write32(PLIC(4 * src), 1);
  mmio_write32(PLIC(M_THRESHOLD), 0);
  mmio_write32(PLIC(PLIC_ENABLE + 4 * (src / 32)), 1U << (src % 32));
  u32 got = mmio_read32(PLIC(M_CLAIM));
  if (got) mmio_write32(PLIC(M_CLAIM), got);
  mmio_write32(PLIC(4 * src), 0);
  mmio_write32(PLIC(M_THRESHOLD), threshold);
  for (int w = 0; w < WORDS; w++) mmio_write32(PLIC(PLIC_ENABLE + 4 * w), saved[w]);
}

void plic_emul_source_moved(u32 src, u64 from, u64 to)
{
  u32 bit = 1U << (src % 32);
  int w = src / 32;
  source_clear(src); /* the new owner starts with the source idle, disabled and at priority 0 */
  if (emulating) {
    vctx[from].enable[w] &= ~bit;
    vctx[to].enable[w] &= ~bit;
    plic_emul_switch(instance_current());
  } else {
    mmio_write32(PLIC(S_ENABLE + 4 * w), mmio_read32(PLIC(S_ENABLE + 4 * w)) & ~bit);
  }
}

int plic_emul_meip(void)
{
  for (int w = 0; w < WORDS; w++) {
    u32 hits = mmio_read32(PLIC(PENDING + 4 * w)) & real_enable[0][w];
    if (!hits) continue;
    u32 b = 0;
    while (!(hits & (1U << b))) b++;
    u32 src = w * 32 + b;
    /* Masked in context 0 until its owner runs (plic_emul_switch routes it to context 1 then). */
    set_enable(0, w, real_enable[0][w] & ~(1U << (src % 32)));
    return (int)source_owner(src);
  }
  return -1;
}

int plic_emul_pending(u64 id)
{
  if (!emulating) return 0;
  u32 en = vctx[id].enable[DEVICE_WORD];
  if (!en) return 0;   /* nothing enabled: no need to read the PLIC */
  u32 hits = mmio_read32(PLIC(PENDING + 4 * DEVICE_WORD)) & en;
  for (int b = 0; hits; b++, hits >>= 1)
    if ((hits & 1) && mmio_read32(PLIC(4 * (DEVICE_WORD * 32 + b))) > vctx[id].threshold) return 1;
  return 0;
}

void trap_redirect_to_s(u64 cause, u64 tval)
{
  u64 ms = csr_read(mstatus);
  csr_write(sepc, csr_read(mepc));
  csr_write(scause, cause);
  csr_write(stval, tval);
  /* As the hart would have done: SPP = the privilege trapped from, SPIE = SIE, SIE = 0. */
  if ((ms & MSTATUS_MPP) == MSTATUS_MPP_S) ms |= MSTATUS_SPP; else ms &= ~MSTATUS_SPP;
  if (ms & MSTATUS_SIE) ms |= MSTATUS_SPIE; else ms &= ~MSTATUS_SPIE;
  ms &= ~(MSTATUS_SIE | MSTATUS_MPP);
  ms |= MSTATUS_MPP_S;
  csr_write(mstatus, ms);
  /* Exceptions go to stvec's base in both direct and vectored modes. */
  csr_write(mepc, csr_read(stvec) & ~3UL);
}

/* The instruction at the guest's pc, read with its own translation (MPRV, MXR: the page it runs
   from is executable, perhaps not readable). */
static u32 guest_insn(u64 pc, int *len)
{
  u64 lo, hi = 0;
  u64 mprv = MSTATUS_MPRV | MSTATUS_MXR;
  asm volatile("csrs mstatus, %1\n lhu %0, 0(%2)\n csrc mstatus, %1" : "=&r"(lo) : "r"(mprv), "r"(pc) : "memory");
  if ((lo & 3) == 3) {
    asm volatile("csrs mstatus, %1\n lhu %0, 2(%2)\n csrc mstatus, %1" : "=&r"(hi) : "r"(mprv), "r"(pc) : "memory");
    *len = 4;
    return (u32)(lo | (hi << 16));
  }
  *len = 2;
  return (u32)lo;
}

/* A 4-byte load or store: its data register and whether it stores; -1 for anything else. */
static int decode_word_access(u32 insn, int len, int *store, int *unsigned_load)
{
  *unsigned_load = 0;
  if (len == 4) {
    u32 op = insn & 0x7f, f3 = (insn >> 12) & 7;
    if (op == 0x03 && (f3 == 2 || f3 == 6)) { *store = 0; *unsigned_load = f3 == 6; return (insn >> 7) & 31; } /* lw, lwu */
    if (op == 0x23 && f3 == 2) { *store = 1; return (insn >> 20) & 31; } /* sw */
    return -1;
  }
  u32 q = insn & 3, f3 = (insn >> 13) & 7;
  if (q == 0 && f3 == 2) { *store = 0; return 8 + ((insn >> 2) & 7); } /* c.lw */
  if (q == 0 && f3 == 6) { *store = 1; return 8 + ((insn >> 2) & 7); } /* c.sw */
  if (q == 2 && f3 == 2) { *store = 0; return (insn >> 7) & 31; }      /* c.lwsp */
  if (q == 2 && f3 == 6) { *store = 1; return (insn >> 2) & 31; }      /* c.swsp */
  return -1;
}

/* The caller's view of a PLIC register: 1 if handled (value in *v for a load), 0 to fault. */
static int emulate(u64 off, int store, u32 *v, u64 me)
{
  if (off < PENDING) { /* priority of source off / 4 */
    u32 src = off / 4;
    if (store) { if (visible(src, me)) mmio_write32(PLIC(off), *v); }
    else *v = visible(src, me) ? mmio_read32(PLIC(off)) : 0;
    return 1;
  }
  if (off < PENDING + 4 * WORDS) { /* pending bits: read-only */
    if (!store) *v = mmio_read32(PLIC(off)) & own_mask((off - PENDING) / 4, me);
    return 1;
  }
  if (off >= PLIC_ENABLE && off < PLIC_ENABLE + PLIC_ENABLE_STRIDE) return 0; /* context 0's */
  if (off >= S_ENABLE && off < S_ENABLE + 4 * WORDS) {
    int w = (off - S_ENABLE) / 4;
    if (store) {
      vctx[me].enable[w] = *v & own_mask(w, me);
      if (w == DEVICE_WORD) plic_emul_switch(me);
      else if (me == 0) set_enable(1, w, vctx[me].enable[w]);   /* instance 0's words (above) */
    }
    else *v = vctx[me].enable[w];
    return 1;
  }
  if (off >= PLIC_CONTEXT && off < PLIC_CONTEXT + PLIC_CONTEXT_STRIDE) return 0; /* context 0's */
  if (off == S_CONTEXT) {
    if (store) { vctx[me].threshold = *v & 7; set_threshold(1, vctx[me].threshold); }
    else *v = vctx[me].threshold;
    return 1;
  }
  if (off == S_CONTEXT + PLIC_CLAIM) {
    /* The real context 1 holds only the caller's sources, so its claim is the caller's. */
    if (store) { if (*v < PLIC_SOURCES && visible(*v, me)) mmio_write32(PLIC(off), *v); }
    else *v = mmio_read32(PLIC(off));
    return 1;
  }
  /* Anything else in the window has no register: as the PLIC does, reads 0 and ignores writes. */
  if (store) mmio_write32(PLIC(off), *v); else *v = mmio_read32(PLIC(off));
  return 1;
}

/* The physical address of the guest's access to `va`: mtval holds the virtual address when the
   guest translates (a kernel maps the PLIC where it likes), so the guest's own page tables are
   walked (privileged spec 4.3.2, Sv39, Sv48 and Sv57: QEMU offers the larger ones and Linux takes
   them; the checks the hart already made are not repeated). 0 if not mapped. */
#define PPN(pte) (((pte) >> 10) & ((1UL << 44) - 1))
static int guest_pa(u64 va, u64 *pa)
{
  u64 satp = csr_read(satp), mode = satp >> 60;
  if (mode == 0) { *pa = va; return 1; }
  if (mode < 8 || mode > 10) return 0;
  u64 table = (satp & ((1UL << 44) - 1)) << 12;
  u64 me = instance_current();
  for (int level = (int)mode - 6; level >= 0; level--) {   /* Sv39: 2, Sv48: 3, Sv57: 4 */
    u64 at = table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
    /* The walk reads only the guest's own memory: its satp or a PTE could name another
       instance's memory, the firmware's or a device (whose reads may have effects). PMP checks
       the hart's own walk; this one runs in M-mode, so it checks for itself. */
    if (!instance_owns(me, at, 8)) return 0;
    u64 pte = *(volatile u64 *)at;
    if (!(pte & 1)) return 0;
    if (pte & 0xe) {   /* a leaf: R, W or X */
      u64 offset = (1UL << (12 + 9 * level)) - 1;
      *pa = ((PPN(pte) << 12) & ~offset) | (va & offset);
      return 1;
    }
    table = PPN(pte) << 12;
  }
  return 0;
}

int plic_emul_access_fault(struct trap_frame *f, u64 cause, u64 vaddr)
{
  u64 addr;
  if (!emulating || !guest_pa(vaddr, &addr) || addr < PLIC_BASE || addr >= PLIC_BASE + PLIC_WINDOW) return 0;
  if ((csr_read(mstatus) & MSTATUS_MPP) != MSTATUS_MPP_S || (addr & 3)) return 0;
  int len, store, uload;
  u64 pc = csr_read(mepc);
  int reg = decode_word_access(guest_insn(pc, &len), len, &store, &uload);
  if (reg < 0 || store != (cause == EXC_STORE_ACCESS)) return 0;
  u32 v = store && reg ? (u32)f->x[reg] : 0;
  if (!emulate(addr - PLIC_BASE, store, &v, instance_current())) return 0;
  if (!store && reg != 0) f->x[reg] = uload ? (u64)v : (u64)(long)(int)v;
  csr_write(mepc, pc + len);
  return 1;
}
