/* Reading and patching the flattened device tree the boot ROM hands over. The firmware adds a
   /reserved-memory node (no-map) for its own memory and for the maintenance partition, since the
   platform's tree knows nothing of either; the patch is made in place, growing the blob into the
   free RAM above it. */
#include "microvisor.h"
#include "platform.h"

#define FDT_MAGIC      0xd00dfeedU
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9

struct fdt_header {
  u32 magic, totalsize, off_dt_struct, off_dt_strings, off_mem_rsvmap, version,
      last_comp_version, boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

static u32 rd32(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }
static u32 be32(u32 v) { return rd32((const u8 *)&v); }
static void wr32(u8 *p, u32 v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static u64 rd64(const u8 *p) { return ((u64)rd32(p) << 32) | rd32(p + 4); }
static u64 align4(u64 n) { return (n + 3) & ~3UL; }

static u64 slen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }
static int starts_node(const char *name, const char *want)
{
  u64 i = 0;
  for (; want[i]; i++) if (name[i] != want[i]) return 0;
  return name[i] == 0 || name[i] == '@';
}
static int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }

static void move(u8 *dst, const u8 *src, u64 n)
{
  if (dst > src) while (n--) dst[n] = src[n];
  else for (u64 i = 0; i < n; i++) dst[i] = src[i];
}

/* Walk the top-level nodes. Calls visit(name, node_start, node_end, prop callback data). */
struct walk {
  const u8 *fdt;
  u32 root_end;           /* offset (in the struct block) of the root's END_NODE */
  u32 resv_end;           /* END_NODE of /reserved-memory, or 0 */
  u64 ram_size;
};

static int walk_tree(const u8 *fdt, struct walk *w)
{
  const struct fdt_header *h = (const struct fdt_header *)fdt;
  if (be32(h->magic) != FDT_MAGIC) return -1;
  const u8 *s = fdt + be32(h->off_dt_struct);
  const char *strings = (const char *)fdt + be32(h->off_dt_strings);
  u32 size = be32(h->size_dt_struct);
  int depth = 0, in_memory = 0, in_resv = 0;
  for (u32 off = 0; off < size;) {
    u32 tok = rd32(s + off);
    off += 4;
    if (tok == FDT_BEGIN_NODE) {
      const char *name = (const char *)s + off;
      off += align4(slen(name) + 1);
      depth++;
      if (depth == 2) { in_memory = starts_node(name, "memory"); in_resv = streq(name, "reserved-memory"); }
    } else if (tok == FDT_END_NODE) {
      if (depth == 2 && in_resv) w->resv_end = off - 4;
      if (depth == 1) w->root_end = off - 4;
      if (depth == 2) in_memory = in_resv = 0;
      depth--;
    } else if (tok == FDT_PROP) {
      u32 len = rd32(s + off), nameoff = rd32(s + off + 4);
      const u8 *val = s + off + 8;
      if (depth == 2 && in_memory && streq(strings + nameoff, "reg") && len >= 16 && !w->ram_size) w->ram_size = rd64(val + 8);
      off += 8 + align4(len);
    } else if (tok == FDT_NOP) {
    } else if (tok == FDT_END) {
      return 0;
    } else return -1;
  }
  return -1;
}

u64 fdt_ram_size(const void *fdt)
{
  struct walk w = { fdt, 0, 0, 0 };
  if (walk_tree(fdt, &w) != 0 || w.ram_size == 0) return 128UL << 20;
  return w.ram_size;
}

/* Does any node's compatible list name `compat`? (Platform devices devirt adds, such as the
   IOPMP, are absent on QEMU, where touching their address would fault.) */
int fdt_has_compatible(const void *fdtv, const char *compat)
{
  const u8 *fdt = fdtv;
  const struct fdt_header *h = (const struct fdt_header *)fdt;
  if (be32(h->magic) != FDT_MAGIC) return 0;
  const u8 *s = fdt + be32(h->off_dt_struct);
  const char *strings = (const char *)fdt + be32(h->off_dt_strings);
  u32 size = be32(h->size_dt_struct), ssize = be32(h->size_dt_strings);
  /* The name "compatible" once, in the strings block; then each property is an integer compare. */
  u32 want = ~0U;
  for (u32 i = 0; i < ssize; i += slen(strings + i) + 1) if (streq(strings + i, "compatible")) { want = i; break; }
  if (want == ~0U) return 0;
  for (u32 off = 0; off < size;) {
    u32 tok = rd32(s + off);
    off += 4;
    if (tok == FDT_BEGIN_NODE) off += align4(slen((const char *)s + off) + 1);
    else if (tok == FDT_PROP) {
      u32 len = rd32(s + off), nameoff = rd32(s + off + 4);
      const char *val = (const char *)s + off + 8;
      if (nameoff == want) {
        for (u32 i = 0; i < len; i += slen(val + i) + 1) if (val[i] == compat[0] && streq(val + i, compat)) return 1;
      }
      off += 8 + align4(len);
    } else if (tok == FDT_END) return 0;
    else if (tok != FDT_END_NODE && tok != FDT_NOP) return 0;
  }
  return 0;
}

