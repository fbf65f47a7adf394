// One upgrade scenario on the reference machine: the service (v1) booted on a fresh disk under the
// Microvisor, scripted client traffic, the upgrade requested in band at a guest time, faults
// injected at their points, and at the end every key read back through whichever instance serves.
// Judged by properties (conformance/service-protocol.md, "What a scenario checks"), never by a
// console: every acknowledged write is present, no response is wrong, the expected version serves
// a devirtualized machine, and the downtime is within the budget.

import { Machine } from '../../reference/machine/machine';
import { parseElf } from '../../reference/tools/elf';
import { CachedDisk } from './disk';
import { badImage, BadImage, FaultName, withFault } from './images';
import { DISK_BYTES, IMAGE_SECTOR } from './protocol';
import { fmtTicks, Traffic, Violation } from './traffic';
import { partitionFromSymbols, watchHandoffs } from './handoff-check';
import { CAUSE, OutOfBand } from './out-of-band';

export const TICKS_PER_MS = 10000;

export interface Images {
  firmware: Uint8Array;
  /** The running service (booted by the firmware). */
  v1: Uint8Array;
  /** The next version, linked for the maintenance partition (what the upgrade request names). */
  v2: Uint8Array;
  /** The next version linked for the bare machine: what a machine reset boots once the disk is v2's. */
  v2Boot: Uint8Array;
}

/**
 * A console event that triggers a scenario action, `delay` ticks after it is printed; with `who`
 * (v1 or v2) only that build's line, and then only once the upgrade was asked for (v1 prints
 * `serving` and `log-replayed` at boot too).
 */
export interface Trigger { event: string; delay: number; who?: string }

export interface Scenario {
  name: string;
  /** Traffic: clients, each sending one request per `interval` ticks from 0 to `trafficEnd`. */
  clients: number;
  interval: number;
  trafficEnd: number;
  keysPerClient: number;
  seed: number;
  /** Guest time at which the management request asks for the upgrade (null: no upgrade). */
  upgradeAt: number | null;
  /** Upgrade over the network (IMAGE chunks, then UPGRADE staged) instead of from the disk. */
  imageOverNetwork?: boolean;
  /** Drive the upgrade from the host through the doorbell (harness/service/out-of-band.ts), not by a request. */
  outOfBand?: boolean;
  /**
   * Virtualize the running service from the host (the doorbell's virtualize) this many ticks after
   * it first says `serving`, and devirtualize it before the read-back: one instance, virtualized,
   * for the overhead suite's throughput (null or absent: never).
   */
  virtualizeAfterServing?: number | null;
  faults: {
    v1?: FaultName;
    v2?: FaultName;
    image?: BadImage;
    /** Ring the doorbell with causes the firmware ignores, `count` times `every` ticks apart. */
    storm?: Trigger & { count: number; every: number };
    /** `count` more clients, each writing then reading back one key, all at once. */
    burst?: Trigger & { count: number };
    /** Power loss and reboot (unflushed disk writes lost). */
    reset?: Trigger;
  };
  /** Checked by the run itself when given (devirt upgrade); a vector's are checked by its judge. */
  expect: { versions: number[]; downtimeBudget: number } | null;
  /** Scenario time by which everything must be over (ticks). */
  deadline: number;
}

/** `at`: the guest time the service stamped on the line; `seen`: when its last byte left the console (what a trigger counts from). */
export interface TimelineEvent { at: number; who: string; event: string; arg?: number; seen?: number }

/** Requests first sent and answered within a stretch of time: how many per second of guest time, and how long each took from its first transmission. */
export interface Phase { name: string; from: number; to: number; responses: number; perSecond: number; p50: number | null; p99: number | null }

/**
 * The clients' requests from the service's first `serving` to the last answer before the
 * read-back: with a saturating script (more requests queued than the service answers), every
 * request of the script, so two runs of the same script compare without edge effects.
 */
export interface Throughput { responses: number; from: number; to: number; perSecond: number }

