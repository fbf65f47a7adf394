/*
 * A CoreMark-like kernel for `npm run bench` (written here, not EEMBC's code): the three kinds of
 * work CoreMark times, on data from a seeded generator, with a CRC-16 over every result so the
 * reference and QEMU can be compared on one line. No timing in the guest.
 *   list     a linked list: search, reverse, merge sort by value then by insertion order
 *   matrix   16-bit matrices: add and scale by a constant, matrix-vector, matrix-matrix, and
 *            matrix-matrix keeping a bit field of each product
 *   state    a character state machine classifying comma-separated tokens (integer, decimal,
 *            exponent, hex, invalid), on clean input and again after corrupting some bytes
 */
#include "rt.h"

#define ITERATIONS 200
#define N_LIST 256
#define N_MAT 24
#define N_TEXT 2048

static uint64_t rng = 0x2545f4914f6cdd1dUL;
static uint32_t next(void) { /* xorshift64 */
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

static uint16_t crc16_byte(uint16_t crc, uint8_t b) {
  crc ^= b;
  for (int k = 0; k < 8; k++) crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa001) : (uint16_t)(crc >> 1);
  return crc;
}
static uint16_t crc16_u32(uint16_t crc, uint32_t v) {
  for (int i = 0; i < 4; i++) crc = crc16_byte(crc, (uint8_t)(v >> (8 * i)));
  return crc;
}

/* ---- list ---- */
struct node { struct node *next; int16_t value; uint16_t order; };
static struct node pool[N_LIST];

static struct node *build_list(void) {
  struct node *head = 0;
  for (int i = N_LIST - 1; i >= 0; i--) {
    pool[i].value = (int16_t)(next() & 0x7fff);
    pool[i].order = (uint16_t)i;
    pool[i].next = head;
    head = &pool[i];
  }
  return head;
}

static struct node *find(struct node *l, int16_t value) {
  for (; l; l = l->next) if (l->value == value) return l;
  return 0;
}

static struct node *reverse(struct node *l) {
  struct node *out = 0;
  while (l) { struct node *n = l->next; l->next = out; out = l; l = n; }
  return out;
}

static int by_value(const struct node *a, const struct node *b) { return a->value - b->value; }
static int by_order(const struct node *a, const struct node *b) { return (int)a->order - (int)b->order; }

/* Bottom-up merge sort of a singly linked list, stable. */
static struct node *sort(struct node *l, int (*cmp)(const struct node *, const struct node *)) {
  for (int width = 1;; width *= 2) {
    struct node *p = l, *tail = 0;
    int merges = 0;
    l = 0;
    while (p) {
      merges++;
      struct node *q = p;
      int psize = 0;
      for (int i = 0; i < width && q; i++) { psize++; q = q->next; }
      int qsize = width;
      while (psize > 0 || (qsize > 0 && q)) {
        struct node *e;
        if (psize == 0) { e = q; q = q->next; qsize--; }
        else if (qsize == 0 || !q || cmp(p, q) <= 0) { e = p; p = p->next; psize--; }
        else { e = q; q = q->next; qsize--; }
        if (tail) tail->next = e; else l = e;
        tail = e;
      }
      p = q;
    }
    tail->next = 0;
    if (merges <= 1) return l;
  }
}

static uint16_t bench_list(uint16_t crc) {
  struct node *l = build_list();
  int found = 0;
  for (int i = 0; i < 64; i++) if (find(l, (int16_t)(next() & 0x7fff)) || find(l, pool[next() % N_LIST].value)) found++;
  l = reverse(l);
  l = sort(l, by_value);
  for (struct node *n = l; n->next; n = n->next) if (n->value > n->next->value) { puts_("list sort is wrong\n"); finish(1); }
  for (struct node *n = l; n; n = n->next) crc = crc16_u32(crc, (uint32_t)n->value);
  l = sort(l, by_order);
  for (struct node *n = l; n; n = n->next) crc = crc16_u32(crc, n->order);
  return crc16_u32(crc, (uint32_t)found);
}

/* ---- matrix ---- */
static int16_t ma[N_MAT][N_MAT], mb[N_MAT][N_MAT];
static int32_t mc[N_MAT][N_MAT], vec[N_MAT];

