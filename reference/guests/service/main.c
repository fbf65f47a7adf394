/* Boot and the serving loop. The same image boots on the bare machine (under the dormant
   Microvisor or OpenSBI) and as the maintenance instance; it tells the two apart by asking the
   Microvisor (status(0) virtualized and self() = 1), the one thing it is told. */
#include "svc.h"

#define POLL_TICKS 2000UL          /* 200 us: the longest sleep when no device interrupt wakes us */
#define PLIC_S_CONTEXT 1           /* hart 0's S-mode context on QEMU virt */
#define CSR_STIMECMP "0x14d"

u64 boot_fdt;
u64 blk_dev, net_dev;
static int maintenance_instance;

static void plic_enable(u32 src)
{
  wr32(PLIC_BASE + 4 * src, 1);
  u64 en = PLIC_BASE + PLIC_ENABLE + PLIC_ENABLE_STRIDE * PLIC_S_CONTEXT + 4 * (src / 32);
  wr32(en, rd32(en) | (1u << (src % 32)));
  wr32(PLIC_BASE + PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * PLIC_S_CONTEXT, 0);
}

static void plic_drain(void)
{
  u64 claim = PLIC_BASE + PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * PLIC_S_CONTEXT + PLIC_CLAIM;
  for (u32 src; (src = rd32(claim)) != 0;) wr32(claim, src);
}

int devices_init(int which)
{
  u64 allowed = ~0UL;
  if (maintenance_instance) allowed = (u64)maint(M_QUERY, 1, 4, 0).value;
  int up = 0;
  for (int slot = 0; slot < VIRTIO_COUNT; slot++) {
    if (!(allowed & (1UL << (2 + slot)))) continue;
    u64 base = VIRTIO_BASE + VIRTIO_STRIDE * slot;
    if ((which & DEV_BLK) && !(up & DEV_BLK) && virtio_probe(base, 2)) {
      if (blk_init(base)) { puts("svc: virtio-blk did not initialise\n"); return -1; }
      blk_dev = 2 + slot;
      plic_enable(VIRTIO_IRQ0 + slot);
      up |= DEV_BLK;
    } else if ((which & DEV_NET) && !(up & DEV_NET) && virtio_probe(base, 1)) {
      if (net_init(base)) { puts("svc: virtio-net did not initialise\n"); return -1; }
      net_dev = 2 + slot;
      plic_enable(VIRTIO_IRQ0 + slot);
      up |= DEV_NET;
    }
  }
  if ((up & which) != which) { puts("svc: no virtio disk or NIC\n"); return -1; }
  return 0;
}

static void sleep_until_something(void)
{
  u64 deadline = now() + POLL_TICKS;
  asm volatile("csrw " CSR_STIMECMP ", %0" :: "r"(deadline));
  csr_set(sie, SIE_STIE | SIE_SEIE);
  asm volatile("wfi");
  asm volatile("csrw " CSR_STIMECMP ", %0" :: "r"(~0UL));
  if (net_base) virtio_ack_interrupt(net_base);
  if (blk_base) virtio_ack_interrupt(blk_base);
  plic_drain();
}

void serve_once(int sleep)
{
  int got = 0;
  if (upgrade_busy() != 2) {
    u8 *frame;
    u32 len;
    while (got < 64 && accepting && net_recv(&frame, &len)) {
      ip_input(frame, len);
      net_release();
      got++;
    }
    proto_commit();
  }
  upgrade_poll();
  if (!got && sleep && upgrade_busy() != 2) sleep_until_something();
}

int main(void)
{
  struct sbiret st = maint(M_STATUS, 0, 0, 0);
  if (st.error == 0 && st.value == 1 && maint(M_SELF, 0, 0, 0).value == 1) maintenance_instance = 1;
  log_event(maintenance_instance ? "boot-instance-1" : "boot", svc_fault);
  if (maintenance_instance) {
    upgrade_takeover();
    maintenance_instance = 0;
  } else {
    if (devices_init(DEV_BLK | DEV_NET)) shutdown(1);
    if (wal_recover()) shutdown(1);
    log_event("log-replayed", wal_records);
    /* A build booted on a disk in an older format migrates at once: nobody can roll back to it. */
    if (wal_migrate()) shutdown(1);
    ip_announce();
  }
  log_event("serving", kv_count);
  for (;;) serve_once(1);
}
