/* CSR access and the bits of the privileged specification the firmware uses. */
#ifndef MMODE_CSR_H
#define MMODE_CSR_H

typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;
typedef unsigned short u16;

#define csr_read(name) ({ u64 v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" :: "r"((u64)(v)) : "memory")
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" :: "r"((u64)(v)) : "memory")
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" :: "r"((u64)(v)) : "memory")

#define MS_SIE   (1UL << 1)
#define MS_MIE   (1UL << 3)
#define MS_SPIE  (1UL << 5)
#define MS_MPIE  (1UL << 7)
#define MS_SPP   (1UL << 8)
#define MS_MPP   (3UL << 11)
#define MS_MPP_SHIFT 11
#define MS_MPRV  (1UL << 17)
#define MS_SUM   (1UL << 18)
#define MS_MXR   (1UL << 19)
#define MS_TVM   (1UL << 20)
#define MS_TW    (1UL << 21)
#define MS_TSR   (1UL << 22)
/* The mstatus fields that belong to M-mode: virtual while the kernel is virtualized. */
#define MS_VIRTUAL (MS_MIE | MS_MPIE | MS_MPP | MS_MPRV | MS_TVM | MS_TW | MS_TSR)
/* The fields an sstatus write reaches. */
#define MS_SFIELDS (MS_SIE | MS_SPIE | MS_SPP | MS_SUM | MS_MXR)

#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define IRQ_DOORBELL 16
#define MIP_SSIP (1UL << IRQ_SSI)

#define EXC_ILLEGAL 2
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_M 11

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define CAUSE_IRQ (1UL << 63)

#endif
