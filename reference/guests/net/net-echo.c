/* net-echo: a virtio-net driver and the smallest useful IPv4 host, bare metal in M-mode (-bios
 * none). It answers ARP requests for its address (RFC 826) and echoes every UDP datagram sent to
 * it back to its sender (RFC 768; like the echo service of RFC 862, on any port). A datagram whose
 * payload is "quit" is answered "bye" and ends the run (PASS, exit 0) after a summary line.
 *
 * The same image runs on the reference and on QEMU 7.2 (`-netdev socket,udp=...`): it takes the
 * virtio-mmio transport it finds, version 2 (virtio 1.x 4.2.3: VERSION_1, the 12-byte
 * virtio_net_hdr) or the legacy version 1 QEMU gives by default (4.2.4: GuestPageSize, QueuePFN,
 * the 10-byte header of 5.1.6's legacy note). It waits for frames in wfi with the card's PLIC
 * source enabled for M-mode (and mstatus.MIE clear: wfi wakes on a pending enabled interrupt, no
 * trap is taken), so the instructions it spends are the ones a frame costs.
 *
 * Address: 10.0.2.15 (QEMU's user-network guest address), the MAC the card reports. */
#include "rt.h"

#define R32(o) MMIO32(nic + (o))
enum {
  MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEV_FEAT = 0x010, DEV_FEAT_SEL = 0x014,
  DRV_FEAT = 0x020, DRV_FEAT_SEL = 0x024, GUEST_PAGE_SIZE = 0x028, QUEUE_SEL = 0x030,
  QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038, QUEUE_ALIGN = 0x03c, QUEUE_PFN = 0x040,
  QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INT_STATUS = 0x060, INT_ACK = 0x064, STATUS = 0x070,
  DESC_LO = 0x080, DESC_HI = 0x084, AVAIL_LO = 0x090, AVAIL_HI = 0x094, USED_LO = 0x0a0, USED_HI = 0x0a4,
  CONFIG = 0x100,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8 };
#define F_MAC (1u << 5)
#define F_WRITE 2
#define QN 16
#define BUF 1536 /* at least 1526 = 12-byte header + 1514-byte frame (5.1.6.3.1) */
#define RX 0
#define TX 1
#define PAGE 4096

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
/* One queue in the legacy layout (2.7's legacy interface: descriptors, available ring, then the
 * used ring at the next 4096-byte boundary), which serves the version 2 transport as well. */
struct vq {
  struct desc desc[QN];
  uint16_t avail_flags, avail_idx, avail_ring[QN], used_event;
  uint8_t pad[PAGE - 16 * QN - 6 - 2 * QN];
  volatile uint16_t used_flags, used_idx;
  volatile struct { uint32_t id, len; } used_ring[QN];
  uint16_t avail_event;
} __attribute__((aligned(PAGE)));

static struct vq q[2];
static uint8_t rxbuf[QN][BUF] __attribute__((aligned(16)));
static uint8_t txbuf[QN][BUF] __attribute__((aligned(16)));
static uint16_t last_used[2], tx_next;
static uint64_t nic;
static int slot, hdr_len;
static uint8_t mac[6];
static const uint8_t my_ip[4] = { 10, 0, 2, 15 };
static uint64_t arp_replies, echoes, ignored;

static void fence(void) { __asm__ volatile("fence rw, rw" ::: "memory"); }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static int same(const uint8_t *a, const uint8_t *b, int n) { while (n--) if (*a++ != *b++) return 0; return 1; }

static int find(void) {
  for (int i = 7; i >= 0; i--) {
    nic = VIRTIO_BASE + VIRTIO_STRIDE * (uint64_t)i;
    if (R32(MAGIC) == 0x74726976 && R32(DEVICE_ID) == 1) return i;
  }
  return -1;
}

static void set_queue(int n, int legacy) {
  R32(QUEUE_SEL) = (uint32_t)n;
  R32(QUEUE_NUM) = QN;
  uint64_t base = (uint64_t)&q[n];
  if (legacy) {
    R32(QUEUE_ALIGN) = PAGE;
    R32(QUEUE_PFN) = (uint32_t)(base / PAGE);
    return;
  }
  uint64_t avail = (uint64_t)&q[n].avail_flags, used = (uint64_t)&q[n].used_flags;
  R32(DESC_LO) = (uint32_t)base; R32(DESC_HI) = (uint32_t)(base >> 32);
  R32(AVAIL_LO) = (uint32_t)avail; R32(AVAIL_HI) = (uint32_t)(avail >> 32);
  R32(USED_LO) = (uint32_t)used; R32(USED_HI) = (uint32_t)(used >> 32);
  R32(QUEUE_READY) = 1;
}

