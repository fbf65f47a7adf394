/* The guests' small runtime: console, finisher, CSR access, traps and privilege switches. */
#ifndef RT_H
#define RT_H
#include <stdint.h>
#include <stddef.h>
#include "frame.h"

/* The platform's addresses and the privileged spec's bits, generated from the reference machine. */
#include "devirt-platform.h"

#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO64(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define MMIO8(a)  (*(volatile uint8_t *)(uintptr_t)(a))

#define csr_read(name) ({ uint64_t v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" :: "rK"((uint64_t)(v)) : "memory")
#define csr_swap(name, v) ({ uint64_t o_; __asm__ volatile("csrrw %0, " #name ", %1" : "=r"(o_) : "rK"((uint64_t)(v)) : "memory"); o_; })

struct frame { uint64_t x[32]; uint64_t epc, cause, tval, status; };

/* The last trap a handler recorded (M and S keep one each). */
struct trap_record { volatile uint64_t count, cause, tval, epc, status; };
extern struct trap_record m_rec, s_rec;
/* Interrupt hooks: return to continue, or set *done. NULL means an interrupt is unexpected. */
extern void (*m_irq_hook)(uint64_t cause, struct frame *f);
extern void (*s_irq_hook)(uint64_t cause, struct frame *f);
/* Exceptions M should pass nowhere else: bit n set = record and skip cause n. All others fail. */
extern uint64_t m_expected, s_expected;

void putc_(char c);
void puts_(const char *s);
int printf_(const char *fmt, ...);
void finish(int code) __attribute__((noreturn));
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* Run fn(arg) in privilege `mode`; returns fn's result (or the a0 of an exit ecall). */
long run_in_mode(int mode, long (*fn)(long), long arg);
/* The same, with code and stack reached through virtual addresses `alias` above their own. */
long run_in_mode_at(int mode, long (*fn)(long), long arg, uint64_t alias);
/* From S or U: end run_in_mode with `code`. */
void mode_exit(long code) __attribute__((noreturn));

/* Checks: print a line for each, count failures; main returns failures(). */
void check(int ok, const char *what);
int failures(void);
#define CHECK(c) check((c), #c)
#define CHECK_EQ(a, b) check_eq((uint64_t)(a), (uint64_t)(b), #a " == " #b)
void check_eq(uint64_t got, uint64_t want, const char *what);
/* Print and clear a trap record: "label: cause=.. tval=.. epc=..". */
void show_trap(const char *label, struct trap_record *r);

static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }
static inline void sfence_vma(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }
#endif
