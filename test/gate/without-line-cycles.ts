// An honest external implementation for the gate test: the reference, but declaring no
// line-cycles capability (it never reports when each console line ended).

import { REFERENCE_HELLO, referenceObservation } from '../../harness/adapters/reference';
import { serve } from '../../harness/adapters/serve';

serve({ ...REFERENCE_HELLO, name: 'without-line-cycles', capabilities: REFERENCE_HELLO.capabilities.filter((c) => c !== 'line-cycles') }, {
  run: (msg) => referenceObservation({ ...msg, stampLines: false }),
});
