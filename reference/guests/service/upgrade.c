/* The upgrade, in band (conformance/service-protocol.md, "Upgrade"; the SBI functions are
 * conformance/maintenance-sbi.md's). The running build (instance 0) is told by a management
 * request which image to upgrade to; it virtualizes, creates and starts instance 1 with that image
 * in the maintenance partition, and keeps serving while it boots. Instance 1 says ready; instance
 * 0 drains (stops reading requests, commits the writes in flight: appended and flushed) and hands
 * the disk and the NIC over. Instance 1 replays the log, announces the service address, checks
 * its own health and commits the upgrade by retiring instance 0, which leaves it alone on the bare
 * machine (the Microvisor devirtualizes); only then does it migrate the disk to its own format,
 * because until then a rollback gives the disk back to instance 0, which must still read it.
 * Rollback: instance 1 crashing or ending (the firmware rolls back), not ready before the
 * watchdog (the firmware rolls back), not receiving the devices in time or failing its health
 * check (it calls rollback), or not committing within TAKEOVER_TICKS of the handover (instance 0
 * calls rollback). Instance 0 then takes the devices back, re-reads the log (which holds every
 * write instance 1 acknowledged, in format 1) and serves again. */
#include "svc.h"

#define WATCHDOG_TICKS 500000UL     /* 50 ms of guest time from start to ready */
#define DEVICES_TICKS 1000000UL     /* 100 ms from ready to receiving both devices */
#define TAKEOVER_TICKS 1000000UL    /* 100 ms from handover to the commit */
#define ERR_ALREADY_STARTED (-7)

enum phase { SERVING, BOOTING, REFUSING, HANDED_OVER };
static enum phase phase = SERVING;
const char *upgrade_phase = "serving";
/* The next image is staged in free memory just above this kernel's own (link.ld's __image_end),
   not in a buffer inside the image: the firmware copies and zeroes an image's whole memory size
   when it creates an instance, and the instance clears its bss when it boots, both in the
   maintenance window. */
extern u8 __image_end[];
u8 *const image_buf = __image_end;
u64 image_staged;
static u64 t_handed;
extern u64 blk_dev, net_dev;      /* main.c: device ids (2 + virtio slot) of the disk and NIC */

static void set_phase(enum phase p, const char *name) { phase = p; upgrade_phase = name; }

/* Give the hart to the other instance for at most `ticks`: the firmware lets a yielding instance
   sleep until one of its interrupts is pending, so arm the timer first (and take the software
   interrupt a handover raises as a reason to wake, then clear it). */
static void nap(u64 ticks)
{
  asm volatile("csrw 0x14d, %0" :: "r"(now() + ticks));
  csr_set(sie, SIE_STIE | SIE_SSIE);
  maint(M_YIELD, 0, 0, 0);
  asm volatile("csrw 0x14d, %0" :: "r"(~0UL));
  csr_clear(sip, SIE_SSIE);
}

/* 1 while an upgrade is under way; 2 once writes must wait for the next instance. */
int upgrade_busy(void) { return phase == SERVING ? 0 : phase == HANDED_OVER ? 2 : 1; }

static u32 text_err(char *out, u32 cap, const char *what, i64 err)
{
  u32 n = 0;
  out[n++] = '!';
  for (const char *s = what; *s && n + 24 < cap; s++) out[n++] = *s;
  out[n++] = ' ';
  if (err < 0) { out[n++] = '-'; err = -err; }
  char t[21]; int k = 20;
  do { t[--k] = '0' + err % 10; err /= 10; } while (err);
  while (k < 20) out[n++] = t[k++];
  out[n] = 0;
  return n;
}

static int parse_num(const char **p, const char *end, u64 *v)
{
  while (*p < end && **p == ' ') (*p)++;
  u64 x = 0; int d = 0;
  while (*p < end && **p >= '0' && **p <= '9' && d < 19) { x = x * 10 + (u64)(**p - '0'); (*p)++; d++; }
  *v = x;
  return d ? 0 : -1;
}

