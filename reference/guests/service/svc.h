/* The service OS: a small S-mode kernel that serves a durable key-value store over UDP/IPv4
 * (conformance/service-protocol.md) from a write-ahead log on a virtio-blk disk, and upgrades
 * itself in band through the Microvisor's maintenance extension (conformance/maintenance-sbi.md).
 * One hart, no paging, no interrupts taken as traps: the main loop polls the devices and sleeps in
 * wfi (with sstatus.SIE clear, a pending enabled interrupt still ends wfi). One file per concern:
 * start.S (entry, trap vector), sbi.c (SBI calls, console), virtio.c (virtio-mmio 1.x transport and
 * split queues), blk.c, net.c (virtio-net), ip.c (Ethernet, ARP, IPv4, UDP), wal.c (the log and the
 * on-disk formats), kv.c (the table and the retry cache), proto.c (requests), upgrade.c (the
 * maintenance sequence), main.c (boot and the loop). */
#ifndef SVC_H
#define SVC_H

#include "devirt-platform.h"

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;

#ifndef SVC_VERSION
#error "build with -DSVC_VERSION=1 or 2"
#endif

#define csr_read(csr) ({ u64 __v; asm volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) ({ asm volatile("csrw " #csr ", %0" :: "rK"((u64)(val)) : "memory"); })
#define csr_set(csr, val) ({ asm volatile("csrs " #csr ", %0" :: "rK"((u64)(val)) : "memory"); })
#define csr_clear(csr, val) ({ asm volatile("csrc " #csr ", %0" :: "rK"((u64)(val)) : "memory"); })
#define mb() __sync_synchronize()

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

static inline u32 rd32(u64 a) { return *(volatile u32 *)a; }
static inline void wr32(u64 a, u32 v) { *(volatile u32 *)a = v; }
static inline u64 now(void) { return csr_read(time); }   /* mtime ticks, 10 MHz */

/* Faults a harness writes into the image's svc_fault word (symbol) before booting it. */
enum fault {
  FAULT_NONE = 0,
  FAULT_CRASH_BOOT = 1,     /* v2: an illegal access while booting */
  FAULT_HANG_BOOT = 2,      /* v2: spins before calling ready */
  FAULT_FAIL_HEALTH = 3,    /* v2: takes over, then its health check fails */
  FAULT_CORRUPT = 4,        /* v2: overwrites its own code and data while booting */
  FAULT_REFUSE_RELEASE = 5, /* v1: never hands its devices over */
  FAULT_ACK_BEFORE_FLUSH = 6, /* v1 (a broken variant): acknowledges a write before the flush */
  FAULT_HANG_AFTER = 7,     /* v2: takes over, then spins without serving */
  /* Not a fault: v2 computes for SLOW_BOOT_TICKS before it says ready, as a real kernel's boot
     keeps the CPU busy (the overhead suite measures v1's throughput beside it). */
  FAULT_SLOW_BOOT = 8,
};
#define SLOW_BOOT_TICKS 300000UL   /* 30 ms of guest time: within the 50 ms ready watchdog */
extern volatile u32 svc_fault;

/* sbi.c */
struct sbiret { i64 error; i64 value; };
struct sbiret sbi_call(u64 eid, u64 fid, u64 a0, u64 a1, u64 a2);
#define EXT_SRST 0x53525354
#define EXT_DBCN 0x4442434E
#define EXT_MAINT 0x0A004456
enum maint_fid {
  M_STATUS = 0, M_VIRTUALIZE = 1, M_DEVIRTUALIZE = 2, M_CREATE = 3, M_START = 4, M_QUERY = 5,
  M_SET_SHARE = 6, M_HAND_OVER = 7, M_RETIRE = 8, M_ROLLBACK = 9, M_READY = 10, M_SELF = 11,
  M_YIELD = 12, M_SET_WATCHDOG = 15,
};
static inline struct sbiret maint(u64 fid, u64 a0, u64 a1, u64 a2) { return sbi_call(EXT_MAINT, fid, a0, a1, a2); }
void putc(char c);
void puts(const char *s);
void putdec(u64 v);
void puthex(u64 v);
void log_event(const char *what, u64 arg);
void shutdown(int failed) __attribute__((noreturn));

/* lib.c */
void *memcpy(void *d, const void *s, u64 n);
void *memset(void *d, int c, u64 n);
int memcmp(const void *a, const void *b, u64 n);
u64 strlen(const char *s);
u32 crc32(const void *p, u64 n);

