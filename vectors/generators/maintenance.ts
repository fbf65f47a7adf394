// The maintenance suite (conformance/service-protocol.md; issue 11): upgrade scenarios generated
// from traces of the upgrade, as the transparency schedules are from traces of the probes. The
// default upgrade, and each fault's upgrade, is run once on the reference; every event the service
// printed in that trace (and points shortly after it) becomes a point at which a fault is injected:
// a power loss, a doorbell storm, a burst of traffic. The expectations come from the scenario's
// specification, not from a run: an upgrade without a fault ends with v2 serving within the
// downtime budget; a fault of v2, a v1 that refuses, or a bad image ends with v1 serving; a power
// loss before the commit ends with v1, after v2 serves with v2, in between with either (the
// migration's superblock switch decides which disk format is installed).

import * as fs from 'fs';
import * as path from 'path';
import type { ServiceGroup } from '../build';
import { GENERATOR_VERSION, imageHash, REFERENCE_VERSION, vectorId } from '../format';
import type { ServiceExpected, ServiceScenario, ServiceVector } from '../schema/types';
import { runScenario, Scenario, TICKS_PER_MS } from '../../harness/service/scenario';
import type { FaultName } from '../../harness/service/images';
import { serviceDowntimeBudgetMs } from '../../harness/service/budget';

const ROOT = path.resolve(__dirname, '../../..');
/** The images of a service scenario (the overhead suite's service vectors use them too). */
export const SERVICE_FILES = {
  firmware: 'reference/firmware/build/microvisor.elf',
  v1: 'reference/guests/service/build/service-v1.elf',
  v2: 'reference/guests/service/build/service-v2-part.elf',
  v2Boot: 'reference/guests/service/build/service-v2.elf',
};
const BUDGETS = 'ci/budgets.json';
const SPEC = 'conformance/service-protocol.md#what-a-scenario-checks';
const ms = (n: number) => Math.round(n * TICKS_PER_MS);
/** Points after a traced event at which a fault lands. */
const DELAYS = [0, ms(0.05), ms(0.5), ms(2)];
/* hang-after: v2 hangs after taking over; v1's takeover deadline must roll back (the firmware
   once let a hung instance 1 keep the hart through its pending device interrupts). */
const V2_FAULTS: FaultName[] = ['crash-boot', 'hang-boot', 'fail-health', 'corrupt', 'hang-after'];

function base(seed: number): ServiceScenario {
  return { clients: 3, interval: ms(1), trafficEnd: ms(60), keysPerClient: 6, seed, upgradeAt: ms(8), faults: {}, deadline: ms(600) };
}

/** The downtime budget of the default scenario (ci/budgets.json `service`). */
function budget(): number { return ms(serviceDowntimeBudgetMs(path.join(ROOT, BUDGETS))); }

function loadImages() {
  const read = (p: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, p)));
  return { firmware: read(SERVICE_FILES.firmware), v1: read(SERVICE_FILES.v1), v2: read(SERVICE_FILES.v2), v2Boot: read(SERVICE_FILES.v2Boot) };
}

/** The service events of one traced run after the upgrade was asked for (each once per build), and when the management request was answered. */
function traced(s: ServiceScenario, images: ReturnType<typeof loadImages>): { events: { event: string; who: string; at: number; seen?: number }[]; answeredAt: number } {
  const run: Scenario = { ...s, name: 'trace', expect: null, faults: s.faults as Scenario['faults'] };
  const r = runScenario(run, images);
  const seen = new Set<string>();
  const events = r.timeline.filter((e) => /^v\d$/.test(e.who) && e.at >= (s.upgradeAt ?? 0) && !seen.has(`${e.who}:${e.event}`) && seen.add(`${e.who}:${e.event}`));
  const answeredAt = r.timeline.find((e) => e.event.startsWith('upgrade-answered'))?.at ?? Infinity;
  return { events, answeredAt };
}

export function maintenanceGroups(): ServiceGroup[] {
  return [{
    kind: 'service', suite: 'maintenance', file: 'maintenance/upgrade.json', generator: 'maintenance/traced',
    images: Object.values(SERVICE_FILES),
    vectors: () => maintenanceVectors(),
  }];
}

