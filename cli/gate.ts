// `devirt gate`: the overhead budgets, on the reference or on any implementation that reports
// cycles per console line (capability line-cycles). Prints the table, writes JUnit with every
// measured value as a property, appends one JSON line to a history file when asked, exits 1 when
// a budget is exceeded. A miss listed in the budgets (knownMiss) is printed with its figure and
// reason and tolerated up to that figure; --strict fails on it.

import { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import { createImplementation, ImplSpec } from '../harness/adapters/create';
import { BUDGETS_FILE, BudgetsError, readBudgets } from '../harness/gate/budgets';
import { budgetFile, measure } from '../harness/gate/measure';
import { gateHistoryLine, gateJunit, gateTable } from '../harness/gate/render';
import { measureService, SERVICE_GATE_NAME } from '../harness/gate/service';
import { measureServiceThroughput, throughputTable } from '../harness/gate/service-throughput';
import { FIRMWARE_COSTS_GATE_NAME, firmwareCostBudgets, firmwareCostsTable, gateFirmwareCosts } from '../harness/gate/firmware-costs';
import { DEVIRT_VERSION } from '../harness/run-info';
import { handshake, ImplementationStartError } from '../harness/run-suite';
import { CliError, EXIT } from './exit-codes';
import { checkOutputPath, writeFileAtomic } from './files';

interface GateFlags { implCmd?: string; budgets: string; firmware?: string; mmodeFirmware?: string; junit: string; history?: string; only?: string[]; timeout: string; strict?: boolean }

const existingFile = (flag: string, f: string | undefined) => {
  if (f !== undefined && (!fs.existsSync(f) || !fs.statSync(f).isFile())) throw new CliError(`${flag}: no file ${f}`);
};

export function registerGate(program: Command): void {
  program.command('gate').description('overhead budgets: native, virtualized and devirtualized cycles of each workload against its budget')
    .option('--impl-cmd <command>', 'an external implementation (conformance/PROTOCOL.md) with the line-cycles capability; default: the reference')
    .option('--budgets <file>', 'the budgets', BUDGETS_FILE)
    .option('--firmware <file>', 'the Microvisor to measure (replaces the budgets\' firmware of S-mode workloads)')
    .option('--mmode-firmware <file>', 'the M-mode firmware to measure (replaces it for workloads of kind mkernel)')
    .option('--only <name...>', 'only these workloads (\'service\': only the upgrade\'s downtime and the service\'s throughput; \'firmware-costs\': only the cost of sharing the hart)')
    .option('--junit <file>', 'JUnit XML with the measured values as properties', 'out/gate-junit.xml')
    .option('--history <file>', 'append one JSON line with this run\'s figures to FILE')
    .option('--timeout <ms>', 'per-run limit for an external implementation', '600000')
    .option('--strict', 'known misses (ci/budgets.json knownMiss) fail too: every workload must meet its budget')
    .action(async (o: GateFlags) => {
      existingFile('--firmware', o.firmware);
      existingFile('--mmode-firmware', o.mmodeFirmware);
      let budgets;
      try { budgets = readBudgets(o.budgets); } catch (e) { if (e instanceof BudgetsError) throw new CliError(e.message); throw e; }
      for (const n of o.only ?? []) if (n !== SERVICE_GATE_NAME && n !== FIRMWARE_COSTS_GATE_NAME && !budgets.some((b) => b.name === n)) throw new CliError(`--only: no workload '${n}' in ${o.budgets} (known: ${budgets.map((b) => b.name).join(', ')}, ${SERVICE_GATE_NAME}, ${FIRMWARE_COSTS_GATE_NAME})`);
      // The upgrade's downtime is measured on the reference (its network and service harness), when
      // the budgets have a service section (optional in the schema: a file of workloads alone has none).
      const hasService = (JSON.parse(fs.readFileSync(o.budgets, 'utf8')) as { service?: unknown }).service !== undefined;
      if (o.only?.includes(SERVICE_GATE_NAME) && !hasService) throw new CliError(`--only: ${o.budgets} has no service section (service.downtimeMs) to gate`);
      const withService = (o.only === undefined || o.only.includes(SERVICE_GATE_NAME)) && o.implCmd === undefined && hasService;
      // The firmware's cost of sharing the hart (world switch, yield, retire, emulated PLIC,
      // hand_over): reference only, when the budgets have firmwareCosts rows.
      const hasCosts = firmwareCostBudgets(o.budgets) !== null;
      if (o.only?.includes(FIRMWARE_COSTS_GATE_NAME) && !hasCosts) throw new CliError(`--only: ${o.budgets} has no firmwareCosts rows to gate`);
      const withCosts = (o.only === undefined || o.only.includes(FIRMWARE_COSTS_GATE_NAME)) && o.implCmd === undefined && hasCosts;
      if (o.only) budgets = budgets.filter((b) => o.only!.includes(b.name));
      budgets.forEach((b, i) => {
        for (const k of ['kernel', 'firmware'] as const) {
          if (!fs.existsSync(budgetFile(b[k]))) throw new CliError(`${o.budgets}: /workloads/${i}/${k}: no file ${b[k]} (relative to the current folder or to devirt's root)`);
        }
      });
      const timeoutMs = Number(o.timeout);
      if (!/^\d+$/.test(o.timeout) || timeoutMs < 1) throw new CliError(`--timeout: bad value '${o.timeout}' (a positive integer)`);
      fs.mkdirSync(path.dirname(path.resolve(o.junit)), { recursive: true });
      checkOutputPath(o.junit, '--junit');
      if (o.history !== undefined) checkOutputPath(o.history, '--history');
      const spec: ImplSpec = o.implCmd === undefined ? { kind: 'reference' } : { kind: 'external', command: o.implCmd, timeoutMs };
      let hello;
      try { hello = await handshake(spec); } catch (e) { if (e instanceof ImplementationStartError) throw new CliError(e.message); throw e; }
      if (!hello.capabilities.includes('line-cycles')) throw new CliError(`${hello.name} ${hello.version} does not declare the line-cycles capability: the gate needs the cycle count at each console line (conformance/PROTOCOL.md)`);
      const impl = await createImplementation(spec);
      const rows = [];
      try {
        for (const b of budgets) rows.push(await measure(b, impl, { firmware: o.firmware, mmodeFirmware: o.mmodeFirmware, strict: o.strict }));
      } finally {
        await impl.close();
      }
      const name = `${hello.name} ${hello.version}`;
      if (rows.length) process.stdout.write(gateTable(rows));
      let serviceOk = true;
      if (withService) {
        const sr = measureService(o.budgets, o.firmware);
        serviceOk = sr.pass;
        process.stdout.write(`service upgrade (default scenario): ${sr.pass ? 'pass' : 'FAIL'}: ${sr.why}\n`);
        const tr = measureServiceThroughput(o.budgets, o.firmware);
        if (tr) {
          serviceOk = serviceOk && tr.every((r) => r.pass);
          process.stdout.write(throughputTable(tr));
        }
      }
      let costsOk = true;
      if (withCosts) {
        const cr = gateFirmwareCosts(o.budgets, o.firmware);
        costsOk = cr.every((r) => r.pass);
        process.stdout.write(firmwareCostsTable(cr));
      }
      writeFileAtomic(o.junit, gateJunit(rows, name), '--junit');
      if (o.history !== undefined) fs.appendFileSync(o.history, gateHistoryLine(rows, name, DEVIRT_VERSION, new Date()));
      process.exitCode = rows.every((r) => r.pass) && serviceOk && costsOk ? EXIT.ok : EXIT.failures;
    });
}
