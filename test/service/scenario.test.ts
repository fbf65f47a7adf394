// The service OS on the reference machine, judged by the scenario's properties
// (conformance/service-protocol.md, "What a scenario checks"): it serves and every acknowledged
// write reads back; a power loss keeps every acknowledged write (the write-back cache of virtio-blk
// section 5.2.6 loses only unflushed data), and the broken variant that acknowledges before its
// FLUSH is caught with the lost write named; a bad image leaves v1 serving.
import { readFileSync } from 'fs';
import { CachedDisk } from '../../harness/service/disk';
import { FIRMWARE, serviceImage, withFault } from '../../harness/service/images';
import { parseResponse, requestLine } from '../../harness/service/protocol';
import { Images, runScenario, Scenario, TICKS_PER_MS } from '../../harness/service/scenario';
import { parseElf } from '../../reference/tools/elf';

const images: Images = {
  firmware: new Uint8Array(readFileSync(FIRMWARE)),
  v1: serviceImage('service-v1'), v2: serviceImage('service-v2-part'), v2Boot: serviceImage('service-v2'),
};
const ms = (n: number) => n * TICKS_PER_MS;
const base = (over: Partial<Scenario>): Scenario => ({
  name: 't', clients: 3, interval: ms(1), trafficEnd: ms(15), keysPerClient: 6, seed: 7, upgradeAt: null,
  faults: {}, expect: { versions: [1], downtimeBudget: ms(10) }, deadline: ms(400), ...over,
});

test('the disk loses exactly the writes not flushed at a power loss', () => {
  const d = new CachedDisk(4096);
  d.write(0, new Uint8Array(512).fill(1));
  d.flush();
  d.write(512, new Uint8Array(512).fill(2));
  expect(d.read(512, 1)[0]).toBe(2);          // the cache is read through
  expect(d.powerLoss()).toBe(1);
  expect(d.read(0, 1)[0]).toBe(1);
  expect(d.read(512, 1)[0]).toBe(0);
});

test('a disposed disk\'s medium backs the next disk of its size, all zero', () => {
  const d = new CachedDisk(64 * 1024, new Uint8Array(5000).fill(3));
  d.write(40960, new Uint8Array(1024).fill(4));
  d.flush();
  d.place(100, new Uint8Array(700).fill(5));
  const medium = d.durable;
  d.dispose();
  d.dispose(); // twice is once
  expect(new CachedDisk(32 * 1024).durable).not.toBe(medium);
  const e = new CachedDisk(64 * 1024);
  expect(e.durable).toBe(medium);
  expect(e.durable.every((b) => b === 0)).toBe(true);
  expect(new CachedDisk(64 * 1024).durable).not.toBe(medium);
});

test('request and response lines', () => {
  expect(requestLine(3, 9, { op: 'PUT', key: 'k', value: 'a b' })).toBe('3:9 PUT k a b');
  expect(parseResponse('3:9 OK 2 a b\n')).toEqual({ client: 3, reqid: 9, status: 'OK', version: 2, payload: 'a b' });
  expect(parseResponse('3:9 NOTFOUND 1\n')).toEqual({ client: 3, reqid: 9, status: 'NOTFOUND', version: 1, payload: null });
  expect(parseResponse('garbage')).toBeNull();
});

test('a fault is written into the svc_fault word of a copy of the image', () => {
  const patched = withFault(images.v2, 'fail-health');
  const elf = parseElf(patched);
  const sym = elf.symbols.find((s) => s.name === 'svc_fault')!;
  const seg = elf.segments.find((g) => sym.value >= g.vaddr && sym.value < g.vaddr + g.data.length)!;
  expect(new DataView(seg.data.buffer, seg.data.byteOffset).getUint32(sym.value - seg.vaddr, true)).toBe(3);
  expect(images.v2).not.toEqual(patched);
});

test('v1 serves the clients and every acknowledged write reads back', () => {
  const r = runScenario(base({}), images);
  expect(r.violations).toEqual([]);
  expect(r.passed).toBe(true);
  expect(r.finalVersion).toBe(1);
  expect(r.ackedWrites).toBeGreaterThan(10);
  expect(r.verifiedKeys).toBeGreaterThan(10);
  expect(r.timeline.map((e) => e.event)).toEqual(expect.arrayContaining(['boot', 'disk-formatted', 'serving', 'verify']));
});

test('a power loss mid-traffic keeps every acknowledged write; acknowledging before the FLUSH loses them', () => {
  const reset = { event: 'serving', delay: ms(6) };
  const good = runScenario(base({ faults: { reset } }), images);
  expect(good.violations).toEqual([]);
  expect(good.timeline.some((e) => e.event === 'power-loss-reset')).toBe(true);
  expect(good.timeline.filter((e) => e.event === 'log-replayed').length).toBe(2);
  const broken = runScenario(base({ faults: { reset, v1: 'ack-before-flush' } }), images);
  expect(broken.passed).toBe(false);
  expect(broken.violations[0].what).toMatch(/^wrong response: \d+:\d+ GET c\d-k\d returned (NOTFOUND|"[^"]*"), but the write acknowledged to \d+:\d+ at [\d.]+ ms left/);
});

test('an image create must refuse leaves v1 serving, with the refusal in the answer', () => {
  const r = runScenario(base({ upgradeAt: ms(4), faults: { image: 'not-elf' } }), images);
  expect(r.violations).toEqual([]);
  expect(r.finalVersion).toBe(1);
  expect(r.devirtualized).toBe(true);
  expect(r.timeline.find((e) => e.event.startsWith('upgrade-answered'))?.event).toMatch(/^upgrade-answered ERR create -\d+$/);
});
