// Not a fault: an honest implementation without the C extension (the reference, declaring every
// capability but `c` and `step`). Every compressed vector is skipped for it, which is what
// `--max-skips` is there to catch when a run should have covered them (test/harness/handshake.test.ts).

import { serve } from '../adapters/serve';
import { referenceObservation } from '../adapters/reference';
import { controlHello } from './control';

const hello = controlHello('without-c');
serve({ ...hello, capabilities: hello.capabilities.filter((c) => c !== 'c') }, { run: (msg) => referenceObservation(msg) });
