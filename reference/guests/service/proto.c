/* The request/response protocol (conformance/service-protocol.md): one UDP datagram per request,
   a line of text "CLIENT:REQID OP [ARGS]", answered by one datagram "CLIENT:REQID STATUS VERSION
   [PAYLOAD]". Reads are answered at once from the table (which holds only durable writes); writes
   are collected while frames keep arriving and committed together: appended to the log, FLUSHed,
   applied, and only then acknowledged. */
#include "svc.h"

#define PENDING 32
struct pending { struct logrec rec; u8 mac[6]; u32 ip; u16 port; };
static struct pending pend[PENDING];
static u32 npend;
int accepting = 1;
u64 served, acked_writes, rejected;
static char reply[1400];

struct reply_to { const u8 *mac; u32 ip; u16 port; };

static u32 fmt_dec(char *p, u64 v)
{
  char t[21]; int n = 20;
  do { t[--n] = '0' + v % 10; v /= 10; } while (v);
  memcpy(p, t + n, 20 - n);
  return 20 - n;
}

static u32 cat(char *p, u32 at, const char *s) { u64 n = strlen(s); if (at + n >= sizeof reply) n = 0; memcpy(p + at, s, n); return at + (u32)n; }

/* "CLIENT:REQID STATUS VERSION" */
static u32 head(u32 client, u32 reqid, const char *status)
{
  u32 n = fmt_dec(reply, client);
  reply[n++] = ':';
  n += fmt_dec(reply + n, reqid);
  reply[n++] = ' ';
  n = cat(reply, n, status);
  reply[n++] = ' ';
  n += fmt_dec(reply + n, SVC_VERSION);
  return n;
}

static void send(struct reply_to *to, u32 n)
{
  reply[n++] = '\n';
  udp_reply(to->mac, to->ip, to->port, (const u8 *)reply, n);
  served++;
}

static void answer(struct reply_to *to, u32 client, u32 reqid, const char *status, const char *text)
{
  u32 n = head(client, reqid, status);
  if (text) { reply[n++] = ' '; n = cat(reply, n, text); }
  send(to, n);
}

static int parse_u32(const u8 **p, const u8 *end, u32 *v)
{
  u64 x = 0; int digits = 0;
  while (*p < end && **p >= '0' && **p <= '9' && digits < 10) { x = x * 10 + (**p - '0'); (*p)++; digits++; }
  if (!digits || x > 0xffffffffu) return -1;
  *v = (u32)x;
  return 0;
}

/* The next space-separated word. */
static int word(const u8 **p, const u8 *end, const u8 **w, u32 *len)
{
  while (*p < end && **p == ' ') (*p)++;
  *w = *p;
  while (*p < end && **p != ' ') (*p)++;
  *len = (u32)(*p - *w);
  return *len ? 0 : -1;
}

static int is(const u8 *w, u32 len, const char *s) { return strlen(s) == len && memcmp(w, s, len) == 0; }

int proto_pending(void) { return npend != 0; }

static void stats(struct reply_to *to, u32 client, u32 reqid)
{
  static const char *names[] = { "served=", " writes=", " keys=", " flushes=", " format=", " records=", " rejected=" };
  u64 vals[] = { served, acked_writes, kv_count, blk_flushes, wal_format(), wal_records, rejected };
  u32 n = head(client, reqid, "OK");
  reply[n++] = ' ';
  for (int i = 0; i < 7; i++) { n = cat(reply, n, names[i]); n += fmt_dec(reply + n, vals[i]); }
  n = cat(reply, n, " phase=");
  n = cat(reply, n, upgrade_phase);
  send(to, n);
}

void proto_commit(void)
{
  if (!npend) return;
  static struct logrec recs[PENDING];
  struct reply_to to;
  for (u32 i = 0; i < npend; i++) recs[i] = pend[i].rec;
  if (svc_fault == FAULT_ACK_BEFORE_FLUSH) {
    /* The broken variant: the client hears OK before the write is durable. */
    for (u32 i = 0; i < npend; i++) {
      to = (struct reply_to){ pend[i].mac, pend[i].ip, pend[i].port };
      answer(&to, pend[i].rec.client, pend[i].rec.reqid, "OK", 0);
    }
  }
  int rc = wal_append(recs, npend);
  for (u32 i = 0; i < npend; i++) {
    struct pending *p = &pend[i];
    to = (struct reply_to){ p->mac, p->ip, p->port };
    if (rc == 0) {
      if (p->rec.op == OP_PUT) kv_put(p->rec.key, p->rec.klen, p->rec.val, p->rec.vlen);
      else kv_del(p->rec.key, p->rec.klen);
      retry_note(p->rec.client, p->rec.reqid);
      acked_writes++;
      if (svc_fault != FAULT_ACK_BEFORE_FLUSH) answer(&to, p->rec.client, p->rec.reqid, "OK", 0);
    } else {
      answer(&to, p->rec.client, p->rec.reqid, "ERR", rc == WAL_FULL ? "full" : "io");
    }
  }
  npend = 0;
}

