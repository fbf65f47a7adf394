/* Ethernet II, ARP (RFC 826) for IPv4 over Ethernet, IPv4 (RFC 791: no options sent, fragments
   dropped) and UDP (RFC 768, checksum computed on send, checked on receive when nonzero). */
#include "svc.h"

u32 my_ip = (10u << 24) | (0u << 16) | (0u << 8) | 2u;   /* 10.0.0.2, host order */
u16 my_port = 7000;
static u8 out[1514];
static const u8 broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static u16 be16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static u32 be32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }
static void put16(u8 *p, u16 v) { p[0] = v >> 8; p[1] = (u8)v; }
static void put32(u8 *p, u32 v) { p[0] = v >> 24; p[1] = (u8)(v >> 16); p[2] = (u8)(v >> 8); p[3] = (u8)v; }

static u32 sum16(const u8 *p, u32 n, u32 acc)
{
  for (; n > 1; n -= 2, p += 2) acc += be16(p);
  if (n) acc += (u32)p[0] << 8;
  return acc;
}
static u16 fold(u32 acc) { while (acc >> 16) acc = (acc & 0xffff) + (acc >> 16); return (u16)~acc; }

static void arp_send(u16 oper, const u8 *tha, u32 tpa, const u8 *dst)
{
  memcpy(out, dst, 6);
  memcpy(out + 6, net_mac, 6);
  put16(out + 12, 0x0806);
  u8 *a = out + 14;
  put16(a, 1); put16(a + 2, 0x0800); a[4] = 6; a[5] = 4; put16(a + 6, oper);
  memcpy(a + 8, net_mac, 6); put32(a + 14, my_ip);
  memcpy(a + 18, tha, 6); put32(a + 24, tpa);
  memset(out + 42, 0, 60 - 42);
  net_send(out, 60);
}

/* Gratuitous ARP (RFC 5227 section 3: an ARP announcement): the switch and the hosts learn that
   the service address is here now. */
void ip_announce(void)
{
  static const u8 zero[6];
  arp_send(1, zero, my_ip, broadcast);
}

static void arp_input(const u8 *a, u32 len)
{
  if (len < 28 || be16(a) != 1 || be16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4) return;
  if (be16(a + 6) == 1 && be32(a + 24) == my_ip) arp_send(2, a + 8, be32(a + 14), a + 8);
}

void udp_reply(const u8 *dst_mac, u32 dst_ip, u16 dst_port, const u8 *data, u32 len)
{
  if (len > sizeof out - 42) return;
  memcpy(out, dst_mac, 6);
  memcpy(out + 6, net_mac, 6);
  put16(out + 12, 0x0800);
  u8 *ip = out + 14, *udp = out + 34;
  ip[0] = 0x45; ip[1] = 0; put16(ip + 2, (u16)(20 + 8 + len)); put16(ip + 4, 0); put16(ip + 6, 0x4000);
  ip[8] = 64; ip[9] = 17; put16(ip + 10, 0); put32(ip + 12, my_ip); put32(ip + 16, dst_ip);
  put16(ip + 10, fold(sum16(ip, 20, 0)));
  put16(udp, my_port); put16(udp + 2, dst_port); put16(udp + 4, (u16)(8 + len)); put16(udp + 6, 0);
  memcpy(udp + 8, data, len);
  u32 acc = sum16(ip + 12, 8, 17 + 8 + len);
  u16 c = fold(sum16(udp, 8 + len, acc));
  put16(udp + 6, c ? c : 0xffff);
  u32 n = 42 + len;
  if (n < 60) { memset(out + n, 0, 60 - n); n = 60; }
  net_send(out, n);
}

static void ipv4_input(const u8 *eth, const u8 *ip, u32 len)
{
  if (len < 20 || (ip[0] >> 4) != 4) return;
  u32 ihl = (ip[0] & 15) * 4, total = be16(ip + 2);
  if (ihl < 20 || total > len || total < ihl + 8) return;
  if (fold(sum16(ip, ihl, 0)) != 0) return;
  if (be16(ip + 6) & 0x3fff) return;                 /* a fragment */
  if (ip[9] != 17 || be32(ip + 16) != my_ip) return;
  const u8 *udp = ip + ihl;
  u32 ulen = be16(udp + 4);
  if (ulen < 8 || ulen > total - ihl) return;
  if (be16(udp + 6) != 0 && fold(sum16(udp, ulen, sum16(ip + 12, 8, 17 + ulen))) != 0) return;
  if (be16(udp + 2) != my_port) return;
  proto_input(eth + 6, be32(ip + 12), be16(udp), udp + 8, ulen - 8);
}

void ip_input(const u8 *frame, u32 len)
{
  if (len < 14) return;
  if (memcmp(frame, net_mac, 6) != 0 && memcmp(frame, broadcast, 6) != 0) return;
  u16 type = be16(frame + 12);
  if (type == 0x0806) arp_input(frame + 14, len - 14);
  else if (type == 0x0800) ipv4_input(frame, frame + 14, len - 14);
}
