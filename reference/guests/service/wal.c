/* The write-ahead log and the disk's formats (conformance/service-protocol.md, "On the disk").
 * Sector 0 is the superblock: which format the log is in, which of two regions holds it and its
 * generation. A record is one sector with a CRC; the log is the run of valid records from the
 * region's start with the superblock's generation and consecutive sequence numbers. A write is
 * appended (one multi-sector write for a batch), then FLUSHed, and only then acknowledged.
 * Compaction and migration write the live table into the other region under the next generation,
 * flush, and only then switch the superblock (then flush again): a crash at any point leaves
 * either the old log or the new one whole.
 * Format 1 (v1) and format 2 (v2) lay records out differently; v2 reads both and migrates a disk
 * in format 1 once the upgrade is committed (until then v1 may get the disk back by rollback, and
 * v1 reads only format 1). */
#include "svc.h"

#define SB_MAGIC 0x42535644u      /* "DVSB" */
#define R1_MAGIC 0x31525644u      /* "DVR1" */
#define R2_MAGIC 0x32525644u      /* "DVR2" */
#define REGION0 16
#define REGION_SECTORS 3072
#define BATCH 32

struct super { u32 magic, format, region, gen, crc; };
static struct super sb;
static u8 sbuf[SECTOR] __attribute__((aligned(8)));
static u8 batch[BATCH * SECTOR] __attribute__((aligned(8)));
static u64 next;                 /* records in the active region */
u64 wal_records, wal_seq;

static u64 region_start(u32 r) { return REGION0 + (u64)r * REGION_SECTORS; }
u32 wal_format(void) { return sb.format; }

static void w32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void w64(u8 *p, u64 v) { memcpy(p, &v, 8); }
static u32 r32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 r64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

/* Lay a record out in `format`. */
static void encode(u8 *s, u32 format, u32 gen, u64 seq, const struct logrec *r)
{
  memset(s, 0, SECTOR);
  if (format == 1) {
    w32(s, R1_MAGIC); w32(s + 4, gen); w64(s + 8, seq);
    s[16] = r->op; s[17] = r->klen; memcpy(s + 18, &r->vlen, 2);
    w32(s + 20, r->client); w32(s + 24, r->reqid);
    memcpy(s + 28, r->key, KEY_MAX); memcpy(s + 76, r->val, VAL_MAX);
    w32(s + 508, crc32(s, 76 + r->vlen));
  } else {
    w32(s, R2_MAGIC); w32(s + 8, gen); w32(s + 12, r->client); w32(s + 16, r->reqid);
    s[20] = r->op; s[21] = r->klen; memcpy(s + 22, &r->vlen, 2);
    w64(s + 24, seq); w64(s + 32, now());
    memcpy(s + 40, r->key, KEY_MAX); memcpy(s + 88, r->val, VAL_MAX);
    w32(s + 4, crc32(s + 8, 80 + r->vlen));
  }
}

/* Read a record back; 0 if it is a valid record of this generation and sequence number. */
static int decode(const u8 *s, u32 format, u32 gen, u64 seq, struct logrec *r)
{
  u16 vlen;
  u32 key, val;                /* offsets of the key and the value in the sector */
  if (format == 1) {
    memcpy(&vlen, s + 18, 2);
    if (r32(s) != R1_MAGIC || vlen > VAL_MAX || r32(s + 508) != crc32(s, 76 + vlen) || r32(s + 4) != gen || r64(s + 8) != seq) return -1;
    r->op = s[16]; r->klen = s[17];
    r->client = r32(s + 20); r->reqid = r32(s + 24);
    key = 28; val = 76;
  } else if (format == 2) {
    memcpy(&vlen, s + 22, 2);
    if (r32(s) != R2_MAGIC || vlen > VAL_MAX || r32(s + 4) != crc32(s + 8, 80 + vlen) || r32(s + 8) != gen || r64(s + 24) != seq) return -1;
    r->client = r32(s + 12); r->reqid = r32(s + 16);
    r->op = s[20]; r->klen = s[21];
    key = 40; val = 88;
  } else {
    return -1;
  }
  r->vlen = vlen;
  if (r->klen == 0 || r->klen > KEY_MAX || r->vlen > VAL_MAX || (r->op != OP_PUT && r->op != OP_DEL)) return -1;
  /* Only the bytes in use: apply() reads no further (a replay copies every record of the log). */
  memcpy(r->key, s + key, r->klen);
  memcpy(r->val, s + val, r->vlen);
  return 0;
}

