/* Every exception cause a bare M-mode (and U-mode) program can provoke, with its tval and epc.
 * Instruction-address-misaligned (0) cannot happen with C: every jump target is 2-aligned.
 * Page faults (12, 13, 15) are in paging.c, ecalls (8, 9, 11) in modes.c, misaligned and
 * faulting SC/AMOs (where QEMU 7.2 departs from the specification) in amo-faults.c. Fetching
 * from a device region is left out: QEMU 7.2 executes device registers as code (see
 * conformance/qemu-divergences.md, fetch-from-device). */
#include "rt.h"

static uint64_t words[4] __attribute__((aligned(16))) = { 0x1111, 0x2222, 0x3333, 0x4444 };

static void illegal_zero(void) { __asm__ volatile(".2byte 0x0000"); }
static void illegal_ones(void) { __asm__ volatile(".4byte 0xffffffff"); }
static void illegal_csr(void) { __asm__ volatile("csrr t0, 0x7c0" ::: "t0"); }
static void illegal_ro_csr_write(void) { __asm__ volatile("csrw mvendorid, zero"); }
static void illegal_c_reserved(void) { __asm__ volatile(".2byte 0x8002"); } /* c.jr x0 */
static void brk(void) { __asm__ volatile("ebreak"); }
static void c_brk(void) { __asm__ volatile("c.ebreak"); }
static void jump_to(uint64_t a) { ((void (*)(void))a)(); }

static uint64_t load_at(uint64_t a) { uint64_t v; __asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); return v; }
static uint32_t lw_at(uint64_t a) { uint32_t v; __asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a) : "memory"); return v; }
static void store_at(uint64_t a, uint64_t v) { __asm__ volatile("sd %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }
static void sb_at(uint64_t a, uint64_t v) { __asm__ volatile("sb %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }
static uint64_t lr_d(uint64_t a) { uint64_t v = 0x77; __asm__ volatile("lr.d %0, (%1)" : "+r"(v) : "r"(a) : "memory"); return v; }

static long u_load_zero(long a) { (void)a; return (long)load_at(0); }
static long u_illegal(long a) { (void)a; illegal_ones(); return 3; }
static long u_ebreak(long a) { (void)a; brk(); return 4; }

int main(void) {
  m_expected = 0xffff & ~(1UL << 8 | 1UL << 9 | 1UL << 11);
  uint64_t base = (uint64_t)words;
  uint64_t ram_end = RAM_BASE + 128UL * 1024 * 1024;

  jump_to(0);              show_trap("fetch at 0 (access fault)", &m_rec);
  jump_to(ram_end);        show_trap("fetch past RAM (access fault)", &m_rec);
  illegal_zero();          show_trap("c.unimp 0x0000", &m_rec);
  illegal_ones();          show_trap("0xffffffff", &m_rec);
  illegal_csr();           show_trap("csrr 0x7c0 (no such CSR)", &m_rec);
  illegal_ro_csr_write();  show_trap("csrw mvendorid (read-only)", &m_rec);
  illegal_c_reserved();    show_trap("c.jr x0 (reserved)", &m_rec);
  brk();                   show_trap("ebreak", &m_rec);
  c_brk();                 show_trap("c.ebreak", &m_rec);

  printf_("ld 0 -> %x\n", load_at(0));                 show_trap("  trap", &m_rec);
  printf_("lw past RAM -> %x\n", (uint64_t)lw_at(ram_end)); show_trap("  trap", &m_rec);
  printf_("ld unaligned straddling the RAM end -> %x\n", load_at(ram_end - 4)); show_trap("  trap", &m_rec);
  store_at(0, 5);                                       show_trap("sd 0", &m_rec);
  sb_at(ram_end + 3, 5);                                show_trap("sb past RAM", &m_rec);
  store_at(0x1000, 5);                                  show_trap("sd into the boot ROM", &m_rec);

  printf_("lr.d misaligned -> %x\n", lr_d(base + 4));   show_trap("  trap", &m_rec);
  printf_("lr.d at 0 -> %x\n", lr_d(0));                show_trap("  trap", &m_rec);
  printf_("words intact: %x %x %x %x\n", words[0], words[1], words[2], words[3]);

  printf_("U ld 0 -> %x\n", run_in_mode(PRV_U, u_load_zero, 0));  show_trap("  trap", &m_rec);
  printf_("U illegal -> %x\n", run_in_mode(PRV_U, u_illegal, 0)); show_trap("  trap", &m_rec);
  printf_("U ebreak -> %x\n", run_in_mode(PRV_U, u_ebreak, 0));   show_trap("  trap", &m_rec);
  return failures();
}
