// SiFive test finisher as on QEMU virt: a 32-bit write to offset 0 of 0x5555 powers off with
// success, (code << 16) | 0x3333 powers off with failure `code`, 0x7777 resets the machine.
// Other values and offsets are ignored; reads return 0.

import { MmioDevice } from '../device';
import { TEST_BASE } from './memory-map';

export const FINISHER_FAIL = 0x3333, FINISHER_PASS = 0x5555, FINISHER_RESET = 0x7777;

export type FinisherEvent = { kind: 'pass' | 'fail' | 'reset'; code: number };

export class SifiveTest implements MmioDevice {
  readonly name = 'test';
  readonly base = TEST_BASE;
  readonly size = 0x1000;
  readonly maxWidth = 4;
  readonly minWidth = 2;
  constructor(private readonly onFinish: (f: FinisherEvent) => void) {}
  read(): number { return 0; }
  write(off: number, _w: 1 | 2 | 4, value: number): void {
    if (off !== 0) return;
    const status = value & 0xffff;
    if (status === FINISHER_PASS) this.onFinish({ kind: 'pass', code: 0 });
    else if (status === FINISHER_FAIL) this.onFinish({ kind: 'fail', code: value >>> 16 });
    else if (status === FINISHER_RESET) this.onFinish({ kind: 'reset', code: 0 });
  }
}
