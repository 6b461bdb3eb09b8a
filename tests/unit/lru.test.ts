/** The one bound of the process's caches: at most `max` entries, the least recently used first out. */
import { describe, expect, it } from 'vitest';
import { LruMap } from '../../src/lru.js';

describe('LruMap', () => {
  it('keeps at most max entries and evicts the least recently used, a read counting as a use', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    expect(m.get('a')).toBe(1); // a is now the most recent
    m.set('c', 3); // evicts b
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([1, undefined, 3, 2]);
    m.set('a', 10); // rewriting is a use, not a second entry
    m.set('d', 4); // evicts c
    expect([m.get('a'), m.get('c'), m.get('d'), m.size]).toEqual([10, undefined, 4, 2]);
    expect(m.delete('a')).toBe(true);
    expect(m.size).toBe(1);
  });
});
