// A vector you can take away: one state vector and every outcome the specification allows for
// it, checked inside the guest. `devirt vectors export ID --elf FILE` fills VECTOR (the section
// .vector) of a copy of this program; the program puts the vector in place, runs it to its first
// trap into M-mode, compares what it finds with each allowed outcome, and reports on the UART
// ("devirt vector ID: PASS" or "FAIL" with every difference from the closest outcome), through
// the sifive_test finisher (pass, or fail with code 1) and through HTIF tohost (1, or 3), so it
// runs unmodified on QEMU virt, on a simulator with HTIF, or on a board with the virt layout.
//
// VECTOR layout (little-endian 64-bit words): the vector as vector-runner.h lays it out; then
// noutcomes and each outcome: flags (EXIT_CAUSE, EXIT_TVAL, EXIT_EPC), cause, tval, epc,
// xmask (bit i: compare x_i), x[32], ncsrs, {csr, value}..., nmem, {base, len, bytes padded}...,
// then the choices it follows as a length-prefixed string; last the id, length-prefixed.

#include "../oracle/qemu-state/vector-runner.h"

#define VECTOR_WORDS 8192
#define EXIT_CAUSE 1
#define EXIT_TVAL 2
#define EXIT_EPC 4

__attribute__((section(".vector"), used, aligned(8))) u64 VECTOR[VECTOR_WORDS];

// HTIF: Spike and other simulators watch these symbols.
__attribute__((section(".tohost"), used, aligned(64))) volatile u64 tohost;
__attribute__((section(".tohost"), used, aligned(64))) volatile u64 fromhost;

static void puts_(const char *s) { while (*s) putc_(*s++); }
static void putstr(const u64 *p) {  // a length-prefixed string in the blob
    const char *c = (const char *)(p + 1);
    for (u64 i = 0; i < p[0]; i++) putc_(c[i]);
}
static const u64 *skip_str(const u64 *p) { return p + 1 + (p[0] + 7) / 8; }

static void putdec(u64 v) {
    char b[24]; int n = 0;
    do { b[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) putc_(b[--n]);
}

struct actual { u64 cause, tval, epc; };

// Differences of one outcome; printed when `say` is set. Returns how many.
static u64 differences(const u64 **pp, const struct actual *a, int say, const u64 **choices) {
    const u64 *p = *pp;
    u64 n = 0;
    u64 flags = *p++, cause = *p++, tval = *p++, epc = *p++;
    static const char *names[3] = { "mcause", "mtval", "mepc" };
    u64 want[3] = { cause, tval, epc }, got[3] = { a->cause, a->tval, a->epc };
    for (int k = 0; k < 3; k++) {
        if ((flags >> k & 1) && want[k] != got[k]) {
            n++;
            if (say) { puts_("  "); puts_(names[k]); puts_(": expected 0x"); puthex(want[k]); puts_(", got 0x"); puthex(got[k]); putc_('\n'); }
        }
    }
    u64 xmask = *p++;
    for (int i = 1; i < 32; i++) {
        if ((xmask >> i & 1) && p[i] != regs[i]) {
            n++;
            if (say) { puts_("  x"); putdec((u64)i); puts_(": expected 0x"); puthex(p[i]); puts_(", got 0x"); puthex(regs[i]); putc_('\n'); }
        }
    }
    p += 32;
    u64 ncsrs = *p++;
    for (u64 c = 0; c < ncsrs; c++, p += 2) {
        u64 v = csr_read(p[0]);
        if (v != p[1]) {
            n++;
            if (say) { puts_("  csr 0x"); puthex(p[0]); puts_(": expected 0x"); puthex(p[1]); puts_(", got 0x"); puthex(v); putc_('\n'); }
        }
    }
    u64 nmem = *p++;
    for (u64 r = 0; r < nmem; r++) {
        const u8 *m = (const u8 *)p[0];
        u64 len = p[1];
        const u8 *want_b = (const u8 *)(p + 2);
        for (u64 i = 0; i < len; i++) {
            if (m[i] != want_b[i]) {
                n++;
                if (say) { puts_("  mem 0x"); puthex(p[0] + i); puts_(": expected 0x"); putbyte(want_b[i]); puts_(", got 0x"); putbyte(m[i]); putc_('\n'); }
                break;  // one line per region: the first differing byte
            }
        }
        p += 2 + (len + 7) / 8;
    }
    if (choices) *choices = p;
    *pp = skip_str(p);
    return n;
}

static void finish(int pass) {
    tohost = pass ? 1 : (1 << 1) | 1;
    *(volatile unsigned int *)TEST_BASE = pass ? FINISHER_PASS : (1u << 16) | FINISHER_FAIL;
    for (;;) {}
}

int main(void) {
    __asm__ volatile("csrw mtvec, %0" :: "r"((u64)trap_entry));
    u64 *p = VECTOR;
    struct vector_in in;
    run_vector(&p, &in);
    // The trap CSRs are read before anything of the checker can trap or change them.
    struct actual a = { CSRR(mcause), CSRR(mtval), CSRR(mepc) };
    __asm__ volatile("csrw mtvec, %0" :: "r"((u64)trap_entry));
    const u64 *outcomes = p;
    u64 noutcomes = *outcomes++;
    // The id follows the last outcome.
    const u64 *q = outcomes;
    for (u64 o = 0; o < noutcomes; o++) differences(&q, &a, 0, 0);
    const u64 *id = q;
    puts_("devirt vector "); putstr(id); puts_(": ");
    q = outcomes;
    for (u64 o = 0; o < noutcomes; o++) {
        const u64 *choices;
        if (differences(&q, &a, 0, &choices) == 0) {
            puts_("PASS (");
            if (o == 0) puts_("the reference's outcome"); else { puts_("allowed alternative: "); putstr(choices); }
            puts_(")\n");
            finish(1);
        }
    }
    puts_("FAIL: no allowed outcome met; differences from the reference's outcome:\n");
    q = outcomes;
    differences(&q, &a, 1, 0);
    finish(0);
    return 0;
}