/* virtio.c */
#define VQ_SIZE 32
struct vq_desc { u64 addr; u32 len; u16 flags; u16 next; };
struct vq_avail { u16 flags; u16 idx; u16 ring[VQ_SIZE]; u16 event; };
struct vq_used_elem { u32 id; u32 len; };
struct vq_used { u16 flags; u16 idx; struct vq_used_elem ring[VQ_SIZE]; u16 event; };
struct vq {
  struct vq_desc desc[VQ_SIZE] __attribute__((aligned(16)));
  struct vq_avail avail __attribute__((aligned(2)));
  struct vq_used used __attribute__((aligned(4)));
  u16 last_used;
  u64 base;
  u32 index;
};
#define VQ_NEXT 1
#define VQ_WRITE 2
int virtio_probe(u64 base, u32 device_id);
int virtio_begin(u64 base, u64 want_features, u64 *got);
int virtio_queue(u64 base, struct vq *q, u32 index);
void virtio_driver_ok(u64 base);
void vq_submit(struct vq *q, u16 head);
int vq_next_used(struct vq *q, u32 *id, u32 *len);
void virtio_ack_interrupt(u64 base);
#define VIRTIO_MMIO_CONFIG 0x100

/* blk.c */
#define SECTOR 512
int blk_init(u64 base);
int blk_write(u64 sector, const void *buf, u32 count);
int blk_read(u64 sector, void *buf, u32 count);
int blk_flush(void);
extern u64 blk_base, blk_sectors;
extern u64 blk_flushes, blk_writes;

/* net.c */
int net_init(u64 base);
int net_recv(u8 **frame, u32 *len);   /* 1 with a frame to look at, then net_release */
void net_release(void);
int net_send(const u8 *frame, u32 len);
extern u8 net_mac[6];
extern u64 net_base;

/* ip.c */
extern u32 my_ip;
extern u16 my_port;
void ip_input(const u8 *frame, u32 len);
void ip_announce(void);
void udp_reply(const u8 *dst_mac, u32 dst_ip, u16 dst_port, const u8 *data, u32 len);

/* kv.c */
#define KEY_MAX 48
#define VAL_MAX 200
#define KV_CAP 512
#define CLIENTS 64
/* hash: of the key (kv.c), compared before the key itself: a lookup scans the table. */
struct entry { u8 used, klen; u16 vlen; u32 hash; u8 key[KEY_MAX]; u8 val[VAL_MAX]; };
extern struct entry kv_table[KV_CAP];
extern u64 kv_count;
struct entry *kv_find(const u8 *key, u32 klen);
int kv_put(const u8 *key, u32 klen, const u8 *val, u32 vlen);
int kv_del(const u8 *key, u32 klen);
void kv_clear(void);
/* The retry cache: the last write each client had acknowledged (rebuilt from the log). */
int retry_seen(u32 client, u32 reqid);
void retry_note(u32 client, u32 reqid);

/* wal.c */
enum op { OP_PUT = 1, OP_DEL = 2 };
struct logrec { u8 op, klen; u16 vlen; u32 client, reqid; u8 key[KEY_MAX]; u8 val[VAL_MAX]; };
int wal_recover(void);           /* read the superblock and replay the log; 0 ok */
int wal_append(const struct logrec *recs, u32 n);   /* write + FLUSH; 0 when durable */
int wal_migrate(void);           /* rewrite the log in this build's format (v2: format 2) */
u32 wal_format(void);
extern u64 wal_records, wal_seq;
#define WAL_FULL (-2)

/* proto.c */
void proto_input(const u8 *src_mac, u32 src_ip, u16 src_port, const u8 *data, u32 len);
void proto_commit(void);        /* make the pending writes durable, then acknowledge them */
int proto_pending(void);
extern int accepting;
extern u64 served, acked_writes, rejected;

/* upgrade.c */
void upgrade_request(const char *args, u32 len, char *reply, u32 cap);
void upgrade_poll(void);         /* v1: drive the sequence from the main loop */
void upgrade_takeover(void);     /* v2 as instance 1: wait for devices, take over */
int upgrade_busy(void);
extern const char *upgrade_phase;
extern u8 *const image_buf;
extern u64 image_staged;
#define IMAGE_MAX (1024 * 1024)

/* main.c */
int devices_init(int which);     /* bit 0 disk, bit 1 net; 0 when all asked for are up */
void serve_once(int sleep);
extern u64 boot_fdt;
#define DEV_BLK 1
#define DEV_NET 2
#endif
