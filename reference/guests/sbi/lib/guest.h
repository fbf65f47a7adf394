/* The S-mode guest library shared by the probes and the workloads: SBI calls, the signature (the
   text a guest prints at exit), trap handling with expected faults, U-mode processes. */
#ifndef GUEST_H
#define GUEST_H

/* The platform's addresses, generated from the reference machine. */
#include "devirt-platform.h"

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;

#define csr_read(csr) ({ u64 __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ asm volatile("csrw " #csr ", %0" :: "rK"((u64)(val)) : "memory"); })
#define csr_set(csr, val) ({ asm volatile("csrs " #csr ", %0" :: "rK"((u64)(val)) : "memory"); })
#define csr_clear(csr, val) ({ asm volatile("csrc " #csr ", %0" :: "rK"((u64)(val)) : "memory"); })

#define SSTATUS_SIE  (1UL << 1)
#define SSTATUS_SPIE (1UL << 5)
#define SSTATUS_SPP  (1UL << 8)
#define SSTATUS_SUM  (1UL << 18)
#define SSTATUS_MXR  (1UL << 19)
#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SIP_SEIP (1UL << 9)
#define CAUSE_INT (1UL << 63)

struct sbiret { i64 error; i64 value; };
struct sbiret sbi_call(u64 eid, u64 fid, u64 a0, u64 a1, u64 a2);
void sbi_shutdown(void) __attribute__((noreturn));
void sbi_fail(u32 code) __attribute__((noreturn));

#define EXT_BASE 0x10
#define EXT_TIME 0x54494D45
#define EXT_IPI 0x735049
#define EXT_RFENCE 0x52464E43
#define EXT_HSM 0x48534D
#define EXT_SRST 0x53525354
#define EXT_DBCN 0x4442434E
#define EXT_MAINT 0x0A004456

extern u64 boot_hartid, boot_fdt;

/* The signature: everything the guest observes, as text, printed at exit (sig_flush). */
void sig_str(const char *s);
void sig_hex(u64 v);
void sig_dec(u64 v);
void sig_kv(const char *k, u64 v);
void sig_flush(void);
/* Print a line now, through the UART directly (workload markers). */
void uart_puts(const char *s);

/* Traps. A probe arms an expected fault, runs the operation, and reads what happened. */
struct trap_record { u64 hit, cause, tval, epc; };
extern volatile struct trap_record last_fault;
void fault_arm(void);
/* Interrupts are reported to this hook (set by the probe); the default records and silences them. */
extern void (*irq_hook)(u64 code);
void irq_default(u64 code);
/* U-mode system calls are reported to this hook: returns the value for a0. */
extern u64 (*syscall_hook)(u64 n, u64 a0, u64 a1);

i64 run_user(u64 entry, u64 user_sp);
void user_return(i64 value) __attribute__((noreturn));

/* Loads and stores that may fault: return the value, or record the fault in last_fault. */
u64 try_ld(u64 addr);
u32 try_lw(u64 addr);
u8 try_lbu(u64 addr);
void try_sd(u64 addr, u64 v);
void try_sw(u64 addr, u32 v);
void try_fetch(u64 addr);
void sig_try_load(const char *what, u64 addr);
void sig_try_store(const char *what, u64 addr, u64 v);
void sig_fault(const char *what);

/* Device tree: the regions the firmware reserved (name prefix match). */
int fdt_find_reserved(const char *prefix, u64 *base, u64 *size);

/* Pages for the Sv39 helpers. */
void *page_alloc(void);

/* Sleep until `cond` holds, taking interrupts meanwhile. The condition is checked with interrupts
   off and wfi runs with them off (a pending interrupt still ends it), so an interrupt that lands
   between the check and the wfi cannot be lost. Returns with SIE off. */
#define WAIT_UNTIL(cond) do { for (;;) { csr_clear(sstatus, SSTATUS_SIE); if (cond) break; \
  asm volatile("wfi"); csr_set(sstatus, SSTATUS_SIE); } } while (0)

static inline u64 rdtime(void) { return csr_read(time); }

#endif
