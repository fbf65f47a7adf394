/* A kernel that owns M-mode, written for QEMU virt with -bios none: what its M-mode part, its
 * S-mode part and its U-mode processes share. */
#ifndef MK_H
#define MK_H

typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;

/* The platform's addresses and the privileged spec's bits, generated from the reference machine. */
#include "devirt-platform.h"

#define csr_read(name) ({ u64 v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" :: "r"((u64)(v)) : "memory")
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" :: "r"((u64)(v)) : "memory")
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" :: "r"((u64)(v)) : "memory")
#define mmio64(a) (*(volatile u64 *)(a))
#define mmio32(a) (*(volatile u32 *)(a))

/* Services of the kernel's own M-mode, called from S-mode with ecall (a7 = service). */
#define MK_SHUTDOWN   1   /* a0 = exit code */
#define MK_IPI        2   /* raise a machine software interrupt on this hart */
#define MK_SET_TIMER  3   /* a0 = interval in ticks (0: stop the machine timer) */
#define MK_READ_MCSR  4   /* a0 = index into the list in mboot.c; returns the value */
#define MK_SLEEP      5   /* wait in M-mode (wfi) for the next machine timer interrupt */
#define MK_WARL       6   /* a0 = which: write a reserved value to an M-mode WARL field; returns what stuck */
#define MK_ALIGN      7   /* a0 = interval: wait for a timer tick in M-mode, then re-arm */
#define MK_READ_MCSR_COUNT 18
#define MK_WARL_COUNT 6

/* What M-mode tells S-mode. */
struct mshared {
  volatile u64 timer_ticks;      /* machine timer interrupts taken (timing dependent) */
  volatile u64 soft_ints;        /* machine software interrupts taken */
  volatile u64 sleeps;           /* MK_SLEEP wake-ups */
  volatile u64 fault_cause, fault_tval, fault_epc;   /* last access fault M-mode fixed up */
  volatile u64 faults;
};
extern struct mshared mshared;

/* Addresses of the probes. */
#define GUARD_PAGE_SYMBOL guard_page
extern char guard_page[];

static inline u64 mk_call(u64 service, u64 a0) {
  register u64 r_a0 __asm__("a0") = a0;
  register u64 r_a7 __asm__("a7") = service;
  __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory");
  return r_a0;
}

void uart_putc(char c);
void uart_puts(const char *s);
void uart_hex(u64 v);

#endif
