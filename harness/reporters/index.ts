import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import type { RunInfo } from '../run-info';
import type { Summary } from '../summary';
import type { ReportContext } from './html/context';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderPretty } from './pretty';
import { renderTap } from './tap';

/** `ctx` carries what only the HTML report shows (the vectors' details, the budgets). */
export type Reporter = (hello: HelloMessage, records: ResultRecord[], summary: Summary, info: RunInfo, ctx?: ReportContext) => string;
export const REPORTERS: Record<string, Reporter> = { tap: renderTap, junit: renderJunit, json: renderJson, pretty: renderPretty, html: renderHtml };