static uint16_t bench_matrix(uint16_t crc) {
  int16_t k = (int16_t)(next() & 0xff) + 1;
  for (int i = 0; i < N_MAT; i++)
    for (int j = 0; j < N_MAT; j++) { ma[i][j] = (int16_t)(next() & 0xfff); mb[i][j] = (int16_t)((next() & 0xfff) - 0x800); }
  for (int i = 0; i < N_MAT; i++) for (int j = 0; j < N_MAT; j++) ma[i][j] = (int16_t)(ma[i][j] + k);
  for (int i = 0; i < N_MAT; i++) for (int j = 0; j < N_MAT; j++) mc[i][j] = (int32_t)ma[i][j] * k;
  for (int i = 0; i < N_MAT; i++) crc = crc16_u32(crc, (uint32_t)mc[i][i]);
  for (int i = 0; i < N_MAT; i++) {
    int32_t s = 0;
    for (int j = 0; j < N_MAT; j++) s += (int32_t)ma[i][j] * mb[j][0];
    vec[i] = s;
    crc = crc16_u32(crc, (uint32_t)s);
  }
  for (int i = 0; i < N_MAT; i++)
    for (int j = 0; j < N_MAT; j++) {
      int32_t s = 0, bits = 0;
      for (int x = 0; x < N_MAT; x++) {
        int32_t p = (int32_t)ma[i][x] * mb[x][j];
        s += p;
        bits += (p >> 2) & 0xf;     /* a bit field of each product, as CoreMark's last matrix step */
      }
      mc[i][j] = s + bits;
    }
  for (int i = 0; i < N_MAT; i++) for (int j = 0; j < N_MAT; j++) crc = crc16_u32(crc, (uint32_t)mc[i][j]);
  return crc;
}

/* ---- state machine ---- */
enum state { START, SIGN, INT, DOT, FRAC, EXP, EXP_SIGN, EXP_INT, HEX0, HEX, INVALID, N_STATES };
static char text[N_TEXT];

static void make_text(void) {
  static const char *const tokens[] = { "5012", "-17", "+3.25", "0.5e-3", "1e9", "0x1f", "0xBAD", "12a", "-.5", "7.", "--1", "0x" };
  int at = 0;
  while (at < N_TEXT - 12) {
    const char *t = tokens[next() % (sizeof tokens / sizeof tokens[0])];
    while (*t) text[at++] = *t++;
    text[at++] = ',';
  }
  while (at < N_TEXT - 1) text[at++] = ' ';
  text[N_TEXT - 1] = 0;
}

static enum state step(enum state s, char c) {
  int digit = c >= '0' && c <= '9';
  int hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  switch (s) {
    case START: return c == '+' || c == '-' ? SIGN : c == '0' ? HEX0 : digit ? INT : c == '.' ? DOT : INVALID;
    case SIGN: return digit ? INT : c == '.' ? DOT : INVALID;
    case HEX0: return c == 'x' || c == 'X' ? HEX : digit ? INT : c == '.' ? FRAC : c == 'e' || c == 'E' ? EXP : INVALID;
    case INT: return digit ? INT : c == '.' ? FRAC : c == 'e' || c == 'E' ? EXP : INVALID;
    case DOT: return digit ? FRAC : INVALID;
    case FRAC: return digit ? FRAC : c == 'e' || c == 'E' ? EXP : INVALID;
    case EXP: return c == '+' || c == '-' ? EXP_SIGN : digit ? EXP_INT : INVALID;
    case EXP_SIGN: return digit ? EXP_INT : INVALID;
    case EXP_INT: return digit ? EXP_INT : INVALID;
    case HEX: return hex ? HEX : INVALID;
    default: return INVALID;
  }
}

static uint16_t scan(uint16_t crc) {
  uint32_t final[N_STATES] = { 0 }, transitions = 0;
  enum state s = START;
  for (const char *p = text; *p; p++) {
    if (*p == ',' || *p == ' ') { final[s]++; s = START; continue; }
    enum state n = step(s, *p);
    transitions += n != s;
    s = n;
  }
  for (int i = 0; i < N_STATES; i++) crc = crc16_u32(crc, final[i]);
  return crc16_u32(crc, transitions);
}

static uint16_t bench_state(uint16_t crc) {
  make_text();
  crc = scan(crc);
  for (int i = 0; i < N_TEXT / 16; i++) { int at = (int)(next() % (N_TEXT - 1)); if (text[at] != ',') text[at] = (char)('!' + next() % 90); }
  return scan(crc);
}

int main(void) {
  uint16_t list = 0, matrix = 0, state = 0;
  for (int i = 0; i < ITERATIONS; i++) {
    list = bench_list(list);
    matrix = bench_matrix(matrix);
    state = bench_state(state);
  }
  printf_("coremark-like: %d iterations\nlist   %04x\nmatrix %04x\nstate  %04x\n", ITERATIONS, list, matrix, state);
  return 0;
}
