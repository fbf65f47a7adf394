// Running vectors on all cores: chunks go to worker threads, each with its own implementation;
// verdicts come back by position, so what is reported never depends on the scheduling.

import * as path from 'path';
import { Worker } from 'worker_threads';
import type { Vector } from '../vectors/schema/types';
import { createImplementation, ImplSpec } from './adapters/create';
import type { Implementation } from './adapters/implementation';
import { judge, Verdict } from './judge';

export const CHUNK = 100;

export async function runChunk(impl: Promise<Implementation>, vectors: Vector[], imagesDir?: string): Promise<Verdict[]> {
  let ready: Implementation;
  try { ready = await impl; }
  catch (e) { return vectors.map(() => ({ kind: 'crash', reason: `the implementation did not start: ${(e as Error).message}` })); }
  const outcomes = await ready.runAll(vectors, imagesDir);
  return vectors.map((v, i) => {
    try {
      const o = outcomes[i];
      const verdict = judge(v, o);
      if (o.kind !== 'observed') return verdict;
      // What the implementation reported of its own cost travels with the verdict (reports chart it).
      const { cycles, instret, throughput } = o.observation as { cycles?: number; instret?: number; throughput?: { perSecond: number } };
      const requestsPerSecond = throughput?.perSecond;
      const counts = { ...(cycles !== undefined ? { cycles } : {}), ...(instret !== undefined ? { instret } : {}), ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}) };
      const measured = Object.keys(counts).length ? { measured: counts } : {};
      return { ...verdict, ...measured, ...(o.ms !== undefined ? { ms: o.ms } : {}) };
    }
    catch (e) { return { kind: 'error', reason: `checker: ${(e as Error).message}` }; }
  });
}

/**
 * Verdicts for `vectors`, in their order. `onVerdicts` sees each chunk as it completes (for
 * progress and streamed reports); with jobs = 1 everything runs in this thread, with N, here and in N - 1 workers.
 * Once `stopped()` says so (Ctrl-C), no further chunk starts: the chunks under way finish, and
 * the vectors never started have no verdict (undefined) in the result.
 */
export async function execute(vectors: Vector[], spec: ImplSpec, jobs: number, onVerdicts: (done: number, start: number, chunk: Verdict[]) => void = () => {}, imagesDir?: string, stopped: () => boolean = () => false): Promise<(Verdict | undefined)[]> {
  const verdicts: Verdict[] = new Array(vectors.length);
  const chunks: number[] = [];
  for (let i = 0; i < vectors.length; i += CHUNK) chunks.push(i);
  let done = 0;
  const store = (start: number, vs: Verdict[]) => { vs.forEach((v, k) => { verdicts[start + k] = v; }); done += vs.length; onVerdicts(done, start, vs); };

  let next = 0;
  // This thread takes chunks too: it would otherwise only wait, and a fresh worker pays module
  // loading and JIT warm-up again. jobs = N means this thread plus N - 1 workers.
  const inThread = async () => {
    const impl = createImplementation(spec);
    while (next < chunks.length && !stopped()) {
      const start = chunks[next++];
      store(start, await runChunk(impl, vectors.slice(start, start + CHUNK), imagesDir));
      await new Promise((r) => setImmediate(r)); // let worker messages in between chunks
    }
    await (await impl.catch(() => null))?.close();
  };
  if (jobs <= 1 || chunks.length <= 1) { await inThread(); return verdicts; }

  const script = path.join(__dirname, 'worker.js');
  const runWorker = () => new Promise<void>((resolve) => {
    let worker = new Worker(script, { workerData: { spec, imagesDir } });
    let current = -1;
    const feed = () => {
      if (next >= chunks.length || stopped()) { worker.postMessage({ close: true }); return; }
      current = chunks[next++];
      worker.postMessage({ chunk: current, vectors: vectors.slice(current, current + CHUNK) });
    };
    const attach = () => {
      worker.on('message', (m: { chunk?: number; verdicts?: Verdict[]; closed?: boolean }) => {
        if (m.closed) { void worker.terminate(); resolve(); return; }
        store(m.chunk!, m.verdicts!);
        current = -1;
        feed();
      });
      // A worker that dies takes its chunk with it: report those vectors, start a fresh worker.
      worker.on('error', (e) => {
        if (current >= 0) store(current, vectors.slice(current, current + CHUNK).map(() => ({ kind: 'crash' as const, reason: `worker died: ${e.message}` })));
        current = -1;
        worker = new Worker(script, { workerData: { spec, imagesDir } });
        attach();
        feed();
      });
    };
    attach();
    feed();
  });
  await Promise.all([inThread(), ...Array.from({ length: Math.min(jobs, chunks.length) - 1 }, runWorker)]);
  return verdicts;
}
