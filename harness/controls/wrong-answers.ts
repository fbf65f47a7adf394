// Negative control: runs correctly, then gets the result wrong by one: the highest-numbered
// register the program changed is reported plus one. Those vectors must fail at that register.

import { serve } from '../adapters/serve';
import { referenceObservation } from '../adapters/reference';
import { controlHello } from './control';

serve(controlHello('wrong-answers'), {
  run(msg) {
    const obs = referenceObservation(msg);
    if (msg.inputs.kind !== 'state' || !('x' in obs)) return obs;
    const initial = msg.inputs.hart.x ?? {};
    for (let i = 31; i >= 1; i--) {
      const k = 'x' + i;
      if (BigInt(obs.x[k]) !== BigInt(initial[k] ?? '0')) {
        obs.x[k] = '0x' + BigInt.asUintN(64, BigInt(obs.x[k]) + 1n).toString(16);
        break;
      }
    }
    return obs;
  },
});
