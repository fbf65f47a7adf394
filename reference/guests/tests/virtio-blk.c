/* virtio-blk over virtio-mmio version 2 (virtio 1.1, 4.2 and 5.2), polled: find the device,
 * negotiate VERSION_1 (and FLUSH), set up queue 0, read sector 0, write sector 1, flush, read
 * sector 1 back. Run with a drive whose sector 0 starts with "devirt disk". */
#include "rt.h"

#define R32(b, o) MMIO32((b) + (o))
enum {
  MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEV_FEAT = 0x010, DEV_FEAT_SEL = 0x014,
  DRV_FEAT = 0x020, DRV_FEAT_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038,
  QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INT_STATUS = 0x060, INT_ACK = 0x064, STATUS = 0x070,
  DESC_LO = 0x080, DESC_HI = 0x084, AVAIL_LO = 0x090, AVAIL_HI = 0x094, USED_LO = 0x0a0, USED_HI = 0x0a4,
  CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8 };
enum { T_IN = 0, T_OUT = 1, T_FLUSH = 4 };
#define QN 8
#define F_NEXT 1
#define F_WRITE 2

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct req { uint32_t type, reserved; uint64_t sector; };

static struct desc descs[QN] __attribute__((aligned(16)));
static struct { uint16_t flags, idx, ring[QN], used_event; } avail __attribute__((aligned(2)));
static struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QN]; uint16_t avail_event; } used __attribute__((aligned(4)));
static struct req hdr;
static uint8_t data[512];
static volatile uint8_t status_byte;
static uint16_t last_used;

static uint64_t find(void) {
  for (int i = 7; i >= 0; i--) {
    uint64_t b = VIRTIO_BASE + 0x1000UL * (uint64_t)i;
    if (R32(b, MAGIC) == 0x74726976 && R32(b, DEVICE_ID) == 2) {
      printf_("virtio-blk in slot %d, version %u\n", (long)i, (uint64_t)R32(b, VERSION));
      return b;
    }
  }
  return 0;
}

static int request(uint64_t b, uint32_t type, uint64_t sector) {
  hdr.type = type; hdr.reserved = 0; hdr.sector = sector;
  status_byte = 0xff;
  descs[0] = (struct desc){ (uint64_t)&hdr, sizeof hdr, F_NEXT, 1 };
  int n = 1;
  if (type != T_FLUSH) { descs[1] = (struct desc){ (uint64_t)data, 512, (uint16_t)(F_NEXT | (type == T_IN ? F_WRITE : 0)), 2 }; n = 2; }
  descs[n - 1].next = (uint16_t)n;
  descs[n] = (struct desc){ (uint64_t)&status_byte, 1, F_WRITE, 0 };
  avail.ring[avail.idx % QN] = 0;
  __asm__ volatile("fence rw, rw" ::: "memory");
  avail.idx++;
  __asm__ volatile("fence rw, rw" ::: "memory");
  R32(b, QUEUE_NOTIFY) = 0;
  while (*(volatile uint16_t *)&used.idx == last_used) {}
  __asm__ volatile("fence rw, rw" ::: "memory");
  last_used++;
  uint32_t isr = R32(b, INT_STATUS);
  R32(b, INT_ACK) = isr;
  return status_byte;
}

int main(void) {
  uint64_t b = find();
  if (!b) { puts_("no virtio-blk device\n"); return 1; }
  if (R32(b, VERSION) != 2) { puts_("not a version 2 (modern) virtio-mmio device\n"); return 2; }
  R32(b, STATUS) = 0;
  R32(b, STATUS) = S_ACK;
  R32(b, STATUS) = S_ACK | S_DRIVER;
  R32(b, DEV_FEAT_SEL) = 1;
  uint32_t hi = R32(b, DEV_FEAT);
  R32(b, DEV_FEAT_SEL) = 0;
  uint32_t lo = R32(b, DEV_FEAT);
  printf_("VERSION_1 offered: %u, FLUSH offered: %u\n", (uint64_t)(hi & 1), (uint64_t)((lo >> 9) & 1));
  R32(b, DRV_FEAT_SEL) = 1; R32(b, DRV_FEAT) = 1;
  R32(b, DRV_FEAT_SEL) = 0; R32(b, DRV_FEAT) = lo & (1u << 9);
  R32(b, STATUS) = S_ACK | S_DRIVER | S_FEATURES_OK;
  printf_("FEATURES_OK kept: %u\n", (uint64_t)((R32(b, STATUS) >> 3) & 1));
  uint64_t capacity = R32(b, CONFIG) | ((uint64_t)R32(b, CONFIG + 4) << 32);
  printf_("capacity %u sectors\n", capacity);

  R32(b, QUEUE_SEL) = 0;
  printf_("queue 0 max >= %d: %d\n", (long)QN, (long)(R32(b, QUEUE_NUM_MAX) >= QN));
  R32(b, QUEUE_NUM) = QN;
  R32(b, DESC_LO) = (uint32_t)(uint64_t)descs; R32(b, DESC_HI) = (uint32_t)((uint64_t)descs >> 32);
  R32(b, AVAIL_LO) = (uint32_t)(uint64_t)&avail; R32(b, AVAIL_HI) = (uint32_t)((uint64_t)&avail >> 32);
  R32(b, USED_LO) = (uint32_t)(uint64_t)&used; R32(b, USED_HI) = (uint32_t)((uint64_t)&used >> 32);
  R32(b, QUEUE_READY) = 1;
  R32(b, STATUS) = S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK;

  int st = request(b, T_IN, 0);
  data[15] = 0;
  printf_("read sector 0: status %d, \"%s\"\n", (long)st, (const char *)data);
  for (int i = 0; i < 512; i++) data[i] = (uint8_t)(i ^ 0x5a);
  st = request(b, T_OUT, 1);
  printf_("write sector 1: status %d\n", (long)st);
  st = request(b, T_FLUSH, 0);
  printf_("flush: status %d\n", (long)st);
  memset(data, 0, sizeof data);
  st = request(b, T_IN, 1);
  int same = 1;
  for (int i = 0; i < 512; i++) same &= data[i] == (uint8_t)(i ^ 0x5a);
  printf_("read sector 1 back: status %d, same %d\n", (long)st, (long)same);
  CHECK(same);
  st = request(b, T_IN, capacity);
  printf_("read past the end: status %d\n", (long)st);
  CHECK_EQ(st, 1); /* VIRTIO_BLK_S_IOERR */
  return failures();
}