/* Bring the card up; 0 on success. */
static int start(void) {
  int legacy = R32(VERSION) == 1;
  R32(STATUS) = 0;
  R32(STATUS) = S_ACK;
  R32(STATUS) = S_ACK | S_DRIVER;
  R32(DEV_FEAT_SEL) = 0;
  uint32_t lo = R32(DEV_FEAT);
  if (!(lo & F_MAC)) { puts_("net-echo: the card offers no MAC address\n"); return 1; }
  if (legacy) {
    R32(DRV_FEAT_SEL) = 0; R32(DRV_FEAT) = F_MAC;
    R32(GUEST_PAGE_SIZE) = PAGE;
    hdr_len = 10;
  } else {
    R32(DEV_FEAT_SEL) = 1;
    if (!(R32(DEV_FEAT) & 1)) { puts_("net-echo: version 2 transport without VERSION_1\n"); return 1; }
    R32(DRV_FEAT_SEL) = 0; R32(DRV_FEAT) = F_MAC;
    R32(DRV_FEAT_SEL) = 1; R32(DRV_FEAT) = 1; /* VERSION_1 */
    R32(STATUS) = S_ACK | S_DRIVER | S_FEATURES_OK;
    if (!(R32(STATUS) & S_FEATURES_OK)) { puts_("net-echo: FEATURES_OK refused\n"); return 1; }
    hdr_len = 12;
  }
  for (int i = 0; i < 6; i++) mac[i] = MMIO8(nic + CONFIG + (uint64_t)i);
  for (int n = 0; n < 2; n++) {
    R32(QUEUE_SEL) = (uint32_t)n;
    if (R32(QUEUE_NUM_MAX) < QN) { puts_("net-echo: queue too small\n"); return 1; }
    set_queue(n, legacy);
  }
  /* Every receive buffer is offered at once; each goes back to the ring after its frame is read. */
  for (int i = 0; i < QN; i++) {
    q[RX].desc[i] = (struct desc){ (uint64_t)rxbuf[i], BUF, F_WRITE, 0 };
    q[RX].avail_ring[i] = (uint16_t)i;
  }
  fence();
  q[RX].avail_idx = QN;
  R32(STATUS) = S_ACK | S_DRIVER | (legacy ? 0 : S_FEATURES_OK) | S_DRIVER_OK;
  fence();
  R32(QUEUE_NOTIFY) = RX;
  /* The card's PLIC source to M-mode (context 0), so that wfi returns when it raises it. */
  uint32_t src = VIRTIO_IRQ0 + (uint32_t)slot;
  MMIO32(PLIC_BASE + 4 * src) = 1;
  MMIO32(PLIC_BASE + PLIC_ENABLE + 4 * (src / 32)) = 1u << (src % 32);
  MMIO32(PLIC_BASE + PLIC_CONTEXT) = 0;
  csr_set(mie, 1u << 11); /* MEIE; mstatus.MIE stays clear: no trap, only wfi's wake-up */
  printf_("net-echo: virtio-net in slot %d (virtio-mmio version %d, %d-byte header), mac ", (long)slot, (long)(legacy ? 1 : 2), (long)hdr_len);
  for (int i = 0; i < 6; i++) printf_(i ? ":%02x" : "%02x", (uint64_t)mac[i]);
  printf_(", ip %d.%d.%d.%d\n", (long)my_ip[0], (long)my_ip[1], (long)my_ip[2], (long)my_ip[3]);
  return 0;
}

/* Send the frame in txbuf[slot] (after its header room) of `len` bytes. */
static void transmit(int i, uint32_t len) {
  memset(txbuf[i], 0, (size_t)hdr_len); /* no checksum offload, no GSO */
  q[TX].desc[i] = (struct desc){ (uint64_t)txbuf[i], (uint32_t)hdr_len + len, 0, 0 };
  q[TX].avail_ring[q[TX].avail_idx % QN] = (uint16_t)i;
  fence();
  q[TX].avail_idx++;
  fence();
  R32(QUEUE_NOTIFY) = TX;
}

/* A free transmit buffer: wait for the card to have used the oldest when all are in flight. */
static int tx_slot(void) {
  while ((uint16_t)(q[TX].avail_idx - q[TX].used_idx) >= QN) {}
  int i = tx_next;
  tx_next = (uint16_t)((tx_next + 1) % QN);
  return i;
}

