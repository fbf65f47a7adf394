// QEMU-side runner for the harness's QEMU oracle. The harness packs a batch of "state" vectors
// into a blob that QEMU's generic loader puts at BLOB; for each vector this runner copies its
// memory regions into place, enters it in M-mode at its pc with its registers, and when the
// vector traps (its final ebreak, or any exception) prints the registers, mcause, mtval, mepc
// and the observed memory regions as hex on the UART. A final line "END" closes the batch.
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

static u64 csr_mcause(void) { u64 v; __asm__ volatile("csrr %0, mcause" : "=r"(v)); return v; }
static u64 csr_mtval(void) { u64 v; __asm__ volatile("csrr %0, mtval" : "=r"(v)); return v; }
static u64 csr_mepc(void) { u64 v; __asm__ volatile("csrr %0, mepc" : "=r"(v)); return v; }

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
        // MPP = M, MPIE = 0, then enter.
        __asm__ volatile("csrc mstatus, %0" :: "r"(0x1880UL));
        __asm__ volatile("csrs mstatus, %0" :: "r"(0x1800UL));
        __asm__ volatile("csrw mepc, %0" :: "r"(pc));
        enter_vector(runner_ctx, regs);
        putc_('V'); putc_(' '); puthex(v);
        for (int i = 1; i < 32; i++) { putc_(' '); puthex(regs[i]); }
        putc_(' '); puthex(csr_mcause());
        putc_(' '); puthex(csr_mtval());
        putc_(' '); puthex(csr_mepc());
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
