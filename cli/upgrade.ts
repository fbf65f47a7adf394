// `devirt upgrade`: boot the service (v1) on a fresh disk under the Microvisor on the reference
// machine, drive scripted client traffic through the host endpoint, ask for the upgrade to v2 in
// band, and print the timeline in guest time, the downtime, the requests served and the
// acknowledged writes verified after it (harness/service/scenario.ts). Works with any pair of
// images that speak conformance/service-protocol.md.

import { Command } from 'commander';
import { readFileSync, writeFileSync, renameSync } from 'fs';
import { dirname, resolve } from 'path';
import { existsSync } from 'fs';
import { CliError, EXIT } from './exit-codes';
import { parseCount } from './size';
import { FAULTS, FaultName, FIRMWARE, SERVICE_BUILD, BadImage } from '../harness/service/images';
import { DEFAULT_SCENARIO, runScenario, Scenario, ScenarioResult, TICKS_PER_MS, Trigger } from '../harness/service/scenario';
import { fmtTicks } from '../harness/service/traffic';
import { serviceDowntimeBudgetMs } from '../harness/service/budget';
import { MachineError } from '../reference/machine/machine';
import { ElfError } from '../reference/tools/elf';

/** v2's slow boot is ready 30 ms after it starts (at about 45 ms): the clients keep sending past it. */
const SLOW_BOOT_TRAFFIC_MS = 80;
const V1_FAULTS: FaultName[] = ['refuse-release', 'ack-before-flush'];
const BAD_IMAGES: BadImage[] = ['not-elf', 'too-big', 'entry-outside'];

