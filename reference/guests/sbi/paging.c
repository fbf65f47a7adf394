/* Transparency probe "paging": Sv39 address spaces, satp switches with ASIDs, U-mode processes on
   their own pages, page faults of every kind, SUM and MXR, A/D bits, and a page-table change made
   without sfence.vma (whose outcome the TLB decides: the Microvisor must not change it). */
#include "guest.h"

#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_G (1UL << 5)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define LEAF(pa, f) ((((u64)(pa)) >> 12) << 10 | (f) | PTE_V)
#define SATP(root, asid) ((8UL << 60) | ((u64)(asid) << 44) | ((u64)(root) >> 12))

#define UVA 0x40000000UL          /* user space: code, then data pages */
#define UDATA (UVA + 0x100000UL)

extern char __user_start[], __user_end[];
static u64 *root1, *root2, *l1, *l0a, *l0b;
static u64 *data[6];

static void map_kernel(u64 *root)
{
  root[0] = LEAF(0, PTE_R | PTE_W | PTE_A | PTE_D | PTE_G);              /* devices */
  root[2] = LEAF(0x80000000UL, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G); /* RAM, firmware included */
}

static u64 *build_space(u64 *root, u64 *l0, int alt)
{
  u64 *mid = page_alloc();
  map_kernel(root);
  root[1] = ((u64)mid >> 12) << 10 | PTE_V;
  mid[0] = ((u64)l0 >> 12) << 10 | PTE_V;
  u64 *mid_d = page_alloc();
  (void)mid_d;
  /* Code pages (U, R, X). */
  u64 n = (u64)(__user_end - __user_start) / 4096;
  for (u64 i = 0; i < n; i++) l0[i] = LEAF((u64)__user_start + i * 4096, PTE_U | PTE_R | PTE_X | PTE_A);
  /* Data in the second megabyte: l0 index 256.. */
  l0[256] = LEAF(data[alt ? 1 : 0], PTE_U | PTE_R | PTE_W | PTE_A | PTE_D);
  l0[257] = LEAF(data[2], PTE_U | PTE_R | PTE_A);                        /* read-only */
  l0[258] = LEAF(data[3], PTE_U | PTE_R | PTE_W);                        /* A and D clear */
  l0[259] = LEAF(data[4], PTE_U | PTE_X | PTE_A);                        /* execute-only */
  l0[260] = LEAF(data[5], PTE_R | PTE_W | PTE_A | PTE_D);                /* supervisor page */
  /* 261: not mapped */
  return mid;
}

#define USER __attribute__((section(".usertext"), noinline))
USER static u64 ucall(u64 n, u64 a0) { register u64 r0 asm("a0") = a0; register u64 r7 asm("a7") = n; asm volatile("ecall" : "+r"(r0) : "r"(r7) : "memory"); return r0; }
#define UTRY(insn, tag) do { ucall(2, tag); asm volatile(".option push\n.option norvc\n" insn "\n.option pop" ::: "t0", "memory"); ucall(3, tag); } while (0)
USER static void user_main(void)
{
  volatile u64 *d = (volatile u64 *)UDATA;
  u64 sum = 0;
  for (int round = 0; round < 4; round++)
    for (int i = 0; i < 512; i += 8) { d[i] += i + round; sum += d[i]; }
  ucall(4, sum);
  ucall(4, *(volatile u64 *)(UDATA + 0x1000));
  UTRY("li t0, 0x40101000\nsd t0, 0(t0)", 1);       /* store to read-only */
  UTRY("li t0, 0x40102000\nld t0, 0(t0)", 2);       /* A clear */
  UTRY("li t0, 0x40102000\nsd t0, 8(t0)", 3);       /* D clear */
  UTRY("li t0, 0x40103000\nld t0, 0(t0)", 4);       /* execute-only */
  UTRY("li t0, 0x40104000\nld t0, 0(t0)", 5);       /* supervisor page */
  UTRY("li t0, 0x40105000\nld t0, 0(t0)", 6);       /* unmapped */
  UTRY("li t0, 0x80200000\nld t0, 0(t0)", 7);       /* kernel */
  for (int i = 0; i < 30; i++) sum += ucall(5, i);
  ucall(4, sum);
  ucall(0, d[8]);
}