export interface ScenarioResult {
  name: string;
  passed: boolean;
  /** The read-back finished. */
  ended: boolean;
  violations: Violation[];
  timeline: TimelineEvent[];
  /** Last response by v1 to the first by v2 (ticks), or null without an upgrade that served. */
  downtime: number | null;
  /** Longest gap between consecutive responses after the upgrade request (ticks). */
  longestGap: number | null;
  requests: number;
  served: number;
  retries: number;
  ackedWrites: number;
  verifiedKeys: number;
  finalVersion: number | null;
  devirtualized: boolean | null;
  /** Throughput and latency before the upgrade request, while v2 boots (to its `ready`), during the maintenance window, after it. */
  phases: Phase[];
  throughput: Throughput | null;
  /** The Microvisor's share of the hart's cycles in the maintenance window (mv_stats.cycles), or null. */
  firmwareShare: number | null;
  /** Scenario time at which the run ended. */
  end: number;
  instructions: number;
}

/** A seeded generator (mulberry32): the traffic is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MGMT = 0, VERIFY = 9999, BURST0 = 1000;
/** Out of band, the host rolls back when v2 is not ready 50 ms after the start (as v1's watchdog in band). */
const OOB_READY_TICKS = 500_000;
const SLICE = 200_000;
const RETRY = 10000;           // 1 ms: a response not come by then is asked for again (a PUT under load takes ~0.4 ms)
const THINK = 200;

function hexChunks(image: Uint8Array, size: number): { off: number; hex: string }[] {
  const out = [];
  for (let off = 0; off < image.length; off += size) out.push({ off, hex: Buffer.from(image.subarray(off, off + size)).toString('hex') });
  return out;
}

export function runScenario(s: Scenario, images: Images): ScenarioResult {
  const machines: Machine[] = [];
  const disk = new CachedDisk(DISK_BYTES);
  try {
    return runOn(machines, disk, s, images);
  } finally {
    // The result holds no machine and no disk: their memory serves the next scenario
    // (machine/hart-memory.ts, disk.ts).
    for (const m of machines) m.dispose();
    disk.dispose();
  }
}

