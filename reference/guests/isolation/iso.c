#include "iso.h"

char bootargs[1025];
u64 bootargs_len;

static u32 be(const u8 *p) { return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3]; }
static int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }

/* /chosen/bootargs: walk the structure block, tracking the node path's depth. */
void bootargs_read(void)
{
  bootargs_len = 0;
  bootargs[0] = 0;
  const u8 *f = (const u8 *)boot_fdt;
  if (!f || be(f) != 0xd00dfeed) return;
  const u8 *s = f + be(f + 8);
  const char *strings = (const char *)f + be(f + 12);
  int depth = 0, chosen_depth = -1;
  for (u32 off = 0;;) {
    u32 tok = be(s + off); off += 4;
    if (tok == 1) {
      const char *name = (const char *)s + off;
      u32 n = 0; while (name[n]) n++;
      depth++;
      if (depth == 2 && streq(name, "chosen")) chosen_depth = depth;
      off += (n + 4) & ~3U;
    } else if (tok == 3) {
      u32 len = be(s + off), no = be(s + off + 4);
      const u8 *v = s + off + 8;
      if (depth == chosen_depth && streq(strings + no, "bootargs")) {
        u64 k = 0;
        while (k < len && k < sizeof bootargs - 1 && v[k]) { bootargs[k] = (char)v[k]; k++; }
        bootargs[k] = 0;
        bootargs_len = k;
        return;
      }
      off += 8 + ((len + 3) & ~3U);
    } else if (tok == 2) {
      if (depth == chosen_depth) chosen_depth = -1;
      depth--;
    } else if (tok == 4) {
    } else return;
  }
}

int next_token(u64 *pos, char *out, u64 cap)
{
  u64 p = *pos;
  while (p < bootargs_len && bootargs[p] == ' ') p++;
  if (p >= bootargs_len) { *pos = p; return 0; }
  u64 n = 0;
  while (p < bootargs_len && bootargs[p] != ' ') { if (n + 1 < cap) out[n++] = bootargs[p]; p++; }
  out[n] = 0;
  *pos = p;
  return 1;
}

int token_is(const char *tok, const char *word)
{
  while (*word && *tok == *word) { tok++; word++; }
  return *word == 0 && (*tok == 0 || *tok == ':');
}

u64 token_field(const char *tok, int n, u64 dflt)
{
  for (int i = 0; i < n; i++) {
    while (*tok && *tok != ':') tok++;
    if (!*tok) return dflt;
    tok++;
  }
  if (!*tok || *tok == ':') return dflt;
  u64 v = 0;
  for (; *tok && *tok != ':'; tok++) {
    char c = *tok;
    v = (v << 4) | (u64)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
  }
  return v;
}
