/* The table (a fixed array searched up to its high-water mark: the store is small and a scan is
   what the log replay needs to be simple) and the retry cache. */
#include "svc.h"

struct entry kv_table[KV_CAP];
u64 kv_count;
static u64 high;

/* FNV-1a: a lookup (every request, and every record a replay applies) compares the hashes first. */
static u32 key_hash(const u8 *key, u32 klen)
{
  u32 h = 2166136261u;
  for (u32 i = 0; i < klen; i++) h = (h ^ key[i]) * 16777619u;
  return h;
}

static struct entry *find(const u8 *key, u32 klen, u32 hash)
{
  for (u64 i = 0; i < high; i++) {
    struct entry *e = &kv_table[i];
    if (e->hash == hash && e->used && e->klen == klen && memcmp(e->key, key, klen) == 0) return e;
  }
  return 0;
}

struct entry *kv_find(const u8 *key, u32 klen) { return find(key, klen, key_hash(key, klen)); }

int kv_put(const u8 *key, u32 klen, const u8 *val, u32 vlen)
{
  u32 hash = key_hash(key, klen);
  struct entry *e = find(key, klen, hash);
  if (!e) {
    for (u64 i = 0; i < KV_CAP && !e; i++) if (!kv_table[i].used) e = &kv_table[i];
    if (!e) return -1;
    if ((u64)(e - kv_table) >= high) high = (u64)(e - kv_table) + 1;
    e->used = 1;
    e->klen = (u8)klen;
    e->hash = hash;
    memcpy(e->key, key, klen);
    kv_count++;
  }
  e->vlen = (u16)vlen;
  memcpy(e->val, val, vlen);
  return 0;
}

int kv_del(const u8 *key, u32 klen)
{
  struct entry *e = kv_find(key, klen);
  if (!e) return -1;
  e->used = 0;
  kv_count--;
  return 0;
}

void kv_clear(void)
{
  memset(kv_table, 0, high * sizeof kv_table[0]);   /* nothing above the high-water mark was used */
  kv_count = high = 0;
}

/* Clients number their requests upwards (conformance/service-protocol.md); a write whose number is
   not above the last one acknowledged to that client is a retry of a write already durable. */
static struct { u32 client, reqid, used; } seen[CLIENTS];

int retry_seen(u32 client, u32 reqid)
{
  for (int i = 0; i < CLIENTS; i++) if (seen[i].used && seen[i].client == client) return reqid <= seen[i].reqid;
  return 0;
}

void retry_note(u32 client, u32 reqid)
{
  int slot = -1;
  for (int i = 0; i < CLIENTS; i++) if (seen[i].used && seen[i].client == client) { slot = i; break; }
  if (slot < 0) for (int i = 0; i < CLIENTS; i++) if (!seen[i].used) { slot = i; break; }
  if (slot < 0) slot = (int)(client % CLIENTS);   /* full: forget another client's history */
  if (seen[slot].used && seen[slot].client == client && seen[slot].reqid > reqid) return;
  seen[slot].used = 1;
  seen[slot].client = client;
  seen[slot].reqid = reqid;
}
