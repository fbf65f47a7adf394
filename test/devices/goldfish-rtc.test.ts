// Goldfish RTC rules (QEMU's goldfish_rtc model; Android goldfish RTC documentation).
import { GoldfishRtc } from '../../reference/machine/devices/goldfish-rtc';
import { Machine } from '../../reference/machine/machine';
import { PLIC_BASE, RTC_BASE, RTC_IRQ } from '../../reference/machine/devices/memory-map';
import { Clock, Line, Timer } from './helpers';

const TIME_LOW = 0, TIME_HIGH = 4, ALARM_LOW = 8, ALARM_HIGH = 0xc, IRQ_ENABLED = 0x10;
const CLEAR_ALARM = 0x14, ALARM_STATUS = 0x18, CLEAR_INTERRUPT = 0x1c;

function setup() {
  const clock = new Clock(), irq = new Line(), timer = new Timer();
  return { clock, irq, timer, rtc: new GoldfishRtc(clock, irq, timer) };
}

describe('goldfish RTC', () => {
  test('time is nanoseconds from mtime (100 ns per tick); reading TIME_LOW latches TIME_HIGH', () => {
    const { clock, rtc } = setup();
    clock.ticks = 50_000_000; // 5 s
    const lo = rtc.read(TIME_LOW, 4);
    clock.ticks = 90_000_000; // the high half must not move until TIME_LOW is read again
    const hi = rtc.read(TIME_HIGH, 4);
    expect(hi * 2 ** 32 + lo).toBe(5_000_000_000);
  });

  test('writing TIME_HIGH then TIME_LOW sets the clock, which then keeps running', () => {
    const { clock, rtc } = setup();
    rtc.write(TIME_HIGH, 4, 0x10);
    rtc.write(TIME_LOW, 4, 0x20);
    expect(rtc.now()).toBe(0x10_0000_0020n);
    clock.ticks += 3;
    expect(rtc.now()).toBe(0x10_0000_0020n + 300n);
  });

  test('an alarm in the future runs until its time, then raises the interrupt if enabled', () => {
    const { clock, irq, timer, rtc } = setup();
    clock.ticks = 1000; // 100 us
    rtc.write(IRQ_ENABLED, 4, 1);
    rtc.write(ALARM_HIGH, 4, 0);
    rtc.write(ALARM_LOW, 4, 150_050); // 50.05 us from now: the timer rounds up to a whole tick
    expect(rtc.read(ALARM_STATUS, 4)).toBe(1);
    expect(rtc.read(ALARM_LOW, 4)).toBe(150_050);
    expect(timer.at).toBe(1000 + 501);
    expect(irq.level).toBe(false);
    clock.ticks = timer.at;
    rtc.fire();
    expect(irq.level).toBe(true);
    expect(rtc.read(ALARM_STATUS, 4)).toBe(0);
    rtc.write(CLEAR_INTERRUPT, 4, 1);
    expect(irq.level).toBe(false);
  });

  test('an alarm already past fires at once; IRQ_ENABLED gates the line', () => {
    const { clock, irq, rtc } = setup();
    clock.ticks = 1000;
    rtc.write(ALARM_LOW, 4, 5);
    expect(rtc.read(ALARM_STATUS, 4)).toBe(0);
    expect(irq.level).toBe(false);
    rtc.write(IRQ_ENABLED, 4, 1);
    expect(rtc.read(IRQ_ENABLED, 4)).toBe(1);
    expect(irq.level).toBe(true);
    rtc.write(IRQ_ENABLED, 4, 0);
    expect(irq.level).toBe(false);
  });

  test('CLEAR_ALARM disarms', () => {
    const { irq, timer, rtc } = setup();
    rtc.write(IRQ_ENABLED, 4, 1);
    rtc.write(ALARM_LOW, 4, 1_000_000);
    rtc.write(CLEAR_ALARM, 4, 1);
    expect(rtc.read(ALARM_STATUS, 4)).toBe(0);
    expect(timer.at).toBe(Infinity);
    rtc.fire();
    expect(irq.level).toBe(false);
  });

  test('on the machine: the alarm fires between instructions and reaches the PLIC', () => {
    const m = new Machine({ ramSize: 1 << 20, deviceTree: false });
    m.loadBytes(0x80000000n, Uint8Array.of(0x6f, 0, 0, 0)); // j .
    m.hart.setPc(0x80000000n);
    m.bus.write(RTC_BASE + IRQ_ENABLED, 4, 1);
    const t0 = m.rtc.now();
    m.bus.write(RTC_BASE + ALARM_HIGH, 4, 0);
    m.bus.write(RTC_BASE + ALARM_LOW, 4, Number(t0) + 20_000); // 20 us
    const pending = () => (m.bus.read(PLIC_BASE + 0x1000, 4) >>> RTC_IRQ) & 1;
    expect(pending()).toBe(0);
    m.run({ maxInsns: 200_000 });
    expect(m.rtc.now() - t0).toBeGreaterThanOrEqual(20_000n);
    expect(pending()).toBe(1);
  });

  test('on the machine: an alarm wakes a hart waiting in wfi with MEIE set', () => {
    const m = new Machine({ ramSize: 1 << 20, deviceTree: false });
    m.loadBytes(0x80000000n, Uint8Array.of(0x73, 0x00, 0x50, 0x10, 0x6f, 0, 0, 0)); // wfi; j .
    m.hart.setPc(0x80000000n);
    m.hart.writeCsr(0x304, 1n << 11n); // mie.MEIE (mstatus.MIE stays 0: wfi still wakes)
    m.bus.write(PLIC_BASE + 4 * RTC_IRQ, 4, 1);
    m.bus.write(PLIC_BASE + 0x2000, 4, 1 << RTC_IRQ);
    m.bus.write(RTC_BASE + IRQ_ENABLED, 4, 1);
    m.bus.write(RTC_BASE + ALARM_LOW, 4, Number(m.rtc.now()) + 1_000_000); // 1 ms
    const r = m.run({ maxInsns: 1000 });
    expect(r.reason).toBe('limit'); // without the alarm the hart would stop as idle
    expect(m.hart.getPc()).toBe(0x80000004n);
    expect(m.hart.mtime()).toBeGreaterThanOrEqual(10_000);
  });
});