function readImage(file: string, flag: string): Uint8Array {
  try { return new Uint8Array(readFileSync(file)); } catch (e) {
    throw new CliError(`${flag}: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function parseMs(text: string, flag: string): number {
  if (!/^\d+(\.\d+)?$/.test(text)) throw new CliError(`${flag}: bad time '${text}' (expected milliseconds of guest time, e.g. 10 or 2.5)`);
  return Math.round(Number(text) * TICKS_PER_MS);
}

/** EVENT or EVENT+MS: a console event of the service (v1's or v2's) and a delay after it. */
function parseTrigger(text: string, flag: string): Trigger {
  const m = /^([a-z0-9-]+)(?:\+(\d+(?:\.\d+)?))?$/.exec(text);
  if (!m) throw new CliError(`${flag}: bad trigger '${text}' (expected EVENT or EVENT+MS, e.g. handed-over+0.1)`);
  return { event: m[1], delay: m[2] ? parseMs(m[2], flag) : 0 };
}

export function printResult(r: ScenarioResult, out: (s: string) => void): void {
  out(`timeline (guest time):\n`);
  for (const e of r.timeline) out(`  ${fmtTicks(e.at).padStart(12)}  ${e.who.padEnd(8)} ${e.event}${e.arg !== undefined ? ` ${e.arg}` : ''}\n`);
  out(`downtime: ${r.downtime === null ? 'none measured (v2 never answered)' : fmtTicks(r.downtime)} (last v1 response to first v2 response)\n`);
  if (r.longestGap !== null) out(`longest gap between responses after the request: ${fmtTicks(r.longestGap)}\n`);
  for (const p of r.phases) {
    out(`  ${p.name.padEnd(12)} ${fmtTicks(p.from)} to ${fmtTicks(p.to)}: ${p.responses} responses, ${p.perSecond}/s, latency p50 ${p.p50 === null ? '-' : fmtTicks(p.p50)}, p99 ${p.p99 === null ? '-' : fmtTicks(p.p99)}\n`);
  }
  if (r.firmwareShare !== null) out(`the Microvisor's share of the cycles in the maintenance window: ${(r.firmwareShare * 100).toFixed(2)}%\n`);
  out(`requests: ${r.requests} sent, ${r.served} answered, ${r.retries} retransmissions; ${r.ackedWrites} writes acknowledged\n`);
  out(`verified after: ${r.verifiedKeys} keys read back; serving: v${r.finalVersion ?? '?'}; ${r.devirtualized ? 'devirtualized' : r.devirtualized === false ? 'still virtualized' : 'firmware state unknown'}\n`);
  out(`guest time ${fmtTicks(r.end)}, ${r.instructions} instructions\n`);
  for (const v of r.violations) out(`FAIL at ${fmtTicks(v.at)}: ${v.what}\n`);
  out(r.passed ? 'upgrade: PASS\n' : 'upgrade: FAIL\n');
}

export function registerUpgrade(program: Command): void {
  program
    .command('upgrade')
    .description('upgrade a live service (v1 -> v2) in band on the reference machine and measure it in guest time')
    .option('--v1 <file>', 'the running service, booted by the firmware', resolve(SERVICE_BUILD, 'service-v1.elf'))
    .option('--v2 <file>', 'the next version, linked for the maintenance partition', resolve(SERVICE_BUILD, 'service-v2-part.elf'))
    .option('--v2-boot <file>', 'the next version linked for the bare machine (booted after a reset once the disk is its)', resolve(SERVICE_BUILD, 'service-v2.elf'))
    .option('--bios <file>', 'the firmware', FIRMWARE)
    .option('--clients <n>', 'client count', String(DEFAULT_SCENARIO.clients))
    .option('--interval <ms>', 'each client sends a request this often (guest ms)', String(DEFAULT_SCENARIO.intervalMs))
    .option('--upgrade-at <ms>', 'when the management request asks for the upgrade (guest ms)', String(DEFAULT_SCENARIO.upgradeAtMs))
    .option('--traffic <ms>', `how long the clients send (guest ms; default ${DEFAULT_SCENARIO.trafficMs}, with --fault slow-boot ${SLOW_BOOT_TRAFFIC_MS}, so that the switch happens under traffic)`)
    .option('--seed <n>', 'seed of the traffic', String(DEFAULT_SCENARIO.seed))
    .option('--budget <ms>', 'downtime budget (guest ms; default: ci/budgets.json service.downtimeMs)')
    .option('--fault <name>', `a fault of v2 (${Object.keys(FAULTS).filter((f) => f !== 'none' && !V1_FAULTS.includes(f as FaultName)).join(', ')}) or v1 (${V1_FAULTS.join(', ')})`)
    .option('--bad-image <kind>', `offer a bad image instead of v2 (${BAD_IMAGES.join(', ')})`)
    .option('--image-over-network', 'send v2 over the network (IMAGE requests) instead of naming it on the disk')
    .option('--out-of-band', 'drive the upgrade from the host through the management doorbell (v2 placed in the partition; virtualize, create, start, and the handover once v2 is ready) instead of a request to v1')
    .option('--reset-after <event>', 'power loss and reboot after a service event, EVENT[+MS] (e.g. handed-over+0.1)')
    .option('--storm-after <event>', 'a doorbell storm (200 rings of ignored causes, 10 us apart) after EVENT[+MS]')
    .option('--burst-after <event>', 'a burst of 32 more clients after EVENT[+MS]')
    .option('--expect-version <n>', 'the version that must serve at the end (default 2; 1 with a fault or bad image; either with --reset-after)')
    .option('--json <file>', 'write the result (timeline, downtime, counts, violations) as JSON')
    .action((o) => {
      const fault = o.fault as string | undefined;
      if (fault !== undefined && (!(fault in FAULTS) || fault === 'none')) throw new CliError(`--fault: unknown fault '${fault}' (one of ${Object.keys(FAULTS).filter((f) => f !== 'none').join(', ')})`);
      if (o.badImage !== undefined && !BAD_IMAGES.includes(o.badImage)) throw new CliError(`--bad-image: unknown kind '${o.badImage}' (one of ${BAD_IMAGES.join(', ')})`);
      if (o.json && !existsSync(dirname(resolve(o.json)))) throw new CliError(`--json: folder '${dirname(resolve(o.json))}' does not exist`);
      const clients = parseCount(o.clients, '--clients');
      if (clients < 1 || clients > 64) throw new CliError(`--clients: ${clients} is outside 1..64`);
      const interval = parseMs(o.interval, '--interval');
      if (interval < 1) throw new CliError('--interval: must be more than 0');
      const images = {
        firmware: readImage(o.bios, '--bios'), v1: readImage(o.v1, '--v1'), v2: readImage(o.v2, '--v2'), v2Boot: readImage(o.v2Boot, '--v2-boot'),
      };
      // slow-boot is no fault: v2 takes 30 ms to boot, then the upgrade completes.
      const rollback = (fault !== undefined && fault !== 'slow-boot') || o.badImage !== undefined;
      // A power loss before the commit leaves v1 installed, after v2's migration v2: either may serve.
      const versions = o.expectVersion !== undefined ? [parseCount(o.expectVersion, '--expect-version')] : rollback ? [1] : o.resetAfter ? [1, 2] : [2];
      const trafficEnd = parseMs(o.traffic ?? String(fault === 'slow-boot' ? SLOW_BOOT_TRAFFIC_MS : DEFAULT_SCENARIO.trafficMs), '--traffic');
      const s: Scenario = {
        name: 'devirt upgrade', clients, interval, trafficEnd, keysPerClient: DEFAULT_SCENARIO.keysPerClient, seed: parseCount(o.seed, '--seed'),
        upgradeAt: parseMs(o.upgradeAt, '--upgrade-at'), imageOverNetwork: !!o.imageOverNetwork, outOfBand: !!o.outOfBand,
        faults: {
          v1: fault && V1_FAULTS.includes(fault as FaultName) ? fault as FaultName : undefined,
          v2: fault && !V1_FAULTS.includes(fault as FaultName) ? fault as FaultName : undefined,
          image: o.badImage,
          reset: o.resetAfter ? parseTrigger(o.resetAfter, '--reset-after') : undefined,
          storm: o.stormAfter ? { ...parseTrigger(o.stormAfter, '--storm-after'), count: 200, every: 100 } : undefined,
          burst: o.burstAfter ? { ...parseTrigger(o.burstAfter, '--burst-after'), count: 32 } : undefined,
        },
        expect: { versions, downtimeBudget: o.budget !== undefined ? parseMs(o.budget, '--budget') : Math.round(serviceDowntimeBudgetMs() * TICKS_PER_MS) },
        deadline: trafficEnd + 1000 * TICKS_PER_MS,
      };
      let r: ScenarioResult;
      try {
        r = runScenario(s, images);
      } catch (e) {
        if (e instanceof MachineError || e instanceof ElfError) throw new CliError(`cannot boot the service: ${e.message}`);
        throw e;
      }
      printResult(r, (t) => process.stdout.write(t));
      if (o.json) {
        const tmp = `${o.json}.tmp`;
        writeFileSync(tmp, JSON.stringify({ ...r, ticksPerMs: TICKS_PER_MS }, null, 2) + '\n');
        renameSync(tmp, o.json);
      }
      if (!r.passed) process.exitCode = EXIT.failures;
    });
}
