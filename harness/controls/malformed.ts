// Negative control: a correct handshake, then garbage. Half the vectors (by id) get a line that
// is not JSON, the other half valid JSON whose observation breaks the schema (a register as a
// number). Every vector must be reported as a crash naming the malformed reply.

import { controlHello, idDigit } from './control';
import * as readline from 'readline';

process.stdout.write(JSON.stringify(controlHello('malformed')) + '\n');
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const msg = JSON.parse(line) as { type: string; id: string };
  if (msg.type === 'bye') process.exit(0);
  if (idDigit(msg.id) % 2 === 0) process.stdout.write(`{"type":"result","id":${JSON.stringify(msg.id)},"observation":{"x":\n`);
  else process.stdout.write(JSON.stringify({ type: 'result', id: msg.id, observation: { x: { x7: 5 }, pc: '0x80000000', exit: { kind: 'trap' } } }) + '\n');
});
