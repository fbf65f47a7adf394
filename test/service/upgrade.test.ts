// The upgrade on the reference, judged by the scenario's properties (conformance/service-protocol.md):
// in band, v2 serves a devirtualized machine within the downtime budget with every acknowledged
// write read back; and the broken firmware variants fail with a message naming the wrong step:
// a hand_over that moves a live device (maintenance-sbi.md: "hand_over quiesces the device (a
// virtio device is reset ...)") and a rollback that keeps the disk ("rollback() ... gives every
// device back to instance 0").
import { readFileSync } from 'fs';
import { join } from 'path';
import { FIRMWARE, serviceImage } from '../../harness/service/images';
import { serviceDowntimeBudgetMs } from '../../harness/service/budget';
import { Images, runScenario, Scenario, TICKS_PER_MS } from '../../harness/service/scenario';

const ms = (n: number) => n * TICKS_PER_MS;
const images = (firmware: string): Images => ({
  firmware: new Uint8Array(readFileSync(firmware)),
  v1: serviceImage('service-v1'), v2: serviceImage('service-v2-part'), v2Boot: serviceImage('service-v2'),
});
const bug = (name: string) => join(FIRMWARE, '..', `bug-${name}.elf`);
const scenario = (over: Partial<Scenario>): Scenario => ({
  name: 't', clients: 3, interval: ms(1), trafficEnd: ms(30), keysPerClient: 6, seed: 3, upgradeAt: ms(6),
  faults: {}, expect: { versions: [2], downtimeBudget: ms(serviceDowntimeBudgetMs()) }, deadline: ms(600), ...over,
});

test('in band: v2 takes over within the budget, the machine devirtualizes, every acknowledged write reads back', () => {
  const r = runScenario(scenario({}), images(FIRMWARE));
  expect(r.violations).toEqual([]);
  expect(r.passed).toBe(true);
  expect(r.finalVersion).toBe(2);
  expect(r.devirtualized).toBe(true);
  expect(r.downtime).not.toBeNull();
  expect(r.downtime!).toBeLessThanOrEqual(ms(serviceDowntimeBudgetMs()));
  const order = ['v2-started', 'ready', 'drained', 'handed-over', 'devices-received', 'committed', 'disk-migrated-from-format'];
  const at = order.map((e) => r.timeline.find((x) => x.event === e)?.at ?? NaN);
  expect(at.every((t, i) => i === 0 || t >= at[i - 1])).toBe(true);
});

test('a firmware that hands a device over without resetting it is caught, naming the device', () => {
  const r = runScenario(scenario({}), images(bug('handover-no-reset')));
  expect(r.passed).toBe(false);
  expect(r.violations[0].what).toMatch(/^the disk \(virtio slot 0\) went from instance 0 to instance 1 without a reset: its status was 0x[0-9a-f]+ when instance 1 first touched it$/);
});

test('a rollback that forgets the disk is caught, naming the device v1 no longer owns', () => {
  const s = scenario({ faults: { v2: 'fail-health' }, expect: { versions: [1], downtimeBudget: ms(10) } });
  expect(runScenario(s, images(FIRMWARE)).violations).toEqual([]);
  const r = runScenario(s, images(bug('rollback-forgets-disk')));
  expect(r.passed).toBe(false);
  expect(r.violations[0].what).toMatch(/^the service stopped the machine \(fail code 1\): nothing serves: v1 took an access fault \(cause 5\) on the disk \(virtio slot 0\), which it does not own$/);
});
