// The service under a saturating load (the overhead suite and the gate; issue 11 "overhead grows"):
// eight closed-loop clients with more requests queued than the service can answer, so the run's
// length is the service's own speed. Three configurations of the same script:
//   native       v1 under the dormant Microvisor;
//   virtualized  v1 virtualized from the host (the doorbell) as soon as it serves, one instance;
//   beside-v2    v1 serving while v2 boots beside it in the partition (a boot that computes for
//                30 ms, svc.h FAULT_SLOW_BOOT), then the upgrade completes.
// The vectors judge each run by the scenario's properties; the gate compares the throughputs
// (ci/budgets.json service.throughput): virtualized against native whole-run, beside-v2 over the
// stretch from the upgrade request to v2's `ready` against native.

import type { Scenario } from './scenario';
import { TICKS_PER_MS } from './scenario';

const ms = (n: number) => Math.round(n * TICKS_PER_MS);

export type LoadConfig = 'native' | 'virtualized' | 'beside-v2';
export const LOAD_CONFIGS: LoadConfig[] = ['native', 'virtualized', 'beside-v2'];

/** The saturating script: 8 clients, a request each queued every 50 us for 10 ms (1,600 requests). */
export function loadScenario(config: LoadConfig, seed: number, downtimeBudget: number): Scenario {
  const base: Scenario = {
    name: `load ${config}`, clients: 8, interval: ms(0.05), trafficEnd: ms(10), keysPerClient: 8, seed,
    upgradeAt: null, faults: {}, expect: { versions: [1], downtimeBudget }, deadline: ms(1000),
  };
  switch (config) {
    case 'native': return base;
    case 'virtualized': return { ...base, virtualizeAfterServing: 0 };
    case 'beside-v2': return { ...base, upgradeAt: ms(4), faults: { v2: 'slow-boot' }, expect: { versions: [2], downtimeBudget } };
  }
}
