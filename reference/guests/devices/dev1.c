/* Instance 1 of the device scenario: it looks at the PLIC before it owns anything (instance 0's
   sources read 0 and its writes to them are ignored), says it is ready, receives virtio slot 0
   (a supervisor software interrupt), programs that source, drives the disk: a read into its own
   memory completes and interrupts through the emulated PLIC (claim, complete); a read aimed at
   instance 0's memory makes the device report an error (DEVICE_NEEDS_RESET and a configuration
   change interrupt, virtio 1.x 2.1.2) and writes nothing there. Then it resets the device and
   hands it back. Last it receives the RTC and sleeps until its alarm, which fires while instance 0
   runs: the firmware routes it here. Its signature goes to its console (DBCN). */
#include "plic.h"

#define CANARY (RAM_BASE + 0x1000000)   /* dev0's memory (dev0.c) */
#define QSIZE 4
#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4
#define ST_FEATURES_OK 8
#define ST_NEEDS_RESET 0x40

static volatile u64 soft_fired, ext_fired, ext_source, ext_mtime;
static void on_irq(u64 code)
{
  if (code == IRQ_SSI) { csr_clear(sip, SIP_SSIP); soft_fired++; }
  else if (code == IRQ_SEI) {
    /* The RTC's alarm, delivered through the emulated PLIC: claim, quiet the device, complete. */
    u32 src = r32(S_CLAIM);
    ext_source = src;
    ext_mtime = rdtime();
    w32(RTC_BASE + RTC_REG_CLEAR_INTERRUPT, 1);
    w32(RTC_BASE + RTC_REG_IRQ_ENABLED, 0);
    w32(S_CLAIM, src);
    ext_fired++;
  } else irq_default(code);
}

struct desc { u64 addr; u32 len; u16 flags, next; };
static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct { u16 flags, idx, ring[QSIZE]; } avail __attribute__((aligned(4)));
static struct { u16 flags, idx; struct { u32 id, len; } ring[QSIZE]; } used __attribute__((aligned(8)));
static struct { u32 type, reserved; u64 sector; } header;
static u8 status_byte;
static u8 buffer[512] __attribute__((aligned(64)));

#define VIO(off) (VIRTIO_BASE + (off))

