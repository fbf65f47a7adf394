#include <stdarg.h>
#include "rt.h"

struct trap_record m_rec, s_rec;
void (*m_irq_hook)(uint64_t, struct frame *);
void (*s_irq_hook)(uint64_t, struct frame *);
uint64_t m_expected, s_expected;
static int nfail;

void putc_(char c) {
  while (!(MMIO8(UART0_BASE + 5) & 0x20)) {}
  MMIO8(UART0_BASE) = (uint8_t)c;
}
void puts_(const char *s) { while (*s) putc_(*s++); }

static void put_unsigned(uint64_t v, unsigned base, int width, char pad) {
  char buf[24];
  int n = 0;
  do { unsigned d = v % base; buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10); v /= base; } while (v);
  while (n < width) buf[n++] = pad;
  while (n) putc_(buf[--n]);
}

/* printf-lite: %d %u %x %s %c with optional zero-padded width and ignored 'l'; always 64-bit ints. */
int printf_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') { putc_(*fmt); continue; }
    fmt++;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') { pad = '0'; fmt++; }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') fmt++;
    switch (*fmt) {
      case 'd': { long v = va_arg(ap, long); if (v < 0) { putc_('-'); v = -v; } put_unsigned((uint64_t)v, 10, width, pad); break; }
      case 'u': put_unsigned(va_arg(ap, uint64_t), 10, width, pad); break;
      case 'x': put_unsigned(va_arg(ap, uint64_t), 16, width, pad); break;
      case 's': puts_(va_arg(ap, const char *)); break;
      case 'c': putc_((char)va_arg(ap, int)); break;
      case '%': putc_('%'); break;
      default: putc_('?'); break;
    }
  }
  va_end(ap);
  return 0;
}

void finish(int code) {
  if (code == 0) { puts_("PASS\n"); MMIO32(TEST_BASE) = 0x5555; }
  else { printf_("FAIL %d\n", (long)code); MMIO32(TEST_BASE) = ((uint32_t)code << 16) | 0x3333; }
  for (;;) {}
}

void *memset(void *d, int c, size_t n) { uint8_t *p = d; while (n--) *p++ = (uint8_t)c; return d; }
void *memcpy(void *d, const void *s, size_t n) { uint8_t *p = d; const uint8_t *q = s; while (n--) *p++ = *q++; return d; }

void check(int ok, const char *what) {
  if (!ok) { nfail++; printf_("  check failed: %s\n", what); }
}
void check_eq(uint64_t got, uint64_t want, const char *what) {
  if (got != want) { nfail++; printf_("  check failed: %s (got 0x%x, want 0x%x)\n", what, got, want); }
}
int failures(void) { return nfail; }

void show_trap(const char *label, struct trap_record *r) {
  printf_("%s: traps=%u cause=%x tval=%x epc=%x\n", label, r->count, r->cause, r->tval, r->epc);
  r->count = 0; r->cause = 0; r->tval = 0; r->epc = 0;
}

/* ---- privilege switches --------------------------------------------------------------------- */
extern void enter_mode(long arg, uint64_t fn, uint64_t sp, long mode, uint64_t trampoline) __attribute__((noreturn));
extern char mode_trampoline[];
extern long rt_setjmp(uint64_t *ctx);
extern void rt_longjmp(uint64_t *ctx, long v) __attribute__((noreturn));
extern char __mode_stack_top[];
static uint64_t mode_ctx[14];
static volatile int in_mode;

long run_in_mode(int mode, long (*fn)(long), long arg) { return run_in_mode_at(mode, fn, arg, 0); }

long run_in_mode_at(int mode, long (*fn)(long), long arg, uint64_t alias) {
  long r = rt_setjmp(mode_ctx);
  if (r == 0 && !in_mode) {
    in_mode = 1;
    enter_mode(arg, (uint64_t)fn + alias, (uint64_t)__mode_stack_top + alias, mode, (uint64_t)mode_trampoline + alias);
  }
  in_mode = 0;
  return r;
}

void mode_exit(long code) {
  register long a0 __asm__("a0") = code;
  register long a7 __asm__("a7") = SYS_EXIT;
  __asm__ volatile("ecall" :: "r"(a0), "r"(a7) : "memory");
  for (;;) {}
}

/* ---- trap handlers ---------------------------------------------------------------------------- */
/* Length of the instruction at the trapped epc, read with MPRV so that it is translated as the
 * trapped mode saw it (mstatus.MPP holds that mode while the handler runs). */
static uint64_t insn_length(uint64_t epc) {
  uint64_t half;
  __asm__ volatile("csrs mstatus, %1\n\tlhu %0, 0(%2)\n\tcsrc mstatus, %1"
                   : "=&r"(half) : "r"(MSTATUS_MPRV), "r"(epc) : "memory");
  return (half & 3) == 3 ? 4 : 2;
}

/* Resume after a recorded exception: fetch faults return to the caller (ra), others skip. */
static void skip(struct frame *f, uint64_t cause, int in_m) {
  if (cause == 1 || cause == 12 || cause == 0) f->epc = f->x[1];
  else if (in_m) f->epc += insn_length(f->epc);
  else f->epc += ((*(volatile uint16_t *)f->epc) & 3) == 3 ? 4 : 2; /* S: same translation */
}

static void record(struct trap_record *r, struct frame *f) {
  r->count++; r->cause = f->cause; r->tval = f->tval; r->epc = f->epc; r->status = f->status;
}

void m_trap(struct frame *f) {
  uint64_t cause = f->cause;
  if (cause & CAUSE_INTERRUPT) {
    if (m_irq_hook) { m_irq_hook(cause, f); return; }
  } else if ((cause == 8 || cause == 9 || cause == 11) && f->x[17] == SYS_EXIT && in_mode) {
    rt_longjmp(mode_ctx, (long)f->x[10]);
  } else if (cause < 64 && ((m_expected >> cause) & 1)) {
    record(&m_rec, f);
    skip(f, cause, 1);
    return;
  }
  printf_("unexpected M trap: mcause=%x mepc=%x mtval=%x\n", cause, f->epc, f->tval);
  finish(99);
}

void s_trap(struct frame *f) {
  uint64_t cause = f->cause;
  if (cause & CAUSE_INTERRUPT) {
    if (s_irq_hook) { s_irq_hook(cause, f); return; }
  } else if ((cause == 8 || cause == 9) && f->x[17] == SYS_EXIT) {
    mode_exit((long)f->x[10]); /* pass the exit on to M */
  } else if (cause < 64 && ((s_expected >> cause) & 1)) {
    record(&s_rec, f);
    skip(f, cause, 0);
    return;
  }
  printf_("unexpected S trap: scause=%x sepc=%x stval=%x\n", cause, f->epc, f->tval);
  mode_exit(-99);
}
