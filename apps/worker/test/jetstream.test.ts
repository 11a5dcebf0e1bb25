import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { repositoryRoot } from '@nextgen/testkit';
import type { Database } from '../../api/src/platform/database.ts';
import {
  createJetStreamFeed,
  createMetrics,
  createWorker,
  type OutboxHandler,
  type WorkerConfig,
} from '../src/index.ts';
import { insertEvent, quietLog, testWorkerConfig, waitUntil, workerTestDatabase } from './helper.ts';

/**
 * The EVENT_FEED=nats path against the real NATS server on 127.0.0.1:4222 (JetStream enabled;
 * TEST_NATS_URL overrides it).
 * Each test uses a stream, subject prefix and consumer of its own and deletes the stream after.
 */
const natsUrl = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const natsAddress = new URL(natsUrl.replace(/^nats:/, 'http:'));
const run = promisify(execFile);

async function natsConfig(t: TestContext, overrides: Record<string, string> = {}): Promise<WorkerConfig> {
  const tag = randomBytes(5).toString('hex');
  const nc = await connect({ servers: natsUrl });
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const stream = `NG_TEST_${tag}`;
  t.after(async () => {
    await jsm.streams.delete(stream).catch(() => false);
    await nc.close();
  });
  return testWorkerConfig({
    EVENT_FEED: 'nats',
    NATS_URL: natsUrl,
    NATS_STREAM: stream,
    NATS_SUBJECT_PREFIX: `ngtest.${tag}`,
    NATS_CONSUMER: `worker_${tag}`,
    ...overrides,
  });
}

async function streamState(config: WorkerConfig): Promise<{ messages: number; ackPending: number; pending: number }> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.info(config.nats.stream);
    const consumer = await jsm.consumers.info(config.nats.stream, config.nats.consumer);
    return { messages: stream.state.messages, ackPending: consumer.num_ack_pending, pending: consumer.num_pending };
  } finally {
    await nc.close();
  }
}

function tallyHandler(topics: string[] = ['test.tally']): OutboxHandler {
  return {
    consumer: 'tally',
    topics,
    async handle(tx, event) {
      await tx.query('INSERT INTO worker_test_deliveries (event_id) VALUES ($1)', [event.id]);
    },
  };
}

async function deliveriesPerEvent(db: Database): Promise<Map<string, number>> {
  const { rows } = await db.query<{ event_id: string; n: number }>(
    'SELECT event_id, count(*)::int AS n FROM worker_test_deliveries GROUP BY event_id',
  );
  return new Map(rows.map((r) => [r.event_id, r.n]));
}

