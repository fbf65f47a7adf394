#ifndef CSR_H
#define CSR_H

#define csr_read(csr) ({ unsigned long __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ asm volatile("csrw " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_set(csr, val) ({ asm volatile("csrs " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_clear(csr, val) ({ asm volatile("csrc " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })

#include "devirt-platform.h"

#define MSTATUS_MPP_S ((unsigned long)PRV_S << MSTATUS_MPP_SHIFT)

#define MIP_SSIP (1UL << IRQ_SSI)
#define MIP_STIP (1UL << IRQ_STI)
#define MIP_MTIP (1UL << IRQ_MTI)
#define MIP_SEIP (1UL << IRQ_SEI)
#define MIP_MEIP (1UL << IRQ_MEI)

#define MENVCFG_STCE (1UL << 63)

#endif
