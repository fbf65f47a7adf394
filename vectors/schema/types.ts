// TypeScript types of the JSON Schemas beside this file. test/harness/schema-types.test.ts keeps
// them in step: it compares each type's key set with its schema's properties and validates
// samples built with these types.

import type { ImageInputs, StateInputs } from '../../reference/state';

export type Hex = string;
export type Priv = 'M' | 'S' | 'U';
export type ExitKind = 'finisher' | 'tohost' | 'trap' | 'limit' | 'idle';

export interface Exit { kind: ExitKind; code?: number; cause?: Hex; tval?: Hex; epc?: Hex }
export interface ImageExit { kind: ExitKind; code?: number }
export interface ObservedRegion { base: Hex; bytes: string }
export interface ObserveRegion { base: Hex; length: number }
export interface Difference { where: string; expected: string; actual: string }

export type { StateInputs, ImageInputs };
export type VectorInputs = StateInputs | ImageInputs | ServiceInputs;

/** An event of the service (its console line) that triggers a fault `delay` ticks later. */
export interface ServiceTrigger { event: string; delay: number; who?: string }
/** An upgrade scenario (conformance/service-protocol.md; harness/service/scenario.ts runs it). Times in mtime ticks. */
export interface ServiceScenario {
  clients: number;
  interval: number;
  trafficEnd: number;
  keysPerClient: number;
  seed: number;
  upgradeAt: number | null;
  imageOverNetwork?: boolean;
  outOfBand?: boolean;
  virtualizeAfterServing?: number | null;
  faults: {
    v1?: string;
    v2?: string;
    image?: string;
    storm?: ServiceTrigger & { count: number; every: number };
    burst?: ServiceTrigger & { count: number };
    reset?: ServiceTrigger;
  };
  deadline: number;
}
/** A maintenance vector's inputs: the images by sha256 and the scenario. */
export interface ServiceInputs { kind: 'service'; firmware: string; v1: string; v2: string; v2Boot: string; scenario: ServiceScenario }
/** What a maintenance vector requires besides the scenario's properties: the versions allowed to serve at the end, the downtime budget (ticks). */
export interface ServiceExpected { versions: number[]; downtimeBudget: number }

export interface Provenance {
  generator: string;
  generatorVersion: string;
  seed?: string;
  referenceVersion: string;
  expected: 'reference' | 'reference+qemu' | 'spec';
  derivedFrom?: string;
}

export interface StateExpected {
  x: Record<string, Hex>;
  pc?: Hex;
  exit: Exit;
  memory?: ObservedRegion[];
  csrs?: Record<string, Hex>;
  instret?: number;
  alternatives?: StateAlternative[];
}

/** Another allowed outcome, as what differs from the primary one (conformance/state-check.ts). */
export interface StateAlternative {
  choices: string[];
  exit?: Partial<Exit>;
  x?: Record<string, Hex>;
  any?: string[];
  pc?: Hex;
  memory?: ObservedRegion[];
  csrs?: Record<string, Hex>;
  instret?: number;
}

export interface ImageExpected { console: string; exit: ImageExit; instret?: number }
/** One expected console line of an isolation vector: exact text, or every line the clause `spec` allows. */
export type ExpectedLine = string | { anyOf: string[]; spec: string };
/** What an isolation vector expects (conformance/isolation.md): each instance's console, line by line, and the exit. */
export interface IsolationExpected { console: ExpectedLine[]; console1: ExpectedLine[]; exit: ImageExit }

interface VectorCommon {
  id: string;
  suite: string;
  title: string;
  tags: string[];
  spec: string;
  provenance: Provenance;
  observe?: ObserveRegion[];
}
export interface StateVector extends VectorCommon { inputs: StateInputs; expected: StateExpected }
export interface ImageVector extends VectorCommon { inputs: ImageInputs; expected: ImageExpected }
export interface ServiceVector extends VectorCommon { inputs: ServiceInputs; expected: ServiceExpected }
export type Vector = StateVector | ImageVector | ServiceVector;

export interface VectorFile { defaults?: Partial<Record<keyof Vector, unknown>>; vectors: Record<string, unknown>[] }

