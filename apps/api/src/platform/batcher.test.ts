import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBatcher } from './batcher.ts';

/** A run the test finishes by hand, to see what the batcher does while a batch is in the database. */
function controlledRuns() {
  const runs: { items: readonly number[]; finish: () => void; fail: () => void }[] = [];
  const run = (items: readonly number[]) =>
    new Promise<number[]>((resolve, reject) => {
      runs.push({ items, finish: () => resolve(items.map((i) => i * 10)), fail: () => reject(new Error('poisoned')) });
    });
  return { runs, run };
}

const overloaded = () => new Error('queue full');
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('batcher', () => {
  it('sends a request at once when idle and groups those that arrive while a batch runs', async () => {
    const { runs, run } = controlledRuns();
    const batcher = createBatcher({ run, batchSizeMax: 10, inFlightMax: 1, queueLengthMax: 100, overloaded });
    const first = batcher.submit(1);
    const later = [batcher.submit(2), batcher.submit(3), batcher.submit(4)];
    assert.deepEqual(
      runs.map((r) => r.items),
      [[1]],
    );
    runs[0]?.finish();
    assert.equal(await first, 10);
    await settle();
    assert.deepEqual(
      runs.map((r) => r.items),
      [[1], [2, 3, 4]],
    );
    runs[1]?.finish();
    assert.deepEqual(await Promise.all(later), [20, 30, 40]);
    assert.equal(batcher.pending(), 0);
  });

  it('sends the next batch before it answers the one that finished', async () => {
    const { runs, run } = controlledRuns();
    const batcher = createBatcher({ run, batchSizeMax: 10, inFlightMax: 1, queueLengthMax: 100, overloaded });
    const runsWhenAnswered: number[] = [];
    const first = batcher.submit(1).then(() => runsWhenAnswered.push(runs.length));
    const second = batcher.submit(2);
    runs[0]?.finish();
    await first;
    assert.deepEqual(runsWhenAnswered, [2], 'the second batch was already running when the first was answered');
    runs[1]?.finish();
    assert.equal(await second, 20);
  });

  it('retries a batch that fails as a whole one item at a time, so each gets its own outcome', async () => {
    const poisoned = 3;
    const batcher = createBatcher({
      run: async (items: readonly number[]) => {
        if (items.includes(poisoned)) throw new Error(`item ${poisoned} is poisoned`);
        return items.map((i) => i * 10);
      },
      batchSizeMax: 10,
      inFlightMax: 1,
      queueLengthMax: 100,
      overloaded,
    });
    const blocker = batcher.submit(1);
    const outcomes = await Promise.allSettled([batcher.submit(2), batcher.submit(poisoned), batcher.submit(4)]);
    assert.equal(await blocker, 10);
    assert.deepEqual(
      outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
      [20, 'item 3 is poisoned', 40],
    );
  });

  it('keeps at most batchSizeMax items in a batch and refuses requests past the queue limit', async () => {
    const { runs, run } = controlledRuns();
    const batcher = createBatcher({ run, batchSizeMax: 2, inFlightMax: 1, queueLengthMax: 3, overloaded });
    const accepted = [1, 2, 3, 4].map((i) => batcher.submit(i));
    await assert.rejects(batcher.submit(5), /queue full/);
    runs[0]?.finish();
    await settle();
    runs[1]?.finish();
    await settle();
    runs[2]?.finish();
    assert.deepEqual(await Promise.all(accepted), [10, 20, 30, 40]);
    assert.deepEqual(
      runs.map((r) => r.items),
      [[1], [2, 3], [4]],
    );
  });
});
