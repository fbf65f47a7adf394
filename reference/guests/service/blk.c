/* virtio-blk (virtio 1.x section 5.2): one request at a time, waited for by polling the used ring
   (the reference completes a request when notified; QEMU's completes it in its own time). A write
   is durable only after a FLUSH (the device offers a write-back cache: VIRTIO_BLK_F_FLUSH). */
#include "svc.h"

#define F_FLUSH (1UL << 9)
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4

u64 blk_base, blk_sectors, blk_flushes, blk_writes;
static struct vq q __attribute__((aligned(4096)));
static struct { u32 type, reserved; u64 sector; } hdr;
static volatile u8 status;
static int have_flush;

int blk_init(u64 base)
{
  u64 got;
  if (virtio_begin(base, F_FLUSH, &got)) return -1;
  have_flush = (got & F_FLUSH) != 0;
  if (virtio_queue(base, &q, 0)) return -1;
  virtio_driver_ok(base);
  blk_base = base;
  blk_sectors = rd32(base + VIRTIO_MMIO_CONFIG) | (u64)rd32(base + VIRTIO_MMIO_CONFIG + 4) << 32;
  return 0;
}

static int request(u32 type, u64 sector, void *buf, u32 bytes)
{
  hdr.type = type;
  hdr.reserved = 0;
  hdr.sector = sector;
  status = 0xff;
  u16 n = 0;
  q.desc[n] = (struct vq_desc){ (u64)&hdr, sizeof hdr, VQ_NEXT, 1 };
  n++;
  if (bytes) {
    q.desc[n] = (struct vq_desc){ (u64)buf, bytes, (u16)(VQ_NEXT | (type == T_IN ? VQ_WRITE : 0)), (u16)(n + 1) };
    n++;
  }
  q.desc[n] = (struct vq_desc){ (u64)&status, 1, VQ_WRITE, 0 };
  vq_submit(&q, 0);
  u32 id, len;
  while (!vq_next_used(&q, &id, &len)) {}
  virtio_ack_interrupt(blk_base);
  return status == 0 ? 0 : -1;
}

int blk_read(u64 sector, void *buf, u32 count) { return request(T_IN, sector, buf, count * SECTOR); }

int blk_write(u64 sector, const void *buf, u32 count)
{
  blk_writes++;
  return request(T_OUT, sector, (void *)buf, count * SECTOR);
}

int blk_flush(void)
{
  blk_flushes++;
  /* Without FLUSH the device has no volatile cache (section 5.2.6.2): a completed write is durable. */
  return have_flush ? request(T_FLUSH, 0, 0, 0) : 0;
}
