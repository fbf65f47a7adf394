/* Instance 1's device tree (conformance/maintenance-sbi.md, "Booting instance 1"), made from the
   platform's tree as the firmware received it (a copy kept at boot, since instance 0 owns the
   original's memory): the same CPU, CLINT, PLIC and node order, with
     - /memory = the partition only;
     - /chosen = its bootargs and linux,initrd-start/-end (stdout-path only if it owns the UART);
     - no /reserved-memory (the firmware's window does not overlap the partition), no test device,
       no poweroff/reboot nodes, no doorbell and no IOPMP (none of them is reachable by it);
     - the devices it may receive (UART, RTC, virtio slots) with status = "disabled" unless owned.
   Nothing else tells it that it is the second instance. */
#include "instance.h"
#include "devices.h"
#include "platform.h"

#define FDT_MAGIC      0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define KEEP_MAX       0x4000

/* Not zeroed at boot (.noinit): only the first kept_size bytes are ever read. */
static u64 kept_words[KEEP_MAX / 8] __attribute__((section(".noinit")));
#define kept ((u8 *)kept_words)
static u32 kept_size;
static int doorbell_checked;
static const char doorbell_compatible[] = "devirt,doorbell";

static u32 rd32(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }
static void wr32(u8 *p, u32 v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static u64 slen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }
static int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
static int prefix(const char *name, const char *p) { while (*p) if (*name++ != *p++) return 0; return 1; }

void fdt_instance_keep(const void *platform_fdt)
{
  const u8 *f = platform_fdt;
  if (rd32(f) != FDT_MAGIC) return;
  u32 total = rd32(f + 4);
  if (total > KEEP_MAX || ((u64)f & 7)) return;
  /* Word by word (the tree is 8-byte aligned, as the boot protocol requires): boot stays cheap. */
  const u64 *w = platform_fdt;
  for (u32 i = 0; i < (total + 7) / 8; i++) kept_words[i] = w[i];
  kept_size = total;
}

/* The platform has a doorbell (and so instance 1's console channel) if its tree says so; looked
   up once, when instance 1 first needs it, to keep the boot short. */
static void doorbell_check(void)
{
  if (doorbell_checked || !kept_size) return;
  doorbell_checked = 1;
  u32 off_strings = rd32(kept + 12);
  for (u32 i = rd32(kept + 8); i + sizeof doorbell_compatible <= off_strings; i++)
    if (streq((const char *)kept + i, doorbell_compatible)) { console_has_doorbell = 1; break; }
}

/* The unit address of a node name ("serial@10000000"), or -1. */
static u64 unit_address(const char *name)
{
  while (*name && *name != '@') name++;
  if (!*name++) return (u64)-1;
  u64 v = 0;
  for (; *name; name++) {
    char c = *name;
    u64 d = c >= '0' && c <= '9' ? (u64)(c - '0') : c >= 'a' && c <= 'f' ? (u64)(c - 'a' + 10) : 16;
    if (d == 16) return (u64)-1;
    v = v * 16 + d;
  }
  return v;
}

struct out { u8 *p; u64 n, room; int overflow; };
static void put(struct out *o, const void *src, u64 len)
{
  if (o->n + len > o->room) { o->overflow = 1; return; }
  const u8 *s = src;
  for (u64 i = 0; i < len; i++) o->p[o->n + i] = s[i];
  o->n += len;
}
static void put32(struct out *o, u32 v) { u8 b[4]; wr32(b, v); put(o, b, 4); }
static void pad(struct out *o) { static const u8 z[4]; put(o, z, (4 - (o->n & 3)) & 3); }

/* Property names: found in the kept strings block or appended after it. */
struct strings { const char *old; u32 old_size; char extra[128]; u32 extra_n; };
static u32 name_off(struct strings *s, const char *name)
{
  for (u32 i = 0; i < s->old_size; i += slen(s->old + i) + 1) if (streq(s->old + i, name)) return i;
  for (u32 i = 0; i < s->extra_n; i += slen(s->extra + i) + 1) if (streq(s->extra + i, name)) return s->old_size + i;
  u32 at = s->extra_n;
  u64 len = slen(name) + 1;
  if (at + len > sizeof s->extra) return 0;
  for (u64 i = 0; i < len; i++) s->extra[at + i] = name[i];
  s->extra_n += len;
  return s->old_size + at;
}

static void prop(struct out *o, struct strings *s, const char *name, const void *val, u32 len)
{
  put32(o, FDT_PROP); put32(o, len); put32(o, name_off(s, name));
  put(o, val, len); pad(o);
}
static void prop_u64(struct out *o, struct strings *s, const char *name, u64 v)
{
  u8 b[8]; wr32(b, v >> 32); wr32(b + 4, (u32)v);
  prop(o, s, name, b, 8);
}
static void begin_node(struct out *o, const char *name)
{
  put32(o, FDT_BEGIN_NODE); put(o, name, slen(name) + 1); pad(o);
}

enum action { COPY, DROP, DISABLE, CHOSEN, MEMORY };

