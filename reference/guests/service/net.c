/* virtio-net (virtio 1.x section 5.1): receive queue 0 kept full of buffers, transmit queue 1 used
   one frame at a time. With VERSION_1 every buffer starts with the 12-byte virtio_net_hdr
   (num_buffers included, section 5.1.6); this driver asks for no offloads, so the header it sends
   is all zeros and the one it receives is ignored. */
#include "svc.h"

#define F_MAC (1UL << 5)
#define HDR 12
#define BUF 1536
#define RXN 16

u8 net_mac[6];
u64 net_base;
static struct vq rxq __attribute__((aligned(4096)));
static struct vq txq __attribute__((aligned(4096)));
static u8 rxbuf[RXN][BUF] __attribute__((aligned(64)));
static u8 txbuf[BUF] __attribute__((aligned(64)));
static u32 rx_held = ~0u;

static void rx_give(u16 i)
{
  rxq.desc[i] = (struct vq_desc){ (u64)rxbuf[i], BUF, VQ_WRITE, 0 };
  rxq.avail.ring[rxq.avail.idx % VQ_SIZE] = i;
  mb();
  rxq.avail.idx++;
}

int net_init(u64 base)
{
  u64 got;
  if (virtio_begin(base, F_MAC, &got)) return -1;
  if (virtio_queue(base, &rxq, 0) || virtio_queue(base, &txq, 1)) return -1;
  if (got & F_MAC) {
    for (int i = 0; i < 6; i++) net_mac[i] = *(volatile u8 *)(base + VIRTIO_MMIO_CONFIG + i);
  } else {
    static const u8 fallback[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    memcpy(net_mac, fallback, 6);
  }
  virtio_driver_ok(base);
  for (u16 i = 0; i < RXN; i++) rx_give(i);
  mb();
  wr32(base + 0x050, 0);
  net_base = base;
  rx_held = ~0u;
  return 0;
}

int net_recv(u8 **frame, u32 *len)
{
  u32 id, n;
  if (!vq_next_used(&rxq, &id, &n)) return 0;
  if (id >= RXN || n < HDR) { rx_give((u16)(id % RXN)); return 0; }
  rx_held = id;
  *frame = rxbuf[id] + HDR;
  *len = n - HDR;
  return 1;
}

void net_release(void)
{
  if (rx_held == ~0u) return;
  rx_give((u16)rx_held);
  rx_held = ~0u;
  mb();
  wr32(net_base + 0x050, 0);
}

int net_send(const u8 *frame, u32 len)
{
  if (len + HDR > BUF) return -1;
  memset(txbuf, 0, HDR);
  memcpy(txbuf + HDR, frame, len);
  txq.desc[0] = (struct vq_desc){ (u64)txbuf, len + HDR, 0, 0 };
  vq_submit(&txq, 0);
  u32 id, n;
  while (!vq_next_used(&txq, &id, &n)) {}
  return 0;
}
