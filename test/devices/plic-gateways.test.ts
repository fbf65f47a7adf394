// The priv suite's PLIC vectors hold under both gateway models (conformance/platform.md, PLIC):
// QEMU 7.2's (the default, from which the expectations come) and the PLIC specification's. A
// vector whose outcome depended on the model would have to list both outcomes as allowed.
import * as fs from 'fs';
import * as path from 'path';
import { prepareState, observeState, StateObservation } from '../../reference/run-state';
import type { StateInputs } from '../../reference/state';
import { PLIC_GATEWAYS } from '../../reference/machine/devices/plic';

const FILE = path.resolve(__dirname, '../../../vectors/priv/interrupts-plic.json');
const vectors = (JSON.parse(fs.readFileSync(FILE, 'utf8')).vectors as { id: string; inputs: StateInputs; expected: Record<string, unknown> }[]);

function run(inputs: StateInputs, gateway: typeof PLIC_GATEWAYS[number]): StateObservation {
  const m = prepareState(inputs);
  const before = m.plic.gateway;
  m.plic.gateway = gateway;
  try {
    const r = m.run({ maxInsns: inputs.stop.maxInsns, stopOnTrap: inputs.stop.onTrap });
    const exit: StateObservation['exit'] = { kind: r.reason === 'break' ? 'limit' : r.reason };
    if (r.cause !== undefined) { exit.cause = `0x${r.cause.toString(16)}`; exit.tval = `0x${(r.tval ?? 0n).toString(16)}`; exit.epc = `0x${(r.epc ?? 0n).toString(16)}`; }
    return observeState(m, exit, [], []);
  } finally {
    m.plic.gateway = before;
  }
}

test('there are PLIC vectors to check', () => expect(vectors.length).toBeGreaterThanOrEqual(10));

test.each(PLIC_GATEWAYS)('every PLIC vector gives its expected exit, pc, instret and registers under the %s gateway', (gateway) => {
  for (const v of vectors) {
    const o = run(v.inputs, gateway);
    const e = v.expected as { exit: Record<string, string>; pc: string; instret: number; x: Record<string, string> };
    const n = (h: string | undefined) => (h === undefined ? undefined : BigInt(h).toString(16));
    const exit = (x: Record<string, string | undefined>) => ({ kind: x.kind, cause: n(x.cause), tval: n(x.tval), epc: n(x.epc) });
    expect({ id: v.id, exit: exit(o.exit as unknown as Record<string, string>), pc: n(o.pc), instret: o.instret })
      .toEqual({ id: v.id, exit: exit(e.exit), pc: n(e.pc), instret: e.instret });
    for (const [r, val] of Object.entries(e.x ?? {})) expect({ id: v.id, r, val: n(o.x[r]) }).toEqual({ id: v.id, r, val: n(val) });
  }
});
