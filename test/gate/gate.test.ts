// `devirt gate` on any implementation: the same figures through the JSON-lines protocol as in
// process (the gate needs only console lines with cycle counts), JUnit carrying every measured
// value, a history line per run, and one-line refusals of a bad budgets file, an implementation
// without the line-cycles capability and a firmware file that does not exist.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { convert } from 'xmlbuilder2';
import { devirt, nodeCmd } from '../harness/helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-gate-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const at = (f: string) => path.join(tmp, f);
const rowsOf = (stdout: string) => stdout.split('\n').filter((l) => /^(compute|mk-compute)\s/.test(l));

describe('devirt gate', () => {
  let inProcess: ReturnType<typeof devirt>;
  beforeAll(() => { inProcess = devirt(['gate', '--only', 'compute', 'mk-compute', '--junit', at('ref.xml'), '--history', at('history.jsonl')]); });

  test('on the reference: a row per workload, JUnit with the measured values as properties, a history line', () => {
    expect(inProcess.status).toBe(0);
    expect(rowsOf(inProcess.stdout)).toHaveLength(2);
    const doc = convert(fs.readFileSync(at('ref.xml'), 'utf8'), { format: 'object' }) as any;
    const cases = doc.testsuites.testsuite.testcase;
    const props = Object.fromEntries(cases[0].properties.property.map((p: any) => [p['@name'], p['@value']]));
    expect(Number(props.nativeCycles)).toBeGreaterThan(0);
    expect(props.devirtualizedOverheadCycles).toBe('0');
    const line = JSON.parse(fs.readFileSync(at('history.jsonl'), 'utf8').trim());
    expect(line.workloads.map((w: { name: string }) => w.name)).toEqual(['compute', 'mk-compute']);
    expect(line.workloads[0].nativeCycles).toBe(Number(props.nativeCycles));
  });

  test('through the protocol (the reference as an external program) the figures are the same', () => {
    const ext = devirt(['gate', '--only', 'compute', 'mk-compute', '--impl-cmd', nodeCmd('harness/adapters/reference-external.js'), '--junit', at('ext.xml')]);
    expect(ext.status).toBe(0);
    expect(rowsOf(ext.stdout)).toEqual(rowsOf(inProcess.stdout));
  });

  test('a budget the measurement exceeds fails the gate (exit 1) with the figure in the JUnit failure', () => {
    const budgets = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../ci/budgets.json'), 'utf8'));
    budgets.workloads = budgets.workloads.filter((w: { name: string }) => w.name === 'compute').map((w: object) => ({ ...w, virtualizedBudgetPercent: 0.001 }));
    fs.writeFileSync(at('tight.json'), JSON.stringify(budgets));
    const r = devirt(['gate', '--budgets', at('tight.json'), '--junit', at('tight.xml')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL: virtualized overhead .*% over budget 0.001%/);
    expect(fs.readFileSync(at('tight.xml'), 'utf8')).toMatch(/<failure type="budget" message="virtualized overhead/);
  });

  test('the firmware cost of sharing the hart is gated from firmwareCosts: every row printed; a cost over its budget fails (exit 1)', () => {
    const ok = devirt(['gate', '--only', 'firmware-costs', '--junit', at('costs.xml')]);
    expect(ok.status).toBe(0);
    const budgets = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../ci/budgets.json'), 'utf8'));
    for (const r of budgets.firmwareCosts) expect(ok.stdout).toMatch(new RegExp(`^${r.name}\\s+\\d+\\s+${r.budgetCycles}\\s+pass$`, 'm'));
    budgets.firmwareCosts = budgets.firmwareCosts.map((r: { name: string }) => (r.name === 'world-switch' ? { ...r, budgetCycles: 1 } : r));
    fs.writeFileSync(at('tight-costs.json'), JSON.stringify(budgets));
    const tight = devirt(['gate', '--only', 'firmware-costs', '--budgets', at('tight-costs.json'), '--junit', at('tight-costs.xml')]);
    expect(tight.status).toBe(1);
    expect(tight.stdout).toMatch(/^world-switch\s+\d+\s+1\s+FAIL$/m);
  });

  test('the service\'s throughput is gated: native, virtualized and beside v2 against service.throughput; a floor it misses fails (exit 1)', () => {
    const ok = devirt(['gate', '--only', 'service', '--junit', at('service.xml')]);
    expect(ok.status).toBe(0);
    for (const c of ['native', 'virtualized', 'beside-v2']) expect(ok.stdout).toMatch(new RegExp(`^${c}\\s+\\d+.*pass`, 'm'));
    const budgets = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../ci/budgets.json'), 'utf8'));
    budgets.service.throughput.virtualizedMinPercent = 100;   // virtualized is never free
    fs.writeFileSync(at('tight-service.json'), JSON.stringify(budgets));
    const tight = devirt(['gate', '--only', 'service', '--budgets', at('tight-service.json'), '--junit', at('tight-service.xml')]);
    expect(tight.status).toBe(1);
    expect(tight.stdout).toMatch(/^virtualized\s+\d+\s+\d+\.\d+%\s+>=100%\s+FAIL/m);
  });

  test('a known miss is printed with its figure and reason and tolerated up to that figure; --strict fails on it; worse than listed fails', () => {
    const budgets = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../ci/budgets.json'), 'utf8'));
    const compute = budgets.workloads.find((w: { name: string }) => w.name === 'compute');
    const write = (name: string, knownMiss: object) => fs.writeFileSync(at(name), JSON.stringify({ workloads: [{ ...compute, virtualizedBudgetPercent: 0.001, knownMiss }] }));
    write('miss.json', { measuredPercent: 50, reason: 'a reason given in the list' });
    const tolerated = devirt(['gate', '--budgets', at('miss.json'), '--junit', at('miss.xml')]);
    expect(tolerated.status).toBe(0);
    expect(tolerated.stdout).toMatch(/^compute .*KNOWN MISS/m);
    expect(tolerated.stdout).toMatch(/compute: [\d.]+% against the budget of 0.001% \(listed at 50%\): a reason given in the list/);
    expect(fs.readFileSync(at('miss.xml'), 'utf8')).toMatch(/<skipped message="known miss: virtualized overhead/);
    const strict = devirt(['gate', '--strict', '--budgets', at('miss.json'), '--junit', at('strict.xml')]);
    expect(strict.status).toBe(1);
    expect(strict.stdout).toMatch(/FAIL: virtualized overhead .* over budget 0.001% \(known miss, failed by --strict: a reason given in the list\)/);
    write('worse.json', { measuredPercent: 0.002, reason: 'r' });
    const worse = devirt(['gate', '--budgets', at('worse.json'), '--junit', at('worse.xml')]);
    expect(worse.status).toBe(1);
    expect(worse.stdout).toMatch(/FAIL: .*worse than its known miss \(0.002%\)/);
    write('within.json', { measuredPercent: 0.0005, reason: 'r' });
    const within = devirt(['gate', '--budgets', at('within.json')]);
    expect(within.status).toBe(2);
    expect(within.stderr).toMatch(/within\.json: \/workloads\/0\/knownMiss\/measuredPercent: 0.0005 is within the budget \(0.001%\): not a miss/);
  });

  test('bad input is one line naming the file and field (exit 2)', () => {
    fs.writeFileSync(at('bad.json'), JSON.stringify({ workloads: [{ name: 'x', kernel: 'k', firmware: 'f', from: '(', to: 'b', virtualizeAt: 1, devirtualizeAt: 2, maxInsns: 3, virtualizedBudgetPercent: 1 }] }));
    const badRe = devirt(['gate', '--budgets', at('bad.json')]);
    expect(badRe.status).toBe(2);
    expect(badRe.stderr).toMatch(/bad\.json: \/workloads\/0\/from: not a regular expression/);
    fs.writeFileSync(at('missing.json'), JSON.stringify({ workloads: [{ name: 'x', kernel: 'nowhere.elf', firmware: 'f', from: 'a', to: 'b', virtualizeAt: 1, devirtualizeAt: 2, maxInsns: 3 }] }));
    const missing = devirt(['gate', '--budgets', at('missing.json')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing\.json: \/workloads\/0\/virtualizedBudgetPercent: is required/);
    const noFw = devirt(['gate', '--firmware', at('nope.elf')]);
    expect(noFw.status).toBe(2);
    expect(noFw.stderr).toMatch(/--firmware: no file/);
    const noCap = devirt(['gate', '--impl-cmd', nodeCmd('test/gate/without-line-cycles.js')]);
    expect(noCap.status).toBe(2);
    expect(noCap.stderr).toMatch(/without-line-cycles 0\.1\.0 does not declare the line-cycles capability/);
  });

  test('an implementation that claims line-cycles but answers without them fails each workload saying so', () => {
    const r = devirt(['gate', '--only', 'compute', '--impl-cmd', nodeCmd('harness/controls/pass-like.js'), '--junit', at('liar.xml')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/compute .*FAIL: the implementation answered without console line cycle counts/);
  });

  test('--firmware measures another Microvisor build: the M-mode firmware in its place is not transparent and fails', () => {
    const r = devirt(['gate', '--only', 'compute', '--firmware', path.join(__dirname, '../../../reference/firmware/mmode/build/mmode-fw.elf'), '--junit', at('other.xml')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^compute .*FAIL/m);
  });
});
