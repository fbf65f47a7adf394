/* UART heavy: the kernel writes text to the NS16550A directly (polling the line status) and
   through the SBI debug console. */
#include "workload.h"

void workload_setup(void) {}
u64 workload_run(void)
{
  static char line[64];
  u64 n = 0;
  for (int i = 0; i < 160; i++) {
    const char *s = "the quick brown fox jumps over the lazy dog ";
    int k = 0;
    while (s[k]) { line[k] = s[k]; k++; }
    line[k++] = '0' + i % 10; line[k++] = '\n';
    if (i & 1) sbi_call(EXT_DBCN, 0, k, (u64)line, 0);
    else { line[k] = 0; uart_puts(line); }
    n += k;
  }
  return n;
}
