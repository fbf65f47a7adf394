// Negative control: a correct implementation that dies (exit code 70) on a quarter of the
// vectors, chosen by id. Those must be crashes; the rest must pass, the harness restarting the
// process after each crash.

import { serve } from '../adapters/serve';
import { referenceObservation } from '../adapters/reference';
import { controlHello, idDigit } from './control';

serve(controlHello('crash'), {
  run(msg) {
    if (idDigit(msg.id) < 4) { process.stderr.write(`control-crash: dying on ${msg.id}\n`); process.exit(70); }
    return referenceObservation(msg);
  },
});
