// A worker thread of the runner: it holds one implementation (for an external one, its own
// process) and answers chunks of vectors with verdicts.

import { parentPort, workerData } from 'worker_threads';
import { createImplementation, ImplSpec } from './adapters/create';
import { runChunk } from './execute';
import type { Implementation } from './adapters/implementation';
import type { Vector } from '../vectors/schema/types';

const { spec, imagesDir } = workerData as { spec: ImplSpec; imagesDir?: string };
let impl: Promise<Implementation> | null = null;

parentPort!.on('message', async (msg: { chunk: number; vectors: Vector[] } | { close: true }) => {
  if ('close' in msg) {
    if (impl) await (await impl.catch(() => null))?.close();
    parentPort!.postMessage({ closed: true });
    return;
  }
  impl ??= createImplementation(spec);
  const verdicts = await runChunk(impl, msg.vectors, imagesDir);
  parentPort!.postMessage({ chunk: msg.chunk, verdicts });
});
