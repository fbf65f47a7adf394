// The network's figures for `npm run bench`: how many frames per second the switch forwards (the
// TypeScript alone), and how many UDP echo round trips per second the reference completes with
// reference/guests/net/net-echo.elf answering, with the guest instructions and guest time each
// round trip costs (those two are exact and the same on every run; the per-second figures are host
// timing, so medians of several runs are given). Nothing here asserts a speed.

import * as fs from 'fs';
import * as path from 'path';
import { Machine } from '../reference/machine/machine';
import { EthernetSwitch } from '../reference/machine/devices/ethernet-switch';
import { ip, udpFrame, ethernet } from '../reference/tools/net-frames';

const ROOT = path.resolve(__dirname, '../..');
const ECHO = path.join(ROOT, 'reference/guests/net/build/net-echo.elf');

export interface NetBench {
  switchFramesPerSecond: { median: number; all: number[] };
  echoRoundTripsPerSecond: { median: number; all: number[] } | null;
  /** Guest instructions from the frame's arrival to the guest idle again after its reply (exact). */
  guestInstructionsPerEcho: number | null;
  /** Guest time per round trip in mtime ticks (100 ns), from the frame's entry to its reply (exact). */
  guestTicksPerEcho: number | null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Unicast frames between four learned ports, 64 and 1514 bytes alternately. */
function switchRun(frames: number): number {
  const sw = new EthernetSwitch();
  let delivered = 0;
  const tx = [0, 1, 2, 3].map((i) => sw.attach({ name: `p${i}`, deliver: () => { delivered++; } }));
  const mac = (i: number) => Uint8Array.of(2, 0, 0, 0, 0, i);
  for (let i = 0; i < 4; i++) tx[i](ethernet(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff), mac(i), 0x88b5, new Uint8Array(46)));
  const pool = [0, 1, 2, 3].flatMap((i) => [64, 1514].map((n) => ethernet(mac((i + 1) % 4), mac(i), 0x88b5, new Uint8Array(n - 14))));
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < frames; k++) tx[(k >> 1) & 3](pool[k & 7]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (delivered < frames) throw new Error('switch bench: frames went missing');
  return frames / seconds;
}

function echoRun(roundTrips: number): { perSecond: number; insns: number; ticks: number } {
  const m = new Machine({ bios: null, kernel: new Uint8Array(fs.readFileSync(ECHO)), kernelName: 'net-echo.elf', nics: [{ slot: 7 }] });
  const host = m.network!.host;
  if (m.run({ maxInsns: 5e6 }).reason !== 'idle') throw new Error('echo bench: net-echo did not come up');
  const frame = udpFrame({ srcMac: Uint8Array.of(2, 0, 0, 0, 0, 2), dstMac: m.network!.nics[0].mac, srcIp: ip('10.0.2.2'), dstIp: ip('10.0.2.15'), srcPort: 40000, dstPort: 7, payload: new Uint8Array(64) });
  const i0 = m.hart.instret;
  let ticks = 0;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < roundTrips; k++) {
    const at = m.hart.mtime() + 1;
    host.send(frame, at);
    if (m.run({ maxInsns: 1e6 }).reason !== 'idle' || host.collected.length !== k + 1) throw new Error('echo bench: no reply');
    ticks += host.collected[k].at - at;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return { perSecond: roundTrips / seconds, insns: (m.hart.instret - i0) / roundTrips, ticks: ticks / roundTrips };
}

export function netBench(runs: number): NetBench {
  const sw: number[] = [];
  for (let i = 0; i < runs; i++) sw.push(switchRun(1_000_000));
  if (!fs.existsSync(ECHO)) return { switchFramesPerSecond: { median: median(sw), all: sw }, echoRoundTripsPerSecond: null, guestInstructionsPerEcho: null, guestTicksPerEcho: null };
  const echo: number[] = [];
  let insns = 0, ticks = 0;
  for (let i = 0; i < runs; i++) {
    const r = echoRun(2000);
    echo.push(r.perSecond);
    insns = r.insns; ticks = r.ticks;
  }
  return { switchFramesPerSecond: { median: median(sw), all: sw }, echoRoundTripsPerSecond: { median: median(echo), all: echo }, guestInstructionsPerEcho: insns, guestTicksPerEcho: ticks };
}

export function printNetBench(b: NetBench): void {
  console.log(`switch              ${(b.switchFramesPerSecond.median / 1e6).toFixed(2)} M frames/s forwarded (median, unicast between learned ports)`);
  if (b.echoRoundTripsPerSecond) {
    console.log(`udp echo            ${b.echoRoundTripsPerSecond.median.toFixed(0)} round trips/s (median, net-echo on the reference, 64-byte payload)`);
    console.log(`  per echo          ${b.guestInstructionsPerEcho!.toFixed(0)} guest instructions, ${b.guestTicksPerEcho!.toFixed(0)} ticks (${(b.guestTicksPerEcho! / 10).toFixed(1)} us) of guest time`);
  }
}

// Run alone: node dist/bench/net.js
if (require.main === module) printNetBench(netBench(Number(process.env.DEVIRT_BENCH_RUNS ?? 5)));
