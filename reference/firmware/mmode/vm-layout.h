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

#define VM_IN_VM     4
#define VM_MSTATUS   8
#define VM_MIDELEG   24
#define VM_MIE       32
#define VM_MSCRATCH  48   /* mscratch, mepc, mcause, mtval: four consecutive u64s */
#define VM_MTIMECMP  232

#endif
