// Run a "state" vector's inputs on the reference machine and observe the result. Shared by the
// in-process adapter, the external reference adapter, the generators (which take expectations
// from here) and the trace-diff stepper.

import { JitOptions, Machine } from './machine/machine';
import { CSR_NUMBERS } from './machine/csr';
import { ChoiceSwitch, HartChoices, REFERENCE_CHOICES } from './machine/choices';
import { hex64, regionBytes, StateInputs, StateObservation } from './state';

export { hex64, regionBytes };
export type { StateInputs, StateObservation };

const PRIV = { M: 3, S: 1, U: 0 } as const;
const PRIV_NAME: Record<number, 'M' | 'S' | 'U'> = { 3: 'M', 1: 'S', 0: 'U' };

/** Build a machine in the vector's initial state (no firmware, no kernel: the vector is the program). */
const pool = new Map<string, Machine>();

/**
 * `choices` selects the legal alternative the hart takes at each choice point; `collect` makes the
 * hart note which choice points the run reaches (hart.choicePoints), from the first CSR write on.
 */
export function prepareState(inputs: StateInputs, choices: Readonly<HartChoices> = REFERENCE_CHOICES, collect = false, jit?: boolean | JitOptions): Machine {
  const ramSize = inputs.ramSize ?? 1024 * 1024;
  // Machines are pooled per RAM size; a run that chooses translation on or off gets its own.
  const key = jit === undefined ? `${ramSize}` : `${ramSize} jit ${JSON.stringify(jit)}`;
  let m = pool.get(key);
  if (m === undefined) { m = new Machine({ ramSize, bios: null, kernel: null, deviceTree: false, jit }); pool.set(key, m); }
  else m.resetEmpty();
  for (const r of inputs.memory) m.loadBytes(BigInt(r.base), regionBytes(r));
  const h = m.hart;
  h.choices = choices;
  h.choicePoints = collect ? new Set() : null;
  for (const [name, v] of Object.entries(inputs.hart.csrs ?? {})) {
    const num = CSR_NUMBERS[name];
    if (num === undefined) throw new Error(`unknown CSR ${name}`);
    h.writeCsr(num, BigInt(v));
  }
  for (const [name, v] of Object.entries(inputs.hart.x ?? {})) h.setX(Number(name.slice(1)), BigInt(v));
  h.setPriv(PRIV[inputs.hart.priv ?? 'M']);
  h.setPc(BigInt(inputs.hart.pc));
  return m;
}

/** Observe everything a state vector may check; `regions` lists the memory to report. */
export function observeState(m: Machine, exit: StateObservation['exit'], regions: { base: string; length: number }[], csrs: string[]): StateObservation {
  const h = m.hart;
  const x: Record<string, string> = {};
  for (let i = 1; i < 32; i++) x['x' + i] = hex64(h.getX(i));
  const csrOut: Record<string, string> = {};
  for (const name of csrs) csrOut[name] = hex64(h.readCsr(CSR_NUMBERS[name]));
  return {
    x, pc: hex64(h.getPc()), priv: PRIV_NAME[h.priv], csrs: csrOut,
    memory: regions.map((r) => ({ base: r.base, bytes: Buffer.from(m.readBytes(BigInt(r.base), r.length)).toString('hex') })),
    console: m.console, exit, instret: h.instret, cycles: h.cycles,
  };
}

export function runState(inputs: StateInputs, regions: { base: string; length: number }[] = [], csrs: string[] = [], choices: Readonly<HartChoices> = REFERENCE_CHOICES, jit?: boolean | JitOptions): StateObservation {
  return runStateCollecting(inputs, regions, csrs, choices, jit).observation;
}

/** runState, also saying which choice points (reference/machine/choices.ts) the run reached. */
export function runStateCollecting(inputs: StateInputs, regions: { base: string; length: number }[], csrs: string[], choices: Readonly<HartChoices>, jit?: boolean | JitOptions): { observation: StateObservation; choicePoints: Set<ChoiceSwitch> } {
  const m = prepareState(inputs, choices, true, jit);
  const r = m.run({ maxInsns: inputs.stop.maxInsns, stopOnTrap: inputs.stop.onTrap });
  const exit: StateObservation['exit'] = { kind: r.reason === 'break' ? 'limit' : r.reason };
  if (r.code !== undefined) exit.code = r.code;
  if (r.cause !== undefined) { exit.cause = hex64(r.cause); exit.tval = hex64(r.tval ?? 0n); exit.epc = hex64(r.epc ?? 0n); }
  const choicePoints = m.hart.choicePoints ?? new Set<ChoiceSwitch>();
  m.hart.choicePoints = null;
  return { observation: observeState(m, exit, regions, csrs), choicePoints };
}
