// The Ethernet switch inside the machine: a learning bridge (IEEE 802.1D's forwarding process,
// reduced to what one broadcast domain needs) whose ports are the virtio-net cards and the host
// endpoint. It forwards synchronously, in the instruction that transmitted: what arrives where,
// and when in guest time, depends only on what the guests and the host script send.
//
// Learning: the source address of every frame with a unicast source is bound to the port it came
// in on (a later frame from another port moves it: a service that changes hands announces itself
// and is found at once). Forwarding: a unicast destination that was learned goes to its port
// (dropped when that is the port it came from), anything else (broadcast, multicast, unknown
// unicast) floods every other port in port order. Entries never age: the machine's traffic is
// scripted and short, and aging by guest time would make a run's outcome hinge on idle gaps.

export const ETH_HEADER = 14;
/** The largest frame a port takes (an Ethernet payload of up to 64 KiB, as QEMU's net layer). */
export const MAX_FRAME = 65536 + ETH_HEADER;

/** Something plugged into the switch. */
export interface SwitchPort {
  /** Name in diagnostics and statistics (`nic0`, `host`). */
  readonly name: string;
  /** A frame from the switch to this port. The port must copy it if it keeps it. */
  deliver(frame: Uint8Array): void;
}

export interface SwitchStats {
  /** Frames that entered the switch. */
  frames: number;
  /** Frames sent to one learned port. */
  forwarded: number;
  /** Frames sent to every other port (broadcast, multicast, unknown destination). */
  flooded: number;
  /** Frames dropped: shorter than an Ethernet header, longer than MAX_FRAME, or addressed back to their own port. */
  dropped: number;
}

const macKey = (f: Uint8Array, at: number): number =>
  // 48 bits fit a double exactly.
  ((f[at] * 256 + f[at + 1]) * 256 + f[at + 2]) * 16777216 + ((f[at + 3] << 16) | (f[at + 4] << 8) | f[at + 5]);

export class EthernetSwitch {
  private readonly ports: SwitchPort[] = [];
  /** MAC (as a 48-bit number) -> port index. */
  private readonly table = new Map<number, number>();
  readonly stats: SwitchStats = { frames: 0, forwarded: 0, flooded: 0, dropped: 0 };
  /** Sees every frame that enters the switch, before it is forwarded (a capture: `devirt boot --net-dump`). */
  tap: ((frame: Uint8Array, port: string) => void) | null = null;

  /** Plug a port in; returns what the port calls to transmit a frame into the switch. */
  attach(port: SwitchPort): (frame: Uint8Array) => void {
    const index = this.ports.length;
    this.ports.push(port);
    return (frame) => this.input(index, frame);
  }

  get portNames(): string[] { return this.ports.map((p) => p.name); }

  /** The port a MAC address was learned on (its name), or undefined. */
  lookup(mac: Uint8Array): string | undefined {
    const i = this.table.get(macKey(mac, 0));
    return i === undefined ? undefined : this.ports[i].name;
  }

  /** Power-on: nothing learned (statistics are kept: they describe the whole run). */
  reset(): void { this.table.clear(); }

  private input(from: number, frame: Uint8Array): void {
    this.stats.frames++;
    this.tap?.(frame, this.ports[from].name);
    if (frame.length < ETH_HEADER || frame.length > MAX_FRAME) { this.stats.dropped++; return; }
    // The group bit (I/G, the least significant bit of the first octet) marks broadcast and multicast.
    if ((frame[6] & 1) === 0) this.table.set(macKey(frame, 6), from);
    const to = (frame[0] & 1) === 0 ? this.table.get(macKey(frame, 0)) : undefined;
    if (to !== undefined) {
      if (to === from) { this.stats.dropped++; return; }
      this.stats.forwarded++;
      this.ports[to].deliver(frame);
      return;
    }
    this.stats.flooded++;
    for (let i = 0; i < this.ports.length; i++) if (i !== from) this.ports[i].deliver(frame);
  }
}
