// The overhead suite's service vectors (issue 11, "overhead grows"): the service under a
// saturating load natively, virtualized with one instance, and with v2 booting beside it
// (harness/service/load.ts). Each vector is judged by the scenario's properties (every
// acknowledged write present, no wrong response, the expected version serving a devirtualized
// machine); the throughput ratios are the gate's, from the same scenarios.

import * as fs from 'fs';
import * as path from 'path';
import type { ServiceGroup } from '../build';
import { GENERATOR_VERSION, imageHash, REFERENCE_VERSION, vectorId } from '../format';
import type { ServiceScenario, ServiceVector } from '../schema/types';
import { LOAD_CONFIGS, loadScenario } from '../../harness/service/load';
import { serviceDowntimeBudgetMs } from '../../harness/service/budget';
import { TICKS_PER_MS } from '../../harness/service/scenario';
import { SERVICE_FILES } from './maintenance';

const ROOT = path.resolve(__dirname, '../../..');
const SPEC = 'conformance/service-protocol.md#throughput-under-the-microvisor';
const SEEDS = [1, 2, 3];

export function overheadServiceGroups(): ServiceGroup[] {
  return [{
    kind: 'service', suite: 'overhead', file: 'overhead/service.json', generator: 'overhead/service',
    images: Object.values(SERVICE_FILES),
    vectors: () => {
      const read = (p: string) => new Uint8Array(fs.readFileSync(path.join(ROOT, p)));
      const hashes = {
        firmware: imageHash(read(SERVICE_FILES.firmware)), v1: imageHash(read(SERVICE_FILES.v1)),
        v2: imageHash(read(SERVICE_FILES.v2)), v2Boot: imageHash(read(SERVICE_FILES.v2Boot)),
      };
      const downtime = Math.round(serviceDowntimeBudgetMs(path.join(ROOT, 'ci/budgets.json')) * TICKS_PER_MS);
      const out: ServiceVector[] = [];
      for (const config of LOAD_CONFIGS) {
        for (const seed of SEEDS) {
          const { name: _n, expect, ...rest } = loadScenario(config, seed, downtime);
          const scenario = rest as ServiceScenario;
          const inputs = { kind: 'service' as const, ...hashes, scenario };
          out.push({
            id: vectorId('overhead', inputs), suite: 'overhead', title: `service under load: ${config} (seed ${seed})`,
            tags: ['microvisor', 'service', config], spec: SPEC,
            provenance: { generator: 'overhead/service', generatorVersion: GENERATOR_VERSION, seed: String(seed), referenceVersion: REFERENCE_VERSION, expected: 'spec' },
            inputs, expected: { versions: expect!.versions, downtimeBudget: expect!.downtimeBudget },
          });
        }
      }
      return out;
    },
  }];
}