async function count(db: Database, where: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_events WHERE ${where}`);
  return rows[0]?.n ?? -1;
}

const pending = 'published_at IS NULL AND dead_lettered_at IS NULL';

/** A port nothing listens on (yet): listen on a free one and close it again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** NATS "comes back": a TCP proxy on `port` forwarding to the real server. */
async function natsProxy(t: TestContext, port: number): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = tcpConnect(Number(natsAddress.port || 4222), natsAddress.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}

describe('NATS JetStream feed', () => {
  it('relays committed events to the stream, delivers each once and acknowledges it', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(4);
    await db.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL)');
    const config = await natsConfig(t, { WORKER_BATCH_SIZE: '10' });
    const ids: string[] = [];
    for (let i = 0; i < 25; i += 1) ids.push(await insertEvent(db, 'test.tally', { n: i }));
    const worker = createWorker({ db, config, log: quietLog, handlers: [tallyHandler()], jobs: [] });
    env.stopFirst(() => worker.stop());
    worker.start();
    await waitUntil('every event handled', async () => (await count(db, pending)) === 0);

    const deliveries = await deliveriesPerEvent(db);
    assert.deepEqual([...deliveries.keys()].sort(), [...ids].sort());
    assert.deepEqual(
      [...deliveries.values()].filter((n) => n !== 1),
      [],
    );
    assert.equal(await count(db, 'relayed_at IS NOT NULL'), 25);
    await waitUntil('every message acknowledged', async () => (await streamState(config)).ackPending === 0);
    assert.deepEqual(await streamState(config), { messages: 25, ackPending: 0, pending: 0 });
    assert.equal(worker.metrics.relayPublished, 25);
    assert.equal(worker.metrics.eventsProcessed, 25);
    assert.deepEqual(worker.ready(), { ready: true });
    const text = await worker.metricsText();
    assert.match(text, /^ng_worker_relay_pending_events 0$/m);
    assert.match(text, /^ng_worker_nats_connected 1$/m);
    assert.match(text, /^ng_worker_relay_published_total 25$/m);
  });

  it('shares the durable consumer between two workers whose relays race, handling each event once', async (t) => {
    const env = await workerTestDatabase(t);
    const setup = env.pool(2);
    await setup.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL)');
    const config = await natsConfig(t, { WORKER_BATCH_SIZE: '7' });
    for (let i = 0; i < 150; i += 1) await insertEvent(setup, 'test.tally', { n: i });
    const workers = [1, 2].map(() =>
      createWorker({ db: env.pool(4), config, log: quietLog, handlers: [tallyHandler()], jobs: [] }),
    );
    for (const worker of workers) env.stopFirst(() => worker.stop());
    for (const worker of workers) worker.start();
    await waitUntil('every event handled', async () => (await count(setup, pending)) === 0);
    const deliveries = await deliveriesPerEvent(setup);
    assert.equal(deliveries.size, 150);
    assert.deepEqual(
      [...deliveries.values()].filter((n) => n !== 1),
      [],
    );
    assert.equal((await streamState(config)).messages, 150, 'racing relays were deduplicated by msg id');
    const published = workers.reduce((sum, w) => sum + w.metrics.relayPublished, 0);
    const duplicates = workers.reduce((sum, w) => sum + w.metrics.relayDuplicates, 0);
    assert.equal(published - duplicates, 150);
  });

  it('does not handle an event twice when the relay died between publishing and marking it', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(4);
    await db.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL)');
    const config = await natsConfig(t);
    const ids = [await insertEvent(db, 'test.tally'), await insertEvent(db, 'test.tally')];
    // The first relay's database connection dies right after JetStream stored the messages.
    const crashing: Database = {
      ...db,
      query: ((text: string, params?: readonly unknown[]) => {
        if (/SET relayed_at = now\(\)/.test(text)) return Promise.reject(new Error('connection terminated'));
        return db.query(text, params);
      }) as Database['query'],
    };
    const common = { settings: config.nats, batchSize: 10, maxAttempts: 3, retryBaseMs: 1, onError: () => {} };
    const first = createJetStreamFeed(crashing, [tallyHandler()], {
      ...common,
      metrics: createMetrics(),
    });
    t.after(() => first.close?.());
    await assert.rejects(first.relay.relayOnce(), /connection terminated/);
    await first.close?.();
    assert.equal(await count(db, 'relayed_at IS NULL'), 2, 'the rows were not marked');
    assert.equal((await streamState(config)).messages, 2, 'JetStream stored them');

    const worker = createWorker({ db, config, log: quietLog, handlers: [tallyHandler()], jobs: [] });
    env.stopFirst(() => worker.stop());
    worker.start();
    await waitUntil('both events handled', async () => (await count(db, pending)) === 0);
    assert.equal(worker.metrics.relayDuplicates, 2, 'the second relay republished both under the same msg id');
    assert.equal((await streamState(config)).messages, 2, 'the duplicate window dropped the copies');
    const deliveries = await deliveriesPerEvent(db);
    assert.deepEqual(
      ids.map((id) => deliveries.get(id)),
      [1, 1],
    );
  });

  it('moves a poisoned event to the dead letters after the last attempt, and the operator replays it', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(4);
    await db.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL)');
    const config = await natsConfig(t, { WORKER_MAX_ATTEMPTS: '3' });
    let healed = false;
    const poisonable: OutboxHandler = {
      consumer: 'notifications',
      topics: ['test.poison', 'test.tally'],
      async handle(tx, event) {
        if (event.topic === 'test.poison' && !healed) throw new Error('template missing for jane@example.com');
        await tx.query('INSERT INTO worker_test_deliveries (event_id) VALUES ($1)', [event.id]);
      },
    };
    const poisonId = await insertEvent(db, 'test.poison');
    const fineId = await insertEvent(db, 'test.tally');
    const worker = createWorker({ db, config, log: quietLog, handlers: [poisonable], jobs: [] });
    env.stopFirst(() => worker.stop());
    worker.start();
    await waitUntil(
      'the poisoned event dead-lettered',
      async () => (await count(db, 'dead_lettered_at IS NOT NULL')) === 1,
    );

    const letter = await db.query<{ consumer: string; attempts: number; error: string }>(
      'SELECT consumer, attempts, error FROM outbox_dead_letters WHERE event_id = $1',
      [poisonId],
    );
    assert.deepEqual(letter.rows[0], {
      consumer: 'notifications',
      attempts: 3,
      error: 'Error: template missing for <email>',
    });
    assert.equal((await deliveriesPerEvent(db)).get(fineId), 1, 'the poisoned event does not hold up the others');
    await waitUntil('the poisoned message terminated', async () => (await streamState(config)).ackPending === 0);
    assert.equal(worker.metrics.eventsDeadLettered, 1);
    assert.equal(worker.metrics.eventsFailed, 3);

    healed = true;
    const cliEnv = { ...process.env, DATABASE_URL: env.database.url, NG_ENV: 'test', LOG_LEVEL: 'silent' };
    const cli = path.join(repositoryRoot, 'apps/worker/src/cli.ts');
    const replayed = await run(process.execPath, [cli, 'dead-letters', 'replay', poisonId], {
      env: cliEnv,
      timeout: 60_000,
    });
    assert.match(replayed.stdout, /re-queued/);
    await waitUntil('the replayed event delivered', async () => (await count(db, pending)) === 0);
    assert.equal((await deliveriesPerEvent(db)).get(poisonId), 1);
    const row = await db.query<{ relays: number; attempts: number }>(
      'SELECT relays, attempts FROM outbox_events WHERE id = $1',
      [poisonId],
    );
    assert.deepEqual(row.rows[0], { relays: 1, attempts: 1 });
    assert.equal((await streamState(config)).messages, 3, 'the replay was published under a new message id');
  });

  it('runs nothing for a message that names no pending outbox row, and dead-letters a topic that is no subject', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(4);
    await db.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL)');
    const config = await natsConfig(t);
    const worker = createWorker({ db, config, log: quietLog, handlers: [tallyHandler()], jobs: [] });
    env.stopFirst(() => worker.stop());
    worker.start();
    await waitUntil('the feed connected', async () => worker.ready().ready);
    const nc = await connect({ servers: natsUrl });
    t.after(() => nc.close());
    const js = jetstream(nc);
    const subject = `${config.nats.subjectPrefix}.test.tally`;
    await js.publish(subject, JSON.stringify({ id: 'evt_01forgedforgedforgedforged', topic: 'test.tally' }));
    await js.publish(subject, 'not json at all');
    await waitUntil('both messages settled', async () => {
      const state = await streamState(config);
      return state.pending === 0 && state.ackPending === 0;
    });
    assert.equal((await deliveriesPerEvent(db)).size, 0);
    assert.equal(worker.metrics.eventsProcessed, 0);

    // A topic that cannot be a subject would block the relay: it is dead-lettered, the rest flows.
    const badId = await insertEvent(db, 'test.tally.*');
    const goodId = await insertEvent(db, 'test.tally');
    await waitUntil('the good event handled', async () => (await deliveriesPerEvent(db)).get(goodId) === 1);
    const letter = await db.query<{ consumer: string }>(
      'SELECT consumer FROM outbox_dead_letters WHERE event_id = $1',
      [badId],
    );
    assert.deepEqual(letter.rows, [{ consumer: 'nats-relay' }]);
  });

  it('dead-letters without running it an event whose last attempt killed its worker', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(4);
    await db.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL)');
    const config = await natsConfig(t, { WORKER_MAX_ATTEMPTS: '3' });
    const id = await insertEvent(db, 'test.tally');
    // Three attempts were counted and none finished: each took its worker down with it.
    await db.query('UPDATE outbox_events SET attempts = 3 WHERE id = $1', [id]);
    const worker = createWorker({ db, config, log: quietLog, handlers: [tallyHandler()], jobs: [] });
    env.stopFirst(() => worker.stop());
    worker.start();
    await waitUntil('the event dead-lettered', async () => (await count(db, 'dead_lettered_at IS NOT NULL')) === 1);
    const letter = await db.query<{ consumer: string; attempts: number }>(
      'SELECT consumer, attempts FROM outbox_dead_letters WHERE event_id = $1',
      [id],
    );
    assert.deepEqual(letter.rows[0], { consumer: 'worker', attempts: 3 });
    assert.equal((await deliveriesPerEvent(db)).size, 0, 'the handler did not run a fourth time');
    await waitUntil('the message terminated', async () => (await streamState(config)).ackPending === 0);
  });

  it('keeps the rows while NATS is unreachable and catches up when it comes back, without a restart', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(4);
    await db.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL)');
    const port = await closedPort();
    const config = await natsConfig(t, { NATS_URL: `nats://127.0.0.1:${port}` });
    for (let i = 0; i < 5; i += 1) await insertEvent(db, 'test.tally', { n: i });
    const worker = createWorker({ db, config, log: quietLog, handlers: [tallyHandler()], jobs: [] });
    env.stopFirst(() => worker.stop());
    worker.start();
    await waitUntil('the relay failed twice', async () => worker.metrics.relayFailures >= 2);

    assert.equal(await count(db, 'relayed_at IS NULL AND published_at IS NULL'), 5, 'nothing lost or marked');
    assert.equal(worker.ready().ready, false);
    assert.equal(worker.healthy(), true, 'alive: NATS down is not a reason to restart the worker');
    const down = await worker.metricsText();
    assert.match(down, /^ng_worker_nats_connected 0$/m);
    assert.match(down, /^ng_worker_relay_pending_events 5$/m);
    assert.match(down, /^ng_worker_relay_failures_total [1-9]\d*$/m);

    await natsProxy(t, port);
    await waitUntil('every event handled after NATS came back', async () => (await count(db, pending)) === 0);
    assert.equal((await deliveriesPerEvent(db)).size, 5);
    assert.deepEqual(worker.ready(), { ready: true });
    assert.equal((await streamState(config)).messages, 5);
  });
});
