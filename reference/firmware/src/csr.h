#ifndef CSR_H
#define CSR_H

#define csr_read(csr) ({ unsigned long __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ asm volatile("csrw " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_set(csr, val) ({ asm volatile("csrs " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })
#define csr_clear(csr, val) ({ asm volatile("csrc " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory"); })

#define MSTATUS_SIE   (1UL << 1)
#define MSTATUS_MIE   (1UL << 3)
#define MSTATUS_SPIE  (1UL << 5)
#define MSTATUS_MPIE  (1UL << 7)
#define MSTATUS_SPP   (1UL << 8)
#define MSTATUS_MPP   (3UL << 11)
#define MSTATUS_MPP_S (1UL << 11)

#define IRQ_SSI 1
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define MIP_SSIP (1UL << IRQ_SSI)
#define MIP_STIP (1UL << IRQ_STI)
#define MIP_MTIP (1UL << IRQ_MTI)
#define MIP_SEIP (1UL << IRQ_SEI)
#define MIP_MEIP (1UL << IRQ_MEI)

#define CAUSE_ECALL_S 9
#define CAUSE_INTERRUPT (1UL << 63)

#define MENVCFG_STCE (1UL << 63)

#endif
