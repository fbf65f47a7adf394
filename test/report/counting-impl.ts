// An external implementation for the streaming test: the reference, which also counts the run
// requests it answered into the file named by DEVIRT_COUNT_FILE (one byte per request).

import * as fs from 'fs';
import { REFERENCE_HELLO, referenceObservation } from '../../harness/adapters/reference';
import { serve } from '../../harness/adapters/serve';

const file = process.env.DEVIRT_COUNT_FILE!;
serve(REFERENCE_HELLO, {
  run: (msg) => { fs.appendFileSync(file, '.'); return referenceObservation(msg); },
});
