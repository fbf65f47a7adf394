/* virtio-blk in virtio-mmio slot 0 (0x10001000), as teaching kernels find their disk: the
 * modern (version 2) register layout, feature negotiation on the low 32 bits only (this driver
 * never writes DriverFeaturesSel 1, so VERSION_1 is not accepted), one queue of 8 descriptors,
 * one request at a time, completion signalled by the disk's interrupt. */
#include "teach.h"

#define MMIO(off) REG32(VIRTIO0 + (off))
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DRIVER_FEATURES 0x020
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

/* Low-word features this driver does not want. */
#define F_RO (1u << 5)
#define F_SCSI (1u << 7)
#define F_CONFIG_WCE (1u << 11)
#define F_MQ (1u << 12)
#define F_ANY_LAYOUT (1u << 27)
#define F_INDIRECT_DESC (1u << 28)
#define F_EVENT_IDX (1u << 29)

#define QSIZE 8
#define D_NEXT 1
#define D_WRITE 2

struct desc { u64 addr; u32 len; u16 flags; u16 next; };
struct avail { u16 flags; u16 idx; u16 ring[QSIZE]; u16 unused; };
struct used_elem { u32 id; u32 len; };
struct used { u16 flags; u16 idx; struct used_elem ring[QSIZE]; };
struct req { u32 type; u32 reserved; u64 sector; };

static struct desc descs[QSIZE] __attribute__((aligned(4096), section(".bss.pages")));
static struct avail avail __attribute__((aligned(4096), section(".bss.pages")));
static struct used used __attribute__((aligned(4096), section(".bss.pages")));
static struct req req;
static volatile u8 req_status;
static volatile int done;
static u16 seen_used;

int disk_init(void) {
  if (MMIO(MAGIC) != 0x74726976 || MMIO(VERSION) != 2 || MMIO(DEVICE_ID) != 2) {
    print("teach: could not find virtio disk\n");
    return -1;
  }
  u32 status = 0;
  MMIO(STATUS) = status;
  status |= S_ACKNOWLEDGE;
  MMIO(STATUS) = status;
  status |= S_DRIVER;
  MMIO(STATUS) = status;
  u32 features = MMIO(DEVICE_FEATURES);
  features &= ~(F_RO | F_SCSI | F_CONFIG_WCE | F_MQ | F_ANY_LAYOUT | F_INDIRECT_DESC | F_EVENT_IDX);
  MMIO(DRIVER_FEATURES) = features;
  status |= S_FEATURES_OK;
  MMIO(STATUS) = status;
  if (!(MMIO(STATUS) & S_FEATURES_OK)) {
    print("teach: virtio disk FEATURES_OK unset\n");
    return -1;
  }
  MMIO(QUEUE_SEL) = 0;
  if (MMIO(QUEUE_READY)) { print("teach: virtio disk queue already ready\n"); return -1; }
  if (MMIO(QUEUE_NUM_MAX) < QSIZE) { print("teach: virtio disk queue too short\n"); return -1; }
  MMIO(QUEUE_NUM) = QSIZE;
  MMIO(QUEUE_DESC_LOW) = (u64)descs;
  MMIO(QUEUE_DESC_HIGH) = (u64)descs >> 32;
  MMIO(QUEUE_DRIVER_LOW) = (u64)&avail;
  MMIO(QUEUE_DRIVER_HIGH) = (u64)&avail >> 32;
  MMIO(QUEUE_DEVICE_LOW) = (u64)&used;
  MMIO(QUEUE_DEVICE_HIGH) = (u64)&used >> 32;
  MMIO(QUEUE_READY) = 1;
  status |= S_DRIVER_OK;
  MMIO(STATUS) = status;
  return 0;
}

/* One sector in or out; waits (wfi) for the disk's interrupt. */
int disk_rw(u32 sector, u8 *buf, int write) {
  req.type = write ? 1 : 0;
  req.reserved = 0;
  req.sector = sector;
  req_status = 0xff;
  descs[0] = (struct desc){ (u64)&req, sizeof req, D_NEXT, 1 };
  descs[1] = (struct desc){ (u64)buf, 512, (u16)(D_NEXT | (write ? 0 : D_WRITE)), 2 };
  descs[2] = (struct desc){ (u64)&req_status, 1, D_WRITE, 0 };
  done = 0;
  avail.ring[avail.idx % QSIZE] = 0;
  __sync_synchronize();
  avail.idx += 1;
  __sync_synchronize();
  MMIO(QUEUE_NOTIFY) = 0;
  intr_off();
  while (!done) {
    asm volatile("wfi");
    intr_on();
    intr_off();
  }
  intr_on();
  return req_status;
}

void disk_intr(void) {
  MMIO(INTERRUPT_ACK) = MMIO(INTERRUPT_STATUS) & 3;
  __sync_synchronize();
  while (seen_used != used.idx) {
    seen_used++;
    done = 1;
  }
}
