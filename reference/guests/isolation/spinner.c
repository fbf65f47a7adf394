/* A busy instance 1 for the transparency suite: it says it runs and then computes forever, never
   yielding, so instance 0 gets only the share the time slice gives it (conformance/microvisor.md
   "Two instances"). It ends only when retired or rolled back. */
#include "iso.h"

int main(void)
{
  sig_str("spinner\n");
  sig_flush();
  volatile u64 x = 1;
  for (;;) x = x * 6364136223846793005UL + 1442695040888963407UL;
  return 0;
}