static u64 user_syscall(u64 n, u64 a0, u64 a1)
{
  (void)a1;
  if (n == 2) fault_arm();
  else if (n == 3) { sig_str("user "); sig_dec(a0); sig_fault(""); }
  else if (n == 4) sig_kv("user value", a0);
  else if (n == 5) return a0 * 3;
  return 0;
}

static void s_access(const char *what, u64 va)
{
  sig_try_load(what, va);
}

int main(void)
{
  for (int i = 0; i < 6; i++) { data[i] = page_alloc(); data[i][0] = 0x1000 * (i + 1); }
  root1 = page_alloc(); root2 = page_alloc(); l0a = page_alloc(); l0b = page_alloc();
  l1 = build_space(root1, l0a, 0);
  build_space(root2, l0b, 1);
  syscall_hook = user_syscall;
  u64 ustack = UDATA + 0x1000 - 64; /* stack at the top of the first data page */

  csr_write(satp, SATP(root1, 1));
  asm volatile("sfence.vma" ::: "memory");
  sig_kv("satp", csr_read(satp) & ~((1UL << 44) - 1));
  s_access("S reads U page, SUM off", UDATA);
  csr_set(sstatus, SSTATUS_SUM);
  s_access("S reads U page, SUM on", UDATA);
  csr_clear(sstatus, SSTATUS_SUM);
  s_access("S reads X-only, MXR off", UDATA + 0x3000);
  csr_set(sstatus, SSTATUS_MXR | SSTATUS_SUM);
  s_access("S reads X-only, MXR on", UDATA + 0x3000);
  csr_clear(sstatus, SSTATUS_MXR | SSTATUS_SUM);
  s_access("S unmapped", UDATA + 0x5000);
  s_access("S far", 0x7000000000UL);
  s_access("S non-canonical", 0x8000000000UL);
  s_access("S firmware through paging", 0x80000000UL);
  try_fetch(UVA); sig_fault("S fetch from U code");
  try_fetch(UDATA + 0x4000); sig_fault("S fetch from S data");

  i64 r = run_user(UVA + ((u64)user_main - (u64)__user_start), ustack);
  sig_kv("user exit", r);
  sig_kv("pte A/D page", l0a[258] & 0xff);

  /* Second address space (ASID 2) maps the same virtual data page elsewhere. */
  csr_write(satp, SATP(root2, 2));
  asm volatile("sfence.vma" ::: "memory");
  csr_set(sstatus, SSTATUS_SUM);
  sig_kv("space 2 data", *(volatile u64 *)UDATA);
  csr_write(satp, SATP(root1, 1));
  sig_kv("space 1 data (no fence)", *(volatile u64 *)UDATA);
  asm volatile("sfence.vma" ::: "memory");
  sig_kv("space 1 data", *(volatile u64 *)UDATA);

  /* Change a mapping without sfence.vma: what the guest reads depends only on its own TLB use. */
  sig_kv("before remap", *(volatile u64 *)(UDATA + 0x1000));
  l0a[257] = LEAF(data[5], PTE_U | PTE_R | PTE_A);
  for (int i = 0; i < 3; i++) sig_kv("stale?", *(volatile u64 *)(UDATA + 0x1000));
  asm volatile("sfence.vma" ::: "memory");
  sig_kv("after fence", *(volatile u64 *)(UDATA + 0x1000));
  l0a[257] = LEAF(data[2], PTE_U | PTE_R | PTE_A);
  asm volatile("sfence.vma zero, zero" ::: "memory");
  csr_clear(sstatus, SSTATUS_SUM);

  r = run_user(UVA + ((u64)user_main - (u64)__user_start), ustack);
  sig_kv("user exit again", r);

  csr_write(satp, 0);
  asm volatile("sfence.vma" ::: "memory");
  for (int i = 0; i < 6; i++) sig_kv("data", data[i][0] ^ data[i][8]);
  sig_kv("final sscratch", csr_read(sscratch) - (u64)&main);
  sig_kv("sstatus", csr_read(sstatus));
  sig_kv("satp", csr_read(satp));
  sig_flush();
  return 0;
}