/* A small writer for the nodes we insert. */
struct out { u8 *p; u32 n; };
static void put32(struct out *o, u32 v) { wr32(o->p + o->n, v); o->n += 4; }
static void put_name(struct out *o, const char *prefix, u64 addr)
{
  u32 i = 0;
  for (; prefix[i]; i++) o->p[o->n + i] = prefix[i];
  if (addr != (u64)-1) {
    o->p[o->n + i++] = '@';
    int started = 0;
    for (int sh = 60; sh >= 0; sh -= 4) {
      u32 d = (addr >> sh) & 15;
      if (d || started || sh == 0) { o->p[o->n + i++] = "0123456789abcdef"[d]; started = 1; }
    }
  }
  o->p[o->n + i++] = 0;
  while (i & 3) o->p[o->n + i++] = 0;
  o->n += i;
}

/* Property names we need, resolved against the existing strings block or appended to it. */
enum { S_ADDR_CELLS, S_SIZE_CELLS, S_RANGES, S_REG, S_NO_MAP, S_COUNT };
static const char *const names[S_COUNT] = { "#address-cells", "#size-cells", "ranges", "reg", "no-map" };

static void put_prop(struct out *o, u32 nameoff, const u8 *val, u32 len)
{
  put32(o, FDT_PROP); put32(o, len); put32(o, nameoff);
  for (u32 i = 0; i < len; i++) o->p[o->n++] = val[i];
  while (o->n & 3) o->p[o->n++] = 0;
}

static void put_region(struct out *o, const u32 *noff, const char *name, u64 base, u64 size)
{
  u8 reg[16];
  wr32(reg, base >> 32); wr32(reg + 4, (u32)base); wr32(reg + 8, size >> 32); wr32(reg + 12, (u32)size);
  put32(o, FDT_BEGIN_NODE);
  put_name(o, name, base);
  put_prop(o, noff[S_REG], reg, 16);
  put_prop(o, noff[S_NO_MAP], reg, 0);
  put32(o, FDT_END_NODE);
}

int fdt_reserve_regions(void *fdtv, u64 space_end)
{
  u8 *fdt = fdtv;
  struct fdt_header *h = (struct fdt_header *)fdt;
  struct walk w = { fdt, 0, 0, 0 };
  if (walk_tree(fdt, &w) != 0 || !w.root_end) return -1;
  u32 off_struct = be32(h->off_dt_struct), size_struct = be32(h->size_dt_struct);
  u32 off_strings = be32(h->off_dt_strings), size_strings = be32(h->size_dt_strings);
  /* The usual layout (libfdt's and the reference's): struct block, then strings block. */
  if (off_strings < off_struct + size_struct) return -1;

  /* Resolve names; missing ones go at the end of the strings block. */
  static u8 extra_strings[64];
  u32 noff[S_COUNT], extra = 0;
  const char *strings = (const char *)fdt + off_strings;
  for (int k = 0; k < S_COUNT; k++) {
    noff[k] = (u32)-1;
    for (u32 i = 0; i < size_strings; i += slen(strings + i) + 1)
      if (streq(strings + i, names[k])) { noff[k] = i; break; }
    if (noff[k] == (u32)-1) {
      noff[k] = size_strings + extra;
      for (u64 j = 0; j <= slen(names[k]); j++) extra_strings[extra++] = names[k][j];
    }
  }

  static u8 blob[512];
  struct out o = { blob, 0 };
  u32 insert_at = w.resv_end ? w.resv_end : w.root_end;
  if (!w.resv_end) {
    u8 two[4]; wr32(two, 2);
    put32(&o, FDT_BEGIN_NODE);
    put_name(&o, "reserved-memory", (u64)-1);
    put_prop(&o, noff[S_ADDR_CELLS], two, 4);
    put_prop(&o, noff[S_SIZE_CELLS], two, 4);
    put_prop(&o, noff[S_RANGES], two, 0);
  }
  put_region(&o, noff, "microvisor", FW_BASE, FW_SIZE);
  if (mv_layout.partition_size) put_region(&o, noff, "maintenance", mv_layout.partition_base, mv_layout.partition_size);
  if (!w.resv_end) put32(&o, FDT_END_NODE);

  u64 new_total = off_strings + o.n + size_strings + extra;
  if ((u64)fdt + new_total > space_end) return -1;
  /* Strings move up by the inserted length; then the struct tail after the insertion point. */
  move(fdt + off_strings + o.n, fdt + off_strings, size_strings);
  for (u32 i = 0; i < extra; i++) fdt[off_strings + o.n + size_strings + i] = extra_strings[i];
  u8 *at = fdt + off_struct + insert_at;
  move(at + o.n, at, off_strings - (off_struct + insert_at));
  move(at, blob, o.n);

  h->off_dt_strings = be32(off_strings + o.n);
  h->size_dt_strings = be32(size_strings + extra);
  h->size_dt_struct = be32(size_struct + o.n);
  if (new_total > be32(h->totalsize)) h->totalsize = be32((u32)new_total);
  return 0;
}
