/* Instance 0 of the in-band scenario (conformance/maintenance-sbi.md, "Instances"): it virtualizes
   itself, creates the second instance from the image in its own memory (after the calls that must
   fail), starts it, keeps working beside it (sleeping on its timer now and then, which yields the
   hart), waits until the second says it is ready, hands virtio slot 0 over and retires, leaving
   the second alone on the bare hart. Its signature goes to the UART (its console). */
#include "instances.h"

extern const u8 second_image[], second_image_end[];
/* What the second is told to do (a test patches this word): 0 the whole scenario, 1 end itself by
   SRST before ready (the firmware rolls back), 2 never say ready (the watchdog rolls back). */
volatile u64 first_mode __attribute__((section(".data"))) = 0;
static const char *const bootargs_of[] = { "console=hvc0 second", "console=hvc0 second srst", "console=hvc0 second hang" };
static u64 slen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }
static const char bad_bootargs[] = "a\0b";
static u8 not_an_image[256];
static const char initrd[] = "an initrd for the second instance";
static volatile u64 timer_fired;

static void on_irq(u64 code)
{
  if (code == IRQ_STI) { csr_write(stimecmp, -1UL); timer_fired++; }
  else irq_default(code);
}

/* Sleep `ticks` of mtime on the supervisor timer: wfi (which yields the hart while two run). */
static void sleep_ticks(u64 ticks)
{
  u64 before = timer_fired;
  sbi_call(EXT_TIME, 0, rdtime() + ticks, 0, 0);
  csr_set(sie, 1UL << IRQ_STI);
  WAIT_UNTIL(timer_fired != before);
  csr_clear(sie, 1UL << IRQ_STI);
}