static void apply(const struct logrec *r)
{
  if (r->op == OP_PUT) kv_put(r->key, r->klen, r->val, r->vlen);
  else kv_del(r->key, r->klen);
  retry_note(r->client, r->reqid);
}

static int super_write(void)
{
  memset(sbuf, 0, SECTOR);
  sb.magic = SB_MAGIC;
  sb.crc = crc32(&sb, 16);
  memcpy(sbuf, &sb, sizeof sb);
  if (blk_write(0, sbuf, 1)) return -1;
  return blk_flush();
}

int wal_recover(void)
{
  kv_clear();
  next = 0;
  wal_records = 0;
  wal_seq = 0;
  if (blk_read(0, sbuf, 1)) return -1;
  memcpy(&sb, sbuf, sizeof sb);
  if (sb.magic != SB_MAGIC || sb.crc != crc32(&sb, 16)) {
    /* A fresh disk: start an empty log in this build's own format. */
    sb.format = SVC_VERSION;
    sb.region = 0;
    sb.gen = 1;
    log_event("disk-formatted", sb.format);
    return super_write();
  }
  if (sb.format > SVC_VERSION || sb.region > 1) {
    puts("svc: the disk's format is newer than this build's\n");
    return -1;
  }
  struct logrec r;
  u64 start = region_start(sb.region);
  for (;;) {
    u32 n = BATCH;
    if (next + n > REGION_SECTORS) n = (u32)(REGION_SECTORS - next);
    if (n == 0 || blk_read(start + next, batch, n)) break;
    u32 i = 0;
    for (; i < n; i++) {
      if (decode(batch + i * SECTOR, sb.format, sb.gen, next, &r)) break;
      apply(&r);
      next++;
    }
    if (i < n) break;
  }
  wal_records = next;
  wal_seq = next;
  return 0;
}

/* Write the live table into the other region in `format`, then switch the superblock to it. */
static int rewrite(u32 format)
{
  u32 region = sb.region ^ 1, gen = sb.gen + 1;
  u64 start = region_start(region), n = 0;
  u32 fill = 0;
  struct logrec r;
  for (u64 i = 0; i < KV_CAP; i++) {
    struct entry *e = &kv_table[i];
    if (!e->used) continue;
    memset(&r, 0, sizeof r);
    r.op = OP_PUT; r.klen = e->klen; r.vlen = e->vlen;
    memcpy(r.key, e->key, e->klen); memcpy(r.val, e->val, e->vlen);
    encode(batch + fill * SECTOR, format, gen, n, &r);
    n++;
    if (++fill == BATCH) { if (blk_write(start + n - fill, batch, fill)) return -1; fill = 0; }
  }
  if (fill && blk_write(start + n - fill, batch, fill)) return -1;
  /* A stale record of this generation cannot follow: the generation is new to this region. */
  if (blk_flush()) return -1;
  sb.format = format;
  sb.region = region;
  sb.gen = gen;
  if (super_write()) return -1;
  next = n;
  wal_records = n;
  return 0;
}

int wal_append(const struct logrec *recs, u32 count)
{
  if (count > BATCH) return -1;
  if (next + count > REGION_SECTORS) {
    if (rewrite(sb.format)) return -1;
    log_event("log-compacted", next);
    if (next + count > REGION_SECTORS) return WAL_FULL;
  }
  for (u32 i = 0; i < count; i++) encode(batch + i * SECTOR, sb.format, sb.gen, next + i, &recs[i]);
  if (blk_write(region_start(sb.region) + next, batch, count)) return -1;
  if (svc_fault != FAULT_ACK_BEFORE_FLUSH && blk_flush()) return -1;
  next += count;
  wal_records = next;
  wal_seq += count;
  return 0;
}

int wal_migrate(void)
{
  if (sb.format == SVC_VERSION) return 0;
  u32 from = sb.format;
  if (rewrite(SVC_VERSION)) return -1;
  log_event("disk-migrated-from-format", from);
  return 0;
}
