/* A small kernel for QEMU virt written the way teaching kernels are: it owns M-mode from reset
 * (-bios none), drives the CLINT timer and the PLIC itself, prints through an interrupt-driven
 * UART driver that never reads IIR, and reads and writes a virtio disk in slot 0 with a driver
 * that negotiates only the low 32 feature bits (never VERSION_1). Written for devirt's tests;
 * its QEMU command line is in the Makefile. */
#ifndef TEACH_H
#define TEACH_H

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define REG32(addr) (*(volatile u32 *)(addr))
#define REG64(addr) (*(volatile u64 *)(addr))
#define REG8(addr) (*(volatile u8 *)(addr))

/* QEMU virt's memory map. */
#define UART0 0x10000000UL
#define VIRTIO0 0x10001000UL
#define CLINT 0x2000000UL
#define PLIC 0xc000000UL
#define FINISHER 0x100000UL
#define UART0_IRQ 10
#define VIRTIO0_IRQ 1

static inline u64 csr_read_mstatus(void) { u64 x; asm volatile("csrr %0, mstatus" : "=r"(x)); return x; }
static inline void intr_on(void) { asm volatile("csrs mstatus, 8"); }
static inline void intr_off(void) { asm volatile("csrc mstatus, 8"); }
static inline int intr_get(void) { return (csr_read_mstatus() & 8) != 0; }

/* uart.c */
void uart_init(void);
void uart_putc(char c);
void uart_intr(void);
void print(const char *s);
void print_hex(u64 v);
void print_dec(u64 v);
int uart_idle(void);

/* disk.c */
int disk_init(void);
int disk_rw(u32 sector, u8 *buf, int write);
void disk_intr(void);

/* main.c */
extern volatile u64 ticks;
#endif
