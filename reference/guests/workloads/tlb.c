/* TLB heavy: Sv39 with two address spaces of 64 user pages each; the kernel touches every page
   through SUM, switching satp (and flushing) between rounds, so most accesses walk the tables. */
#include "workload.h"

#define PTE_V 1UL
#define PTE_RWAD (0x2UL | 0x4UL | 0x40UL | 0x80UL)
#define PTE_X 0x8UL
#define PTE_U 0x10UL
#define LEAF(pa, f) ((((u64)(pa)) >> 12) << 10 | (f) | PTE_V)
#define PAGES 20
#define VA 0x40000000UL

static u64 *roots[2];
static u8 frames[PAGES][4096] __attribute__((aligned(4096), section(".noinit")));

void workload_setup(void)
{
  for (int s = 0; s < 2; s++) {
    u64 *root = page_alloc(), *mid = page_alloc(), *leaf = page_alloc();
    root[0] = LEAF(0, PTE_RWAD);
    root[2] = LEAF(0x80000000UL, PTE_RWAD | PTE_X);
    root[1] = ((u64)mid >> 12) << 10 | PTE_V;
    mid[0] = ((u64)leaf >> 12) << 10 | PTE_V;
    for (int p = 0; p < PAGES; p++) leaf[p * 3] = LEAF(frames[(p + s) % PAGES], PTE_RWAD | PTE_U);
    roots[s] = root;
  }
  for (int p = 0; p < PAGES; p++) *(u64 *)frames[p] = p;
}

u64 workload_run(void)
{
  u64 sum = 0;
  csr_set(sstatus, SSTATUS_SUM);
  for (int round = 0; round < 1000; round++) {
    csr_write(satp, (8UL << 60) | ((u64)(round & 1) << 44) | ((u64)roots[round & 1] >> 12));
    asm volatile("sfence.vma" ::: "memory");
    for (int p = 0; p < PAGES; p++) {
      volatile u64 *w = (volatile u64 *)(VA + (u64)p * 3 * 4096);
      sum += *w;
      *w = *w + round;
    }
  }
  csr_write(satp, 0);
  asm volatile("sfence.vma" ::: "memory");
  csr_clear(sstatus, SSTATUS_SUM);
  return sum;
}
