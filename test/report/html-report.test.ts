// The HTML report in a real browser: Debian's Chromium driven by playwright-core (the package
// drives an installed browser and downloads none). The page of a run with failures and the
// overhead suite loads offline without errors, its filters and search narrow the results, a
// failure opens to its expected-against-actual table and the code around the stop, and the
// overhead chart has one group of bars per workload. A screenshot is left in out/ for CI.

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, Browser } from 'playwright-core';
import { readReport } from '../../harness/report/document';
import { devirt, nodeCmd, ROOT } from '../harness/helpers';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-html-'));
let browser: Browser;

// `.ci/run` installs Debian's chromium; without it the browser test cannot run at all.
(CHROMIUM ? describe : describe.skip)('the HTML report in headless Chromium', () => {
  const page = path.join(tmp, 'report.html');
  let failing = 0;
  beforeAll(async () => {
    const bad = path.join(tmp, 'bad.json');
    expect(devirt(['run', '--suite', 'isa', '--filter', 'sra', '--jobs', '1', '--impl-cmd', nodeCmd('harness/controls/wrong-answers.js'), '--reporter', 'json', '--out', bad]).status).toBe(1);
    const overhead = path.join(tmp, 'overhead.json');
    expect(devirt(['run', '--suite', 'overhead', '--reporter', 'json', '--out', overhead]).status).toBe(0);
    // One report with both: a failing isa run and the overhead suite's measured cycles.
    const doc = readReport(bad);
    const ov = readReport(overhead);
    doc.results.push(...ov.results);
    failing = doc.results.filter((r) => r.kind === 'fail').length;
    fs.writeFileSync(path.join(tmp, 'both.json'), JSON.stringify(doc));
    expect(devirt(['report', 'html', path.join(tmp, 'both.json'), '--out', page]).status).toBe(0);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 300_000);
  afterAll(async () => { await browser?.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

  test('loads from a file without errors or network, filters, searches, shows a diff and the chart', async () => {
    const p = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    p.on('request', (r) => { if (!r.url().startsWith('file:')) requests.push(r.url()); });
    await p.goto('file://' + page);
    await p.waitForSelector('body[data-ready="true"]');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);

    // By default the failures are listed (up to a page of them), passes are not.
    expect(await p.textContent('#count')).toMatch(new RegExp(`${failing} matching results`));
    expect(await p.locator('#rows tr.result.pass').count()).toBe(0);

    // Result filters: only passes, then a search that narrows them.
    for (const k of ['fail', 'error', 'crash', 'timeout', 'skip', 'xfail', 'xpass']) await p.uncheck(`#kinds input[value="${k}"]`);
    await p.check('#kinds input[value="pass"]');
    const passes = await p.locator('#rows tr.result').count();
    expect(passes).toBeGreaterThan(0);
    expect(await p.locator('#rows tr.result:not(.pass)').count()).toBe(0);
    await p.fill('#search', 'compute');
    const computes = readReport(path.join(tmp, 'overhead.json')).results.filter((r) => r.title.includes('compute')).length;
    expect(computes).toBeGreaterThanOrEqual(3);
    expect(await p.locator('#rows tr.result').count()).toBe(computes);
    await p.selectOption('#suite', 'isa');
    expect(await p.locator('#rows tr.result').count()).toBe(0);
    await p.fill('#search', '');
    await p.selectOption('#suite', '');

    // A failure opens to expected against actual, the stop in the code, and the clause.
    await p.uncheck('#kinds input[value="pass"]');
    await p.check('#kinds input[value="fail"]');
    await p.click('#rows tr.result.fail >> nth=0');
    const detail = p.locator('.detail').first();
    expect(await detail.locator('table.diff td.expected').count()).toBeGreaterThan(0);
    expect(await detail.locator('table.diff td.actual').count()).toBeGreaterThan(0);
    expect(await detail.locator('pre.code span.stop').count()).toBe(1);
    expect(await detail.locator('p.spec').textContent()).toMatch(/specification: /);

    // The overhead chart: one group per workload, three bars each.
    const groups = p.locator('svg#overhead g.workload');
    const overheadResults = readReport(path.join(tmp, 'overhead.json')).results;
    const workloads = new Set(overheadResults.filter((r) => r.measured?.cycles !== undefined).map((r) => r.title.split(':')[0]));
    expect(workloads.size).toBeGreaterThanOrEqual(5);
    expect(await groups.count()).toBe(workloads.size);
    for (let i = 0; i < workloads.size; i++) expect(await groups.nth(i).locator('rect.bar').count()).toBe(3);

    // The service under load: one bar per configuration, the median of the seeds' requests per second.
    const configs = p.locator('svg#throughput g.config');
    expect(await configs.count()).toBe(3);
    const rates = await configs.locator('rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-per-second'))));
    const nativeRates = overheadResults.filter((r) => r.title.startsWith('service under load: native')).map((r) => r.measured!.requestsPerSecond!).sort((a, b) => a - b);
    expect(rates[0]).toBe(nativeRates[1]);
    expect(rates[2]).toBeLessThan(rates[0]);

    fs.mkdirSync(path.join(ROOT, 'out'), { recursive: true });
    await p.screenshot({ path: path.join(ROOT, 'out', 'html-report.png'), fullPage: false });
  }, 120_000);
});
