// The service under a saturating load (harness/service/load.ts; the overhead suite's service
// vectors and the gate's throughput): each configuration keeps every property of a scenario, and
// the configurations differ as they must: virtualizing the one instance costs little, and v1 keeps
// about its share of the hart while v2's slow boot computes beside it.
import { readFileSync } from 'fs';
import { FIRMWARE, serviceImage } from '../../harness/service/images';
import { loadScenario } from '../../harness/service/load';
import { Images, runScenario, TICKS_PER_MS } from '../../harness/service/scenario';

const images: Images = {
  firmware: new Uint8Array(readFileSync(FIRMWARE)),
  v1: serviceImage('service-v1'), v2: serviceImage('service-v2-part'), v2Boot: serviceImage('service-v2'),
};
const budget = 10 * TICKS_PER_MS;

test('the three configurations pass, and their throughputs differ as the sharing of the hart says', () => {
  const native = runScenario(loadScenario('native', 1, budget), images);
  const virt = runScenario(loadScenario('virtualized', 1, budget), images);
  const beside = runScenario(loadScenario('beside-v2', 1, budget), images);
  for (const r of [native, virt, beside]) expect(r.violations).toEqual([]);
  expect([native.passed, virt.passed, beside.passed]).toEqual([true, true, true]);
  // The script saturates: all 1,600 requests answered, long after the last was queued (10 ms).
  expect(native.throughput!.responses).toBe(1600);
  expect(native.throughput!.to).toBeGreaterThan(5 * 10 * TICKS_PER_MS);

  // Virtualized from the host as soon as it served, devirtualized before the read-back.
  const events = virt.timeline.filter((e) => e.who === 'harness').map((e) => e.event);
  expect(events).toEqual(expect.arrayContaining(['doorbell-virtualize', 'doorbell-devirtualize']));
  expect(virt.devirtualized).toBe(true);
  // Every request the same as natively, a little slower: the firmware's cost while virtualized.
  expect(virt.throughput!.responses).toBe(native.throughput!.responses);
  expect(virt.throughput!.to).toBeGreaterThan(native.throughput!.to);
  expect(virt.throughput!.perSecond / native.throughput!.perSecond).toBeGreaterThan(0.99);

  // v2's slow boot computes for 30 ms beside v1: v1 keeps roughly its even share, then v2 serves.
  const booting = beside.phases.find((p) => p.name === 'v2-booting')!;
  expect(booting.to - booting.from).toBeGreaterThan(30 * TICKS_PER_MS);
  const share = booting.perSecond / native.throughput!.perSecond;
  expect(share).toBeGreaterThan(0.4);
  expect(share).toBeLessThan(0.75);
  expect(beside.finalVersion).toBe(2);
});
