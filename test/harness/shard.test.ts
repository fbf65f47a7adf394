// Sharding splits the suite deterministically, and the union of all shards is the selection,
// each vector exactly once; the output does not depend on the number of workers.

import { itemId, select, Item } from '../../harness/load';
import { renderTap } from '../../harness/reporters/tap';
import { runSuite } from '../../harness/run-suite';
import { devirt, sample, suiteItems } from './helpers';

describe('sharding and ordering', () => {
  test.each([1, 2, 3, 7])('the %i shards of the whole suite are a partition of it, in suite order', (n) => {
    const all = suiteItems();
    const seen = new Map<Item, number>();
    for (let i = 1; i <= n; i++) {
      const shard = select(all, { shard: { index: i, count: n } });
      if (n > 1) expect(shard.length).toBeLessThan(all.length);
      let last = -1;
      for (const it of shard) {
        seen.set(it, (seen.get(it) ?? 0) + 1);
        const at = all.indexOf(it);
        expect(at).toBeGreaterThan(last); // each shard keeps the suite's order
        last = at;
      }
    }
    expect(seen.size).toBe(all.length);
    expect([...seen.values()].every((c) => c === 1)).toBe(true);
  });

  test('shards with a filter partition the filtered selection; shards are stable across runs', () => {
    const all = suiteItems();
    const filtered = select(all, { filter: ['random'] });
    const parts = [1, 2, 3].map((i) => select(all, { filter: ['random'], shard: { index: i, count: 3 } }).map(itemId));
    expect(parts.flat().sort()).toEqual(filtered.map(itemId).sort());
    expect(select(all, { filter: ['random'], shard: { index: 2, count: 3 } }).map(itemId)).toEqual(parts[1]);
  });

  test('the command line: the TAP of --shard 1/2 and 2/2 together is the unsharded run', () => {
    const names = (out: string) => out.split('\n').filter((l) => /^ok /.test(l)).map((l) => l.replace(/^ok \d+ - /, ''));
    const whole = devirt(['run', '--filter', 'isa/rem', '--reporter', 'tap', '--jobs', '1']);
    const a = devirt(['run', '--filter', 'isa/rem', '--shard', '1/2', '--reporter', 'tap', '--jobs', '1']);
    const b = devirt(['run', '--filter', 'isa/rem', '--shard', '2/2', '--reporter', 'tap', '--jobs', '1']);
    for (const r of [whole, a, b]) expect(r.status).toBe(0);
    expect(names(a.stdout).length).toBeGreaterThan(0);
    expect(names(b.stdout).length).toBeGreaterThan(0);
    expect([...names(a.stdout), ...names(b.stdout)].sort()).toEqual(names(whole.stdout).sort());
  });

  test('the report is the same with one worker and with several', async () => {
    const items = sample(25);
    const one = await runSuite({ items, selection: {}, spec: { kind: 'reference' }, jobs: 1 });
    const many = await runSuite({ items, selection: {}, spec: { kind: 'reference' }, jobs: 3 });
    expect(renderTap(many.hello, many.records, many.summary)).toEqual(renderTap(one.hello, one.records, one.summary));
  });
});
