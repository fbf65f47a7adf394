// The reference wrapped as an external process: the example adapter of conformance/PROTOCOL.md.
// Run it with `node dist/harness/adapters/reference-external.js`, or through the harness:
//   devirt run --impl-cmd "node dist/harness/adapters/reference-external.js"

import { serve } from './serve';
import { REFERENCE_HELLO, referenceObservation, referenceStepsWire } from './reference';

serve(REFERENCE_HELLO, {
  run: (msg) => referenceObservation(msg),
  trace: (msg) => referenceStepsWire(msg.inputs),
});
