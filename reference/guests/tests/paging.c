/* Sv39: 4 KiB, 2 MiB and 1 GiB pages, A and D set by the hart (as QEMU does), R/W/X/U checks,
 * SUM, MXR, MPRV, invalid, reserved and misaligned-superpage PTEs, non-canonical addresses,
 * sfence.vma, and U-mode code running from a U alias of RAM. Page faults go to M, which
 * records them; S-mode code runs the probes and prints. */
#include "rt.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define LEAF(pa, f) ((((uint64_t)(pa)) >> 12) << 10 | (f) | PTE_V)
#define TABLE(pa) ((((uint64_t)(pa)) >> 12) << 10 | PTE_V)
#define RWXAD (PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l0[512] __attribute__((aligned(4096)));
static uint64_t page_a[512] __attribute__((aligned(4096)));
static uint64_t page_b[512] __attribute__((aligned(4096)));
static uint64_t page_c[512] __attribute__((aligned(4096)));
/* The target of the 2 MiB mapping, at a 2 MiB boundary inside RAM. */
#define BIG_PA 0x80400000UL
#define VA(i) (0x40000000UL + (i) * 0x1000UL)
#define VA_2M 0x40200000UL
#define VA_2M_BAD 0x40400000UL
#define ALIAS 0x40000000UL /* gigapage 3 (VA 0xc0000000) maps RAM again, with U set */

static uint64_t ld(uint64_t a) { uint64_t v = 0xdead; __asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(a) : "memory"); return v; }
static void sd(uint64_t a, uint64_t v) { __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }
static void jump_to(uint64_t a) { ((void (*)(void))a)(); }

static void probe_ld(const char *what, uint64_t va) {
  uint64_t v = ld(va);
  printf_("%s: ld %x -> %x", what, va, m_rec.count ? 0 : v);
  printf_(" traps=%u cause=%x tval=%x\n", m_rec.count, m_rec.cause, m_rec.tval);
  m_rec.count = 0; m_rec.cause = 0; m_rec.tval = 0;
}
static void probe_sd(const char *what, uint64_t va, uint64_t v) {
  sd(va, v);
  printf_("%s: sd %x traps=%u cause=%x tval=%x\n", what, va, m_rec.count, m_rec.cause, m_rec.tval);
  m_rec.count = 0; m_rec.cause = 0; m_rec.tval = 0;
}
static void probe_x(const char *what, uint64_t va) {
  jump_to(va);
  printf_("%s: fetch %x traps=%u cause=%x tval=%x\n", what, va, m_rec.count, m_rec.cause, m_rec.tval);
  m_rec.count = 0; m_rec.cause = 0; m_rec.tval = 0;
}
static void show_pte(const char *what, int i) { printf_("  pte %s: flags %x\n", what, l0[i] & 0xff); }

static long s_probes(long arg) {
  (void)arg;
  probe_ld("4K fresh page", VA(0)); show_pte("after load", 0);
  probe_sd("4K fresh page", VA(0), 0xabcdef); show_pte("after store", 0);
  CHECK_EQ(page_a[0], 0xabcdef);
  probe_ld("read-only", VA(1));
  probe_sd("read-only", VA(1), 1);
  probe_ld("execute-only", VA(2));
  csr_set(sstatus, MSTATUS_MXR);
  probe_ld("execute-only with MXR", VA(2));
  csr_clear(sstatus, MSTATUS_MXR);
  probe_ld("user page from S", VA(3));
  csr_set(sstatus, MSTATUS_SUM);
  probe_ld("user page from S with SUM", VA(3));
  probe_sd("user page from S with SUM", VA(3) + 8, 0x5555);
  /* QEMU 7.2 lets a fetch through a TLB entry a data access filled, so flush first
   * (conformance/qemu-divergences.md, qemu-tlb-exec-permission). */
  sfence_vma();
  probe_x("user page fetch from S with SUM", VA(3));
  csr_clear(sstatus, MSTATUS_SUM);
  probe_ld("invalid", VA(4));
  probe_sd("invalid", VA(4), 1);
  probe_x("invalid", VA(4));
  probe_ld("reserved W without R", VA(5));
  probe_x("no X", VA(0));
  probe_x("X page (ret)", VA(6));
  probe_ld("A clear, D clear, store later", VA(7)); show_pte("A set", 7);
  probe_ld("2M page", VA_2M + 0x1238);
  probe_ld("2M page, second 4K", VA_2M + 0x3000);
  probe_ld("misaligned 2M superpage", VA_2M_BAD);
  csr_set(sstatus, MSTATUS_SUM);
  probe_ld("1G page", 0xc0000000UL + ((uint64_t)page_b - RAM_BASE));
  csr_clear(sstatus, MSTATUS_SUM);
  probe_ld("non-canonical", 0x0000004000000000UL);
  probe_ld("canonical high, unmapped", 0xffffffc000000000UL);
  probe_ld("unmapped gigapage", 0x140000000UL);
  /* Remap VA(0) to page_b: without sfence.vma the old translation may survive, after it not. */
  l0[0] = LEAF(page_b, PTE_R | PTE_W | PTE_A | PTE_D);
  sfence_vma();
  probe_ld("remapped after sfence.vma", VA(0));
  return 0;
}

