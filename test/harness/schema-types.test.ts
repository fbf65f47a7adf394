// The TypeScript types (vectors/schema/types.ts) are kept in step with the JSON Schemas: each
// type's key set, written out below so that the compiler rejects a missing or extra key, equals
// its schema's properties, and samples built with the types validate.

import type * as T from '../../vectors/schema/types';
import { loadSchema } from '../../vectors/schema/validate';
import { check } from '../../vectors/schema/validate';

/** Every key of T, required or optional: the compiler checks this object against the type. */
type KeySet<O> = { [K in keyof Required<O>]: 0 };
const keys = <O>(k: KeySet<O>) => Object.keys(k).sort();

const vector = loadSchema('vector');
const common = loadSchema('common');
const observation = loadSchema('observation');
const result = loadSchema('result');
const protocol = loadSchema('protocol');
const props = (s: Record<string, any>) => Object.keys(s.properties).sort();

describe('types and schemas agree', () => {
  const pairs: [string, string[], string[]][] = [
    ['vector (state)', keys<T.StateVector>({ id: 0, suite: 0, title: 0, tags: 0, spec: 0, provenance: 0, observe: 0, inputs: 0, expected: 0 }), props(vector)],
    ['vector (image)', keys<T.ImageVector>({ id: 0, suite: 0, title: 0, tags: 0, spec: 0, provenance: 0, observe: 0, inputs: 0, expected: 0 }), props(vector)],
    ['provenance', keys<T.Provenance>({ generator: 0, generatorVersion: 0, seed: 0, referenceVersion: 0, expected: 0, derivedFrom: 0 }), props(vector.$defs.provenance)],
    ['state inputs', keys<T.StateInputs>({ kind: 0, ramSize: 0, memory: 0, hart: 0, stop: 0 }), props(vector.$defs.stateInputs)],
    ['state inputs hart', keys<T.StateInputs['hart']>({ pc: 0, priv: 0, x: 0, csrs: 0 }), props(vector.$defs.stateInputs.properties.hart)],
    ['image inputs', keys<T.ImageInputs>({ kind: 0, kernel: 0, mmodeFirmware: 0, bios: 0, drive: 0, ramSize: 0, maxInsns: 0, schedule: 0, bootargs: 0, maintenance: 0 }), props(vector.$defs.imageInputs)],
    ['state expected', keys<T.StateExpected>({ x: 0, pc: 0, exit: 0, memory: 0, csrs: 0, instret: 0, alternatives: 0 }), props(vector.$defs.stateExpected)],
    ['state alternative', keys<T.StateAlternative>({ choices: 0, exit: 0, x: 0, any: 0, pc: 0, memory: 0, csrs: 0, instret: 0 }), props(vector.$defs.stateAlternative)],
    ['image expected', keys<T.ImageExpected>({ console: 0, exit: 0, instret: 0 }), props(vector.$defs.imageExpected)],
    ['isolation expected', keys<T.IsolationExpected>({ console: 0, console1: 0, exit: 0 }), props(vector.$defs.isolationExpected)],
    ['exit', keys<T.Exit>({ kind: 0, code: 0, cause: 0, tval: 0, epc: 0 }), props(common.$defs.exit)],
    ['state observation', keys<T.StateObservationWire>({ x: 0, pc: 0, priv: 0, csrs: 0, memory: 0, console: 0, exit: 0, instret: 0, cycles: 0 }), props(observation.$defs.state)],
    ['image observation', keys<T.ImageObservationWire>({ console: 0, console1: 0, exit: 0, instret: 0, cycles: 0, lines: 0, delivered: 0, firmware: 0 }), props(observation.$defs.image)],
    ['step', keys<T.Step>({ pc: 0, next: 0, priv: 0, x: 0 }), props(observation.$defs.step)],
    ['result record', keys<T.ResultRecord>({ id: 0, suite: 0, title: 0, file: 0, kind: 0, reason: 0, ms: 0, measured: 0, difference: 0, choices: 0, differences: 0, exits: 0, stops: 0, at: 0, trace: 0 }), props(result)],
    ['hello', keys<T.HelloMessage>({ type: 0, protocol: 0, name: 0, version: 0, capabilities: 0 }), props(protocol.$defs.hello)],
    ['run', keys<T.RunMessage>({ type: 0, id: 0, inputs: 0, observe: 0, csrs: 0, images: 0, stampLines: 0 }), props(protocol.$defs.run)],
    ['trace', keys<T.TraceMessage>({ type: 0, id: 0, inputs: 0 }), props(protocol.$defs.trace)],
    ['result message', keys<T.ResultMessage>({ type: 0, id: 0, observation: 0 }), props(protocol.$defs.result)],
    ['steps message', keys<T.StepsMessage>({ type: 0, id: 0, steps: 0 }), props(protocol.$defs.steps)],
    ['error message', keys<T.ErrorMessage>({ type: 0, id: 0, message: 0 }), props(protocol.$defs.error)],
  ];
  test.each(pairs)('%s', (_name, fromType, fromSchema) => { expect(fromType).toEqual(fromSchema); });

  test('result kinds and exit kinds are the same sets', () => {
    const kinds: Record<T.ResultKind, 0> = { pass: 0, fail: 0, error: 0, crash: 0, timeout: 0, skip: 0, xfail: 0, xpass: 0 };
    expect(Object.keys(kinds).sort()).toEqual([...result.properties.kind.enum].sort());
    const exits: Record<T.ExitKind, 0> = { finisher: 0, tohost: 0, trap: 0, limit: 0, idle: 0 };
    expect(Object.keys(exits).sort()).toEqual([...common.$defs.exitKind.enum].sort());
  });

  test('samples built with the types validate, in full and with only the required fields', () => {
    const inputs: T.StateInputs = { kind: 'state', ramSize: 1 << 20, memory: [{ base: '0x80000000', words: ['0x100073'] }, { base: '0x80010000', bytes: '00ff' }], hart: { pc: '0x80000000', priv: 'S', x: { x1: '0x1' }, csrs: { mstatus: '0x0' } }, stop: { maxInsns: 5, onTrap: true } };
    const exit: T.Exit = { kind: 'trap', cause: '0x3', tval: '0x0', epc: '0x80000000' };
    const full: T.StateVector = {
      id: 'priv-0123456789abcdef', suite: 'priv', title: 't', tags: ['s'], spec: 's',
      provenance: { generator: 'g', generatorVersion: '1', seed: '7', referenceVersion: '0.1.0', expected: 'reference+qemu', derivedFrom: 'priv-1' },
      inputs, observe: [{ base: '0x80010000', length: 2 }],
      expected: { x: {}, pc: '0x80000000', exit, memory: [{ base: '0x80010000', bytes: '00ff' }], csrs: { mcause: '0x3' }, instret: 0, alternatives: [{ choices: ['breakpoint-tval-pc'], exit: { tval: '0x80000000' }, x: { x1: '0x2' }, any: ['x5'], pc: '0x80000000', memory: [{ base: '0x80010000', bytes: '0000' }], csrs: { mcause: '0x3' }, instret: 1 }] },
    };
    const image: T.ImageVector = {
      id: 'transparency-0123456789abcdef', suite: 'transparency', title: 't', tags: ['microvisor'], spec: 's',
      provenance: { generator: 'g', generatorVersion: '1', referenceVersion: '0.1.0', expected: 'reference' },
      inputs: { kind: 'image', kernel: 'a'.repeat(64), bios: 'b'.repeat(64), drive: 'c'.repeat(64), ramSize: 1 << 27, maxInsns: 10, schedule: [{ at: 5, action: 'virtualize' }, { at: 7, action: 'doorbell', cause: 3 }] },
      expected: { console: 'hello\n', exit: { kind: 'finisher', code: 0 }, instret: 9 },
    };
    const minimal: T.StateVector = { ...full, observe: undefined, expected: { x: {}, exit } };
    delete minimal.observe;
    for (const v of [full, image, minimal]) expect(check('vector', v)).toBeNull();

    const obs: T.StateObservationWire = { x: { x1: '0x1' }, pc: '0x80000000', priv: 'M', csrs: { mcause: '0x3' }, memory: [{ base: '0x80010000', bytes: '00' }], console: '', exit, instret: 1, cycles: 2 };
    expect(check('observation#/$defs/state', obs)).toBeNull();
    const iobs: T.ImageObservationWire = { console: 'x', exit: { kind: 'finisher', code: 0 }, instret: 1, cycles: 1, delivered: [{ at: 1, action: 'virtualize' }] };
    expect(check('observation#/$defs/image', iobs)).toBeNull();
    const rec: T.ResultRecord = { id: 'a', suite: 'isa', title: 't', file: 'isa/a.json', kind: 'fail', reason: 'r', difference: { where: 'x7', expected: '1', actual: '2' }, choices: ['misaligned-address-trap'], differences: [{ where: 'x7', expected: '1', actual: '2' }], exits: { expected: { kind: 'trap', cause: '0x3' }, actual: { kind: 'trap', cause: '0x4' } }, at: { pc: '0x80000000', instruction: 'add t2, t0, t1' }, trace: { step: 0, pc: '0x80000000', instruction: 'add', difference: { where: 'x7', expected: '1', actual: '2' }, shrunk: 'f' } };
    expect(check('result', rec)).toBeNull();
    const msgs: [string, unknown][] = [
      ['hello', { type: 'hello', protocol: 1, name: 'n', version: '1', capabilities: ['state'] } satisfies T.HelloMessage],
      ['run', { type: 'run', id: 'a', inputs, observe: [{ base: '0x80010000', length: 1 }], csrs: ['mcause'] } satisfies T.RunMessage],
      ['run', { type: 'run', id: 'a', inputs: image.inputs, images: '/x' } satisfies T.RunMessage],
      ['trace', { type: 'trace', id: 'a', inputs } satisfies T.TraceMessage],
      ['bye', { type: 'bye' } satisfies T.ByeMessage],
      ['result', { type: 'result', id: 'a', observation: obs } satisfies T.ResultMessage],
      ['steps', { type: 'steps', id: 'a', steps: [{ pc: '0x1', next: '0x5', priv: 'U', x: {} }] } satisfies T.StepsMessage],
      ['error', { type: 'error', id: 'a', message: 'm' } satisfies T.ErrorMessage],
    ];
    for (const [def, m] of msgs) expect([def, check(`protocol#/$defs/${def}`, m)]).toEqual([def, null]);
  });
});