int main(void)
{
  irq_hook = on_irq;
  u64 base = maint(M_STATUS, 6, 0, 0).value, size = maint(M_STATUS, 7, 0, 0).value;
  u64 len = (u64)(second_image_end - second_image);
  sig_str("first: partition "); sig_hex(base); sig_str(" "); sig_hex(size); sig_str("\n");
  /* Dormant: only query, self and status answer. */
  sig_maint("dormant create", M_CREATE, (u64)second_image, len, 0);
  sig_maint("dormant self", M_SELF, 0, 0, 0);
  sig_maint("dormant query 0", M_QUERY, 0, 0, 0);
  sig_maint("dormant query 1", M_QUERY, 1, 0, 0);
  sig_maint("virtualize", M_VIRTUALIZE, 0, 0, 0);
  /* Every buffer is checked before anything is read. */
  sig_maint("create flags", M_CREATE, (u64)second_image, len, 1);
  sig_maint("create firmware buffer", M_CREATE, RAM_BASE, len, 0);
  sig_maint("create partition buffer", M_CREATE, base, 4096, 0);
  sig_maint("create straddling buffer", M_CREATE, base - 64, 128, 0);
  sig_maint("create wrapping buffer", M_CREATE, -64UL, 128, 0);
  sig_maint("create not an image", M_CREATE, (u64)not_an_image, sizeof not_an_image, 0);
  sig_maint("start absent", M_START, 1, 0, 0);
  sig_maint("rollback absent", M_ROLLBACK, 0, 0, 0);
  sig_maint("create", M_CREATE, (u64)second_image, len, 0);
  sig_maint("create again", M_CREATE, (u64)second_image, len, 0);
  sig_maint("query 1 state", M_QUERY, 1, 0, 0);
  sig_maint("query 1 base", M_QUERY, 1, 2, 0);
  sig_maint("query 1 size", M_QUERY, 1, 3, 0);
  sig_maint("query 1 devices", M_QUERY, 1, 4, 0);
  sig_maint("query 1 which 9", M_QUERY, 1, 9, 0);
  sig_maint("bootargs with nul", M_SET_BOOTARGS, (u64)bad_bootargs, 3, 0);
  sig_maint("bootargs too long", M_SET_BOOTARGS, (u64)not_an_image, 2000, 0);
  const char *bootargs = bootargs_of[first_mode < 3 ? first_mode : 0];
  sig_maint("bootargs", M_SET_BOOTARGS, (u64)bootargs, slen(bootargs), 0);
  sig_maint("initrd in partition", M_LOAD_INITRD, base, 64, 0);
  sig_maint("initrd too big", M_LOAD_INITRD, RAM_BASE + 0x200000, size, 0);
  sig_maint("initrd", M_LOAD_INITRD, (u64)initrd, sizeof initrd, 0);
  sig_maint("ready from 0", M_READY, 0, 0, 0);
  sig_maint("start 0", M_START, 0, 0, 0);
  sig_maint("start 2", M_START, 2, 0, 0);
  sig_maint("share 0 percent", M_SET_SHARE, 1, 0, 0);
  sig_maint("share 100 percent", M_SET_SHARE, 1, 100, 0);
  sig_maint("watchdog 0", M_SET_WATCHDOG, 0, 1000, 0);
  sig_try_load("partition", base);
  sig_maint("start", M_START, 1, 0, 0);
  sig_maint("start again", M_START, 1, 0, 0);
  sig_maint("bootargs after start", M_SET_BOOTARGS, (u64)bootargs, slen(bootargs), 0);
  sig_maint("initrd after start", M_LOAD_INITRD, (u64)initrd, sizeof initrd, 0);
  if (first_mode == 2) sig_maint("watchdog", M_SET_WATCHDOG, 1, TIMEBASE / 200, 0);   /* 5 ms */
  sig_maint("query 1 state", M_QUERY, 1, 0, 0);
  sig_maint("share", M_SET_SHARE, 0, 50, 0);
  sig_maint("query 0 share", M_QUERY, 0, 1, 0);
  sig_maint("self", M_SELF, 0, 0, 0);
  sig_flush();

  /* Keep working beside the second until it is ready: a checksum over a buffer, and a sleep on
     the timer every so often (each wfi yields the rest of the slice). */
  /* At most 10 s of guest time: on QEMU, time is the host's, and a loaded host runs few instructions per second. */
  u64 work = 0, sleeps = 0, sum = 0, deadline = rdtime() + 10 * TIMEBASE;
  struct sbiret q;
  while ((q = maint(M_QUERY, 1, 0, 0)).error == 0 && q.value != 3 && rdtime() < deadline) {
    for (int i = 0; i < 2000; i++) sum = sum * 31 + i;
    work++;
    if (work % 8 == 0) { sleep_ticks(TIMEBASE / 1000); sleeps++; }
  }
  if (q.error) {
    /* Rolled back: instance 1 is gone, everything is instance 0's again and the machine dormant. */
    sig_maint("rolled back: query 1", M_QUERY, 1, 0, 0);
    sig_maint("rolled back: state", M_STATUS, 0, 0, 0);
    sig_maint("rolled back: query 0 devices", M_QUERY, 0, 4, 0);
    sig_maint("rolled back: query 1 reason", M_QUERY, 1, 5, 0);
    sig_flush();
    sbi_shutdown();
  }
  sig_str("first: second ready "); sig_dec(maint(M_QUERY, 1, 0, 0).value == 3);
  sig_str(" work "); sig_dec(work > 0); sig_str(" sleeps "); sig_dec(sleeps > 0); sig_str(" sum "); sig_dec(sum != 0); sig_str("\n");
  sig_str("first: second ran cycles "); sig_dec(maint(M_QUERY, 1, 6, 0).value > 0); sig_str("\n");

  sig_maint("hand over unknown device", M_HAND_OVER, 10, 1, 0);
  sig_maint("hand over to 2", M_HAND_OVER, 2, 2, 0);
  sig_maint("hand over virtio 0", M_HAND_OVER, 2, 1, 0);
  sig_maint("hand over virtio 0 again", M_HAND_OVER, 2, 1, 0);
  sig_maint("query 0 devices", M_QUERY, 0, 4, 0);
  sig_maint("query 1 devices", M_QUERY, 1, 4, 0);
  sig_try_load("virtio 0 after handoff", VIRTIO_BASE);
  sig_try_load("virtio 1", VIRTIO_BASE + VIRTIO_STRIDE);
  sig_str("first: retiring\n");
  sig_flush();
  sig_maint("retire 0", M_RETIRE, 0, 0, 0);
  sig_str("first: retire returned\n");
  sig_flush();
  sbi_fail(3);
}
