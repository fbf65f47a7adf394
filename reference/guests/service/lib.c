/* The few library routines a freestanding kernel needs (gcc may call memcpy/memset itself). */
#include "svc.h"

void *memcpy(void *d, const void *s, u64 n)
{
  u8 *dp = d; const u8 *sp = s;
  while (n--) *dp++ = *sp++;
  return d;
}

void *memset(void *d, int c, u64 n)
{
  u8 *dp = d;
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

/* CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), bitwise: the log's record check. */
u32 crc32(const void *p, u64 n)
{
  const u8 *b = p;
  u32 c = 0xffffffffu;
  while (n--) {
    c ^= *b++;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
  }
  return ~c;
}