export interface StateObservationWire {
  x: Record<string, Hex>;
  pc: Hex;
  priv?: Priv;
  csrs?: Record<string, Hex>;
  memory?: ObservedRegion[];
  console?: string;
  exit: Exit;
  instret?: number;
  cycles?: number;
}
export interface ImageObservationWire {
  console: string;
  /** Instance 1's console (the doorbell's CONSOLE1 on the reference), when it wrote anything. */
  console1?: string;
  exit: ImageExit;
  instret?: number;
  cycles?: number;
  /** Asked for with `stampLines` (capability line-cycles): each console line with the counts at its newline. */
  lines?: { text: string; cycles: number; instret: number }[];
  delivered?: { at: number; action: string }[];
  /** The monitor's own cost accounting (cycles, instructions, traps, ...), informational. */
  firmware?: Record<string, number>;
}
/** A maintenance scenario's run: what the clients saw, judged by harness/judge.ts. */
export interface ServiceObservationWire {
  /** Properties the run itself found broken (a wrong response, a lost write, ...), with their guest time. */
  violations: { at: number; what: string }[];
  /** The read-back finished. */
  ended: boolean;
  finalVersion: number | null;
  devirtualized: boolean | null;
  downtime: number | null;
  requests: number;
  served: number;
  ackedWrites: number;
  verifiedKeys: number;
  end: number;
  timeline: { at: number; who: string; event: string; arg?: number; seen?: number }[];
  /** Informational, never judged: the clients' answers from the first `serving` to the last answer before the read-back. */
  throughput?: { responses: number; from: number; to: number; perSecond: number };
}
export type Observation = StateObservationWire | ImageObservationWire | ServiceObservationWire;

/** The state after one retired instruction (protocol capability `step`). */
export interface Step { pc: Hex; next: Hex; priv: Priv; x: Record<string, Hex> }

export type ResultKind = 'pass' | 'fail' | 'error' | 'crash' | 'timeout' | 'skip' | 'xfail' | 'xpass';
export interface ResultRecord {
  id: string;
  suite: string;
  title: string;
  file: string;
  kind: ResultKind;
  reason?: string;
  /** Milliseconds the implementation took over the vector, where the adapter measured it. */
  ms?: number;
  /** The implementation's own count of the run (cycles, instret), where it reported one. */
  measured?: { cycles?: number; instret?: number; /** a service vector's answered requests per second of guest time */ requestsPerSecond?: number };
  difference?: Difference;
  /** The allowed outcome met (pass) or closest (fail), by its choices; absent for the reference's own. */
  choices?: string[];
  /** On a failure: every difference from that outcome; `difference` is the first. */
  differences?: Difference[];
  /** On a state failure: the implementation's exit beside the expected one. */
  exits?: { expected: Exit; actual: Exit };
  at?: { pc: Hex; instruction: string };
  trace?: { step: number; pc: Hex; instruction: string; difference: Difference; shrunk?: string };
  /** On a state failure: where each run stopped, and the instruction there. */
  stops?: { expected: StopPoint; actual: StopPoint };
}

/** Where a state vector's run stopped, and the instruction there (result.schema.json#/$defs/stopPoint). */
export interface StopPoint { pc?: Hex; instruction: string }

// ---- protocol (conformance/PROTOCOL.md) ----
export const PROTOCOL_VERSION = 1;
export interface HelloMessage { type: 'hello'; protocol: 1; name: string; version: string; capabilities: string[] }
export interface RunMessage { type: 'run'; id: string; inputs: VectorInputs; observe?: ObserveRegion[]; csrs?: string[]; images?: string; stampLines?: boolean }
export interface TraceMessage { type: 'trace'; id: string; inputs: StateInputs }
export interface ByeMessage { type: 'bye' }
export interface ResultMessage { type: 'result'; id: string; observation: Observation }
export interface StepsMessage { type: 'steps'; id: string; steps: Step[] }
export interface ErrorMessage { type: 'error'; id: string; message: string }
export type ToImplementation = RunMessage | TraceMessage | ByeMessage;
export type FromImplementation = ResultMessage | StepsMessage | ErrorMessage;