static long u_probes(long arg) {
  (void)arg;
  /* Runs at the U alias; reports through the return value (bit per fault). */
  long r = 0;
  ld(VA(3)); if (m_rec.count) r |= 1; m_rec.count = 0;
  ld(VA(0)); if (m_rec.count) r |= 2; m_rec.count = 0;
  sd(VA(3) + 16, 7); if (m_rec.count) r |= 4; m_rec.count = 0;
  return r;
}

int main(void) {
  m_expected = (1UL << 12) | (1UL << 13) | (1UL << 15);
  for (int i = 0; i < 512; i++) { page_a[i] = 0xa000 + i; page_b[i] = 0xb000 + i; page_c[i] = 0xc000 + i; }
  page_c[0] = 0x00008067; /* ret, for the X page */
  MMIO64(BIG_PA + 0x1238) = 0x2000001238UL;
  MMIO64(BIG_PA + 0x3000) = 0x2000003000UL;

  root[0] = LEAF(0, PTE_R | PTE_W | PTE_A | PTE_D);  /* devices, identity */
  root[1] = TABLE(l1);
  root[2] = LEAF(RAM_BASE, RWXAD | PTE_G);          /* RAM, identity, S only */
  root[3] = LEAF(RAM_BASE, RWXAD | PTE_U);          /* RAM again at 0xc0000000, for U */
  l1[0] = TABLE(l0);
  l1[1] = LEAF(BIG_PA, PTE_R | PTE_W | PTE_A | PTE_D);
  l1[2] = LEAF(BIG_PA + 0x1000, PTE_R | PTE_A);      /* misaligned superpage */
  l0[0] = LEAF(page_a, PTE_R | PTE_W);                /* A and D clear */
  l0[1] = LEAF(page_a, PTE_R | PTE_A);
  l0[2] = LEAF(page_b, PTE_X | PTE_A);
  l0[3] = LEAF(page_c, PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D);
  l0[4] = LEAF(page_a, PTE_R) & ~PTE_V;
  l0[5] = LEAF(page_a, PTE_W | PTE_A | PTE_D);
  l0[6] = LEAF(page_c, PTE_X | PTE_A);
  l0[7] = LEAF(page_b, PTE_R | PTE_W);

  csr_write(satp, (8UL << 60) | ((uint64_t)root >> 12));
  sfence_vma();
  printf_("satp mode %d\n", (long)(csr_read(satp) >> 60));
  long r = run_in_mode(PRV_S, s_probes, 0);
  printf_("S probes -> %d\n", r);

  r = run_in_mode_at(PRV_U, u_probes, 0, ALIAS);
  printf_("U probes at the alias -> fault mask %x\n", (uint64_t)r);
  CHECK_EQ(r, 2);
  printf_("U store reached page_c: %x\n", page_c[2]);

  /* MPRV: M data accesses translated as MPP's mode, M fetches not. */
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, (uint64_t)PRV_S << 11);
  csr_set(mstatus, MSTATUS_MPRV);
  uint64_t v = ld(VA(1));
  csr_clear(mstatus, MSTATUS_MPRV);
  printf_("MPRV=1 MPP=S: ld %x -> %x traps=%u\n", VA(1), v, m_rec.count);
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, MSTATUS_MPRV);
  v = ld(VA(1));
  csr_clear(mstatus, MSTATUS_MPRV);
  printf_("MPRV=1 MPP=U: ld %x traps=%u cause=%x tval=%x\n", VA(1), m_rec.count, m_rec.cause, m_rec.tval);
  csr_write(satp, 0);
  sfence_vma();
  return failures();
}
