// The schemas, compiled once with ajv (draft 2020-12), and one-line error messages that name
// the JSON pointer of the offending field and its value.

import * as fs from 'fs';
import * as path from 'path';
import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';

/** The schema files live beside the sources (compiled code runs from dist/). */
export const SCHEMA_DIR = path.resolve(__dirname, '../../../vectors/schema');
const BASE = 'https://devirt.invalid/schema/';
export const SCHEMA_FILES = ['common', 'vector', 'vector-file', 'observation', 'result', 'protocol', 'report', 'budgets'] as const;

let ajv: Ajv2020 | null = null;
const cache = new Map<string, ValidateFunction>();

function instance(): Ajv2020 {
  if (ajv) return ajv;
  ajv = new Ajv2020({ allErrors: false, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
  for (const name of SCHEMA_FILES) ajv.addSchema(loadSchema(name));
  return ajv;
}

export function loadSchema(name: typeof SCHEMA_FILES[number]): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, `${name}.schema.json`), 'utf8'));
}

/** A validator for `file.schema.json` or one of its `$defs` (`ref` = "observation#/$defs/state"). */
export function validator(ref: string): ValidateFunction {
  let v = cache.get(ref);
  if (!v) {
    const [file, frag] = ref.split('#');
    const found = instance().getSchema(`${BASE}${file}.schema.json${frag ? '#' + frag : ''}`);
    if (!found) throw new Error(`no schema ${ref}`);
    v = found;
    cache.set(ref, v);
  }
  return v;
}

function valueAt(doc: unknown, pointer: string): unknown {
  let cur: any = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = cur[k];
  }
  return cur;
}

const brief = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 60 ? s.slice(0, 57) + '...' : s;
};

/** "/inputs/hart/pc: must match pattern ... (value "0xzz")": the pointer names the offending field. */
export function describeError(errors: ErrorObject[] | null | undefined, doc: unknown): { pointer: string; message: string } {
  // if/then failures repeat a deeper error; the deepest one is the one a person can act on.
  const e = (errors ?? []).find((x) => x.keyword !== 'if') ?? errors?.[0];
  if (!e) return { pointer: '', message: 'invalid' };
  // Inside an anyOf, the first branch's complaint misleads: say that no form matched.
  const any = (errors ?? []).find((x) => x.keyword === 'anyOf' && x.instancePath === e.instancePath);
  if (any) {
    const v = valueAt(doc, e.instancePath);
    return { pointer: e.instancePath || '/', message: `matches none of the allowed forms (value ${brief(v)})` };
  }
  let pointer = e.instancePath;
  let message = e.message ?? 'invalid';
  if (e.propertyName !== undefined) { pointer += '/' + e.propertyName; message = `is not an allowed name here (${message})`; }
  else if (e.keyword === 'required') { pointer += '/' + (e.params as { missingProperty: string }).missingProperty; message = 'is required'; }
  else if (e.keyword === 'additionalProperties') { pointer += '/' + (e.params as { additionalProperty: string }).additionalProperty; message = 'is not allowed here'; }
  else if (e.keyword === 'oneOf' && pointer.includes('/memory/')) message = 'must have exactly one of words, bytes';
  else if (e.keyword === 'enum') message += ': ' + ((e.params as { allowedValues: unknown[] }).allowedValues.map((a) => JSON.stringify(a)).join(', '));
  else if (e.keyword === 'const') message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  const v = valueAt(doc, e.instancePath);
  const shown = e.propertyName !== undefined || e.keyword === 'required' || e.keyword === 'additionalProperties' || typeof v === 'object' ? '' : ` (value ${brief(v)})`;
  return { pointer: pointer || '/', message: message + shown };
}

/** Validate `doc` against `ref`; returns null, or a one-line "POINTER: MESSAGE". */
export function check(ref: string, doc: unknown): string | null {
  const v = validator(ref);
  if (v(doc)) return null;
  const { pointer, message } = describeError(v.errors, doc);
  return `${pointer}: ${message}`;
}
