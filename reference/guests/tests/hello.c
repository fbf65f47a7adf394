/* The smallest guest: the console and the finisher work. */
#include "rt.h"

int main(void) {
  printf_("hello from %s, misa=%x\n", "M-mode", csr_read(misa));
  CHECK_EQ(csr_read(mhartid), 0);
  return failures();
}
