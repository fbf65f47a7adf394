// The upgrade driven out of band, from the host through the management doorbell
// (conformance/maintenance-sbi.md, causes 1 and 3-5), for a running OS that cannot drive it: the
// host places v2 in the maintenance partition and rings virtualize, create and start; when v2
// says it is ready (its console), the host hands the disk and the NIC over on v1's behalf. v2 then
// takes the service over as in band and commits by retiring v1. Each ring waits for the firmware
// to acknowledge the previous one (CAUSE reads 0 again), so no cause overwrites another.

import type { Machine } from '../../reference/machine/machine';
import { placeMaintenance } from '../../reference/maintenance-image';

const DOORBELL_CAUSE_REG = 0x4;

export const CAUSE = { virtualize: 1, devirtualize: 2, create: 3, start: 4, handOver: 5, retire: 6, rollback: 7 } as const;
/** The disk in virtio slot 0 and the NIC in slot 1 (scenario.ts's machine): device ids 2 + slot. */
const DISK = 2n, NIC = 3n;

interface Step { cause: number; args: () => bigint[]; what: string }

export class OutOfBand {
  private queue: Step[] = [];
  private waiting: Step | null = null;
  /** The firmware's answers, in order. */
  readonly results: { what: string; error: number }[] = [];
  failed = false;
  /** Called when a failed upgrade has been given up (nothing left to ring). */
  onSettled: (() => void) | null = null;

  constructor(private readonly machine: () => Machine, private readonly image: Uint8Array,
    private readonly note: (what: string, arg?: number) => void, private readonly later: (run: () => void) => void) {}

  /** Virtualize, create from the partition, start. */
  begin(): void {
    this.push({ cause: CAUSE.virtualize, args: () => [], what: 'virtualize' });
    this.push({ cause: CAUSE.create, args: () => placeMaintenance(this.machine(), { image: this.image, imageName: 'v2' }), what: 'create' });
    this.push({ cause: CAUSE.start, args: () => [1n], what: 'start' });
  }

  /**
   * The host's watchdog (no doorbell cause arms the firmware's): if v2 has not said ready by
   * `deadline` (scenario time), roll back.
   */
  readyBy(deadline: number, at: (when: number, run: () => void) => void): void {
    at(deadline, () => {
      if (this.handedOver || this.failed) return;
      this.failed = true;
      this.note('host-watchdog-rollback');
      this.push({ cause: CAUSE.rollback, args: () => [], what: 'rollback' });
    });
  }

  private handedOver = false;

  /** v2 is ready: hand the disk and the NIC over on v1's behalf. */
  handOver(): void {
    if (this.failed) return;
    this.handedOver = true;
    this.push({ cause: CAUSE.handOver, args: () => [DISK, 1n], what: 'hand-over-disk' });
    this.push({ cause: CAUSE.handOver, args: () => [NIC, 1n], what: 'hand-over-nic' });
  }

  /** Nothing rung and unanswered, nothing queued. */
  get idle(): boolean { return !this.waiting && !this.queue.length; }

  private push(s: Step): void { this.queue.push(s); if (!this.waiting) this.next(); }

  private next(): void {
    const s = this.queue.shift();
    if (!s) return;
    this.waiting = s;
    let args: bigint[];
    try { args = s.args(); } catch (e) {
      // The image does not fit the partition: nothing is rung, the host gives up as create would.
      this.note(`doorbell-${s.what}-impossible: ${(e as Error).message}`);
      this.failed = true;
      this.queue = [];
      this.waiting = null;
      this.push({ cause: CAUSE.devirtualize, args: () => [], what: 'devirtualize' });
      return;
    }
    this.machine().doorbell.ring(s.cause, args);
    this.note(`doorbell-${s.what}`);
    this.later(() => this.poll());
  }

  private poll(): void {
    const db = this.machine().doorbell;
    if (db.read(DOORBELL_CAUSE_REG, 4) !== 0) { this.later(() => this.poll()); return; }   // not acknowledged yet
    const s = this.waiting!;
    const error = Number(BigInt.asIntN(64, db.result));
    this.results.push({ what: s.what, error });
    this.waiting = null;
    if (error !== 0) {
      this.note(`doorbell-${s.what}-refused`, -error);
      // A create the firmware refuses leaves nothing to start: back to dormant, v1 alone (a
      // devirtualize refused means the firmware is dormant already: it rolled back by itself).
      this.failed = true;
      this.queue = [];
      if (s.cause !== CAUSE.virtualize && s.cause !== CAUSE.devirtualize) this.push({ cause: CAUSE.devirtualize, args: () => [], what: 'devirtualize' });
    } else {
      this.next();
    }
    if (this.failed && this.idle) this.onSettled?.();
  }
}
