/* PLIC and UART interrupts: the transmit-holding-empty interrupt (IRQ 10) through the M context
 * and the S context, claim/complete, threshold and priority masking, the pending bit. */
#include "rt.h"

#define PRIO(s)        MMIO32(PLIC_BASE + 4 * (s))
#define PENDING0       MMIO32(PLIC_BASE + 0x1000)
#define ENABLE0(ctx)   MMIO32(PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define THRESHOLD(ctx) MMIO32(PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx)     MMIO32(PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define UART_IER MMIO8(UART0_BASE + 1)
#define UART_IIR MMIO8(UART0_BASE + 2)

static volatile uint64_t n_irq, last_cause, last_claim, last_iir;

static void handle(int ctx, uint64_t cause) {
  n_irq++;
  last_cause = cause;
  last_claim = CLAIM(ctx);
  last_iir = UART_IIR;      /* reading IIR that reports THRE clears it */
  UART_IER = 0;
  CLAIM(ctx) = (uint32_t)last_claim;
}
static void on_m_irq(uint64_t cause, struct frame *f) { (void)f; handle(0, cause); }
static void on_s_irq(uint64_t cause, struct frame *f) { (void)f; handle(1, cause); }

static long s_wait(long arg) {
  (void)arg;
  csr_set(sie, 1UL << IRQ_SEI);
  UART_IER = 2;
  csr_set(sstatus, MSTATUS_SIE);
  while (n_irq == 0) {}
  csr_clear(sstatus, MSTATUS_SIE);
  return 0;
}

static void show(const char *what) {
  printf_("%s: irqs=%u cause=%x claim=%u iir=%x\n", what, n_irq, last_cause, last_claim, last_iir);
  n_irq = 0; last_cause = 0; last_claim = 0; last_iir = 0;
}

int main(void) {
  m_irq_hook = on_m_irq;
  s_irq_hook = on_s_irq;
  MMIO8(UART0_BASE + 2) = 0x07; /* FCR: FIFOs on (IIR's top bits follow), both cleared */
  printf_("IIR idle: %x\n", (uint64_t)UART_IIR);
  PRIO(UART0_IRQ) = 1;
  printf_("priority reads %u, source 0 priority %u\n", (uint64_t)PRIO(UART0_IRQ), (uint64_t)PRIO(0));
  PRIO(UART0_IRQ) = 0xffffffff;
  printf_("priority 0xffffffff reads %u\n", (uint64_t)PRIO(UART0_IRQ));
  PRIO(UART0_IRQ) = 3;

  /* The context is enabled before the source rises: QEMU 7.2 does not re-evaluate its output
   * when an enable bit is written (conformance/qemu-divergences.md, plic-enable-update). */
  ENABLE0(0) = 1u << UART0_IRQ;
  THRESHOLD(0) = 3;
  UART_IER = 2;
  printf_("IIR with THRE enabled: %x\n", (uint64_t)UART_IIR);
  UART_IER = 0;
  UART_IER = 2;
  printf_("PLIC pending bit 10: %u\n", (uint64_t)((PENDING0 >> UART0_IRQ) & 1));
  printf_("threshold 3 (priority 3): MEIP=%u claim=%u\n", (csr_read(mip) >> IRQ_MEI) & 1, (uint64_t)CLAIM(0));
  THRESHOLD(0) = 2;
  printf_("threshold 2: MEIP=%u\n", (csr_read(mip) >> IRQ_MEI) & 1);
  csr_write(mie, 1UL << IRQ_MEI);
  csr_set(mstatus, MSTATUS_MIE);
  while (n_irq == 0) {}
  csr_clear(mstatus, MSTATUS_MIE);
  show("M context");
  printf_("after complete: MEIP=%u pending=%u\n", (csr_read(mip) >> IRQ_MEI) & 1, (uint64_t)((PENDING0 >> UART0_IRQ) & 1));

  /* The same through the S context, delegated. */
  ENABLE0(0) = 0;
  ENABLE0(1) = 1u << UART0_IRQ;
  THRESHOLD(1) = 0;
  csr_write(mideleg, 1UL << IRQ_SEI);
  csr_write(mie, 1UL << IRQ_SEI);
  run_in_mode(PRV_S, s_wait, 0);
  show("S context");
  printf_("after complete: SEIP=%u\n", (csr_read(mip) >> IRQ_SEI) & 1);
  ENABLE0(1) = 0;
  csr_write(mie, 0);
  csr_write(mideleg, 0);
  return failures();
}
