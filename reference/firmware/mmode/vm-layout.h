/* What entry.S's fast paths and the C code share about the virtual M-mode: the mstatus fields
 * that are virtual, and where the fields of `struct vmachine` (fw.h) are; fw.c checks every
 * offset against the structure at compile time, so the two cannot drift apart. */
#ifndef MMODE_VM_LAYOUT_H
#define MMODE_VM_LAYOUT_H

#include "devirt-platform.h"

/* The mstatus fields that belong to M-mode: virtual while the kernel is virtualized. */
#define MS_VIRTUAL (MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR)
/* The fields an sstatus write reaches. */
#define MS_SFIELDS (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR)

/* link.ld places vm, su_view and deferred_request right after the trap frame (and checks it), so
 * the fast paths reach them from sp = &trap_frame without loading an address. */
#define VM_FROM_FRAME       288
#define SU_FROM_FRAME       (288 + 248)
#define DEFERRED_FROM_FRAME (288 + 248 + 32)

#define VM_VIRTUALIZED 0
#define VM_IN_VM     4
#define VM_MSTATUS   8
#define VM_MEDELEG   16
#define VM_MIDELEG   24
#define VM_MIE       32
#define VM_MTVEC     40
#define VM_MSCRATCH  48   /* mscratch, mepc, mcause, mtval: four consecutive u64s */
#define VM_MEPC      56
#define VM_MCAUSE    64
#define VM_MTVAL     72
#define VM_SATP      80


/* `struct su_view` (vpmp.c): the S/U PMP view, cached while valid. */
#define SU_VALID 0
#define SU_CFG0  8
#define SU_ADDR2 24

/* PMP encodings of the firmware's views (vpmp.c). */
#define PMP_R 1
#define PMP_W 2
#define PMP_X 4
#define PMP_TOR (1 << 3)
#define PMP_NAPOT (3 << 3)
#define PMP_L 0x80
#define NAPOT(base, size) (((base) + (size) / 2 - 1) >> 2)
#define PMP_ADDR_ALL DEVIRT_UL(0x3fffffffffffff)   /* all of the address space: NAPOT with every address bit set */
/* pmpcfg0 in the virtual M-mode view: firmware RAM denied (entry 0), entry 1 off (at address 0,
 * as in the S/U view), everything else allowed (entry 2), entries 3-7 off (entry 2 matches every
 * address first, so they would change nothing). The CLINT is not denied: one instance owns the
 * machine, and the Microvisor virtualizes the CPU, not devices, so the kernel's M-mode code
 * programs msip and mtimecmp itself, as real M-mode does, without a trap on every timer re-arm. */
#define PMP_VM_CFG0 (PMP_NAPOT | ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 16))

#endif
