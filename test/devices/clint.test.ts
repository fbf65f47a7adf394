// CLINT register rules (SiFive CLINT / RISC-V ACLINT specifications; QEMU virt's layout).
import { Clint } from '../../reference/machine/devices/clint';
import { Machine } from '../../reference/machine/machine';
import { CLINT_BASE } from '../../reference/machine/devices/memory-map';
import { Clock, Pins } from './helpers';

const MTIMECMP = 0x4000, MTIME = 0xbff8;

function setup() {
  const pins = new Pins(), clock = new Clock();
  return { pins, clock, clint: new Clint(pins, clock) };
}

describe('CLINT', () => {
  test('msip: only bit 0 exists and drives MSIP', () => {
    const { pins, clint } = setup();
    clint.write(0, 4, 0xffffffff);
    expect(clint.read(0, 4)).toBe(1);
    expect(pins.msip).toBe(true);
    clint.write(0, 4, 2);
    expect(clint.read(0, 4)).toBe(0);
    expect(pins.msip).toBe(false);
  });

  test('msip of a hart that does not exist reads 0', () => {
    const { clint } = setup();
    clint.write(4, 4, 1);
    expect(clint.read(4, 4)).toBe(0);
  });

  test('mtimecmp is 64-bit, written and read as two 32-bit halves', () => {
    const { pins, clint } = setup();
    expect(clint.mtimecmp(0)).toBe(Infinity); // idle until software writes it, as QEMU
    clint.write(MTIMECMP, 4, 0x89abcdef);
    clint.write(MTIMECMP + 4, 4, 0x1234);
    expect(clint.read(MTIMECMP, 4)).toBe(0x89abcdef);
    expect(clint.read(MTIMECMP + 4, 4)).toBe(0x1234);
    expect(clint.mtimecmp(0)).toBe(0x1234 * 2 ** 32 + 0x89abcdef);
    expect(pins.timerChanges).toBe(2);
  });

  test('byte and halfword accesses compose into the register', () => {
    const { clint } = setup();
    clint.write(MTIMECMP, 4, 0);
    clint.write(MTIMECMP + 1, 1, 0xaa);
    clint.write(MTIMECMP + 2, 2, 0xbbcc);
    expect(clint.read(MTIMECMP, 4)).toBe(0xbbccaa00);
    expect(clint.read(MTIMECMP + 3, 1)).toBe(0xbb);
    expect(clint.read(MTIMECMP + 2, 2)).toBe(0xbbcc);
  });

  test('mtime reads the timebase; writing it moves the clock', () => {
    const { pins, clock, clint } = setup();
    clock.ticks = 5 * 2 ** 32 + 77;
    expect(clint.read(MTIME, 4)).toBe(77);
    expect(clint.read(MTIME + 4, 4)).toBe(5);
    clint.write(MTIME, 4, 1000);
    expect(clint.mtimeOffset).toBe(1000 - 77);
    expect(pins.timerChanges).toBe(1);
  });

  test('on the machine: MTIP rises when mtime reaches mtimecmp, and an sd writes both halves', () => {
    const m = new Machine({ ramSize: 1 << 20, deviceTree: false });
    const now = m.hart.mtime();
    m.bus.write(CLINT_BASE + MTIMECMP, 4, now + 50);
    m.bus.write(CLINT_BASE + MTIMECMP + 4, 4, 0);
    expect(m.hart.mip() & (1 << 7)).toBe(0);
    // Run a self loop long enough for 50 ticks of the 10 MHz timebase to pass.
    m.loadBytes(0x80000000n, Uint8Array.of(0x6f, 0, 0, 0));
    m.hart.setPc(0x80000000n);
    m.run({ maxInsns: 100_000 });
    expect(m.hart.mtime()).toBeGreaterThanOrEqual(now + 50);
    expect(m.hart.mip() & (1 << 7)).toBe(1 << 7);
    m.bus.write(CLINT_BASE + MTIMECMP + 4, 4, 1);
    expect(m.hart.mip() & (1 << 7)).toBe(0);
  });
});
