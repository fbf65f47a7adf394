// What the QEMU oracle's runner and the exported self-checking vectors (harness/export) share:
// a state vector's blob read, its memory, registers and CSRs put in place from the reference
// machine's reset state, entry with mret, and the UART and CSR helpers. Included by exactly one
// C file of each program.
//
// Blob layout of one vector (little-endian 64-bit words): nregions, {base, len, bytes padded to
// 8}..., pc, x[32], nobserve, {base, len}..., priv, mstatus, ncsrs, {csr, value}...

typedef unsigned long u64;
typedef unsigned char u8;

// The platform's addresses and the privileged spec's bits, generated from the reference machine.
#include "devirt-platform.h"

#define VECTOR_RAM RAM_BASE   // where state vectors place their memory
#define VECTOR_RAM_SIZE 0x24000UL

u64 runner_ctx[16];
static u64 regs[32];

extern void enter_vector(u64 *ctx, u64 *regs);
extern void trap_entry(void);

static void putc_(char c) {
    volatile u8 *u = (volatile u8 *)UART0_BASE;
    while ((u[5] & 0x20) == 0) {}
    u[0] = (u8)c;
}

static void puthex(u64 v) {
    for (int i = 60; i >= 0; i -= 4) putc_("0123456789abcdef"[(v >> i) & 15]);
}

static void putbyte(u8 b) {
    putc_("0123456789abcdef"[b >> 4]);
    putc_("0123456789abcdef"[b & 15]);
}

#define CSRR(name) ({ u64 v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define CSRW(name, v) __asm__ volatile("csrw " #name ", %0" :: "r"((u64)(v)))

// CSR numbers are immediates: a vector's CSR is written by a two-instruction stub made on the fly.
static unsigned int csr_stub[4] __attribute__((aligned(16)));

static void csr_write(u64 csr, u64 value) {
    csr_stub[0] = (unsigned int)((csr & 0xfff) << 20) | (10u << 15) | (1u << 12) | 0x73u; // csrrw x0, csr, a0
    csr_stub[1] = 0x00008067u;                                                            // ret
    __asm__ volatile("fence.i" ::: "memory");
    ((void (*)(u64))(void *)csr_stub)(value);
}

// The devices a vector may program go back to their reset state: no timer or software
// interrupt, every PLIC source off and completed, UART interrupts off.
static void reset_devices(void) {
    *(volatile unsigned int *)(CLINT_MSIP) = 0;
    *(volatile u64 *)(CLINT_MTIMECMP) = ~0UL;
    for (int ctx = 0; ctx < 2; ctx++) {
        *(volatile unsigned int *)(PLIC_BASE + PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * ctx) = 0;
        for (int w = 0; w < PLIC_SOURCES / 32; w++) *(volatile unsigned int *)(PLIC_BASE + PLIC_ENABLE + PLIC_ENABLE_STRIDE * ctx + 4 * w) = 0;
    }
    for (unsigned int s = 1; s < PLIC_SOURCES; s++) {
        *(volatile unsigned int *)(PLIC_BASE + 4 * s) = 0;
        *(volatile unsigned int *)(PLIC_BASE + PLIC_CONTEXT + PLIC_CLAIM) = s;
        *(volatile unsigned int *)(PLIC_BASE + PLIC_CONTEXT + PLIC_CONTEXT_STRIDE + PLIC_CLAIM) = s;
    }
    ((volatile u8 *)UART0_BASE)[1] = 0;
}

// Every vector starts from the reset values the reference machine has.
static void reset_csrs(void) {
    CSRW(mstatus, 0); CSRW(medeleg, 0); CSRW(mideleg, 0); CSRW(mie, 0); CSRW(mip, 0);
    CSRW(satp, 0); CSRW(stvec, 0); CSRW(sscratch, 0); CSRW(sepc, 0); CSRW(scause, 0); CSRW(stval, 0);
    CSRW(mcounteren, 0); CSRW(scounteren, 0); CSRW(menvcfg, 0); CSRW(senvcfg, 0);
    CSRW(mepc, 0); CSRW(mcause, 0); CSRW(mtval, 0);
    CSRW(pmpcfg0, 0); CSRW(pmpcfg2, 0);
    CSRW(pmpaddr0, 0); CSRW(pmpaddr1, 0); CSRW(pmpaddr2, 0); CSRW(pmpaddr3, 0);
    CSRW(pmpaddr4, 0); CSRW(pmpaddr5, 0); CSRW(pmpaddr6, 0); CSRW(pmpaddr7, 0);
    CSRW(pmpaddr8, 0); CSRW(pmpaddr9, 0); CSRW(pmpaddr10, 0); CSRW(pmpaddr11, 0);
    CSRW(pmpaddr12, 0); CSRW(pmpaddr13, 0); CSRW(pmpaddr14, 0); CSRW(pmpaddr15, 0);
    // stimecmp (Sstc): far in the future. QEMU 7.2 raises STIP from stimecmp even while
    // menvcfg.STCE = 0, so the reference's reset value 0 would leave STIP pending here.
    csr_write(0x14d, ~0UL);
    CSRW(mip, 0);
    __asm__ volatile("sfence.vma");
}

// CSR numbers are immediates: a CSR named by data is read by a stub made on the fly too.
static __attribute__((unused)) u64 csr_read(u64 csr) {
    csr_stub[0] = (unsigned int)((csr & 0xfff) << 20) | (2u << 12) | (10u << 7) | 0x73u; // csrrs a0, csr, x0
    csr_stub[1] = 0x00008067u;                                                           // ret
    __asm__ volatile("fence.i" ::: "memory");
    return ((u64 (*)(void))(void *)csr_stub)();
}

struct vector_in {
    u64 *observe;      // nobserve pairs {base, len}
    u64 nobserve;
};

// Put the vector at *pp in place and enter it; returns when its first trap reaches M-mode, with
// regs[] holding its registers. *pp is left after the vector's blob.
static void run_vector(u64 **pp, struct vector_in *in) {
    u64 *p = *pp;
    // The reference starts every vector with zeroed RAM; vectors live in the first 144 KiB.
    for (volatile u64 *z = (u64 *)VECTOR_RAM; z < (u64 *)(VECTOR_RAM + VECTOR_RAM_SIZE); z++) *z = 0;
    u64 nregions = *p++;
    for (u64 r = 0; r < nregions; r++) {
        u8 *dst = (u8 *)p[0];
        u64 len = p[1];
        u8 *src = (u8 *)(p + 2);
        for (u64 i = 0; i < len; i++) dst[i] = src[i];
        p += 2 + (len + 7) / 8;
    }
    __asm__ volatile("fence.i");
    u64 pc = *p++;
    for (int i = 0; i < 32; i++) regs[i] = p[i];
    p += 32;
    in->nobserve = *p++;
    in->observe = p;
    p += 2 * in->nobserve;
    u64 priv = *p++;
    u64 mstatus = *p++;
    u64 ncsrs = *p++;
    reset_csrs();
    reset_devices();
    for (u64 c = 0; c < ncsrs; c++) csr_write(p[2 * c], p[2 * c + 1]);
    p += 2 * ncsrs;
    *pp = p;
    // No PMP entry is added here: a vector that runs in S or U opens memory itself, as
    // firmware does (an S/U access that matches no entry fails, privileged 1.12, 3.7.1).
    u64 entry = (mstatus & ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP)) | (priv << 11);
    if (mstatus & MSTATUS_MIE) entry |= MSTATUS_MPIE;
    CSRW(mstatus, entry);
    CSRW(mepc, pc);
    enter_vector(runner_ctx, regs);
}
