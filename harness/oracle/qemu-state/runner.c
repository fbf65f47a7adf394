// QEMU-side runner for the harness's QEMU oracle. The harness packs a batch of "state" vectors
// into a blob that QEMU's generic loader puts at BLOB; for each vector this runner copies its
// memory regions into place, enters it in M-mode at its pc with its registers, and when the
// vector's first trap reaches M-mode (its final ebreak, or any exception or interrupt not
// delegated) prints the registers, ORACLE_CSRS (see qemu-state.ts) and the observed memory
// regions as hex on the UART. A final line "END" closes the batch.
//
// Blob layout (little-endian 64-bit words): count; then each vector as vector-runner.h lays it out.
//
// A vector's initial privilege and CSRs: the CSRs are written in the blob's order (the order the
// reference applies them), mstatus last so that no interrupt is taken inside the runner; the
// vector is then entered with mret (MPP = its privilege, MPIE = its MIE). mret leaves MPIE = 1
// and MPP = U, so an M-mode vector's own mstatus must already have those (qemu-state.ts checks).

#include "vector-runner.h"

#define BLOB 0x84000000UL

int main(void) {
    u64 *p = (u64 *)BLOB;
    u64 count = *p++;
    __asm__ volatile("csrw mtvec, %0" :: "r"((u64)trap_entry));
    for (u64 v = 0; v < count; v++) {
        struct vector_in in;
        run_vector(&p, &in);
        u64 nobserve = in.nobserve, *observe = in.observe;
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
    *(volatile unsigned int *)TEST_BASE = FINISHER_PASS;
    for (;;) {}
}