function runOn(booted: Machine[], disk: CachedDisk, s: Scenario, images: Images): ScenarioResult {
  const v2 = s.faults.image ? badImage(s.faults.image, images.v2, images.v2Boot) : withFault(images.v2, s.faults.v2 ?? 'none', 'v2');
  disk.place(IMAGE_SECTOR, v2);
  const v1 = withFault(images.v1, s.faults.v1 ?? 'none', 'v1');
  const traffic = new Traffic(RETRY, THINK);
  const timeline: TimelineEvent[] = [];
  const violations: Violation[] = traffic.violations;
  let machine: Machine;
  let epoch = 0;
  let line = '';
  let resetPending = false;
  let instructions = 0;
  const fired = new Set<string>();
  let verifying = false;
  let ended = false;
  /** An upgrade was asked for and has not ended one way or the other: the read-back waits for it. */
  let maintenanceOpen = false;
  let rebooted = false;
  let outOfBand: OutOfBand | null = null;
  const fwSym = parseElf(images.firmware, 'firmware').symbols.find((x) => x.name === 'mv_stats');
  const fwCycles = () => (fwSym ? Number(new DataView(machine.readBytes(BigInt(fwSym.value), 8).buffer).getBigUint64(0, true)) : NaN);
  // Assigned in callbacks: typed so the compiler does not narrow it to null.
  let window = null as { from: number; to: number; fw0: number; hart0: number; fw1: number; hart1: number; machine: Machine } | null;
  const closeWindow = () => {
    if (!window || window.to >= 0) return;
    if (window.machine !== machine) { window = null; return; }   // a reset in between: no one count spans it
    window.to = traffic.now(); window.fw1 = fwCycles(); window.hart1 = machine.hart.cycles;
  };

  const note = (who: string, event: string, arg?: number) => timeline.push({ at: traffic.now(), who, event, arg });

  // Actions waiting for a console event.
  const triggers: { t: Trigger; run: () => void; done: boolean }[] = [];
  const after = (t: Trigger | undefined, run: () => void) => { if (t) triggers.push({ t, run, done: false }); };
  const consoleLine = (text: string) => {
    const m = /^svc(\d+) @(\d+) (\S+)(?: (\d+))?$/.exec(text);
    if (!m) { if (text.trim()) note('console', text.trim()); return; }
    timeline.push({ at: epoch + Number(m[2]), who: `v${m[1]}`, event: m[3], arg: m[4] === undefined ? undefined : Number(m[4]), seen: traffic.now() });
    if (m[3] === 'serving' || m[3] === 'upgrade-requested') watch();
    fired.add(m[3]);
    // A retried management request after a power loss starts the maintenance again.
    if (m[3] === 'upgrade-requested' && !maintenanceOpen) maintenanceOpen = true;
    // The maintenance is over once v2 serves, v1 resumed, create refused, or a rebooted machine serves.
    if (maintenanceOpen && (m[3] === 'rolled-back' || m[3] === 'create-refused' || (m[3] === 'serving' && (m[1] !== '1' || rebooted)))) {
      maintenanceOpen = false;
      closeWindow();
      at(traffic.now(), verify);
    }
    for (const tr of triggers) {
      if (tr.done || tr.t.event !== m[3]) continue;
      if (tr.t.who !== undefined && (tr.t.who !== `v${m[1]}` || s.upgradeAt === null || epoch + Number(m[2]) < s.upgradeAt)) continue;
      tr.done = true;
      at(traffic.now() + tr.t.delay, tr.run);
    }
  };
  // Actions at scenario times, on the current machine's device timers.
  const timed: { at: number; run: () => void }[] = [];
  let timer: { set(at: number): void; cancel(): void } | null = null;
  const rearm = () => {
    if (!timer) return;
    const next = Math.min(...timed.map((x) => x.at));
    if (next === Infinity) timer.cancel(); else timer.set(Math.max(next - epoch, machine.hart.mtime()));
  };
  const at = (when: number, run: () => void) => { timed.push({ at: when, run }); rearm(); };
  const fire = () => {
    const now = traffic.now();
    for (let i = 0; i < timed.length;) {
      if (timed[i].at <= now) { const [x] = timed.splice(i, 1); x.run(); } else i++;
    }
    rearm();
  };

  // Every machine the scenario boots (a power loss boots another) goes in `booted`, disposed of at the end.
  const boot = (kernel: Uint8Array) => {
    machine = new Machine({
      bios: images.firmware, biosName: 'microvisor', kernel, kernelName: 'service',
      drives: [{ backend: disk, slot: 0 }], nics: [{ slot: 1 }],
      captureConsole: false,
      onConsole: (b) => {
        if (b === 10) { consoleLine(line); line = ''; } else if (line.length < 400) line += String.fromCharCode(b);
      },
    });
    booted.push(machine);
    // Instance 1's console (the firmware's DBCN for it: the doorbell's CONSOLE1) is the same kind of lines.
    let line1 = '';
    (machine.doorbell as { onConsole1?: (b: number) => void }).onConsole1 = (b) => {
      if (b === 10) { consoleLine(line1); line1 = ''; } else if (line1.length < 400) line1 += String.fromCharCode(b);
    };
    traffic.attach(machine, epoch);
    timer = machine.timers.create(fire);
    rearm();
    watching = false;
  };
  // The device probe needs the partition the firmware laid out: installed once the firmware ran.
  let watching = false;
  const watch = () => {
    if (watching) return;
    const p = partitionFromSymbols(machine);
    if (!p || p.size === 0) return;
    watching = true;
    watchHandoffs(machine, p, () => traffic.now(), violations, { 0: 'disk', 1: 'NIC' });
  };
  boot(v1);

  // The traffic: each client owns its keys; writes and reads mixed, all seeded.
  const rand = rng(s.seed);
  const keys = new Set<string>();
  for (let c = 1; c <= s.clients; c++) {
    for (let t = c * 37, i = 0; t < s.trafficEnd; t += s.interval, i++) {
      const key = `c${c}-k${Math.floor(rand() * s.keysPerClient)}`;
      keys.add(key);
      const r = rand();
      if (r < 0.5) traffic.enqueue(c, { op: 'PUT', key, value: `v${c}.${i}.${Math.floor(rand() * 1e6)}` }, t);
      else if (r < 0.6) traffic.enqueue(c, { op: 'DEL', key }, t);
      else traffic.enqueue(c, { op: 'GET', key }, t);
    }
  }
  if (s.upgradeAt !== null && s.outOfBand) {
    const oob = new OutOfBand(() => machine, v2, (what, arg) => note('harness', what, arg), (run) => at(traffic.now() + 100, run));
    at(s.upgradeAt, () => {
      note('harness', 'upgrade-requested');
      maintenanceOpen = true;
      window = { from: traffic.now(), to: -1, fw0: fwCycles(), hart0: machine.hart.cycles, fw1: 0, hart1: 0, machine };
      oob.begin();
      oob.readyBy(traffic.now() + OOB_READY_TICKS, at);
    });
    after({ event: 'ready', delay: 0 }, () => oob.handOver());
    oob.onSettled = () => at(traffic.now(), verify);
    outOfBand = oob;
  } else if (s.upgradeAt !== null) {
    const upAt = s.upgradeAt;
    if (s.imageOverNetwork) {
      for (const ch of hexChunks(v2, 600)) traffic.enqueue(MGMT, { op: 'IMAGE', args: `${ch.off} ${ch.hex}` }, upAt);
      traffic.enqueue(MGMT, { op: 'UPGRADE', args: `staged ${v2.length}` }, upAt);
    } else {
      traffic.enqueue(MGMT, { op: 'UPGRADE', args: `disk ${IMAGE_SECTOR} ${v2.length}` }, upAt);
    }
    at(upAt, () => {
      note('harness', 'upgrade-requested');
      maintenanceOpen = true;
      window = { from: traffic.now(), to: -1, fw0: fwCycles(), hart0: machine.hart.cycles, fw1: 0, hart1: 0, machine };
    });
  }
  let virtualizedByHost = false;
  if (s.virtualizeAfterServing !== undefined && s.virtualizeAfterServing !== null) {
    after({ event: 'serving', delay: s.virtualizeAfterServing }, () => {
      note('harness', 'doorbell-virtualize');
      machine.doorbell.ring(CAUSE.virtualize, []);
      virtualizedByHost = true;
    });
  }
  after(s.faults.storm, () => {
    const st = s.faults.storm!;
    note('harness', 'doorbell-storm', st.count);
    for (let k = 0; k < st.count; k++) at(traffic.now() + k * st.every, () => machine.doorbell.ring(0x40 + (k % 16)));
  });
  after(s.faults.burst, () => {
    note('harness', 'traffic-burst', s.faults.burst!.count);
    for (let k = 0; k < s.faults.burst!.count; k++) {
      const key = `b${k}`;
      keys.add(key);
      traffic.enqueue(BURST0 + k, { op: 'PUT', key, value: `burst${k}` }, traffic.now());
      traffic.enqueue(BURST0 + k, { op: 'GET', key }, traffic.now());
    }
  });
  after(s.faults.reset, () => { resetPending = true; stop(); });

  // Why the service stopped, when it was a fault on one of its devices (the last fatal trap line).
  const fatalDevice = (): string => {
    const last = [...timeline].reverse().find((e) => e.who === 'console' && /fatal trap/.test(e.event));
    const m = last && /^svc(\d+) fatal trap cause=(0x[0-9a-f]+) epc=0x[0-9a-f]+ tval=(0x[0-9a-f]+)$/.exec(last.event);
    if (!m) return '';
    const tval = Number(m[3]), slot = Math.floor((tval - 0x10001000) / 0x1000);
    const names: Record<number, string> = { 0: 'the disk', 1: 'the NIC' };
    const what = slot in names && tval >= 0x10001000 ? `${names[slot]} (virtio slot ${slot}), which it does not own` : `0x${tval.toString(16)}`;
    return `: v${m[1]} took an access fault (cause ${Number(m[2])}) on ${what}`;
  };
  // Run: the machine in slices; between slices, resets and the verification.

  let finalVersion: number | null = null;
  const stop = () => { machine.hart.stopReason = 'break'; machine.hart.kick(); };
  traffic.onResponse = (r) => {
    const resp = r.response!;
    if (r.client === MGMT && r.op.op === 'UPGRADE') {
      note('client', `upgrade-answered ${resp.status}${resp.payload ? ` ${resp.payload}` : ''}`);
      if (resp.status !== 'OK') { maintenanceOpen = false; closeWindow(); at(traffic.now(), verify); }
    }
    if (r.client === VERIFY && r.op.op === 'VERSION') finalVersion = resp.version;
    if (r.client === VERIFY && r.op.op === 'STATS') { ended = true; stop(); }
  };
  // The read-back starts once the traffic is over and every client has its answer.
  const verify = () => {
    const now = traffic.now();
    if (maintenanceOpen && outOfBand?.failed && outOfBand.idle) { maintenanceOpen = false; closeWindow(); }
    if (verifying || now < s.trafficEnd || traffic.busy || maintenanceOpen || (s.upgradeAt !== null && now < s.upgradeAt)) return;
    verifying = true;
    if (virtualizedByHost) { note('harness', 'doorbell-devirtualize'); machine.doorbell.ring(CAUSE.devirtualize, []); virtualizedByHost = false; }
    note('harness', 'verify');
    traffic.enqueue(VERIFY, { op: 'VERSION' }, now);
    for (const key of [...keys].sort()) traffic.enqueue(VERIFY, { op: 'GET', key }, now);
    traffic.enqueue(VERIFY, { op: 'STATS' }, now);
  };
  traffic.onIdle = verify;
  at(s.trafficEnd, verify);
  for (;;) {
    const before = machine!.hart.instret;
    const r = machine!.run({ maxInsns: SLICE });
    instructions += machine!.hart.instret - before;
    if (resetPending) {
      resetPending = false;
      const lost = disk.powerLoss();
      note('harness', 'power-loss-reset', lost);
      epoch = traffic.now();
      rebooted = true;
      // The machine boots what is installed: v2's bare build once the disk is in v2's format.
      const format = new DataView(disk.durable.buffer).getUint32(4, true);
      boot(format >= 2 ? images.v2Boot : v1);
      continue;
    }
    if (r.reason === 'finisher') {
      const f = machine!.finisherState;
      if (f?.kind === 'reset') { note('harness', 'guest-reset'); epoch = traffic.now(); machine!.reboot(); traffic.attach(machine!, epoch); timer = machine!.timers.create(fire); rearm(); continue; }
      violations.push({ at: traffic.now(), what: `the service stopped the machine (${f?.kind ?? 'finisher'}${f && f.kind === 'fail' ? ` code ${f.code}` : ''}): nothing serves${fatalDevice()}` });
      break;
    }
    if (r.reason === 'idle') { violations.push({ at: traffic.now(), what: 'the machine went idle with no timer armed: the service stopped answering' }); break; }
    if (ended) break;
    const now = traffic.now();
    if (now > s.deadline) {
      const stuck = traffic.records.filter((x) => x.at === null).slice(0, 3).map((x) => `${x.client}:${x.reqid} ${x.op.op}`);
      violations.push({ at: now, what: `the scenario did not finish by ${fmtTicks(s.deadline)}${stuck.length ? `: unanswered ${stuck.join(', ')}` : ''}` });
      break;
    }
  }

  // The downtime: the last response v1 gave before v2's first.
  const rs = traffic.responses;
  const firstV2 = rs.find((x) => x.version === 2);
  let downtime: number | null = null;
  if (firstV2) {
    const lastV1 = [...rs].reverse().find((x) => x.version === 1 && x.at <= firstV2.at);
    if (lastV1) downtime = firstV2.at - lastV1.at;
    const regress = rs.find((x) => x.version === 1 && x.at > firstV2.at);
    if (regress) violations.push({ at: regress.at, what: `v1 answered at ${fmtTicks(regress.at)} after v2 had answered at ${fmtTicks(firstV2.at)}: two services at once` });
    timeline.push({ at: firstV2.at, who: 'client', event: 'first-v2-response' });
    if (lastV1) timeline.push({ at: lastV1.at, who: 'client', event: 'last-v1-response' });
  }
  let longestGap: number | null = null;
  if (s.upgradeAt !== null) {
    const window = rs.filter((x) => x.at >= s.upgradeAt! && x.client !== VERIFY);
    for (let i = 1; i < window.length; i++) longestGap = Math.max(longestGap ?? 0, window[i].at - window[i - 1].at);
  }
  // Final state: the version that serves, and the Microvisor dormant (every virtualize undone).
  let devirtualized: boolean | null = null;
  const fw = parseElf(images.firmware, 'firmware').symbols.find((x) => x.name === 'mv_stats');
  if (fw) {
    const st = machine!.readBytes(BigInt(fw.value), 80);
    const dv = new DataView(st.buffer, st.byteOffset);
    devirtualized = dv.getBigUint64(64, true) === dv.getBigUint64(72, true);
  }
  if (ended && s.expect) {
    if (finalVersion === null || !s.expect.versions.includes(finalVersion)) violations.push({ at: traffic.now(), what: `version ${finalVersion} serves at the end; the scenario expects ${s.expect.versions.join(' or ')}` });
    if (devirtualized === false) violations.push({ at: traffic.now(), what: 'the machine is still virtualized at the end (virtualizations and devirtualizations differ)' });
    if (s.expect.versions.join() === '2' && s.upgradeAt !== null && downtime !== null && downtime > s.expect.downtimeBudget) {
      violations.push({ at: traffic.now(), what: `downtime ${fmtTicks(downtime)} is over the budget of ${fmtTicks(s.expect.downtimeBudget)}` });
    }
  }
  timeline.sort((a, b) => a.at - b.at);
  const phases: Phase[] = [];
  const client = traffic.records.filter((x) => x.client !== VERIFY && x.client !== MGMT && x.at !== null);
  const phase = (name: string, from: number, to: number) => {
    if (!(to > from)) return;
    const lat = client.filter((x) => x.sent[0] >= from && x.at! < to).map((x) => x.at! - x.sent[0]).sort((a, b) => a - b);
    const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : null);
    phases.push({ name, from, to, responses: lat.length, perSecond: Math.round(lat.length / ((to - from) / (TICKS_PER_MS * 1000))), p50: q(0.5), p99: q(0.99) });
  };
  const verifyAt = timeline.find((e) => e.event === 'verify')?.at ?? traffic.now();
  const firstServing = timeline.find((e) => e.event === 'serving')?.at ?? 0;
  if (s.upgradeAt !== null) {
    const closeAt = window && window.to >= 0 ? window.to : verifyAt;
    phase('before', firstServing, s.upgradeAt);
    const ready = timeline.find((e) => e.who === 'v2' && e.event === 'ready' && e.at >= s.upgradeAt!);
    if (ready) phase('v2-booting', s.upgradeAt, ready.at);
    phase('maintenance', s.upgradeAt, closeAt);
    phase('after', closeAt, verifyAt);
  } else {
    phase('serving', firstServing, verifyAt);
  }
  const lastClient = client.filter((x) => x.at! <= verifyAt).reduce((m, x) => Math.max(m, x.at!), -1);
  const answered = client.filter((x) => x.at! <= lastClient).length;
  const throughput: Throughput | null = lastClient > firstServing
    ? { responses: answered, from: firstServing, to: lastClient, perSecond: answered / ((lastClient - firstServing) / (TICKS_PER_MS * 1000)) } : null;
  const firmwareShare = window && window.to >= 0 && window.hart1 > window.hart0 ? (window.fw1 - window.fw0) / (window.hart1 - window.hart0) : null;
  const verified = traffic.records.filter((x) => x.client === VERIFY && x.op.op === 'GET' && x.response).length;
  return {
    name: s.name,
    passed: violations.length === 0 && ended,
    ended,
    violations,
    timeline,
    downtime,
    longestGap,
    requests: traffic.records.length,
    served: traffic.records.filter((x) => x.response).length,
    retries: traffic.records.reduce((n, x) => n + Math.max(0, x.sent.length - 1), 0),
    ackedWrites: traffic.model.ackedWrites,
    verifiedKeys: verified,
    finalVersion,
    devirtualized,
    phases,
    throughput,
    firmwareShare,
    end: traffic.now(),
    instructions,
  };
}

/** The default scenario of `devirt upgrade` and the gate: 4 clients, a request each per ms, the upgrade at 10 ms, traffic for 40 ms. */
export const DEFAULT_SCENARIO = { clients: 4, intervalMs: 1, upgradeAtMs: 10, trafficMs: 40, seed: 1, keysPerClient: 8 } as const;
