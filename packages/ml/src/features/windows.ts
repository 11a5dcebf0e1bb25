/**
 * The bounded windows the feature state is made of. Both evict by time and by count, so memory
 * stays bounded whatever the stream does.
 */

/** (time, amount) entries in time order, oldest dropped past a time span or a count. */
export class TimedSeries {
  readonly #cap: number;
  #times: number[] = [];
  #values: number[] = [];
  #head = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  get size(): number {
    return this.#times.length - this.#head;
  }

  push(timeMs: number, value: number): void {
    this.#times.push(timeMs);
    this.#values.push(value);
    if (this.size > this.#cap) this.#head++;
    // Compact once the dead prefix is as long as the live part: amortised O(1) per push.
    if (this.#head > 32 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#values = this.#values.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Drops entries at or before `cutoffMs` (a window of span w at time t keeps t − w < time). */
  evictUpTo(cutoffMs: number): void {
    while (this.#head < this.#times.length && (this.#times[this.#head] as number) <= cutoffMs) this.#head++;
  }

  /** Count and sum of the entries strictly after `cutoffMs`. */
  since(cutoffMs: number): { count: number; sum: number } {
    let count = 0;
    let sum = 0;
    for (let i = this.#times.length - 1; i >= this.#head && (this.#times[i] as number) > cutoffMs; i--) {
      count++;
      sum += this.#values[i] as number;
    }
    return { count, sum };
  }
}

/**
 * Distinct keys with the time each was last seen, in last-seen order (a Map keeps insertion order,
 * and `touch` re-inserts), so the oldest is always first: eviction by time or count is O(evicted).
 */
export class RecentKeys {
  readonly #cap: number;
  readonly #lastSeenMs = new Map<string, number>();

  constructor(cap: number) {
    this.#cap = cap;
  }

  get size(): number {
    return this.#lastSeenMs.size;
  }

  has(key: string): boolean {
    return this.#lastSeenMs.has(key);
  }

  get(key: string): number | undefined {
    return this.#lastSeenMs.get(key);
  }

  touch(key: string, timeMs: number): void {
    this.#lastSeenMs.delete(key);
    this.#lastSeenMs.set(key, timeMs);
    if (this.#lastSeenMs.size > this.#cap) this.#lastSeenMs.delete(this.#lastSeenMs.keys().next().value as string);
  }

  /** Drops keys last seen at or before `cutoffMs`. */
  evictUpTo(cutoffMs: number): void {
    for (const [key, timeMs] of this.#lastSeenMs) {
      if (timeMs > cutoffMs) return;
      this.#lastSeenMs.delete(key);
    }
  }
}

/** A Map of bounded size that forgets the least recently used entry first. */
export class LruMap<V> {
  readonly #cap: number;
  readonly #entries = new Map<string, V>();

  constructor(cap: number) {
    this.#cap = cap;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value, marked as just used. */
  get(key: string): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#cap) this.#entries.delete(this.#entries.keys().next().value as string);
  }
}
