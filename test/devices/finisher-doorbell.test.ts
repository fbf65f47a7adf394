// sifive_test finisher (QEMU hw/misc/sifive_test.c behaviour) and the devirt doorbell
// (conformance/platform.md).
import { SifiveTest, FinisherEvent } from '../../reference/machine/devices/sifive-test';
import { Doorbell } from '../../reference/machine/devices/doorbell';
import { Machine } from '../../reference/machine/machine';
import { DOORBELL_BASE } from '../../reference/machine/devices/memory-map';
import { Pins } from './helpers';

describe('sifive_test finisher', () => {
  const run = (off: number, value: number) => {
    const seen: FinisherEvent[] = [];
    new SifiveTest((f) => seen.push(f)).write(off, 4, value);
    return seen;
  };
  test('0x5555 passes, (code << 16) | 0x3333 fails with code, 0x7777 resets', () => {
    expect(run(0, 0x5555)).toEqual([{ kind: 'pass', code: 0 }]);
    expect(run(0, (42 << 16) | 0x3333)).toEqual([{ kind: 'fail', code: 42 }]);
    expect(run(0, 0xffff3333)).toEqual([{ kind: 'fail', code: 0xffff }]);
    expect(run(0, 0x7777)).toEqual([{ kind: 'reset', code: 0 }]);
  });
  test('other values and offsets do nothing; reads are 0', () => {
    expect(run(0, 0x1234)).toEqual([]);
    expect(run(4, 0x5555)).toEqual([]);
    expect(new SifiveTest(() => undefined).read()).toBe(0);
  });
});

describe('doorbell', () => {
  function setup() {
    const pins = new Pins();
    let line = false;
    const db = new Doorbell(pins, (l) => { line = l; });
    return { pins, db, line: () => line };
  }
  test('MODE 0: a ring raises the interrupt line and latches CAUSE until ACK', () => {
    const { db, line } = setup();
    db.ring(5);
    expect(line()).toBe(true);
    expect(db.read(4)).toBe(5);
    db.write(8, 4, 0);
    expect(line()).toBe(false);
    expect(db.read(4)).toBe(0);
  });
  test('RING from the guest rings with its value; zero does nothing; RING reads 0', () => {
    const { db, line } = setup();
    db.write(0, 4, 0);
    expect(line()).toBe(false);
    db.write(0, 4, 9);
    expect(line()).toBe(true);
    expect(db.read(4)).toBe(9);
    expect(db.read(0)).toBe(0);
  });
  test('MODE 1: a ring raises a resumable NMI with the cause, not the line', () => {
    const { db, pins, line } = setup();
    db.write(12, 4, 0xff);
    expect(db.read(12)).toBe(1);
    db.ring(2);
    expect(pins.rnmi).toEqual([2]);
    expect(line()).toBe(false);
    expect(db.read(4)).toBe(2);
  });
  test('on the machine: MODE 0 sets mip bit 16, ACK clears it; MODE 1 makes an RNMI pending', () => {
    const m = new Machine({ ramSize: 1 << 20, deviceTree: false });
    m.doorbell.ring(1);
    expect((m.hart.mip() >>> 16) & 1).toBe(1);
    m.bus.write(DOORBELL_BASE + 8, 4, 1);
    expect((m.hart.mip() >>> 16) & 1).toBe(0);
    m.bus.write(DOORBELL_BASE + 12, 4, 1);
    m.doorbell.ring(7);
    expect(m.hart.rnmiPending).toBe(1n);
    expect(m.hart.rnmiCause).toBe(7n);
  });
});
