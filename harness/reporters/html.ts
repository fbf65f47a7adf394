// The HTML report: one self-contained file (no network, no server) that opens in any browser.
// The summary by suite and result, filters and search over every result, each failure with
// expected against actual, the instructions around the stop, the specification clause and the
// provenance, and the overhead suite as a chart. The data rides in the page as JSON; the script
// and style are inlined from html/page.js and html/page.css.

import * as fs from 'fs';
import * as path from 'path';
import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import type { RunInfo } from '../run-info';
import { KINDS, notRun, Summary } from '../summary';
import { overheadBars, overheadSvg, serviceBars, serviceSvg } from './html/chart';
import type { ReportContext } from './html/context';

const ASSETS = path.resolve(__dirname, '../../../harness/reporters/html');

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
/** JSON inside <script>: nothing in it may close the element or open a comment. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const DEFAULT_SHOWN = new Set(['fail', 'error', 'crash', 'timeout', 'xpass', 'xfail', 'skip']);

function summaryTable(summary: Summary): string {
  const head = `<tr><th>suite</th><th>total</th>${KINDS.map((k) => `<th>${k}</th>`).join('')}</tr>`;
  const row = (name: string, c: Summary['total'], suite: string) =>
    `<tr><td>${esc(name)}</td><td>${c.total}</td>${KINDS.map((k) => `<td class="${k}${c[k] ? ' nonzero' : ''}">${c[k] ? `<a href="#results" data-kind-link="${k}" data-suite="${esc(suite)}">${c[k]}</a>` : 0}</td>`).join('')}</tr>`;
  return `<table class="summary">${head}${Object.entries(summary.bySuite).map(([s, c]) => row(s, c, s)).join('')}${row('all', summary.total, '')}</table>`;
}

export function renderHtml(hello: HelloMessage, records: ResultRecord[], summary: Summary, info: RunInfo, ctx: ReportContext = { details: {}, budgets: [] }): string {
  const css = fs.readFileSync(path.join(ASSETS, 'page.css'), 'utf8');
  const js = fs.readFileSync(path.join(ASSETS, 'page.js'), 'utf8');
  const failing = summary.total.fail + summary.total.error + summary.total.crash + summary.total.timeout + summary.total.xpass;
  const banner = summary.interrupted
    ? `<div class="banner interrupted">INTERRUPTED by ${esc(summary.interrupted)}: ${records.filter(notRun).length} of ${records.length} vectors not run; this report is partial</div>`
    : summary.failed ? `<div class="banner failed">FAILED: ${failing} of ${summary.total.total} vectors</div>`
    : `<div class="banner ok">OK: ${summary.total.pass} passed, ${summary.total.skip} skipped, ${summary.total.xfail} expected failures</div>`;
  const anyFailing = failing + summary.total.xfail + summary.total.skip > 0;
  const kindBoxes = KINDS.map((k) => `<label><input type="checkbox" value="${k}"${!anyFailing || DEFAULT_SHOWN.has(k) ? ' checked' : ''}> ${k}</label>`).join(' ');
  const suites = Object.keys(summary.bySuite);
  const tags = [...new Set(Object.values(ctx.details).flatMap((d) => d.tags))].sort();
  const bars = overheadBars(records, ctx.details, ctx.budgets);
  const chart = bars.length ? `<h2>Overhead</h2><p class="meta">Cycles of each overhead workload's whole run (boot included), native, virtualized and devirtualized, as the implementation counted them, relative to native. The budgets in ci/budgets.json apply to the measured phase between the workload's markers, which <code>npm run gate</code> times and judges.</p>${overheadSvg(bars)}` : '';
  const service = serviceBars(records, ctx.details);
  const serviceChart = service.length ? `<h2>Service under load</h2><p class="meta">Requests per second of guest time the service answered under the saturating load, per configuration (the median of its seeds): alone on the bare hart, virtualized, and beside a booting second instance. <code>npm run gate</code> judges the figures against ci/budgets.json <code>service.throughput</code>.</p>${serviceSvg(service)}` : '';
  const shard = info.shard ? `, shard ${info.shard.index}/${info.shard.count} of ${info.selectionSize} vectors` : '';
  // Every result carries its tags (for the tag filter) as an index into the distinct tag sets; the
  // details (clause, provenance, code) travel only for what a person opens: results that did not
  // pass, and the overhead suite. This keeps the page of the whole suite a few MB.
  const tagSets: string[][] = [];
  const tagIndex = new Map<string, number>();
  const details: Record<string, unknown> = {};
  const rows = records.map((r) => {
    const d = ctx.details[r.id];
    if (!d) return r;
    const key = d.tags.join(' ');
    if (!tagIndex.has(key)) { tagIndex.set(key, tagSets.length); tagSets.push(d.tags); }
    if (r.kind !== 'pass' || r.suite === 'overhead') details[r.id] = { spec: d.spec, provenance: d.provenance, ...(d.code ? { code: d.code } : {}) };
    return { ...r, t: tagIndex.get(key) };
  });
  const data = { results: rows, tagSets, details };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>devirt report: ${esc(hello.name)} ${esc(hello.version)}</title>
<style>${css}</style></head>
<body>
<h1>devirt report: ${esc(hello.name)} ${esc(hello.version)}</h1>
<p class="meta">devirt ${esc(info.devirt)}, started ${esc(info.startedAt)}, ${(info.durationMs / 1000).toFixed(1)} s${esc(shard)}${info.merged ? `, merged from ${info.merged.length} reports` : ''}; selection ${esc(info.selectionDigest.slice(0, 16))}</p>
${banner}
<h2>Summary</h2>
${summaryTable(summary)}
${chart}
${serviceChart}
<h2 id="results">Results</h2>
<div class="controls">
<input id="search" type="search" placeholder="search id, title, file, tag" aria-label="search">
<label>suite <select id="suite"><option value="">all</option>${suites.map((s) => `<option>${esc(s)}</option>`).join('')}</select></label>
<label>tag <select id="tag"><option value="">all</option>${tags.map((t) => `<option>${esc(t)}</option>`).join('')}</select></label>
<span id="kinds">${kindBoxes}</span>
</div>
<p id="count" class="meta"></p>
<table id="results"><thead><tr><th>result</th><th>suite</th><th>id</th><th>title</th></tr></thead><tbody id="rows"></tbody></table>
<button id="more" type="button">show more</button>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${js}</script>
</body></html>
`;
}
