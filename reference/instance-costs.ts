// What sharing the hart costs, in guest cycles (the reference's cycle model, so exact and
// repeatable): the firmware's own record (mv_stats, reference/firmware/src/microvisor.h) of the
// last world switch at a slice end or a sleeper's deadline, the last switch by a wfi that yields,
// and the last devirtualize (retire to the survivor), sampled at every trap so that each switch is
// seen. The scenario: the ticker as instance 0 (a timer every 1 ms, wfi in between) and the
// second guest as a busy instance 1 that never says ready ("hang"), created and started through
// the doorbell; the ticker's end (SRST) retires instance 0 and leaves instance 1 alone.

import * as fs from 'fs';
import * as path from 'path';
import { Machine } from './machine/machine';
import { placeMaintenance, ringAndWait, runUntilConsole } from './maintenance-image';
import { DOORBELL_CAUSE } from './session';

const ROOT = path.resolve(__dirname, '../..');
export const COSTS_FIRMWARE = 'reference/firmware/build/microvisor.elf';
const GUESTS = 'reference/guests/instances/build';

export interface InstanceCosts {
  /** Cycles of each world switch at a slice end or a sleeper's deadline (firmware trap, entry to mret). */
  sliceSwitch: number[];
  /** Cycles of each switch by a wfi that yields the rest of the slice. */
  yieldSwitch: number[];
  /** Cycles of the trap that retired instance 0 and devirtualized to the survivor. */
  retireToSurvivor: number;
  /** Cycles the firmware spent, of all cycles, while both instances ran (percent). */
  firmwarePercent: number;
  switches: number;
}

export const median = (a: number[]): number => { const b = [...a].sort((x, y) => x - y); return b.length ? b[Math.floor(b.length / 2)] : NaN; };

/** Run the scenario with `firmware` (a path relative to the project root, or absolute). */
export function measureInstanceCosts(firmware = COSTS_FIRMWARE, ticks = 40): InstanceCosts {
  const read = (f: string) => new Uint8Array(fs.readFileSync(path.resolve(ROOT, f)));
  const ticker = read(`${GUESTS}/ticker.elf`);
  const m = new Machine({ ramSize: 64 * 1024 * 1024, bios: read(firmware), kernel: ticker, captureConsole: true });
  const limit = m.symbols.find((s) => s.name === 'ticker_limit');
  if (!limit) throw new Error('ticker.elf has no ticker_limit');
  const w = new Uint8Array(8); new DataView(w.buffer).setBigUint64(0, BigInt(ticks), true);
  m.loadBytes(BigInt(limit.value), w);
  const stats = m.symbols.find((s) => s.name === 'mv_stats');
  if (!stats || stats.size < 120) throw new Error('the firmware has no world-switch accounting (mv_stats too small)');
  const word = (i: number) => Number(new DataView(m.readBytes(BigInt(stats.value + 8 * i), 8).buffer).getBigUint64(0, true));
  if (!runUntilConsole(m, 'ticker: start\n')) throw new Error('the ticker did not start');
  const steps: [string, number, () => bigint[]][] = [
    ['virtualize', DOORBELL_CAUSE.virtualize, () => []],
    ['create', DOORBELL_CAUSE.create, () => placeMaintenance(m, { image: read(`${GUESTS}/second.elf`), bootargs: 'hang' })],
    ['start', DOORBELL_CAUSE.start, () => [1n]],
  ];
  for (const [what, cause, args] of steps) {
    const r = ringAndWait(m, cause, args());
    if (r !== 0n) throw new Error(`${what} answered ${r}`);
  }
  const sliceSwitch: number[] = [], yieldSwitch: number[] = [];
  // The fields hold the last trap's figures, written at its end: read at the next trap's entry.
  let switches = word(10);
  m.hart.onTrap = () => {
    const n = word(10);
    if (n === switches) return;
    switches = n;
    const kind = word(14);
    if (kind === 3) sliceSwitch.push(word(11));
    else if (kind === 4) yieldSwitch.push(word(12));
  };
  // Until the ticker's SRST retires instance 0 (the devirtualization count goes up). The firmware's
  // share of the cycles is taken once instance 1 has settled into its loop (after its signature).
  const devirt0 = word(9);
  let c0 = NaN, f0 = NaN, c1 = NaN, f1 = NaN;
  for (let i = 0; i < 1000; i++) {
    m.run({ maxInsns: 100000 });
    if (word(9) !== devirt0) break;
    if (i === 4) { c0 = m.hart.cycles; f0 = word(0); }
    c1 = m.hart.cycles; f1 = word(0);   // the last point at which both still ran
  }
  m.hart.onTrap = null;
  if (word(9) === devirt0) throw new Error('instance 0 never retired');
  return { sliceSwitch, yieldSwitch, retireToSurvivor: word(4), firmwarePercent: 100 * (f1 - f0) / (c1 - c0), switches: word(10) };
}
