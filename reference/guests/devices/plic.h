/* The PLIC's S context and the virtio-mmio registers, as the device guests touch them, and the
   measurement helper they share. */
#ifndef DEVICES_GUEST_H
#define DEVICES_GUEST_H
#include "instances.h"

#define PRIO(s)      (PLIC_BASE + 4 * (s))
#define PENDING0     (PLIC_BASE + 0x1000)
#define S_ENABLE0    (PLIC_BASE + PLIC_ENABLE + PLIC_ENABLE_STRIDE)
#define S_THRESHOLD  (PLIC_BASE + PLIC_CONTEXT + PLIC_CONTEXT_STRIDE)
#define S_CLAIM      (S_THRESHOLD + PLIC_CLAIM)
#define SRC_VIRTIO0  VIRTIO_IRQ0
#define DEV_VIRTIO_0 DEVICE_VIRTIO0
#define DEV_RTC      DEVICE_RTC

static inline u32 r32(u64 a) { return *(volatile u32 *)a; }
static inline void w32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline u64 rdcycle(void) { return csr_read(cycle); }

/* "name value" into the signature. */
static inline void sig_val(const char *what, u64 v) { sig_str(what); sig_str(" "); sig_hex(v); sig_str("\n"); }
/* The cheapest of `n` timed runs (a world switch may fall into one of them). */
#define MIN_CYCLES(n, body) ({ u64 __best = ~0UL; for (int __i = 0; __i < (n); __i++) { \
  u64 __t0 = rdcycle(); body; u64 __t = rdcycle() - __t0; if (__t < __best) __best = __t; } __best; })
#endif
