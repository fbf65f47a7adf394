/*
 * CPU-bound workload for `npm run bench`: mixed integer work (a hash, a sort, a matrix
 * multiply, a CRC, pointer chasing) on data from a seeded generator, in rounds. Prints one
 * checksum per kernel and a total, so the reference and QEMU can be compared; no timing.
 */
#include "rt.h"

#define ROUNDS 100
#define N_SORT 4096
#define N_MAT 40
#define N_CHASE 16384
#define N_BYTES 32768

static uint64_t rng = 0x9e3779b97f4a7c15UL;
static uint64_t next(void) { /* xorshift64* */
  rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
  return rng * 0x2545f4914f6cdd1dUL;
}

static uint8_t bytes[N_BYTES];
static uint32_t sortbuf[N_SORT];
static int32_t ma[N_MAT][N_MAT], mb[N_MAT][N_MAT], mc[N_MAT][N_MAT];
static uint32_t chase[N_CHASE];
static uint32_t crc_table[256];

static uint64_t fnv1a(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325UL;
  for (size_t i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3UL; }
  return h;
}

static void crc_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    crc_table[i] = c;
  }
}
static uint32_t crc32(const uint8_t *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static void quicksort(uint32_t *a, long lo, long hi) {
  while (lo < hi) {
    uint32_t pivot = a[(lo + hi) / 2];
    long i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { uint32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (j - lo < hi - i) { quicksort(a, lo, j); lo = i; } else { quicksort(a, i, hi); hi = j; }
  }
}

static uint64_t matmul(void) {
  uint64_t sum = 0;
  for (int i = 0; i < N_MAT; i++)
    for (int j = 0; j < N_MAT; j++) {
      int64_t s = 0;
      for (int k = 0; k < N_MAT; k++) s += (int64_t)ma[i][k] * mb[k][j];
      mc[i][j] = (int32_t)s;
      sum += (uint64_t)s;
    }
  return sum;
}

static uint64_t pointer_chase(void) {
  /* A single cycle through every slot (Sattolo's shuffle), followed twice round. */
  for (uint32_t i = 0; i < N_CHASE; i++) chase[i] = i;
  for (uint32_t i = N_CHASE - 1; i > 0; i--) {
    uint32_t j = (uint32_t)(next() % i);
    uint32_t t = chase[i]; chase[i] = chase[j]; chase[j] = t;
  }
  uint64_t acc = 0;
  uint32_t p = 0;
  for (uint32_t n = 0; n < 2 * N_CHASE; n++) { p = chase[p]; acc = acc * 31 + p; }
  return acc;
}

int main(void) {
  uint64_t h = 0, srt = 0, mat = 0, crc = 0, chs = 0;
  crc_init();
  for (int r = 0; r < ROUNDS; r++) {
    for (int i = 0; i < N_BYTES; i++) bytes[i] = (uint8_t)next();
    h ^= fnv1a(bytes, N_BYTES) + (uint64_t)r;
    crc = crc * 33 + crc32(bytes, N_BYTES);
    for (int i = 0; i < N_SORT; i++) sortbuf[i] = (uint32_t)next();
    quicksort(sortbuf, 0, N_SORT - 1);
    for (int i = 1; i < N_SORT; i++) if (sortbuf[i - 1] > sortbuf[i]) { puts_("sort is wrong\n"); return 1; }
    srt = srt * 31 + fnv1a((const uint8_t *)sortbuf, sizeof sortbuf);
    for (int i = 0; i < N_MAT; i++)
      for (int j = 0; j < N_MAT; j++) { ma[i][j] = (int32_t)(next() % 2001) - 1000; mb[i][j] = (int32_t)(next() % 2001) - 1000; }
    mat = mat * 31 + matmul();
    chs = chs * 31 + pointer_chase();
  }
  printf_("hash   %016x\nsort   %016x\nmatrix %016x\ncrc    %016x\nchase  %016x\n", h, srt, mat, crc, chs);
  printf_("total  %016x\n", h ^ srt ^ mat ^ crc ^ chs);
  return 0;
}
