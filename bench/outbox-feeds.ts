/**
 * Outbox delivery rate of the worker's two feeds (ADR 0050, ADR 0100), one worker each, on a fresh
 * database of the local PostgreSQL and, for `nats`, the local NATS server (127.0.0.1:4222):
 * `--events` rows are committed first, then one worker with one consumer that writes a row per
 * event (in the handler's transaction, like a real consumer) runs until every event is handled.
 * Prints events/s per feed and, for `nats`, how long the relay took to put them all in JetStream.
 *
 *   node bench/outbox-feeds.ts [--events 5000] [--batch 100]
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { dropDatabasesWithPrefix, recreateDatabase } from '@nextgen/testkit';
import { connectPostgres, type Database } from '../apps/api/src/platform/database.ts';
import { migrate } from '../apps/api/src/platform/migrations.ts';
import { createWorker, loadWorkerConfig, type OutboxHandler } from '../apps/worker/src/index.ts';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '5000' }, batch: { type: 'string', default: '100' } },
});
const events = Number(values.events);
const batch = Number(values.batch);
if (!Number.isInteger(events) || events < 1 || events > 1_000_000) throw new Error('--events: 1 to 1,000,000');
const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const runId = `ngbench_outbox_${process.pid}`;
/** A run that has not drained by then failed: the bench stops instead of hanging. */
const drainTimeoutMs = 10 * 60 * 1000;

const handler: OutboxHandler = {
  consumer: 'bench',
  topics: ['bench.event'],
  async handle(tx, event) {
    await tx.query('INSERT INTO bench_deliveries (event_id) VALUES ($1)', [event.id]);
  },
};

async function count(db: Database, where: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_events WHERE ${where}`);
  return rows[0]?.n ?? -1;
}

async function untilZero(db: Database, where: string, startedMs: number): Promise<number> {
  while ((await count(db, where)) > 0) {
    if (Date.now() - startedMs > drainTimeoutMs) throw new Error(`not drained after ${drainTimeoutMs} ms`);
    await sleep(20);
  }
  return Date.now() - startedMs;
}

async function runFeed(feed: 'postgres' | 'nats'): Promise<Record<string, number | string>> {
  const url = await recreateDatabase(`${runId}_${feed}`);
  const db = connectPostgres(url, () => {}, 8);
  const tag = randomBytes(4).toString('hex');
  const stream = `NG_BENCH_${tag}`;
  try {
    await migrate(db);
    await db.exec('CREATE TABLE bench_deliveries (event_id text NOT NULL)');
    await db.query(
      `INSERT INTO outbox_events (id, topic, aggregate_id, payload)
       SELECT 'evt_bench' || lpad(i::text, 12, '0'), 'bench.event', 'agg_bench', jsonb_build_object('n', i)
       FROM generate_series(1, $1) AS i`,
      [events],
    );
    const config = loadWorkerConfig(
      {
        DATABASE_URL: url,
        EVENT_FEED: feed,
        NATS_URL: natsUrl,
        NATS_STREAM: stream,
        NATS_SUBJECT_PREFIX: `ngbench.${tag}`,
        NATS_CONSUMER: `bench_${tag}`,
        WORKER_BATCH_SIZE: String(batch),
        WORKER_POLL_INTERVAL_MS: '20',
      },
      'in-process',
    );
    const worker = createWorker({ db, config, log: { info() {}, warn() {} }, handlers: [handler], jobs: [] });
    const started = Date.now();
    worker.start();
    const relayMs = feed === 'nats' ? await untilZero(db, 'relayed_at IS NULL', started) : undefined;
    const drainMs = await untilZero(db, 'published_at IS NULL', started);
    await worker.stop();
    const delivered = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_deliveries')).rows[0]?.n;
    if (delivered !== events) throw new Error(`${feed}: ${delivered} deliveries for ${events} events`);
    return {
      feed,
      events,
      batch,
      drainMs,
      eventsPerSecond: Math.round((events * 1000) / drainMs),
      ...(relayMs === undefined ? {} : { relayMs, relayedPerSecond: Math.round((events * 1000) / relayMs) }),
    };
  } finally {
    await db.close();
    if (feed === 'nats') {
      const nc = await connect({ servers: natsUrl });
      await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
      await nc.close();
    }
  }
}

try {
  for (const feed of ['postgres', 'nats'] as const) process.stdout.write(`${JSON.stringify(await runFeed(feed))}\n`);
} finally {
  await dropDatabasesWithPrefix(runId);
}
