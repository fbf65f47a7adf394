// Framing of the GDB remote serial protocol (GDB manual, "Overview" of Remote Protocol):
// `$payload#cs` with a two-digit modulo-256 checksum, `+`/`-` acknowledgements, 0x03 as an
// interrupt outside a packet, and `}` escaping (byte ^ 0x20) of `$ # } *` in binary data.

/** Bytes arriving from the debugger, split into packets, acks and interrupts. */
export class RspReader {
  private buf = '';
  constructor(private readonly on: {
    packet: (payload: string) => void;
    interrupt: () => void;
    /** A packet whose checksum did not match: the sender is asked to repeat it. */
    bad: () => void;
  }) {}

  /** Feed received bytes (as a latin1 string: one char per byte). */
  push(data: string): void {
    this.buf += data;
    for (;;) {
      // Acks and stray bytes between packets; 0x03 is an interrupt request.
      let i = 0;
      while (i < this.buf.length && this.buf[i] !== '$') {
        if (this.buf.charCodeAt(i) === 3) this.on.interrupt();
        i++;
      }
      this.buf = this.buf.slice(i);
      const hash = this.buf.indexOf('#');
      if (hash < 0 || this.buf.length < hash + 3) return;
      const payload = this.buf.slice(1, hash);
      const sum = parseInt(this.buf.slice(hash + 1, hash + 3), 16);
      this.buf = this.buf.slice(hash + 3);
      if (sum === checksum(payload)) this.on.packet(payload);
      else this.on.bad();
    }
  }
}

export function checksum(s: string): number {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum = (sum + s.charCodeAt(i)) & 0xff;
  return sum;
}

/** A packet on the wire, payload escaped. */
export function frame(payload: string): string {
  const body = escapeBinary(payload);
  return `$${body}#${checksum(body).toString(16).padStart(2, '0')}`;
}

export function escapeBinary(s: string): string {
  return s.replace(/[$#}*]/g, (c) => '}' + String.fromCharCode(c.charCodeAt(0) ^ 0x20));
}

export function unescapeBinary(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7d && i + 1 < s.length) out.push(s.charCodeAt(++i) ^ 0x20);
    else out.push(c & 0xff);
  }
  return Uint8Array.from(out);
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string): Uint8Array | null {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A 64-bit register value as GDB expects it: target byte order (little-endian) in hex. */
export function le64Hex(v: bigint): string {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return toHex(b);
}

export function le64FromHex(s: string): bigint | null {
  const b = fromHex(s);
  if (b === null || b.length !== 8) return null;
  return new DataView(b.buffer).getBigUint64(0, true);
}
