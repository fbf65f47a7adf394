/* CSR access and the bits of the privileged specification the firmware uses. */
#ifndef MMODE_CSR_H
#define MMODE_CSR_H

typedef unsigned long u64;
typedef long s64;
typedef unsigned int u32;
typedef unsigned short u16;

/* Two levels, so that a CSR given as a macro (CSR_MNCAUSE) reaches the assembler as its number. */
#define csr_read(name) csr_read_(name)
#define csr_read_(name) ({ u64 v_; __asm__ volatile("csrr %0, " #name : "=r"(v_)); v_; })
#define csr_write(name, v) __asm__ volatile("csrw " #name ", %0" :: "r"((u64)(v)) : "memory")
#define csr_set(name, v) __asm__ volatile("csrs " #name ", %0" :: "r"((u64)(v)) : "memory")
#define csr_clear(name, v) __asm__ volatile("csrc " #name ", %0" :: "r"((u64)(v)) : "memory")

#include "devirt-platform.h"

#define MIP_SSIP (1UL << IRQ_SSI)

#endif
