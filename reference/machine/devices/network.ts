// The machine's network: its virtio-net cards and the host endpoint, all ports of one Ethernet
// switch (a single broadcast domain). Built by the machine when it has at least one card.

import type { TimeSource } from '../device';
import type { DeviceTimerQueue } from '../device-timers';
import { EthernetSwitch } from './ethernet-switch';
import { HostEndpoint } from './host-endpoint';
import { VirtioNet } from './virtio-net';

/** A card as the machine's options ask for it. */
export interface NicConfig {
  /** virtio-mmio slot 0..7 (devices/virtio-placement.ts picks QEMU's). */
  slot: number;
  /** Its MAC address (default: QEMU's, 52:54:00:12:34:56 plus the number of cards before it without one). */
  mac?: Uint8Array;
}

export class Network {
  readonly switch = new EthernetSwitch();
  readonly host: HostEndpoint;
  readonly nics: VirtioNet[] = [];

  constructor(time: TimeSource, timers: DeviceTimerQueue) {
    this.host = new HostEndpoint(time, timers);
  }

  /** Plug a card into the switch (ports in the order cards are added; the host's is first). */
  addNic(nic: VirtioNet): void {
    if (!this.nics.length && !this.switch.portNames.length) this.host.connect(this.switch.attach(this.host));
    nic.transmit = this.switch.attach(nic);
    this.nics.push(nic);
  }

  /** Machine reset: the switch forgets what it learned, no frame waits in a card. */
  reset(): void {
    this.switch.reset();
    for (const n of this.nics) n.powerOn();
  }
}
