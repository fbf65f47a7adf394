/* Compute-bound: integer arithmetic, multiplies and divides over a small array (no traps). */
#include "workload.h"

static u64 a[64];
void workload_setup(void) { for (int i = 0; i < 64; i++) a[i] = i * 2654435761UL; }
u64 workload_run(void)
{
  u64 h = 0;
  for (int round = 0; round < 1200; round++)
    for (int i = 0; i < 64; i++) {
      a[i] = a[i] * 6364136223846793005UL + round;
      h ^= a[i] >> (i & 31);
      if ((i & 15) == 0) h += a[i] / (u64)(i + round + 1);
    }
  return h;
}
