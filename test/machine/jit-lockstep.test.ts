// The translator against its definition, the interpreter (reference/machine/jit/lockstep.ts):
// every guest program and seeded random streams run in lockstep with translation on (translating
// at the second execution, so nearly everything runs translated) and must not differ in any
// register, CSR, counter, console byte or RAM byte; with both backends, WebAssembly and JS
// source. Four deliberately broken translators (a wrong instret after a taken branch, an
// interrupt one instruction late, a stale block after a store to its code, a chain of WebAssembly
// blocks run past the timer deadline) must each be caught, which shows the lockstep comparison
// can see them.

import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { Machine } from '../../reference/machine/machine';
import { describeDifference, lockstep } from '../../reference/machine/jit/lockstep';
import type { TranslatorFaults } from '../../reference/machine/jit/emit';
import type { JitBackend } from '../../reference/machine/jit/block-cache';
import { guestPrograms, imagePath, makeDriveImage } from '../../reference/guests/catalog';
import { memoryDrive } from '../guests/runners';
import { divisionEdges, randomStream, streamMachine, timerLoop } from './jit-streams';

const SEEDS = Number(process.env.DEVIRT_FUZZ_SEEDS ?? 12);
const STREAM_INSNS = 60_000;

const BACKENDS: JitBackend[] = ['wasm', 'js'];

function guestLockstep(name: string, faults: TranslatorFaults, maxInsns: number, backend: JitBackend) {
  const spec = guestPrograms().find((g) => g.name === name)!;
  const image = new Uint8Array(fs.readFileSync(imagePath(name)));
  return lockstep((jit) => {
    const m = new Machine({
      bios: null, kernel: image, kernelName: name, drive: spec.drive ? memoryDrive(makeDriveImage()) : null,
      jit: jit ? { hot: 1, faults, backend } : false,
    });
    if (spec.input) m.uart.pushInput(new Uint8Array(Buffer.from(spec.input, 'latin1')));
    return m;
  }, { maxInsns, chunk: 1000 });
}

function streamsCaught(faults: TranslatorFaults, backend: JitBackend): string[] {
  const caught: string[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const s = randomStream(seed);
    const r = lockstep((jit) => streamMachine(s, jit, faults, 2, backend), { maxInsns: STREAM_INSNS, chunk: 500 });
    if (r.difference) caught.push(`seed ${seed}: ${describeDifference(r.difference)}`);
  }
  return caught;
}

describe.each(BACKENDS)('translation (%s) on and off give the same machine', (backend) => {
  test.each(guestPrograms().map((g) => g.name))('guest %s', (name) => {
    // Heavy workloads (cpu-mix, coremark-like: hundreds of millions of instructions): their first
    // 2 M cover every loop they have.
    const heavy = guestPrograms().find((g) => g.name === name)!.heavy === true;
    const r = guestLockstep(name, {}, heavy ? 2e6 : 50e6, backend);
    expect(r.difference && describeDifference(r.difference)).toBeNull();
    if (!heavy) expect(['finisher', 'tohost']).toContain(r.result.reason);
  });

  test(`${SEEDS} seeded random streams (self-modifying, timer interrupts, MMIO reads)`, () => {
    expect(streamsCaught({}, backend)).toEqual([]);
  });

  test('division and remainder by zero and of the most negative value by -1, both widths', () => {
    const s = divisionEdges();
    const r = lockstep((jit) => streamMachine(s, jit, {}, 1, backend), { maxInsns: 5_000, chunk: 100 });
    expect(r.difference && describeDifference(r.difference)).toBeNull();
    expect(r.instret).toBe(5_000);
  });
});

describe.each(BACKENDS)('lockstep catches a broken translator (%s)', (backend) => {
  test('a wrong instret after a taken branch', () => {
    const r = guestLockstep('hello', { instretAfterTakenBranch: true }, 50e6, backend);
    expect(r.difference).not.toBeNull();
    // A stream whose loop never leaves a block by a taken branch or jump does not show it.
    expect(streamsCaught({ instretAfterTakenBranch: true }, backend).length).toBeGreaterThan(0);
  });

  test('an interrupt taken one instruction late', () => {
    // Only a block whose last instruction starts exactly at the timer deadline shows it: a timer
    // loop meets one at some step and length (random streams rarely do), and the correct
    // translator never differs on the same loops.
    const late = { interruptOneLate: true };
    let caught: string | null = null;
    for (let step = 2; step <= 41 && caught === null; step++) {
      for (const k of [3, 5, 8]) {
        const s = timerLoop(step, k);
        const bad = lockstep((jit) => streamMachine(s, jit, late, 2, backend), { maxInsns: 20_000, chunk: 500 });
        if (bad.difference) { caught = `step ${step}, ${k} instructions: ${describeDifference(bad.difference)}`; break; }
      }
    }
    expect(caught).not.toBeNull();
    for (const [step, k] of [[2, 3], [7, 5], [19, 8], [41, 3]]) {
      const s = timerLoop(step, k);
      expect(lockstep((jit) => streamMachine(s, jit, {}, 2, backend), { maxInsns: 20_000, chunk: 500 }).difference).toBeNull();
    }
  });

  test('a stale block after a store to its code', () => {
    expect(guestLockstep('fencei', { staleAfterStore: true }, 50e6, backend).difference).not.toBeNull();
    expect(streamsCaught({ staleAfterStore: true }, backend).length).toBeGreaterThan(0);
  });

  // The JS backend has no chain runner: its blocks return to the run loop.
  if (backend === 'wasm') test('a chain of blocks run past the timer deadline (the WebAssembly chain runner)', () => {
    // The run loop checks the first block of a chain; the runner must check every block it runs
    // after that one itself. Timer loops of two chained blocks meet a deadline in the second at
    // some step (random streams and the guests never did), and the correct runner never differs.
    const past = { chainPastEvent: true };
    let caught: string | null = null;
    for (let step = 2; step <= 41 && caught === null; step++) {
      for (const k of [3, 5, 8]) {
        const bad = lockstep((jit) => streamMachine(timerLoop(step, k, true), jit, past, 2, backend), { maxInsns: 20_000, chunk: 500 });
        if (bad.difference) { caught = `step ${step}, ${k} instructions: ${describeDifference(bad.difference)}`; break; }
      }
    }
    expect(caught).not.toBeNull();
    for (const [step, k] of [[2, 3], [7, 5], [19, 8], [41, 3]]) {
      expect(lockstep((jit) => streamMachine(timerLoop(step, k, true), jit, {}, 2, backend), { maxInsns: 20_000, chunk: 500 }).difference).toBeNull();
    }
  });
});

describe('devirt boot --lockstep', () => {
  const BIN = path.resolve(__dirname, '../../../bin/devirt.js');
  const boot = (...args: string[]) => spawnSync(process.execPath, [BIN, 'boot', '--bios', 'none', ...args], { input: 'ping\n', encoding: 'utf8', timeout: 60_000 });

  test('runs both machines to the guest\'s own exit with the interpreter\'s console', () => {
    const r = boot('--kernel', imagePath('uart-rx'), '--lockstep');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('got: ping');
  });

  test('refuses --jit and --no-jit beside it (exit 2, one line)', () => {
    const r = boot('--kernel', imagePath('hello'), '--lockstep', '--no-jit');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--lockstep');
  });
});
