/* Instance 0 of the device scenario (conformance/maintenance-sbi.md, "Devices and handoff"): it
   programs the PLIC's S context natively, virtualizes, creates and starts dev1 beside it, and
   checks that the emulated PLIC shows it exactly what it wrote; it hands virtio slot 0 over
   (timed), sees that slot's source vanish from its view, waits until dev1 hands the slot back,
   checks that dev1 could neither change its sources nor DMA into its memory, rolls back, and
   reads the PLIC passed through again. Lines starting "measure:" carry cycle counts (the test
   reports them; they are not part of the compared signature). */
#include "plic.h"

extern const u8 dev1_image[], dev1_image_end[];
/* The memory dev1 aims its device's DMA at: instance 0's, which the IOPMP must keep it from. */
#define CANARY (RAM_BASE + 0x1000000)
#define CANARY_WORDS 128

static void sig_plic(const char *when)
{
  sig_str(when); sig_str(": prio uart "); sig_hex(r32(PRIO(UART0_IRQ)));
  sig_str(" prio virtio0 "); sig_hex(r32(PRIO(SRC_VIRTIO0)));
  sig_str(" prio rtc "); sig_hex(r32(PRIO(RTC_IRQ)));
  sig_str(" enable "); sig_hex(r32(S_ENABLE0));
  sig_str(" threshold "); sig_hex(r32(S_THRESHOLD)); sig_str("\n");
}

int main(void)
{
  for (int i = 0; i < CANARY_WORDS; i++) ((volatile u32 *)CANARY)[i] = 0x5a5a0000 + i;
  w32(PRIO(UART0_IRQ), 3); w32(PRIO(SRC_VIRTIO0), 2); w32(PRIO(RTC_IRQ), 1);
  w32(S_ENABLE0, (1U << SRC_VIRTIO0) | (1U << UART0_IRQ) | (1U << RTC_IRQ));
  w32(S_THRESHOLD, 1);
  sig_plic("dev0 native");

  sig_maint("virtualize", M_VIRTUALIZE, 0, 0, 0);
  sig_maint("create", M_CREATE, (u64)dev1_image, (u64)(dev1_image_end - dev1_image), 0);
  sig_plic("dev0 one instance");
  sig_maint("start", M_START, 1, 0, 0);
  sig_plic("dev0 shared");
  sig_str("measure: emulated plic read "); sig_dec(MIN_CYCLES(8, r32(S_THRESHOLD))); sig_str("\n");
  sig_str("measure: emulated plic write "); sig_dec(MIN_CYCLES(8, w32(S_THRESHOLD, 1))); sig_str("\n");
  sig_str("measure: sbi self "); sig_dec(MIN_CYCLES(8, maint(M_SELF, 0, 0, 0))); sig_str("\n");
  sig_flush();

  /* dev1 has looked at the PLIC owning nothing when it says it is ready. */
  u64 deadline = rdtime() + TIMEBASE;
  while (maint(M_QUERY, 1, 0, 0).value != 3 && rdtime() < deadline) maint(M_YIELD, 0, 0, 0);
  sig_maint("query 1 state", M_QUERY, 1, 0, 0);
  u64 t0 = rdcycle();
  struct sbiret r = maint(M_HAND_OVER, DEV_VIRTIO_0, 1, 0);
  u64 t = rdcycle() - t0;
  sig_str("hand over virtio 0 "); sig_dec(-r.error); sig_str("\n");
  sig_str("measure: hand_over "); sig_dec(t); sig_str("\n");
  sig_plic("dev0 after handoff");
  w32(PRIO(SRC_VIRTIO0), 7);      /* not its source any more: ignored */
  w32(S_ENABLE0, ~0U);            /* only its own sources stick */
  sig_plic("dev0 after writes");
  w32(S_ENABLE0, (1U << UART0_IRQ) | (1U << RTC_IRQ));
  sig_flush();

  /* dev1 uses the slot, then hands it back. */
  deadline = rdtime() + TIMEBASE;
  while (!((maint(M_QUERY, 0, 4, 0).value >> DEV_VIRTIO_0) & 1) && rdtime() < deadline) maint(M_YIELD, 0, 0, 0);
  sig_maint("query 0 devices", M_QUERY, 0, 4, 0);
  sig_plic("dev0 after handback");
  u64 intact = 1;
  for (int i = 0; i < CANARY_WORDS; i++) if (((volatile u32 *)CANARY)[i] != 0x5a5a0000U + i) intact = 0;
  sig_val("dev0 memory intact", intact);

  /* The RTC goes over too; this instance keeps computing (never sleeping) until it comes back, so
     the alarm dev1 arms fires while this one runs. */
  sig_maint("hand over rtc", M_HAND_OVER, DEV_RTC, 1, 0);
  sig_flush();
  u64 sum = 0;
  deadline = rdtime() + TIMEBASE;
  while (!((maint(M_QUERY, 0, 4, 0).value >> DEV_RTC) & 1) && rdtime() < deadline)
    for (int i = 0; i < 1000; i++) sum = sum * 31 + i;
  sig_val("dev0 owns the rtc again", (maint(M_QUERY, 0, 4, 0).value >> DEV_RTC) & 1);
  sig_val("dev0 worked", sum != 0);

  sig_maint("rollback", M_ROLLBACK, 0, 0, 0);
  sig_maint("status state", M_STATUS, 0, 0, 0);
  sig_plic("dev0 dormant");
  sig_flush();
  sbi_shutdown();
}