static void virtio_start(void)
{
  w32(VIO(0x70), 0);
  w32(VIO(0x70), ST_ACK | ST_DRIVER);
  w32(VIO(0x24), 1); w32(VIO(0x20), 1);   /* VERSION_1 */
  w32(VIO(0x24), 0); w32(VIO(0x20), 0);
  w32(VIO(0x70), ST_ACK | ST_DRIVER | ST_FEATURES_OK);
  w32(VIO(0x30), 0); w32(VIO(0x38), QSIZE);
  w32(VIO(0x80), (u32)(u64)descs); w32(VIO(0x84), (u32)((u64)descs >> 32));
  w32(VIO(0x90), (u32)(u64)&avail); w32(VIO(0x94), (u32)((u64)&avail >> 32));
  w32(VIO(0xa0), (u32)(u64)&used); w32(VIO(0xa4), (u32)((u64)&used >> 32));
  w32(VIO(0x44), 1);
  w32(VIO(0x70), ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
}

/* Read sector 0 into `to` (512 bytes); returns the device's status register afterwards. */
static u32 read_sector(u64 to)
{
  header.type = 0; header.sector = 0; status_byte = 0xff;
  descs[0] = (struct desc){ (u64)&header, 16, 1, 1 };
  descs[1] = (struct desc){ to, 512, 2 | 1, 2 };
  descs[2] = (struct desc){ (u64)&status_byte, 1, 2, 0 };
  avail.ring[avail.idx % QSIZE] = 0;
  asm volatile("fence" ::: "memory");
  u16 before = used.idx;
  avail.idx++;
  asm volatile("fence" ::: "memory");
  w32(VIO(0x50), 0);
  /* Until the device uses the buffer or stops (the reference completes at once; QEMU later). */
  u64 deadline = rdtime() + TIMEBASE / 10;
  while (*(volatile u16 *)&used.idx == before && !(r32(VIO(0x70)) & ST_NEEDS_RESET) && rdtime() < deadline) {}
  asm volatile("fence" ::: "memory");
  return r32(VIO(0x70));
}

int main(void)
{
  irq_hook = on_irq;
  /* Nothing is its own yet: instance 0's sources are invisible, its writes to them ignored. */
  sig_val("dev1 prio uart", r32(PRIO(UART0_IRQ)));
  sig_val("dev1 prio virtio0", r32(PRIO(SRC_VIRTIO0)));
  w32(PRIO(UART0_IRQ), 7);
  w32(S_ENABLE0, ~0U);
  w32(S_THRESHOLD, 2);
  sig_val("dev1 enable after writing all ones", r32(S_ENABLE0));
  sig_val("dev1 threshold", r32(S_THRESHOLD));
  sig_val("dev1 claim", r32(S_CLAIM));
  sig_str("measure: emulated plic claim "); sig_dec(MIN_CYCLES(8, r32(S_CLAIM))); sig_str("\n");
  /* The PLIC through a mapping of its own (Sv39: RAM identity-mapped, the first gigabyte, PLIC
     included, again at 4 GiB): the emulation must find the register from the virtual address. */
  static u64 root[512] __attribute__((aligned(4096)));
  const u64 leaf = 0xcf;   /* V R W X A D */
  root[2] = ((0x80000000UL >> 12) << 10) | leaf;
  root[4] = ((0x0UL >> 12) << 10) | leaf;
  csr_write(satp, (8UL << 60) | ((u64)root >> 12));
  asm volatile("sfence.vma" ::: "memory");
  sig_val("dev1 threshold through a mapping", r32(S_THRESHOLD + 0x100000000UL));
  w32(S_THRESHOLD + 0x100000000UL, 3);
  csr_write(satp, 0);
  asm volatile("sfence.vma" ::: "memory");
  sig_val("dev1 threshold written through it", r32(S_THRESHOLD));
  w32(S_THRESHOLD, 2);
  sig_try_load("dev1 plic context 0", PLIC_BASE + PLIC_CONTEXT);
  sig_try_load("dev1 iopmp", IOPMP_BASE);
  sig_try_load("dev1 virtio 0 before handoff", VIRTIO_BASE);
  csr_set(sie, 1UL << IRQ_SSI);
  sig_maint("ready", M_READY, 0, 0, 0);
  sig_flush();

  WAIT_UNTIL(soft_fired);
  sig_val("dev1 devices", maint(M_QUERY, 1, 4, 0).value);
  sig_val("dev1 prio virtio0 after handoff", r32(PRIO(SRC_VIRTIO0)));
  w32(PRIO(SRC_VIRTIO0), 4);
  w32(S_ENABLE0, ~0U);
  w32(S_THRESHOLD, 0);
  sig_val("dev1 prio virtio0", r32(PRIO(SRC_VIRTIO0)));
  sig_val("dev1 enable", r32(S_ENABLE0));

  /* A read into its own memory: completes, and the used-buffer interrupt pends through the PLIC. */
  virtio_start();
  u32 st = read_sector((u64)buffer);
  sig_val("dev1 own read status reg", st);
  sig_val("dev1 own read status byte", status_byte);
  sig_val("dev1 own read used idx", used.idx);
  sig_val("dev1 own read data", buffer[0] | (buffer[1] << 8) | (buffer[2] << 16) | ((u32)buffer[3] << 24));
  sig_val("dev1 pending", r32(PENDING0) & (1U << SRC_VIRTIO0));
  u32 claim = r32(S_CLAIM);
  sig_val("dev1 claim", claim);
  w32(VIO(0x64), r32(VIO(0x60)));   /* InterruptACK */
  w32(S_CLAIM, claim);
  sig_val("dev1 claim after complete", r32(S_CLAIM));

  /* A read aimed at instance 0's memory: the IOPMP refuses the device's write. */
  st = read_sector(CANARY);
  sig_val("dev1 foreign read status reg", st & ST_NEEDS_RESET);
  sig_val("dev1 foreign read interrupt status", r32(VIO(0x60)));
  sig_val("dev1 foreign read used idx", used.idx);
  w32(VIO(0x64), r32(VIO(0x60)));
  w32(S_CLAIM, r32(S_CLAIM));
  w32(VIO(0x70), 0);
  sig_val("dev1 status after reset", r32(VIO(0x70)));
  sig_maint("hand virtio 0 back", M_HAND_OVER, DEV_VIRTIO_0, 0, 0);
  sig_try_load("dev1 virtio 0 after handback", VIRTIO_BASE);
  sig_flush();

  /* The RTC: its alarm fires while instance 0 runs (this one sleeps in wfi, which yields): the
     firmware sees it in context 0 (MEIP) and switches here, where it arrives as SEIP. */
  WAIT_UNTIL(soft_fired > 1);
  sig_val("dev1 devices after second handoff", maint(M_QUERY, 1, 4, 0).value);
  w32(PRIO(RTC_IRQ), 1);
  w32(S_ENABLE0, 1U << RTC_IRQ);
  u32 lo = r32(RTC_BASE + 0x00), hi = r32(RTC_BASE + 0x04);
  u64 at = (((u64)hi << 32) | lo) + 1000000;   /* 1 ms */
  w32(RTC_BASE + 0x0c, (u32)(at >> 32));
  w32(RTC_BASE + 0x08, (u32)at);
  w32(RTC_BASE + RTC_REG_IRQ_ENABLED, 1);
  u64 armed = rdtime();
  csr_set(sie, 1UL << IRQ_SEI);
  WAIT_UNTIL(ext_fired);
  csr_clear(sie, 1UL << IRQ_SEI);
  sig_val("dev1 rtc interrupt source", ext_source);
  sig_val("dev1 rtc interrupt not before its time", ext_mtime >= armed + TIMEBASE / 1000);
  sig_val("dev1 rtc interrupt within 2 ms of it", ext_mtime < armed + 3 * TIMEBASE / 1000);
  sig_val("dev1 claim after rtc", r32(S_CLAIM));
  sig_maint("hand rtc back", M_HAND_OVER, DEV_RTC, 0, 0);
  sig_str("dev1: done\n");
  sig_flush();
  for (;;) maint(M_YIELD, 0, 0, 0);
}
