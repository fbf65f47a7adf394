/* Console output on the NS16550A, used from M-mode and S-mode (identity mapped there). */
#include "mk.h"

void uart_putc(char c) {
  volatile unsigned char *u = (volatile unsigned char *)UART0_BASE;
  while ((u[5] & 0x20) == 0) {}
  u[0] = c;
}

void uart_puts(const char *s) { while (*s) uart_putc(*s++); }

void uart_hex(u64 v) {
  uart_puts("0x");
  for (int i = 60; i >= 0; i -= 4) uart_putc("0123456789abcdef"[(v >> i) & 15]);
}
