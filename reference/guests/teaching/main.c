/* The kernel: timer, interrupts, console, disk, then power off through the test finisher. */
#include "teach.h"

#define MTIME (CLINT + 0xbff8)
#define MTIMECMP0 (CLINT + 0x4000)
#define TICK 100000 /* 10 ms at the 10 MHz timebase */
#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)
#define PLIC_PRIORITY(irq) (PLIC + 4 * (irq))
#define PLIC_MENABLE (PLIC + 0x2000)
#define PLIC_MTHRESHOLD (PLIC + 0x200000)
#define PLIC_MCLAIM (PLIC + 0x200004)

volatile u64 ticks;
static u8 sector[512];

static void plic_init(void) {
  REG32(PLIC_PRIORITY(UART0_IRQ)) = 1;
  REG32(PLIC_PRIORITY(VIRTIO0_IRQ)) = 1;
  REG32(PLIC_MENABLE) = (1u << UART0_IRQ) | (1u << VIRTIO0_IRQ);
  REG32(PLIC_MTHRESHOLD) = 0;
}

static void timer_arm(void) { REG64(MTIMECMP0) = REG64(MTIME) + TICK; }

void trap(void) {
  u64 cause;
  asm volatile("csrr %0, mcause" : "=r"(cause));
  if (cause == ((1UL << 63) | 7)) {
    ticks++;
    timer_arm();
  } else if (cause == ((1UL << 63) | 11)) {
    u32 irq = REG32(PLIC_MCLAIM);
    if (irq == UART0_IRQ) uart_intr();
    else if (irq == VIRTIO0_IRQ) disk_intr();
    if (irq) REG32(PLIC_MCLAIM) = irq;
  } else {
    u64 epc, tval;
    asm volatile("csrr %0, mepc" : "=r"(epc));
    asm volatile("csrr %0, mtval" : "=r"(tval));
    intr_off();
    print("teach: unexpected trap, mcause ");
    print_hex(cause);
    print(" mepc ");
    print_hex(epc);
    print(" mtval ");
    print_hex(tval);
    print("\n");
    REG32(FINISHER) = (1 << 16) | 0x3333;
    for (;;) asm volatile("wfi");
  }
}

int main(void) {
  uart_init();
  plic_init();
  timer_arm();
  asm volatile("csrs mie, %0" : : "r"(MIE_MTIE | MIE_MEIE));
  intr_on();
  print("teach: booted in M-mode, timer, PLIC and UART interrupts on\n");
  while (ticks < 3) asm volatile("wfi");
  print("teach: 3 timer ticks\n");
  if (disk_init() != 0) { REG32(FINISHER) = (2 << 16) | 0x3333; for (;;) asm volatile("wfi"); }
  print("teach: virtio disk in slot 0, FEATURES_OK kept without VERSION_1\n");
  if (disk_rw(0, sector, 0) != 0) { print("teach: read of sector 0 failed\n"); REG32(FINISHER) = (3 << 16) | 0x3333; }
  print("teach: sector 0 says: ");
  for (int i = 0; i < 64 && sector[i] >= 0x20 && sector[i] < 0x7f; i++) uart_putc(sector[i]);
  print("\n");
  for (int i = 0; i < 512; i++) sector[i] = (u8)(i * 7 + 1);
  const char *mark = "written by teach";
  for (int i = 0; mark[i]; i++) sector[i] = mark[i];
  if (disk_rw(1, sector, 1) != 0) { print("teach: write of sector 1 failed\n"); REG32(FINISHER) = (4 << 16) | 0x3333; }
  for (int i = 0; i < 512; i++) sector[i] = 0;
  disk_rw(1, sector, 0);
  int same = 1;
  for (int i = 16; i < 512; i++) if (sector[i] != (u8)(i * 7 + 1)) same = 0;
  print(same ? "teach: sector 1 written and read back\n" : "teach: sector 1 read back differs\n");
  print("teach: done\n");
  /* Let the transmitter drain the buffer before powering off. */
  while (1) {
    intr_off();
    int idle = uart_idle();
    intr_on();
    if (idle) break;
    asm volatile("wfi");
  }
  REG32(FINISHER) = 0x5555;
  for (;;) asm volatile("wfi");
}
