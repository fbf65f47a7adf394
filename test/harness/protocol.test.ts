// The JSON-lines protocol through the example adapter (the reference wrapped as an external
// process): handshake, run and trace requests, validation in both directions.

import { spawn } from 'child_process';
import { ExternalImplementation, parseHello, parseReply } from '../../harness/adapters/external';
import { ReferenceImplementation } from '../../harness/adapters/reference';
import { runSuite } from '../../harness/run-suite';
import type { StateVector, Vector } from '../../vectors/schema/types';
import { check } from '../../vectors/schema/validate';
import { nodeCmd, sample } from './helpers';

const EXAMPLE = nodeCmd('harness/adapters/reference-external.js');

/** Send lines to a fresh example adapter and collect its replies. */
function converse(lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', EXAMPLE], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('error', reject);
    p.on('close', () => resolve(out.split('\n').filter(Boolean)));
    p.stdin.end(lines.map((l) => l + '\n').join('') + '{"type":"bye"}\n');
  });
}

describe('protocol', () => {
  test('handshake: name, version and capabilities, valid by the schema', async () => {
    const [hello] = await converse([]);
    const msg = JSON.parse(hello);
    expect(check('protocol#/$defs/hello', msg)).toBeNull();
    expect(msg.name).toBe('devirt-reference');
    expect(msg.capabilities).toEqual(expect.arrayContaining(['state', 'image', 'step', 'rv64i', 'm', 'a', 'c', 'zicsr']));
  });

  test('the external reference observes exactly what the in-process one does', async () => {
    const vectors = sample(60).map((it) => it.vector!) as Vector[];
    const ext = await ExternalImplementation.start(EXAMPLE, { timeoutMs: 20_000 });
    try {
      const [a, b] = await Promise.all([ext.runAll(vectors), new ReferenceImplementation().runAll(vectors)]);
      expect(a.every((o) => o.kind === 'observed')).toBe(true);
      // Everything but the time each took (the in-process adapter measures it).
      const untimed = (os: typeof a) => os.map((o) => (o.kind === 'observed' ? { kind: o.kind, observation: o.observation } : o));
      expect(untimed(a)).toEqual(untimed(b));
      const v = vectors.find((x) => x.tags.includes('random')) as StateVector;
      expect(await ext.steps(v.id, v.inputs)).toEqual(await new ReferenceImplementation().steps('', v.inputs));
    } finally { await ext.close(); }
  });

  test('a run of the suite through the example adapter has the in-process verdicts', async () => {
    const items = sample(40, 7);
    const [ext, ref] = await Promise.all([
      runSuite({ items, selection: {}, spec: { kind: 'external', command: EXAMPLE, timeoutMs: 20_000 }, jobs: 2 }),
      runSuite({ items, selection: {}, spec: { kind: 'reference' }, jobs: 1 }),
    ]);
    const untimed = (rs: typeof ext.records) => rs.map(({ ms: _ms, ...r }) => r);
    expect(untimed(ext.records)).toEqual(untimed(ref.records));
    expect(ext.summary.total.pass).toBe(items.length);
  });

  test('requests are validated by the adapter: a bad one gets an error reply naming the field', async () => {
    const replies = await converse([
      'not json',
      JSON.stringify({ type: 'run', id: 'v1', inputs: { kind: 'state', hart: { pc: '0x80000000' }, stop: { maxInsns: 1, onTrap: true } } }),
      JSON.stringify({ type: 'launch', id: 'v2' }),
    ]);
    const [, notJson, missing, unknown] = replies.map((l) => JSON.parse(l));
    expect(notJson).toEqual({ type: 'error', id: '', message: 'request is not JSON' });
    expect(missing).toEqual({ type: 'error', id: 'v1', message: 'bad request: /inputs/memory: is required' });
    expect(unknown.message).toBe('bad request: /type: unknown request type "launch"');
    for (const r of [notJson, missing, unknown]) expect(check('protocol#/$defs/error', r)).toBeNull();
  });

  test('replies are validated by the harness', () => {
    expect(parseReply('{"type":"result"')).toMatch(/^malformed reply \(not JSON\)/);
    expect(parseReply('{"type":"answer","id":"a"}')).toBe('malformed reply: /type must be one of result, steps, error (value "answer")');
    expect(parseReply('{"type":"result","id":"a"}')).toBe('malformed result reply: /observation: is required');
    expect(parseReply('{"type":"steps","id":"a","steps":[{"pc":"0x1"}]}')).toBe('malformed steps reply: /steps/0/next: is required');
    expect(parseReply('{"type":"error","id":"a","message":"no"}')).toEqual({ type: 'error', id: 'a', message: 'no' });
    expect(parseHello('{"type":"hello","protocol":2,"name":"x","version":"1","capabilities":[]}')).toBe('bad handshake: /protocol: must be 1 (value 2)');
  });
});
