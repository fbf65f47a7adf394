// A maintenance vector on the reference (its inputs: the images by sha256 and a scenario), and
// its verdict: the properties of conformance/service-protocol.md ("What a scenario checks").

import { readFileSync } from 'fs';
import { imagePath } from '../../vectors/format';
import type { ServiceExpected, ServiceInputs, ServiceObservationWire } from '../../vectors/schema/types';
import type { Verdict } from '../judge';
import type { BadImage, FaultName } from './images';
import { runScenario, Scenario } from './scenario';
import { fmtTicks } from './traffic';

export function runServiceVector(inputs: ServiceInputs, imagesDir: string): ServiceObservationWire {
  const load = (hash: string, what: string) => {
    try { return new Uint8Array(readFileSync(imagePath(imagesDir, hash))); } catch {
      throw new Error(`${what} image ${hash} is not in ${imagesDir}`);
    }
  };
  const images = { firmware: load(inputs.firmware, 'firmware'), v1: load(inputs.v1, 'v1'), v2: load(inputs.v2, 'v2'), v2Boot: load(inputs.v2Boot, 'v2 boot') };
  const sc = inputs.scenario;
  const s: Scenario = {
    ...sc, name: 'vector',
    faults: { ...sc.faults, v1: sc.faults.v1 as FaultName | undefined, v2: sc.faults.v2 as FaultName | undefined, image: sc.faults.image as BadImage | undefined },
    // The expectations are the judge's (below); the run only reports.
    expect: null,
  };
  const r = runScenario(s, images);
  return {
    violations: r.violations, ended: r.ended, finalVersion: r.finalVersion, devirtualized: r.devirtualized, downtime: r.downtime,
    requests: r.requests, served: r.served, ackedWrites: r.ackedWrites, verifiedKeys: r.verifiedKeys, end: r.end, timeline: r.timeline,
    ...(r.throughput ? { throughput: r.throughput } : {}),
  };
}

/** Pass, or the first property broken (the run's own findings first: they name the request and the lost write). */
export function judgeService(expected: ServiceExpected, o: ServiceObservationWire): Verdict {
  const fail = (where: string, exp: string, actual: string): Verdict => ({ kind: 'fail', difference: { where, expected: exp, actual } });
  if (o.violations.length) {
    const v = o.violations[0];
    const more = o.violations.length > 1 ? ` (and ${o.violations.length - 1} more)` : '';
    return fail(`scenario at ${fmtTicks(v.at)}`, 'no broken property', `${v.what}${more}`);
  }
  if (!o.ended) return fail('read-back', 'every key read back at the end', 'the read-back did not finish');
  if (o.finalVersion === null || !expected.versions.includes(o.finalVersion)) return fail('version serving at the end', expected.versions.map((x) => `v${x}`).join(' or '), `v${o.finalVersion ?? '?'}`);
  if (o.devirtualized !== true) return fail('Microvisor at the end', 'dormant (devirtualized)', o.devirtualized === false ? 'still virtualized' : 'unknown');
  if (expected.versions.length === 1 && expected.versions[0] === 2 && o.downtime !== null && o.downtime > expected.downtimeBudget) {
    return fail('downtime', `at most ${fmtTicks(expected.downtimeBudget)}`, fmtTicks(o.downtime));
  }
  return { kind: 'pass' };
}