/* "disk SECTOR BYTES" (the image is on the service's disk) or "staged BYTES" (sent by IMAGE). */
void upgrade_request(const char *args, u32 len, char *out, u32 cap)
{
  const char *p = args, *end = args + len;
  u64 sector = 0, bytes = 0;
  out[0] = 0;
  if (phase != SERVING) { text_err(out, cap, "busy", 0); return; }
  if (len >= 5 && memcmp(p, "disk ", 5) == 0) {
    p += 5;
    if (parse_num(&p, end, &sector) || parse_num(&p, end, &bytes)) { text_err(out, cap, "bad-args", 0); return; }
    if (bytes == 0 || bytes > IMAGE_MAX) { text_err(out, cap, "image-size", (i64)bytes); return; }
    if (sector + (bytes + SECTOR - 1) / SECTOR > blk_sectors) { text_err(out, cap, "image-outside-disk", (i64)sector); return; }
    for (u64 done = 0; done < bytes; done += 32 * SECTOR) {
      u32 n = (u32)((bytes - done + SECTOR - 1) / SECTOR);
      if (n > 32) n = 32;
      if (blk_read(sector + done / SECTOR, image_buf + done, n)) { text_err(out, cap, "disk-read", 0); return; }
    }
  } else if (len >= 7 && memcmp(p, "staged ", 7) == 0) {
    p += 7;
    if (parse_num(&p, end, &bytes) || bytes == 0 || bytes > image_staged) { text_err(out, cap, "image-size", (i64)bytes); return; }
  } else {
    text_err(out, cap, "bad-args", 0);
    return;
  }
  log_event("upgrade-requested", bytes);
  struct sbiret r = maint(M_VIRTUALIZE, 0, 0, 0);
  if (r.error && r.error != ERR_ALREADY_STARTED) { text_err(out, cap, "virtualize", r.error); return; }
  log_event("virtualized", 0);
  r = maint(M_CREATE, (u64)image_buf, bytes, 0);
  if (r.error) {
    maint(M_DEVIRTUALIZE, 0, 0, 0);
    log_event("create-refused", (u64)-r.error);
    text_err(out, cap, "create", r.error);
    return;
  }
  maint(M_SET_WATCHDOG, 1, WATCHDOG_TICKS, 0);
  r = maint(M_START, 1, 0, 0);
  if (r.error) {
    maint(M_RETIRE, 1, 0, 0);
    maint(M_DEVIRTUALIZE, 0, 0, 0);
    text_err(out, cap, "start", r.error);
    return;
  }
  log_event("v2-started", 1);
  set_phase(BOOTING, "booting");
  memcpy(out, "upgrading", 10);
}

/* Instance 1 is gone before the commit: the firmware (or we) rolled back. Take the devices back,
   re-read the log, serve. */
static void resume_after_rollback(void)
{
  struct sbiret st = maint(M_STATUS, 0, 0, 0);
  if (st.error == 0 && st.value == 1) maint(M_DEVIRTUALIZE, 0, 0, 0);
  if (phase == HANDED_OVER) {
    if (devices_init(DEV_BLK | DEV_NET) || wal_recover()) {
      puts("svc: the devices did not come back after the rollback\n");
      shutdown(1);
    }
    ip_announce();
  }
  accepting = 1;
  set_phase(SERVING, "serving");
  log_event("rolled-back", wal_records);
}

void upgrade_poll(void)
{
  if (phase == SERVING) return;
  struct sbiret q = maint(M_QUERY, 1, 0, 0);
  if (q.error || q.value == 0) { resume_after_rollback(); return; }
  if (phase == BOOTING && q.value == 3) {
    log_event("v2-ready", 0);
    if (svc_fault == FAULT_REFUSE_RELEASE) { set_phase(REFUSING, "refusing"); return; }
    accepting = 0;
    proto_commit();
    log_event("drained", acked_writes);
    struct sbiret a = maint(M_HAND_OVER, blk_dev, 1, 0);
    struct sbiret b = a.error ? a : maint(M_HAND_OVER, net_dev, 1, 0);
    set_phase(HANDED_OVER, "handed-over");
    if (a.error || b.error) {
      log_event("hand-over-failed", (u64)-(a.error ? a.error : b.error));
      maint(M_ROLLBACK, 0, 0, 0);
      resume_after_rollback();
      return;
    }
    t_handed = now();
    log_event("handed-over", 0);
    return;
  }
  if (phase == HANDED_OVER) {
    if (now() - t_handed > TAKEOVER_TICKS) {
      log_event("takeover-timeout", 0);
      maint(M_ROLLBACK, 0, 0, 0);
      resume_after_rollback();
      return;
    }
    nap(TAKEOVER_TICKS / 20);
  }
}

