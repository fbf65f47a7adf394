// QEMU-side runner for the harness's QEMU oracle. The harness packs a batch of "state" vectors
// into a blob that QEMU's generic loader puts at BLOB; for each vector this runner copies its
// memory regions into place, enters it in M-mode at its pc with its registers, and when the
// vector's first trap reaches M-mode (its final ebreak, or any exception or interrupt not
// delegated) prints the registers, ORACLE_CSRS (see qemu-state.ts) and the observed memory
// regions as hex on the UART. A final line "END" closes the batch.
//
// Blob layout (little-endian 64-bit words): count; then per vector: nregions, {base, len,
// bytes padded to 8}..., pc, x[32], nobserve, {base, len}...

typedef unsigned long u64;
typedef unsigned char u8;

#define UART 0x10000000UL
#define FINISHER 0x100000UL
#define BLOB 0x84000000UL

u64 runner_ctx[16];
static u64 regs[32];

extern void enter_vector(u64 *ctx, u64 *regs);
extern void trap_entry(void);

static void putc_(char c) {
    volatile u8 *u = (volatile u8 *)UART;
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
    __asm__ volatile("sfence.vma");
}

int main(void) {
    u64 *p = (u64 *)BLOB;
    u64 count = *p++;
    __asm__ volatile("csrw mtvec, %0" :: "r"((u64)trap_entry));
    for (u64 v = 0; v < count; v++) {
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
        u64 nobserve = *p++;
        u64 *observe = p;
        p += 2 * nobserve;
        reset_csrs();
        // MPP = M, MPIE = 0, then enter.
        CSRW(mstatus, 0x1800UL);
        CSRW(mepc, pc);
        enter_vector(runner_ctx, regs);
        u64 csrs[] = { CSRR(mcause), CSRR(mtval), CSRR(mepc), CSRR(mstatus), CSRR(scause), CSRR(stval),
                       CSRR(sepc), CSRR(stvec), CSRR(sscratch), CSRR(satp), CSRR(mie), CSRR(mip),
                       CSRR(medeleg), CSRR(mideleg) };
        __asm__ volatile("csrw mtvec, %0" :: "r"((u64)trap_entry));
        putc_('V'); putc_(' '); puthex(v);
        for (int i = 1; i < 32; i++) { putc_(' '); puthex(regs[i]); }
        for (unsigned i = 0; i < sizeof csrs / sizeof csrs[0]; i++) { putc_(' '); puthex(csrs[i]); }
        for (u64 o = 0; o < nobserve; o++) {
            u8 *m = (u8 *)observe[2 * o];
            putc_(' ');
            for (u64 i = 0; i < observe[2 * o + 1]; i++) putbyte(m[i]);
        }
        putc_('\n');
    }
    putc_('E'); putc_('N'); putc_('D'); putc_('\n');
    *(volatile unsigned int *)FINISHER = 0x5555;
    for (;;) {}
}
