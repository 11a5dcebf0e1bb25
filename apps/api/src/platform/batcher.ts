/**
 * Group commit: concurrent requests share one database transaction. When a slot is free a request
 * is sent at once (no waiting on an idle system); while `inFlightMax` batches are running, new
 * requests queue and the next free slot takes up to `batchSizeMax` of them together. A batch that
 * fails as a whole (deadlock, one poisoned command) is retried one item at a time, so each item
 * gets its own result or error.
 */
export interface BatcherOptions<I, R> {
  /** Runs a batch in one transaction; one result per item, in order. */
  readonly run: (items: readonly I[]) => Promise<R[]>;
  readonly batchSizeMax: number;
  readonly inFlightMax: number;
  readonly queueLengthMax: number;
  /** The error a request gets when the queue is full (answered 503: retry later). */
  readonly overloaded: () => Error;
}

interface Waiting<I, R> {
  readonly item: I;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

export interface Batcher<I, R> {
  submit(item: I): Promise<R>;
  /** Requests queued or running; for metrics and tests. */
  readonly pending: () => number;
}

export function createBatcher<I, R>(options: BatcherOptions<I, R>): Batcher<I, R> {
  const queue: Waiting<I, R>[] = [];
  let inFlight = 0;
  let running = 0;

  async function runAlone(waiting: Waiting<I, R>): Promise<void> {
    try {
      const [result] = await options.run([waiting.item]);
      waiting.resolve(result as R);
    } catch (error) {
      waiting.reject(error);
    }
  }

  /** Runs a batch; frees its slot (`release`) before answering, so the next batch is already on its way. */
  async function runBatch(batch: Waiting<I, R>[], release: () => void): Promise<void> {
    let results: R[];
    try {
      results = await options.run(batch.map((w) => w.item));
    } catch (error) {
      if (batch.length === 1) {
        release();
        batch[0]?.reject(error);
        return;
      }
      // Isolate the failure: every item is retried in its own run and gets its own outcome.
      for (const waiting of batch) await runAlone(waiting);
      release();
      return;
    }
    release();
    for (const [i, waiting] of batch.entries()) waiting.resolve(results[i] as R);
  }

  function pump(): void {
    while (inFlight < options.inFlightMax && queue.length > 0) {
      const batch = queue.splice(0, options.batchSizeMax);
      inFlight += 1;
      running += batch.length;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        inFlight -= 1;
        running -= batch.length;
        pump();
      };
      void runBatch(batch, release).finally(release);
    }
  }

  return {
    submit(item) {
      if (queue.length >= options.queueLengthMax) return Promise.reject(options.overloaded());
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
    pending: () => queue.length + running,
  };
}
