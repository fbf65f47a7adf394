import type { HelloMessage, ResultRecord } from '../../vectors/schema/types';
import type { Summary } from '../summary';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderPretty } from './pretty';
import { renderTap } from './tap';

export type Reporter = (hello: HelloMessage, records: ResultRecord[], summary: Summary) => string;
export const REPORTERS: Record<string, Reporter> = { tap: renderTap, junit: renderJunit, json: renderJson, pretty: renderPretty };
