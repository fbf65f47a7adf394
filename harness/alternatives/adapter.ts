// One legal alternative of harness/alternatives/legal.ts as an external implementation:
//   node dist/harness/alternatives/adapter.js NAME [EXTRA,CAPABILITIES]
// The optional second argument declares more capabilities (a test makes one promise zicclsm and
// break it).

import { runState } from '../../reference/run-state';
import { REFERENCE_CHOICES } from '../../reference/machine/choices';
import { serve } from '../adapters/serve';
import { capabilitiesOf, LEGAL_ALTERNATIVES } from './legal';

const name = process.argv[2];
const alternative = LEGAL_ALTERNATIVES.find((a) => a.name === name);
if (!alternative) {
  process.stderr.write(`alternatives: unknown name '${name}' (known: ${LEGAL_ALTERNATIVES.map((a) => a.name).join(', ')})\n`);
  process.exit(2);
}
const choices = { ...REFERENCE_CHOICES, ...alternative.choices };

const extra = (process.argv[3] ?? '').split(',').filter(Boolean);

serve({ type: 'hello', protocol: 1, name: `legal-${alternative.name}`, version: '1', capabilities: [...capabilitiesOf(alternative), ...extra] }, {
  run(msg) {
    if (msg.inputs.kind !== 'state') throw new Error('state vectors only');
    return runState(msg.inputs, msg.observe ?? [], msg.csrs ?? [], choices);
  },
});
