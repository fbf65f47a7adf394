/* The few library routines a freestanding kernel needs (gcc may call memcpy/memset itself). */
#include "svc.h"

/* Word at a time when both ends are equally aligned (after a byte-wise head): the log's sectors
   and the table's entries are copied on every write and on every replayed record, and guest time
   is what the upgrade's downtime is measured in. */
void *memcpy(void *d, const void *s, u64 n)
{
  u8 *dp = d; const u8 *sp = s;
  if ((((u64)dp ^ (u64)sp) & 7) == 0) {
    for (; n && ((u64)dp & 7); n--) *dp++ = *sp++;
    for (; n >= 8; n -= 8, dp += 8, sp += 8) *(u64 *)dp = *(const u64 *)sp;
  } else if ((((u64)dp ^ (u64)sp) & 3) == 0) {
    for (; n && ((u64)dp & 3); n--) *dp++ = *sp++;
    for (; n >= 4; n -= 4, dp += 4, sp += 4) *(u32 *)dp = *(const u32 *)sp;
  }
  while (n--) *dp++ = *sp++;
  return d;
}

void *memset(void *d, int c, u64 n)
{
  u8 *dp = d;
  if (((u64)dp & 7) == 0) {
    u64 w = (u8)c * 0x0101010101010101UL;
    for (; n >= 8; n -= 8, dp += 8) *(u64 *)dp = w;
  }
  while (n--) *dp++ = (u8)c;
  return d;
}

int memcmp(const void *a, const void *b, u64 n)
{
  const u8 *x = a, *y = b;
  for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
  return 0;
}

u64 strlen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), four bytes at a time ("slicing by 4":
   table k holds the CRC of a byte followed by k zero bytes) from tables built on first use: the
   log's record check, which a replay runs on every record and so bounds the upgrade's downtime. */
u32 crc32(const void *p, u64 n)
{
  static u32 t[4][256];
  static int ready;
  if (!ready) {
    for (u32 i = 0; i < 256; i++) {
      u32 c = i;
      for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
      t[0][i] = c;
    }
    for (u32 i = 0; i < 256; i++)
      for (int k = 1; k < 4; k++) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    ready = 1;
  }
  const u8 *b = p;
  u32 c = 0xffffffffu;
  for (; n && ((u64)b & 3); n--) c = t[0][(c ^ *b++) & 0xff] ^ (c >> 8);
  for (; n >= 4; n -= 4, b += 4) {
    c ^= *(const u32 *)b;   /* little-endian: the first byte in the low bits */
    c = t[3][c & 0xff] ^ t[2][(c >> 8) & 0xff] ^ t[1][(c >> 16) & 0xff] ^ t[0][c >> 24];
  }
  while (n--) c = t[0][(c ^ *b++) & 0xff] ^ (c >> 8);
  return ~c;
}