function maintenanceVectors(): ServiceVector[] {
  const images = loadImages();
  const hashes = {
    firmware: imageHash(images.firmware), v1: imageHash(images.v1), v2: imageHash(images.v2), v2Boot: imageHash(images.v2Boot),
  };
  const downtime = budget();
  const out: ServiceVector[] = [];
  const seenIds = new Set<string>();
  const add = (title: string, tags: string[], scenario: ServiceScenario, versions: number[]) => {
    const inputs = { kind: 'service' as const, ...hashes, scenario };
    const id = vectorId('maintenance', inputs);
    if (seenIds.has(id)) return;
    seenIds.add(id);
    const expected: ServiceExpected = { versions, downtimeBudget: downtime };
    out.push({
      id, suite: 'maintenance', title, tags: ['microvisor', ...tags], spec: SPEC,
      provenance: { generator: 'maintenance/traced', generatorVersion: GENERATOR_VERSION, seed: String(scenario.seed), referenceVersion: REFERENCE_VERSION, expected: 'spec' },
      inputs, expected,
    });
  };

  // The upgrade itself, with its image on the disk or sent over the network.
  for (let seed = 1; seed <= 8; seed++) {
    add(`upgrade (seed ${seed})`, ['upgrade'], base(seed), [2]);
    add(`upgrade, image over the network (seed ${seed})`, ['upgrade', 'image-over-network'], { ...base(seed), imageOverNetwork: true }, [2]);
  }
  // Faults that end in v1 serving.
  for (let seed = 1; seed <= 6; seed++) {
    for (const f of V2_FAULTS) add(`v2 ${f} (seed ${seed})`, ['rollback', `fault:${f}`], { ...base(seed), faults: { v2: f } }, [1]);
    add(`v1 refuse-release (seed ${seed})`, ['rollback', 'fault:refuse-release'], { ...base(seed), faults: { v1: 'refuse-release' } }, [1]);
    for (const image of ['not-elf', 'too-big', 'entry-outside']) add(`bad image ${image} (seed ${seed})`, ['bad-image', `fault:${image}`], { ...base(seed), faults: { image } }, [1]);
  }

  // Faults at every point of the traced upgrade (each scenario with the traced one's traffic, so
  // the points fall where the trace saw them).
  const trace = traced(base(1), images);
  const committedAt = trace.events.find((e) => e.event === 'committed')?.at ?? Infinity;
  const v2ServesAt = trace.events.find((e) => e.event === 'serving' && e.who === 'v2')?.at ?? Infinity;
  for (const { event, who, seen } of trace.events) {
    for (const delay of DELAYS) {
      // A trigger counts from the moment the line was whole on the console, as the run does.
      const when = seen! + delay;
      const trigger = { event, delay, who };
      // A power loss before v1 answered the management request: the client retries it and the
      // upgrade runs after the reboot (v2). After the answer and before the commit: v1 stays. After
      // v2 serves: v2. In between (the migration's superblock switch decides): either.
      const versions = when < trace.answeredAt ? [2] : when < committedAt ? [1] : when >= v2ServesAt ? [2] : [1, 2];
      add(`power loss at ${who} ${event}+${delay}`, ['reset', `at:${event}`], { ...base(1), faults: { reset: trigger } }, versions);
      add(`doorbell storm at ${who} ${event}+${delay}`, ['storm', `at:${event}`], { ...base(1), faults: { storm: { ...trigger, count: 200, every: 100 } } }, [2]);
      add(`traffic burst at ${who} ${event}+${delay}`, ['burst', `at:${event}`], { ...base(1), faults: { burst: { ...trigger, count: 16 } } }, [2]);
    }
  }
  // A power loss at every point of each rollback: v1 serves at the end whether the retried request
  // upgrades again (and rolls back again) or not.
  for (const f of V2_FAULTS) {
    const s = { ...base(5), faults: { v2: f } };
    for (const { event, who } of traced(s, images).events) {
      for (const delay of [0, ms(0.5)]) {
        add(`v2 ${f}, power loss at ${who} ${event}+${delay}`, ['rollback', 'reset', `fault:${f}`, `at:${event}`], { ...s, faults: { v2: f, reset: { event, delay, who } } }, [1]);
      }
    }
  }
  // Out of band: the host drives the upgrade through the doorbell (harness/service/out-of-band.ts).
  for (let seed = 1; seed <= 6; seed++) {
    add(`out of band (seed ${seed})`, ['upgrade', 'out-of-band', 'doorbell'], { ...base(seed), outOfBand: true }, [2]);
    add(`out of band, v2 crash-boot (seed ${seed})`, ['rollback', 'out-of-band', 'doorbell', 'fault:crash-boot'], { ...base(seed), outOfBand: true, faults: { v2: 'crash-boot' } }, [1]);
    add(`out of band, v2 hang-boot (seed ${seed})`, ['rollback', 'out-of-band', 'doorbell', 'fault:hang-boot'], { ...base(seed), outOfBand: true, faults: { v2: 'hang-boot' } }, [1]);
    const image = ['not-elf', 'too-big', 'entry-outside'][seed % 3];
    add(`out of band, bad image ${image} (seed ${seed})`, ['bad-image', 'out-of-band', 'doorbell', `fault:${image}`], { ...base(seed), outOfBand: true, faults: { image } }, [1]);
  }
  return out;
}
