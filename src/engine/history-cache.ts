/**
 * A cache for reads derived from the whole history (insights, calendar feeds), checked against the
 * database on every use: an entry answers only while the count of committed history records
 * (`stores.generation`) is the one it was computed at. Every change to a submission writes a
 * history record in its own transaction, so any committed change, by this process or another,
 * makes the next read compute afresh; correctness stays with the database (DESIGN §8), the cache
 * only saves recomputing what nothing changed.
 *
 * What else the value depends on (the reader's scope, today's date in each time zone, the
 * language) is in the key. Concurrent reads of a missing key share one computation, and a failed
 * one is not kept.
 */

/** The cache: `get(key, compute)` answers the entry of `key` at the current generation, or computes it. */
export interface HistoryCache<T> {
  get(key: string, compute: () => Promise<T>): Promise<T>;
}

export function createHistoryCache<T>(generation: () => Promise<number>, opts: { readonly maxEntries: number }): HistoryCache<T> {
  const entries = new Map<string, { generation: number; value: Promise<T> }>();
  return {
    async get(key, compute) {
      const current = await generation();
      const hit = entries.get(key);
      if (hit && hit.generation === current) {
        // Most recently used last: the oldest entry is the first evicted.
        entries.delete(key);
        entries.set(key, hit);
        return hit.value;
      }
      // Computed from reads made after `current` was read: as fresh as the generation it is kept under, or fresher.
      const value = compute();
      const entry = { generation: current, value };
      entries.delete(key);
      entries.set(key, entry);
      while (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value!);
      value.catch(() => {
        if (entries.get(key) === entry) entries.delete(key);
      });
      return value;
    },
  };
}
