// --filter forms: a substring of id, title or file; tag:NAME; a glob with * and ? over the whole
// id, title or file. Several filters select a vector matching any one of them.

import { filterMatches, Item, select } from '../../harness/load';
import type { Vector } from '../../vectors/schema/types';

const item = (id: string, title: string, file: string, tags: string[]): Item => ({ file, vector: { id, title, tags, suite: file.split('/')[0] } as unknown as Vector });
const items = [
  item('isa-aa11', 'sra: x7 = 1 op 2', 'isa/sra.json', ['rv64i']),
  item('isa-bb22', 'c.srai: 0x8661 case 0', 'isa/c.srai.json', ['rv64i', 'c']),
  item('priv-cc33', 'mtvec: write 0x3', 'priv/csrs.json', ['zicsr', 'warl']),
];

describe('--filter', () => {
  test('a substring of id, title or file', () => {
    expect(items.filter((it) => filterMatches(it, 'sra')).map((it) => it.vector!.id)).toEqual(['isa-aa11', 'isa-bb22']);
    expect(filterMatches(items[2], 'csrs.json')).toBe(true);
  });
  test('tag:NAME selects by tag, and only by tag', () => {
    expect(items.filter((it) => filterMatches(it, 'tag:c')).map((it) => it.vector!.id)).toEqual(['isa-bb22']);
    expect(items.filter((it) => filterMatches(it, 'tag:warl')).map((it) => it.vector!.id)).toEqual(['priv-cc33']);
    expect(filterMatches(items[0], 'tag:sra')).toBe(false);
  });
  test('a glob matches the whole id, title or file', () => {
    expect(items.filter((it) => filterMatches(it, 'isa-??11')).map((it) => it.vector!.id)).toEqual(['isa-aa11']);
    expect(items.filter((it) => filterMatches(it, 'c.*')).map((it) => it.vector!.id)).toEqual(['isa-bb22']);
    expect(items.filter((it) => filterMatches(it, 'sra*')).map((it) => it.vector!.id)).toEqual(['isa-aa11']);
    expect(filterMatches(items[0], 'isa/*.json')).toBe(true);
    // The dot of a glob is a dot, not any character.
    expect(filterMatches(items[1], 'c?srai*')).toBe(true);
    expect(filterMatches(items[1], 'cXsrai*')).toBe(false);
  });
  test('several filters: any one of them', () => {
    expect(select(items, { filter: ['tag:warl', 'isa-aa*'] }).map((it) => it.vector!.id)).toEqual(['isa-aa11', 'priv-cc33']);
  });
});
