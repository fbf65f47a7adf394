// The overhead chart: for each workload of the overhead suite, the cycles its native,
// virtualized and devirtualized runs took (as the implementation counted them, whole runs),
// drawn as plain SVG from the results, heights relative to native. The budgets apply to the
// measured phase of each workload, which `npm run gate` times; the chart names each workload's
// budget but does not judge whole runs by it.

import type { ResultRecord } from '../../../vectors/schema/types';
import type { Budget, VectorDetail } from './context';


export const MODES = ['native', 'virtualized', 'devirtualized'] as const;
type Mode = typeof MODES[number];

export interface WorkloadBars { workload: string; cycles: Partial<Record<Mode, number>>; budgetPercent?: number }

/** Workload and mode come from the vector's tags (e.g. ["compute", "virtualized"]). */
export function overheadBars(records: ResultRecord[], details: Record<string, VectorDetail>, budgets: Budget[]): WorkloadBars[] {
  const byName = new Map<string, WorkloadBars>();
  for (const r of records) {
    if (r.suite !== 'overhead' || r.measured?.cycles === undefined) continue;
    const tags = details[r.id]?.tags ?? [];
    const mode = MODES.find((m) => tags.includes(m));
    const workload = tags.find((t) => !(MODES as readonly string[]).includes(t) && !t.includes(':') && t !== 'mkernel' && t !== 'microvisor');
    if (!mode || !workload) continue;
    const w = byName.get(workload) ?? { workload, cycles: {}, budgetPercent: budgets.find((b) => b.name === workload)?.virtualizedBudgetPercent };
    w.cycles[mode] = r.measured.cycles;
    byName.set(workload, w);
  }
  return [...byName.values()];
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]!));

/** Grouped bars, one group (`g.workload`) per workload, one bar per mode; heights relative to native. */
export function overheadSvg(bars: WorkloadBars[]): string {
  if (!bars.length) return '';
  const groupW = 120, barW = 22, top = 20, h = 180, left = 48, bottom = 60;
  const rel = (w: WorkloadBars, m: Mode) => (w.cycles[m] ?? 0) / (w.cycles.native || 1);
  const maxRel = Math.max(1.1, ...bars.flatMap((w) => MODES.map((m) => rel(w, m))));
  const y = (r: number) => top + h - (r / maxRel) * h;
  const width = left + bars.length * groupW + 10;
  const parts: string[] = [`<svg id="overhead" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${top + h + bottom}" role="img" aria-label="cycles per workload relative to native">`];
  for (const t of [0, 0.5, 1]) parts.push(`<text x="${left - 6}" y="${y(t * maxRel) + 4}" text-anchor="end" class="axis">${(t * maxRel * 100).toFixed(0)}%</text><line x1="${left}" x2="${width}" y1="${y(t * maxRel)}" y2="${y(t * maxRel)}" class="grid"/>`);
  bars.forEach((w, i) => {
    const x0 = left + i * groupW + 8;
    parts.push(`<g class="workload" data-workload="${esc(w.workload)}">`);
    MODES.forEach((m, k) => {
      const c = w.cycles[m];
      if (c === undefined) return;
      const overhead = ((rel(w, m) - 1) * 100).toFixed(2);
      parts.push(`<rect class="bar ${m}" data-mode="${m}" data-cycles="${c}" x="${x0 + k * barW}" y="${y(rel(w, m))}" width="${barW - 3}" height="${Math.max(1, top + h - y(rel(w, m)))}"><title>${esc(w.workload)} ${m}: ${c.toLocaleString('en')} cycles (${overhead}% against native)</title></rect>`);
    });
    const v = w.cycles.virtualized !== undefined && w.cycles.native ? `+${((rel(w, 'virtualized') - 1) * 100).toFixed(2)}%` : '';
    parts.push(`<text x="${x0 + 1.5 * barW}" y="${top + h + 16}" text-anchor="middle" class="label">${esc(w.workload)}</text>`);
    parts.push(`<text x="${x0 + 1.5 * barW}" y="${top + h + 29}" text-anchor="middle" class="axis">${v}${w.budgetPercent !== undefined ? ` (budget ${w.budgetPercent}%)` : ''}</text></g>`);
  });
  parts.push(`<g class="legend">${MODES.map((m, k) => `<rect class="bar ${m}" x="${left + k * 110}" y="${top + h + 42}" width="10" height="10"/><text x="${left + k * 110 + 14}" y="${top + h + 51}" class="axis">${m}</text>`).join('')}</g>`);
  parts.push('</svg>');
  return parts.join('');
}

/** The service under load (overhead vectors tagged "service"): one bar per configuration, the median of its seeds. */
export const SERVICE_CONFIGS = ['native', 'virtualized', 'beside-v2'] as const;
export interface ServiceBar { config: string; perSecond: number; runs: number }

export function serviceBars(records: ResultRecord[], details: Record<string, VectorDetail>): ServiceBar[] {
  const rates = new Map<string, number[]>();
  for (const r of records) {
    const tags = details[r.id]?.tags ?? [];
    if (r.suite !== 'overhead' || !tags.includes('service') || r.measured?.requestsPerSecond === undefined) continue;
    const config = SERVICE_CONFIGS.find((c) => tags.includes(c));
    if (config) rates.set(config, [...(rates.get(config) ?? []), r.measured.requestsPerSecond]);
  }
  const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  return SERVICE_CONFIGS.filter((c) => rates.has(c)).map((c) => ({ config: c, perSecond: median(rates.get(c)!), runs: rates.get(c)!.length }));
}

/** Horizontal bars of requests per second, each labelled with its share of native. */
export function serviceSvg(bars: ServiceBar[]): string {
  if (!bars.length) return '';
  const left = 90, barH = 22, gap = 8, w = 420, top = 8;
  const max = Math.max(...bars.map((b) => b.perSecond), 1);
  const native = bars.find((b) => b.config === 'native')?.perSecond;
  const height = top + bars.length * (barH + gap) + 4;
  const parts = [`<svg id="throughput" xmlns="http://www.w3.org/2000/svg" width="${left + w + 170}" height="${height}" role="img" aria-label="service requests per second by configuration">`];
  bars.forEach((b, i) => {
    const y = top + i * (barH + gap);
    const len = Math.max(1, (b.perSecond / max) * w);
    const share = native ? ` (${((b.perSecond / native) * 100).toFixed(2)}% of native)` : '';
    parts.push(`<g class="config" data-config="${esc(b.config)}"><text x="${left - 6}" y="${y + 15}" text-anchor="end" class="label">${esc(b.config)}</text>`
      + `<rect class="bar ${esc(b.config)}" data-per-second="${b.perSecond}" x="${left}" y="${y}" width="${len}" height="${barH}"><title>${esc(b.config)}: ${Math.round(b.perSecond).toLocaleString('en')} requests/s, median of ${b.runs}${share}</title></rect>`
      + `<text x="${left + len + 6}" y="${y + 15}" class="axis">${Math.round(b.perSecond).toLocaleString('en')} req/s${share}</text></g>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
