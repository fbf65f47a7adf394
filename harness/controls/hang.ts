// Negative control: a correct implementation that never answers a sixteenth of the vectors
// (chosen by id). Those must time out; the rest must pass, the harness killing and restarting
// the process after each hang.

import * as readline from 'readline';
import { referenceObservation } from '../adapters/reference';
import type { RunMessage } from '../../vectors/schema/types';
import { controlHello, idDigit } from './control';

process.stdout.write(JSON.stringify(controlHello('hang')) + '\n');
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line) as RunMessage | { type: 'bye' };
  if (msg.type === 'bye') process.exit(0);
  if (idDigit(msg.id) === 0) return; // hang: keep reading, never answer
  process.stdout.write(JSON.stringify({ type: 'result', id: msg.id, observation: referenceObservation(msg) }) + '\n');
});