/* Health after takeover: the disk answers, the log replayed whole, the NIC is up. */
static int healthy(void)
{
  static u8 s[SECTOR];
  if (svc_fault == FAULT_FAIL_HEALTH) return 0;
  return blk_read(0, s, 1) == 0 && net_base != 0;
}

void upgrade_takeover(void)
{
  log_event("instance-1-booting", 0);
  if (svc_fault == FAULT_CRASH_BOOT) {
    static volatile u64 nowhere = 8;   /* no memory there: an access fault */
    *(volatile u64 *)nowhere = 1;
  }
  if (svc_fault == FAULT_HANG_BOOT) for (;;) {}
  if (svc_fault == FAULT_SLOW_BOOT) {
    /* Busy, not asleep: a checksum of its own image over and over until the time is up. */
    extern u8 _start[];
    u32 sum = 0;
    for (u64 t0 = now(); now() - t0 < SLOW_BOOT_TICKS;)
      for (u32 i = 0; i < 4096; i++) sum = (sum << 5) + sum + _start[i];
    asm volatile("" :: "r"(sum));   /* the work must not be optimised away */
  }
  if (svc_fault == FAULT_CORRUPT) {
    extern u8 _start[];
    for (u64 i = 0; i < 4096; i++) _start[i] = (u8)(0xa5 ^ i);
    asm volatile("fence.i");
    ((void (*)(void))_start)();
  }
  maint(M_READY, 0, 0, 0);
  log_event("ready", 0);
  u64 t0 = now(), want = (1UL << blk_dev) | (1UL << net_dev);
  (void)want;
  for (;;) {
    u64 owned = (u64)maint(M_QUERY, 1, 4, 0).value;
    int blk = 0, net = 0;
    for (int slot = 0; slot < VIRTIO_COUNT; slot++) {
      if (!(owned & (1UL << (2 + slot)))) continue;
      u64 base = VIRTIO_BASE + VIRTIO_STRIDE * slot;
      if (rd32(base + 8) == 2) blk = 1;
      if (rd32(base + 8) == 1) net = 1;
    }
    if (blk && net) break;
    if (now() - t0 > DEVICES_TICKS) {
      log_event("devices-never-came", owned);
      maint(M_ROLLBACK, 0, 0, 0);
      shutdown(1);
    }
    nap(DEVICES_TICKS / 20);
  }
  log_event("devices-received", 0);
  if (devices_init(DEV_BLK | DEV_NET) || wal_recover()) {
    log_event("takeover-failed", 0);
    maint(M_ROLLBACK, 0, 0, 0);
    shutdown(1);
  }
  log_event("log-replayed", wal_records);
  ip_announce();
  if (!healthy()) {
    log_event("health-check-failed", 0);
    maint(M_ROLLBACK, 0, 0, 0);
    shutdown(1);
  }
  if (svc_fault == FAULT_HANG_AFTER) for (;;) {}
  struct sbiret r = maint(M_RETIRE, 0, 0, 0);
  /* Instance 0 may be gone already (retired by the host, or ended by its own SRST): then this
     instance is alone and the machine dormant, which is the commit too. */
  if (r.error && maint(M_STATUS, 0, 0, 0).value == 0) r.error = 0;
  if (r.error) {
    /* Not committed: instance 0 may still take the disk back, so it stays in its format. */
    log_event("commit-refused", (u64)-r.error);
    maint(M_ROLLBACK, 0, 0, 0);
    shutdown(1);
  }
  log_event("committed", 0);
  if (wal_migrate()) { puts("svc: migration failed\n"); shutdown(1); }
}
