/* 16550 driver as teaching kernels write it: output goes through a ring buffer that the
 * transmitter-empty interrupt drains; the interrupt handler looks at LSR and RHR only and never
 * reads IIR, so once the buffer is empty the THR-empty condition stays asserted. A PLIC that
 * pends a source again whenever its line is still high at completion would interrupt forever. */
#include "teach.h"

#define RHR 0
#define THR 0
#define IER 1
#define FCR 2
#define LCR 3
#define LSR 5
#define IER_RX 0x01
#define IER_TX 0x02
#define FCR_ENABLE_RESET 0x07
#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define LSR_RX_READY 0x01
#define LSR_TX_IDLE 0x20

#define TXSIZE 64
static char txbuf[TXSIZE];
static volatile u64 tx_head, tx_tail; /* written at head, sent from tail */

void uart_init(void) {
  REG8(UART0 + IER) = 0;
  REG8(UART0 + LCR) = LCR_DLAB;
  REG8(UART0 + 0) = 3; /* 38400 baud from the 1.8432 MHz reference clock */
  REG8(UART0 + 1) = 0;
  REG8(UART0 + LCR) = LCR_8N1;
  REG8(UART0 + FCR) = FCR_ENABLE_RESET;
  REG8(UART0 + IER) = IER_RX | IER_TX;
}

/* Send what the buffer holds while the transmitter takes it. Interrupts are off. */
static void uart_start(void) {
  while (tx_tail != tx_head && (REG8(UART0 + LSR) & LSR_TX_IDLE)) {
    REG8(UART0 + THR) = txbuf[tx_tail % TXSIZE];
    tx_tail++;
  }
}

void uart_putc(char c) {
  int was_on = intr_get();
  intr_off();
  /* A full buffer waits for the transmitter with interrupts briefly on. */
  while (tx_head - tx_tail == TXSIZE) {
    intr_on();
    asm volatile("wfi");
    intr_off();
  }
  txbuf[tx_head % TXSIZE] = c;
  tx_head++;
  uart_start();
  if (was_on) intr_on();
}

void uart_intr(void) {
  /* Input is read and dropped: this kernel only prints. */
  while (REG8(UART0 + LSR) & LSR_RX_READY) (void)REG8(UART0 + RHR);
  uart_start();
}

void print(const char *s) {
  while (*s) uart_putc(*s++);
}

void print_hex(u64 v) {
  char digits[17];
  int n = 0;
  do { digits[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
  print("0x");
  while (n) uart_putc(digits[--n]);
}

void print_dec(u64 v) {
  char digits[21];
  int n = 0;
  do { digits[n++] = '0' + v % 10; v /= 10; } while (v);
  while (n) uart_putc(digits[--n]);
}

/* Nothing left to send. */
int uart_idle(void) { return tx_head == tx_tail; }
