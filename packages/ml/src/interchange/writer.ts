import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { parseTime, rowProblem } from './check.ts';
import { fieldOrder, type Transaction } from './format.ts';

/** Bytes gathered before one write to the stream: fewer, larger writes; bounded memory. */
const writeChunkBytes = 64 * 1024;

/**
 * One line of the format (without the newline), its fields always in the same order so that the
 * same rows give the same bytes. A malformed row is a programmer error here: it throws.
 */
export function formatTransaction(row: Transaction): string {
  const problem = rowProblem(row);
  if (problem) throw new Error(`refusing to write a malformed row (${problem.field ?? 'row'}: ${problem.reason})`);
  const ordered: Record<string, unknown> = {};
  for (const key of fieldOrder) if (row[key] !== undefined) ordered[key] = row[key];
  return JSON.stringify(ordered);
}

/**
 * Writes rows as they come, respecting the stream's backpressure, so a run never holds more than a
 * chunk. Rows out of time order are refused: every file of the format is sorted (ADR 0128).
 */
export class TransactionWriter {
  readonly #out: Writable;
  #chunk = '';
  #lastTimeMs = Number.NEGATIVE_INFINITY;
  #rows = 0;

  constructor(out: Writable) {
    this.#out = out;
  }

  get rows(): number {
    return this.#rows;
  }

  async write(row: Transaction): Promise<void> {
    const line = formatTransaction(row);
    const timeMs = parseTime(row.time);
    if (timeMs < this.#lastTimeMs) throw new Error(`refusing to write ${row.id}: its time ${row.time} is out of order`);
    this.#lastTimeMs = timeMs;
    this.#rows++;
    this.#chunk += `${line}\n`;
    if (this.#chunk.length >= writeChunkBytes) await this.#flush();
  }

  /** Flushes, ends the stream and waits until it has closed (or throws its error). */
  async end(): Promise<void> {
    await this.#flush();
    this.#out.end();
    await finished(this.#out, { readable: false });
  }

  async #flush(): Promise<void> {
    if (this.#chunk === '') return;
    const chunk = this.#chunk;
    this.#chunk = '';
    if (!this.#out.write(chunk)) await once(this.#out, 'drain');
  }
}