/* What becomes of a node, by its depth and name (parent "soc" for depth 3). */
static enum action decide(int depth, const char *name, int in_soc, const struct instance *in)
{
  if (depth == 2) {
    if (streq(name, "chosen")) return CHOSEN;
    if (prefix(name, "memory@") || streq(name, "memory")) return MEMORY;
    if (streq(name, "reserved-memory") || streq(name, "poweroff") || streq(name, "reboot")) return DROP;
    /* Anything else at an address (QEMU's flash, fw-cfg, platform bus) is not reachable by it. */
    if (unit_address(name) != (u64)-1) return DROP;
  }
  if (depth == 3 && in_soc) {
    u64 a = unit_address(name);
    if (a == (u64)-1 || a == PLIC_BASE || a == CLINT_BASE) return COPY;
    for (u64 d = 0; d < DEV_COUNT; d++)
      if (a == device_base(d)) return (in->devices >> d) & 1 ? COPY : DISABLE;
    /* The test device, the doorbell, the IOPMP, QEMU's PCI host: not reachable by it (PMP), so
       not there (Linux probing QEMU's PCI host as instance 1 died of the access fault). */
    return DROP;
  }
  return COPY;
}

u64 fdt_instance_write(u8 *at, u64 room, const struct instance *in)
{
  if (!kept_size) return 0;
  doorbell_check();
  const u8 *f = kept;
  const u8 *st = f + rd32(f + 8);
  u32 size_struct = rd32(f + 36);
  static struct strings s;   /* static: no memset for its buffer (the firmware has no libc) */
  s.old = (const char *)f + rd32(f + 12);
  s.old_size = rd32(f + 32);
  s.extra_n = 0;
  struct out o = { at, 0, room, 0 };
  /* Header (filled in at the end) and an empty memory reservation map. */
  for (int i = 0; i < 40 + 16; i++) put(&o, "", 1);
  u64 off_struct = o.n;

  int depth = 0, skip_depth = 0, in_soc = 0, status_pending = 0;
  for (u32 off = 0; off < size_struct && !o.overflow;) {
    u32 tok = rd32(st + off);
    off += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)st + off;
      off += (slen(name) + 1 + 3) & ~3U;
      depth++;
      if (skip_depth) continue;
      if (depth == 2) in_soc = streq(name, "soc");
      enum action a = decide(depth, name, in_soc, in);
      if (a == DROP) { skip_depth = depth; continue; }
      if (a == MEMORY) {
        char node[32];
        u64 b = in->mem_base, i = 0;
        for (const char *m = "memory@"; *m; m++) node[i++] = *m;
        int started = 0;
        for (int sh = 60; sh >= 0; sh -= 4) { u64 d = (b >> sh) & 15; if (d || started || sh == 0) { node[i++] = "0123456789abcdef"[d]; started = 1; } }
        node[i] = 0;
        begin_node(&o, node);
        prop(&o, &s, "device_type", "memory", 7);
        u8 reg[16];
        wr32(reg, in->mem_base >> 32); wr32(reg + 4, (u32)in->mem_base);
        wr32(reg + 8, in->mem_size >> 32); wr32(reg + 12, (u32)in->mem_size);
        prop(&o, &s, "reg", reg, 16);
        skip_depth = -depth;   /* the old properties are not copied; the node is closed below */
        continue;
      }
      begin_node(&o, name);
      if (a == CHOSEN) {
        if (in->bootargs_len) prop(&o, &s, "bootargs", in->bootargs, in->bootargs_len + 1);
        if (in->initrd_end) {
          prop_u64(&o, &s, "linux,initrd-start", in->initrd_start);
          prop_u64(&o, &s, "linux,initrd-end", in->initrd_end);
        }
        if ((in->devices >> DEV_UART) & 1) {
          static const char path[] = "/soc/serial@10000000";
          prop(&o, &s, "stdout-path", path, sizeof path);
        }
        skip_depth = -depth;
      }
      status_pending = a == DISABLE ? depth : 0;
    } else if (tok == FDT_END_NODE) {
      if (skip_depth > 0) { if (depth == skip_depth) skip_depth = 0; depth--; continue; }
      if (skip_depth < 0 && depth == -skip_depth) skip_depth = 0;
      else if (skip_depth < 0) { depth--; continue; }
      if (status_pending == depth) { prop(&o, &s, "status", "disabled", 9); status_pending = 0; }
      if (depth == 2) in_soc = 0;
      put32(&o, FDT_END_NODE);
      depth--;
    } else if (tok == FDT_PROP) {
      u32 len = rd32(st + off), nameoff = rd32(st + off + 4);
      const u8 *val = st + off + 8;
      off += 8 + ((len + 3) & ~3U);
      if (skip_depth) continue;
      const char *name = s.old + nameoff;
      if (status_pending == depth && streq(name, "status")) continue;
      put32(&o, FDT_PROP); put32(&o, len); put32(&o, nameoff); put(&o, val, len); pad(&o);
    } else if (tok == FDT_NOP) {
    } else if (tok == FDT_END) {
      break;
    } else return 0;
  }
  put32(&o, FDT_END);
  u64 size_dt_struct = o.n - off_struct;
  u64 off_strings = o.n;
  put(&o, s.old, s.old_size);
  put(&o, s.extra, s.extra_n);
  if (o.overflow) return 0;
  u32 hdr[10] = { FDT_MAGIC, (u32)o.n, (u32)off_struct, (u32)off_strings, 40, 17, 16, 0,
                  s.old_size + s.extra_n, (u32)size_dt_struct };
  for (int i = 0; i < 10; i++) wr32(at + 4 * i, hdr[i]);
  return o.n;
}
