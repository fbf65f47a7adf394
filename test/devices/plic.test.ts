// PLIC register rules (RISC-V PLIC specification 1.0.0; where QEMU 7.2 differs the test names
// the choice documented in conformance/platform.md).
import { Plic, PlicGateway } from '../../reference/machine/devices/plic';
import { Pins } from './helpers';

const PRIO = (s: number) => 4 * s;
const PENDING = 0x1000;
const ENABLE = (ctx: number) => 0x2000 + 0x80 * ctx;
const THRESHOLD = (ctx: number) => 0x200000 + 0x1000 * ctx;
const CLAIM = (ctx: number) => THRESHOLD(ctx) + 4;

function setup(gateway: PlicGateway = 'qemu') {
  const pins = new Pins();
  const plic = new Plic(pins, gateway);
  const src = (n: number) => plic.source(n);
  const enable = (ctx: number, s: number) => plic.write(ENABLE(ctx) + 4 * (s >> 5), 4, plic.read(ENABLE(ctx) + 4 * (s >> 5), 4) | (1 << (s & 31)));
  return { pins, plic, src, enable };
}

describe('PLIC', () => {
  test('priorities are WARL 0..7; source 0 has none', () => {
    const { plic } = setup();
    plic.write(PRIO(5), 4, 0xff);
    expect(plic.read(PRIO(5), 4)).toBe(7);
    plic.write(PRIO(95), 4, 3);
    expect(plic.read(PRIO(95), 4)).toBe(3);
    plic.write(PRIO(0), 4, 5);
    expect(plic.read(PRIO(0), 4)).toBe(0);
  });

  test('spec gateway: pending bits latch requests, ignore writes, and only a claim clears them', () => {
    const { plic, src, enable } = setup('spec');
    src(10).set(true);
    src(33).set(true);
    expect(plic.read(PENDING, 4)).toBe(1 << 10);
    expect(plic.read(PENDING + 4, 4)).toBe(1 << 1);
    plic.write(PENDING, 4, 0);
    expect(plic.read(PENDING, 4)).toBe(1 << 10);
    // "The gateway does not have the facility to retract an interrupt request once forwarded."
    src(10).set(false);
    expect(plic.read(PENDING, 4)).toBe(1 << 10);
    plic.write(PRIO(10), 4, 1);
    enable(0, 10);
    expect(plic.read(CLAIM(0), 4)).toBe(10);
    expect(plic.read(PENDING, 4)).toBe(0);
  });

  test('QEMU gateway (default): each raise pends, a lower does not retract, completion does not re-pend', () => {
    const { pins, plic, src, enable } = setup();
    expect(plic.gateway).toBe('qemu');
    plic.write(PRIO(10), 4, 1);
    enable(0, 10);
    src(10).set(true);
    expect(plic.read(PENDING, 4)).toBe(1 << 10);
    // QEMU 7.2 keeps the request when the line drops (test/cli/qemu-line.test.ts checks it on QEMU).
    src(10).set(false);
    expect(plic.read(PENDING, 4)).toBe(1 << 10);
    src(10).set(true);
    expect(plic.read(CLAIM(0), 4)).toBe(10);
    // The line stays high (a THR-empty interrupt nobody acknowledges): completion ends the claim
    // and nothing pends again until the device drives its line again.
    plic.write(CLAIM(0), 4, 10);
    expect(pins.meip).toBe(false);
    expect(plic.read(CLAIM(0), 4)).toBe(0);
    // A raise while claimed pends the source; it is offered once completed.
    src(10).set(true);
    expect(plic.read(CLAIM(0), 4)).toBe(10);
    src(10).set(true);
    expect(pins.meip).toBe(false);
    plic.write(CLAIM(0), 4, 10);
    expect(pins.meip).toBe(true);
    expect(plic.read(CLAIM(0), 4)).toBe(10);
  });

  test('enables are per context, 96 bits; source 0\'s bit is writable as on QEMU but never pends', () => {
    const { plic, pins } = setup();
    plic.write(ENABLE(0), 4, 0xffffffff);
    plic.write(ENABLE(1) + 8, 4, 0x80000000);
    expect(plic.read(ENABLE(0), 4)).toBe(0xffffffff);
    expect(plic.read(CLAIM(0), 4)).toBe(0);
    expect(pins.meip).toBe(false);
    expect(plic.read(ENABLE(1), 4)).toBe(0);
    expect(plic.read(ENABLE(1) + 8, 4)).toBe(0x80000000);
    expect(plic.read(ENABLE(0) + 12, 4)).toBe(0); // no fourth word: 96 sources
  });

  test('context 0 drives MEIP and context 1 drives SEIP', () => {
    const { pins, plic, src, enable } = setup();
    plic.write(PRIO(10), 4, 1);
    src(10).set(true);
    expect(pins.meip || pins.seip).toBe(false);
    enable(1, 10);
    expect(pins.seip).toBe(true);
    expect(pins.meip).toBe(false);
    enable(0, 10);
    expect(pins.meip).toBe(true);
  });

  test('priority 0 never interrupts; the threshold masks priorities at or below it', () => {
    const { pins, plic, src, enable } = setup();
    enable(0, 4);
    src(4).set(true);
    expect(pins.meip).toBe(false);
    plic.write(PRIO(4), 4, 3);
    expect(pins.meip).toBe(true);
    plic.write(THRESHOLD(0), 4, 3);
    expect(plic.read(THRESHOLD(0), 4)).toBe(3);
    expect(pins.meip).toBe(false);
    expect(plic.read(CLAIM(0), 4)).toBe(0); // QEMU: claim honours the threshold
    plic.write(THRESHOLD(0), 4, 2);
    expect(pins.meip).toBe(true);
    plic.write(THRESHOLD(0), 4, 0xff);
    expect(plic.read(THRESHOLD(0), 4)).toBe(7);
  });

  test('claim returns the highest priority, ties to the lowest ID, and clears pending', () => {
    const { plic, src, enable } = setup();
    for (const [s, p] of [[3, 2], [7, 5], [9, 5], [40, 1]]) { plic.write(PRIO(s), 4, p); enable(0, s); src(s).set(true); }
    expect(plic.read(CLAIM(0), 4)).toBe(7);
    expect(plic.read(PENDING, 4) & (1 << 7)).toBe(0);
    expect(plic.read(CLAIM(0), 4)).toBe(9);
    expect(plic.read(CLAIM(0), 4)).toBe(3);
    expect(plic.read(CLAIM(0), 4)).toBe(40);
    expect(plic.read(CLAIM(0), 4)).toBe(0);
  });

  test('a claimed source is not offered again, to any context, until completed', () => {
    const { pins, plic, src, enable } = setup();
    plic.write(PRIO(10), 4, 1);
    enable(0, 10); enable(1, 10);
    src(10).set(true);
    expect(plic.read(CLAIM(1), 4)).toBe(10);
    src(10).set(true); // the device asserts again while being serviced
    expect(pins.meip).toBe(false);
    expect(plic.read(CLAIM(0), 4)).toBe(0);
    plic.write(CLAIM(1), 4, 10);
    expect(pins.meip).toBe(true);
  });

  test('spec gateway: completion re-arms a line that is still asserted (level-triggered gateway)', () => {
    const { pins, plic, src, enable } = setup('spec');
    plic.write(PRIO(1), 4, 1);
    enable(1, 1);
    src(1).set(true);
    expect(plic.read(CLAIM(1), 4)).toBe(1);
    expect(pins.seip).toBe(false);
    plic.write(CLAIM(1), 4, 1);
    expect(pins.seip).toBe(true);
    expect(plic.read(CLAIM(1), 4)).toBe(1);
    src(1).set(false);
    plic.write(CLAIM(1), 4, 1);
    expect(pins.seip).toBe(false);
    expect(plic.read(PENDING, 4)).toBe(0);
    expect(plic.read(CLAIM(1), 4)).toBe(0);
  });

  test('complete does not check the enable bit (QEMU)', () => {
    const { plic, src, enable } = setup('spec');
    plic.write(PRIO(2), 4, 1);
    enable(0, 2);
    src(2).set(true);
    expect(plic.read(CLAIM(0), 4)).toBe(2);
    plic.write(ENABLE(0), 4, 0);
    plic.write(CLAIM(0), 4, 2);
    enable(0, 2);
    expect(plic.read(CLAIM(0), 4)).toBe(2);
  });

  test('completing an ID that does not exist changes nothing', () => {
    const { plic, src, enable } = setup();
    plic.write(PRIO(2), 4, 1);
    enable(0, 2);
    src(2).set(true);
    expect(plic.read(CLAIM(0), 4)).toBe(2);
    plic.write(CLAIM(0), 4, 0);
    plic.write(CLAIM(0), 4, 96);
    plic.write(CLAIM(0), 4, 0xffffffff);
    expect(plic.read(CLAIM(0), 4)).toBe(0);
  });

  test('reset clears everything and lowers both lines', () => {
    const { pins, plic, src, enable } = setup();
    plic.write(PRIO(2), 4, 1); enable(0, 2); src(2).set(true);
    expect(pins.meip).toBe(true);
    plic.reset();
    expect(pins.meip).toBe(false);
    expect(plic.read(PRIO(2), 4)).toBe(0);
    expect(plic.read(ENABLE(0), 4)).toBe(0);
  });
});
