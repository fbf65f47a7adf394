// Packet capture files (the libpcap format Wireshark and tcpdump read), for the machine's switch:
// each record's time stamp is guest time, so a scripted run's capture is the same file every time.
// The nanosecond variant of the format (magic 0xa1b23c4d) holds mtime's 100 ns ticks exactly.

/** LINKTYPE_ETHERNET. */
export const LINKTYPE_ETHERNET = 1;
export const PCAP_SNAPLEN = 65535;
const NS_PER_TICK = 100;

/** The 24-byte file header: nanosecond time stamps, version 2.4, Ethernet. */
export function pcapHeader(snaplen = PCAP_SNAPLEN): Uint8Array {
  const b = new Uint8Array(24);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0xa1b23c4d, true);
  dv.setUint16(4, 2, true); dv.setUint16(6, 4, true);
  // thiszone 0, sigfigs 0
  dv.setUint32(16, snaplen, true);
  dv.setUint32(20, LINKTYPE_ETHERNET, true);
  return b;
}

/** One record: the frame (cut at `snaplen`) at guest time `ticks` (mtime, 100 ns). */
export function pcapRecord(ticks: number, frame: Uint8Array, snaplen = PCAP_SNAPLEN): Uint8Array {
  const kept = Math.min(frame.length, snaplen);
  const b = new Uint8Array(16 + kept);
  const dv = new DataView(b.buffer);
  const ns = BigInt(Math.max(0, Math.floor(ticks))) * BigInt(NS_PER_TICK);
  dv.setUint32(0, Number(ns / 1_000_000_000n), true);
  dv.setUint32(4, Number(ns % 1_000_000_000n), true);
  dv.setUint32(8, kept, true);
  dv.setUint32(12, frame.length, true);
  b.set(frame.subarray(0, kept), 16);
  return b;
}

/** Read a capture back (for tests and tools): each record's guest time in ticks and its bytes. */
export function readPcap(file: Uint8Array): { ticks: number; frame: Uint8Array; length: number }[] {
  const dv = new DataView(file.buffer, file.byteOffset, file.length);
  if (file.length < 24 || dv.getUint32(0, true) !== 0xa1b23c4d) throw new Error('not a little-endian nanosecond pcap file');
  const out: { ticks: number; frame: Uint8Array; length: number }[] = [];
  for (let at = 24; at + 16 <= file.length;) {
    const ns = BigInt(dv.getUint32(at, true)) * 1_000_000_000n + BigInt(dv.getUint32(at + 4, true));
    const incl = dv.getUint32(at + 8, true), orig = dv.getUint32(at + 12, true);
    out.push({ ticks: Number(ns / BigInt(NS_PER_TICK)), frame: file.slice(at + 16, at + 16 + incl), length: orig });
    at += 16 + incl;
  }
  return out;
}
