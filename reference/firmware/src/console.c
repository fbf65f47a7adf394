/* Polled NS16550A output for DBCN, the legacy console and panics; instance 1's console goes to
   its own channel, the doorbell's CONSOLE1 register, where the platform has a doorbell (the
   reference machine), and to the UART where it has none (QEMU). */
#include "microvisor.h"
#include "platform.h"

int console_has_doorbell;

#define UART_THR 0
#define UART_RBR 0
#define UART_LSR 5
#define LSR_DR   0x01
#define LSR_THRE 0x20

void console_putc(char c)
{
  while (!(mmio_read8(UART0_BASE + UART_LSR) & LSR_THRE)) {}
  mmio_write8(UART0_BASE + UART_THR, (u8)c);
}

void console_putc_instance(u64 id, char c)
{
  if (id == 1 && console_has_doorbell) mmio_write32(DOORBELL_BASE + DOORBELL_CONSOLE1, (u8)c);
  else console_putc(c);
}

void console_puts(const char *s) { while (*s) console_putc(*s++); }

void console_puthex(u64 v)
{
  console_puts("0x");
  for (int i = 60; i >= 0; i -= 4) console_putc("0123456789abcdef"[(v >> i) & 15]);
}

int console_getc(void)
{
  if (!(mmio_read8(UART0_BASE + UART_LSR) & LSR_DR)) return -1;
  return mmio_read8(UART0_BASE + UART_RBR);
}
