/* virtio-mmio, version 2 register layout (virtio 1.x section 4.2.2), and split virtqueues
   (section 2.7). Only VERSION_1 devices are driven: the driver negotiates the high word too. */
#include "svc.h"

#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define F_VERSION_1 (1UL << 32)

int virtio_probe(u64 base, u32 device_id)
{
  return rd32(base + MAGIC) == 0x74726976 && rd32(base + VERSION) == 2 && rd32(base + DEVICE_ID) == device_id;
}

/* Reset, acknowledge, and accept the wanted features the device offers (VERSION_1 required). */
int virtio_begin(u64 base, u64 want, u64 *got)
{
  wr32(base + STATUS, 0);
  /* Section 4.2.3.1: after writing 0 the driver waits until Status reads back 0. */
  while (rd32(base + STATUS) != 0) {}
  wr32(base + STATUS, S_ACKNOWLEDGE);
  wr32(base + STATUS, S_ACKNOWLEDGE | S_DRIVER);
  wr32(base + DEVICE_FEATURES_SEL, 0);
  u64 offered = rd32(base + DEVICE_FEATURES);
  wr32(base + DEVICE_FEATURES_SEL, 1);
  offered |= (u64)rd32(base + DEVICE_FEATURES) << 32;
  if (!(offered & F_VERSION_1)) return -1;
  u64 accept = offered & (want | F_VERSION_1);
  wr32(base + DRIVER_FEATURES_SEL, 0);
  wr32(base + DRIVER_FEATURES, (u32)accept);
  wr32(base + DRIVER_FEATURES_SEL, 1);
  wr32(base + DRIVER_FEATURES, (u32)(accept >> 32));
  wr32(base + STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
  if (!(rd32(base + STATUS) & S_FEATURES_OK)) return -1;
  *got = accept;
  return 0;
}

int virtio_queue(u64 base, struct vq *q, u32 index)
{
  memset(q, 0, sizeof *q);
  q->base = base;
  q->index = index;
  wr32(base + QUEUE_SEL, index);
  if (rd32(base + QUEUE_READY)) return -1;
  if (rd32(base + QUEUE_NUM_MAX) < VQ_SIZE) return -1;
  wr32(base + QUEUE_NUM, VQ_SIZE);
  wr32(base + QUEUE_DESC_LOW, (u32)(u64)q->desc);
  wr32(base + QUEUE_DESC_HIGH, (u32)((u64)q->desc >> 32));
  wr32(base + QUEUE_DRIVER_LOW, (u32)(u64)&q->avail);
  wr32(base + QUEUE_DRIVER_HIGH, (u32)((u64)&q->avail >> 32));
  wr32(base + QUEUE_DEVICE_LOW, (u32)(u64)&q->used);
  wr32(base + QUEUE_DEVICE_HIGH, (u32)((u64)&q->used >> 32));
  wr32(base + QUEUE_READY, 1);
  return 0;
}

void virtio_driver_ok(u64 base)
{
  wr32(base + STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* Make the chain at `head` available and notify (section 2.7.13). */
void vq_submit(struct vq *q, u16 head)
{
  q->avail.ring[q->avail.idx % VQ_SIZE] = head;
  mb();
  q->avail.idx++;
  mb();
  wr32(q->base + QUEUE_NOTIFY, q->index);
}

/* The next used element, if the device has returned one. */
int vq_next_used(struct vq *q, u32 *id, u32 *len)
{
  mb();
  if (q->last_used == *(volatile u16 *)&q->used.idx) return 0;
  struct vq_used_elem e = q->used.ring[q->last_used % VQ_SIZE];
  q->last_used++;
  *id = e.id;
  *len = e.len;
  return 1;
}

void virtio_ack_interrupt(u64 base)
{
  wr32(base + INTERRUPT_ACK, rd32(base + INTERRUPT_STATUS) & 3);
}