void proto_input(const u8 *src_mac, u32 src_ip, u16 src_port, const u8 *data, u32 len)
{
  const u8 *p = data, *end = data + len;
  while (end > p && (end[-1] == '\n' || end[-1] == '\r')) end--;
  struct reply_to to = { src_mac, src_ip, src_port };
  u32 client, reqid;
  const u8 *op, *w;
  u32 oplen, wlen;
  if (parse_u32(&p, end, &client) || p >= end || *p++ != ':' || parse_u32(&p, end, &reqid) || word(&p, end, &op, &oplen)) {
    rejected++;
    return;   /* not a request: nothing to answer to */
  }
  if (!accepting) { rejected++; return; }   /* draining: the client retries, the next instance answers */
  if (is(op, oplen, "GET")) {
    if (word(&p, end, &w, &wlen) || wlen > KEY_MAX) { answer(&to, client, reqid, "ERR", "bad-key"); return; }
    struct entry *e = kv_find(w, wlen);
    if (!e) { answer(&to, client, reqid, "NOTFOUND", 0); return; }
    u32 n = head(client, reqid, "OK");
    reply[n++] = ' ';
    memcpy(reply + n, e->val, e->vlen);
    send(&to, n + e->vlen);
  } else if (is(op, oplen, "PUT") || is(op, oplen, "DEL")) {
    int put = op[0] == 'P';
    if (word(&p, end, &w, &wlen) || wlen > KEY_MAX) { answer(&to, client, reqid, "ERR", "bad-key"); return; }
    const u8 *val = p < end ? p + 1 : p;   /* the value is the rest of the line after one space */
    u32 vlen = (u32)(end - val);
    if (put && vlen > VAL_MAX) { answer(&to, client, reqid, "ERR", "value-too-long"); return; }
    if (retry_seen(client, reqid)) { answer(&to, client, reqid, "OK", "retry"); return; }
    for (u32 i = 0; i < npend; i++) if (pend[i].rec.client == client && pend[i].rec.reqid == reqid) return;
    if (upgrade_busy() == 2) { answer(&to, client, reqid, "BUSY", 0); return; }
    struct pending *q = &pend[npend++];
    memset(&q->rec, 0, sizeof q->rec);
    q->rec.op = put ? OP_PUT : OP_DEL;
    q->rec.klen = (u8)wlen;
    memcpy(q->rec.key, w, wlen);
    if (put) { q->rec.vlen = (u16)vlen; memcpy(q->rec.val, val, vlen); }
    q->rec.client = client;
    q->rec.reqid = reqid;
    memcpy(q->mac, src_mac, 6);
    q->ip = src_ip;
    q->port = src_port;
    if (npend == PENDING) proto_commit();
  } else if (is(op, oplen, "VERSION")) {
    answer(&to, client, reqid, "OK", SVC_VERSION == 1 ? "kv-service v1 format 1" : "kv-service v2 format 2");
  } else if (is(op, oplen, "STATS")) {
    stats(&to, client, reqid);
  } else if (is(op, oplen, "PING")) {
    answer(&to, client, reqid, "OK", "pong");
  } else if (is(op, oplen, "HALT")) {
    /* Management: finish the writes in flight, answer, power off (host tools end a session so). */
    proto_commit();
    answer(&to, client, reqid, "OK", "halting");
    log_event("halt", served);
    shutdown(0);
  } else if (is(op, oplen, "UPGRADE") || is(op, oplen, "IMAGE")) {
    char text[96];
    while (p < end && *p == ' ') p++;
    u32 alen = (u32)(end - p);
    if (op[0] == 'U') upgrade_request((const char *)p, alen, text, sizeof text);
    else {
      /* IMAGE OFFSET HEX: stage part of an image sent over the network. */
      u32 off;
      const u8 *h = p;
      text[0] = 0;
      if (parse_u32(&h, end, &off) || h >= end || *h++ != ' ' || ((end - h) & 1) || off + (u64)(end - h) / 2 > IMAGE_MAX) {
        answer(&to, client, reqid, "ERR", "bad-image-chunk");
        return;
      }
      u32 bytes = (u32)(end - h) / 2;
      for (u32 i = 0; h + 1 < end; h += 2, i++) {
        u8 b = 0;
        for (int k = 0; k < 2; k++) {
          u8 c = h[k], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 16;
          if (d == 16) { answer(&to, client, reqid, "ERR", "bad-image-chunk"); return; }
          b = (u8)(b << 4 | d);
        }
        image_buf[off + i] = b;
      }
      if (off + bytes > image_staged) image_staged = off + bytes;
    }
    answer(&to, client, reqid, text[0] == '!' ? "ERR" : "OK", text[0] == '!' ? text + 1 : text[0] ? text : 0);
  } else {
    answer(&to, client, reqid, "ERR", "unknown-op");
  }
}
