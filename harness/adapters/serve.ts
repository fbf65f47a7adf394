// The implementation's side of the JSON-lines protocol, for adapters written in TypeScript: the
// reference wrapped as an external process and the negative controls. Requests are checked
// against the schemas; a request that does not match is answered with an error message.

import * as readline from 'readline';
import { check, validator } from '../../vectors/schema/validate';
import type { FromImplementation, HelloMessage, Observation, RunMessage, Step, TraceMessage } from '../../vectors/schema/types';

export interface Handlers {
  run(msg: RunMessage): Observation;
  trace?(msg: TraceMessage): Step[];
}

export function serve(hello: HelloMessage, handlers: Handlers, out: (line: string) => void = (l) => process.stdout.write(l + '\n')): void {
  // Compile the request schemas before the handshake, so the first answer is not slowed by it.
  validator('protocol#/$defs/run');
  validator('protocol#/$defs/trace');
  out(JSON.stringify(hello));
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    let msg: { type?: string; id?: string };
    try { msg = JSON.parse(line); } catch { out(JSON.stringify({ type: 'error', id: '', message: 'request is not JSON' })); return; }
    if (msg.type === 'bye') { rl.close(); return; }
    const id = typeof msg.id === 'string' ? msg.id : '';
    const reply = (r: FromImplementation) => out(JSON.stringify(r));
    const bad = msg.type === 'run' || msg.type === 'trace' ? check(`protocol#/$defs/${msg.type}`, msg) : `/type: unknown request type ${JSON.stringify(msg.type)}`;
    if (bad) { reply({ type: 'error', id, message: `bad request: ${bad}` }); return; }
    try {
      if (msg.type === 'run') reply({ type: 'result', id, observation: handlers.run(msg as RunMessage) });
      else if (handlers.trace) reply({ type: 'steps', id, steps: handlers.trace(msg as TraceMessage) });
      else reply({ type: 'error', id, message: 'trace requests need the step capability' });
    } catch (e) {
      reply({ type: 'error', id, message: (e as Error).message });
    }
  });
  rl.on('close', () => process.exit(0));
}