static uint16_t ip_checksum(const uint8_t *h, int n) {
  uint32_t sum = 0;
  for (int i = 0; i < n; i += 2) sum += (uint32_t)(h[i] << 8 | h[i + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}

/* Answer one received frame; returns 1 when it was "quit". */
static int handle(const uint8_t *f, uint32_t len) {
  if (len < 14) { ignored++; return 0; }
  uint16_t type = be16(f + 12);
  if (type == 0x0806 && len >= 42) {
    const uint8_t *a = f + 14;
    /* Ethernet/IPv4 request for our address (RFC 826's "?Do I have the hardware type..." steps). */
    if (be16(a) != 1 || be16(a + 2) != 0x0800 || be16(a + 6) != 1 || !same(a + 24, my_ip, 4)) { ignored++; return 0; }
    int i = tx_slot();
    uint8_t *o = txbuf[i] + hdr_len;
    memcpy(o, a + 8, 6); memcpy(o + 6, mac, 6); o[12] = 0x08; o[13] = 0x06;
    uint8_t *r = o + 14;
    memcpy(r, a, 6); r[6] = 0; r[7] = 2; /* reply */
    memcpy(r + 8, mac, 6); memcpy(r + 14, my_ip, 4);
    memcpy(r + 18, a + 8, 10); /* the requester's MAC and IP */
    arp_replies++;
    transmit(i, 42);
    return 0;
  }
  if (type != 0x0800 || len < 14 + 20 + 8) { ignored++; return 0; }
  const uint8_t *ip = f + 14;
  uint32_t ihl = (uint32_t)(ip[0] & 15) * 4, total = be16(ip + 2);
  if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl + 8 || 14 + total > len || ip[9] != 17 || !same(ip + 16, my_ip, 4)
      || (be16(ip + 6) & 0x3fff) || ip_checksum(ip, (int)ihl) != 0) { ignored++; return 0; }
  const uint8_t *u = ip + ihl;
  uint32_t ulen = be16(u + 4);
  if (ulen < 8 || ihl + ulen > total) { ignored++; return 0; }
  int quit = ulen == 12 && same(u + 8, (const uint8_t *)"quit", 4);
  int i = tx_slot();
  uint8_t *o = txbuf[i] + hdr_len;
  memcpy(o, f + 6, 6); memcpy(o + 6, mac, 6); o[12] = 0x08; o[13] = 0x00;
  uint8_t *oi = o + 14;
  /* The reply's IPv4 header: 20 bytes (options are not echoed), addresses swapped, TTL 64. */
  memcpy(oi, ip, 20);
  oi[0] = 0x45;
  uint32_t rtotal = 20 + ulen;
  oi[2] = (uint8_t)(rtotal >> 8); oi[3] = (uint8_t)rtotal;
  oi[6] = 0x40; oi[7] = 0; oi[8] = 64;
  memcpy(oi + 12, ip + 16, 4); memcpy(oi + 16, ip + 12, 4);
  oi[10] = oi[11] = 0;
  uint16_t c = ip_checksum(oi, 20);
  oi[10] = (uint8_t)(c >> 8); oi[11] = (uint8_t)c;
  uint8_t *ou = oi + 20;
  /* Ports swapped; the UDP checksum covers the pseudo-header's addresses and the ports as sums, so
   * swapping each pair leaves it right (RFC 1071's commutativity); "quit" is answered "bye". */
  memcpy(ou, u + 2, 2); memcpy(ou + 2, u, 2);
  memcpy(ou + 4, u + 4, ulen - 4);
  if (quit) {
    ou[4] = 0; ou[5] = 11; ou[6] = ou[7] = 0; /* "bye": checksum 0, none computed (RFC 768) */
    memcpy(ou + 8, "bye", 3);
    rtotal = 20 + 11;
    oi[2] = 0; oi[3] = (uint8_t)rtotal; oi[10] = oi[11] = 0;
    c = ip_checksum(oi, 20);
    oi[10] = (uint8_t)(c >> 8); oi[11] = (uint8_t)c;
  } else echoes++;
  transmit(i, 14 + rtotal);
  return quit;
}

/* Take every frame the card has written; returns -1 after "quit", else the number handled. */
static int poll_rx(void) {
  int n = 0, quit = 0;
  while (q[RX].used_idx != last_used[RX]) {
    fence();
    uint16_t k = last_used[RX] % QN;
    uint32_t id = q[RX].used_ring[k].id, len = q[RX].used_ring[k].len;
    if (id < QN && len >= (uint32_t)hdr_len) quit |= handle(rxbuf[id] + hdr_len, len - (uint32_t)hdr_len);
    last_used[RX]++;
    q[RX].avail_ring[q[RX].avail_idx % QN] = (uint16_t)(id % QN);
    fence();
    q[RX].avail_idx++;
    n++;
  }
  if (n) { fence(); R32(QUEUE_NOTIFY) = RX; }
  return quit ? -1 : n;
}

int main(void) {
  slot = find();
  if (slot < 0) { puts_("net-echo: no virtio-net card\n"); return 1; }
  if (start()) return 2;
  for (;;) {
    /* Acknowledge the card and the PLIC before looking at the ring: a frame that lands after the
     * look leaves its interrupt pending, and wfi returns at once. */
    uint32_t id = MMIO32(PLIC_BASE + PLIC_CONTEXT + PLIC_CLAIM);
    R32(INT_ACK) = R32(INT_STATUS);
    if (id) MMIO32(PLIC_BASE + PLIC_CONTEXT + PLIC_CLAIM) = id;
    int n = poll_rx();
    if (n < 0) break;
    if (n == 0) wfi();
  }
  /* Let the "bye" leave before the machine stops. */
  while (q[TX].used_idx != q[TX].avail_idx) {}
  printf_("net-echo: %u echoes, %u ARP replies, %u frames ignored\n", echoes, arp_replies, ignored);
  return 0;
}
