// Negative control: executes correctly but its stores never reach memory; it reports the observed
// regions as they were given. Vectors that store must fail at the first stored byte.

import { regionBytes } from '../../reference/state';
import { serve } from '../adapters/serve';
import { referenceObservation } from '../adapters/reference';
import { controlHello } from './control';

serve(controlHello('ignores-memory'), {
  run(msg) {
    const obs = referenceObservation(msg);
    if (msg.inputs.kind !== 'state' || !('memory' in obs) || !obs.memory) return obs;
    const memory = msg.inputs.memory;
    obs.memory = obs.memory.map((region) => {
      const base = BigInt(region.base);
      const out = Buffer.alloc(region.bytes.length / 2);
      for (const r of memory) {
        const start = BigInt(r.base), bytes = regionBytes(r);
        for (let k = 0; k < out.length; k++) { const o = base + BigInt(k) - start; if (o >= 0n && o < BigInt(bytes.length)) out[k] = bytes[Number(o)]; }
      }
      return { base: region.base, bytes: out.toString('hex') };
    });
    return obs;
  },
});
