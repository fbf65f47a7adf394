/* UART receive: the received-data interrupt (IER bit 0) through the PLIC wakes wfi; the handler
 * drains the FIFO. Run with "ping\n" on the console input; echoes the line back. */
#include "rt.h"

static char line[64];
static volatile unsigned len, done, irqs;

static void on_irq(uint64_t cause, struct frame *f) {
  (void)cause; (void)f;
  uint32_t id = MMIO32(PLIC_BASE + 0x200004);
  irqs++;
  while (MMIO8(UART0_BASE + 5) & 1) {
    char c = (char)MMIO8(UART0_BASE);
    if (c == '\n' || c == '\r') done = 1;
    else if (len < sizeof line - 1) line[len++] = c;
  }
  MMIO32(PLIC_BASE + 0x200004) = id;
}

int main(void) {
  m_irq_hook = on_irq;
  MMIO32(PLIC_BASE + 4 * UART0_IRQ) = 1;
  MMIO32(PLIC_BASE + 0x2000) = 1u << UART0_IRQ;
  MMIO32(PLIC_BASE + 0x200000) = 0;
  MMIO8(UART0_BASE + 1) = 1; /* received data available */
  csr_write(mie, 1UL << IRQ_MEI);
  puts_("ready\n");
  csr_set(mstatus, MSTATUS_MIE);
  while (!done) wfi();
  csr_clear(mstatus, MSTATUS_MIE);
  line[len] = 0;
  printf_("got: %s (interrupts: %s)\n", line, irqs > 0 ? "yes" : "no");
  CHECK(len == 4);
  return failures();
}
