import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repositoryRoot } from '@nextgen/testkit';
import type { Database } from '../../api/src/platform/database.ts';
import { createWorker, type OutboxHandler } from '../src/index.ts';
import { insertEvent, quietLog, testWorkerConfig, waitUntil, workerTestDatabase } from './helper.ts';

const run = promisify(execFile);

/** A consumer whose effect is a row per delivery, so a second delivery would show as a second row. */
function tallyHandler(holder: string): OutboxHandler {
  return {
    consumer: 'tally',
    topics: ['test.tally'],
    async handle(tx, event) {
      await tx.query('INSERT INTO worker_test_deliveries (event_id, holder) VALUES ($1, $2)', [event.id, holder]);
    },
  };
}

async function createDeliveries(db: Database): Promise<void> {
  await db.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL, holder text NOT NULL)');
}

async function pendingCount(db: Database): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL AND dead_lettered_at IS NULL',
  );
  return rows[0]?.n ?? -1;
}

describe('outbox consumer', () => {
  it('delivers each event exactly once when two workers consume at the same time', async (t) => {
    const env = await workerTestDatabase(t);
    const setup = env.pool(2);
    await createDeliveries(setup);
    const ids: string[] = [];
    for (let i = 0; i < 300; i += 1) ids.push(await insertEvent(setup, 'test.tally', { n: i }));
    const workers = ['a', 'b'].map((name) =>
      createWorker({
        db: env.pool(4),
        config: testWorkerConfig({ WORKER_BATCH_SIZE: '7' }),
        log: quietLog,
        handlers: [tallyHandler(name)],
        jobs: [],
      }),
    );
    for (const worker of workers) env.stopFirst(() => worker.stop());
    for (const worker of workers) worker.start();
    await waitUntil('every event handled', async () => (await pendingCount(setup)) === 0);

    const { rows } = await setup.query<{ event_id: string; n: number }>(
      'SELECT event_id, count(*)::int AS n FROM worker_test_deliveries GROUP BY event_id',
    );
    assert.equal(rows.length, 300);
    assert.deepEqual(
      rows.filter((r) => r.n !== 1),
      [],
    );
    const consumed = await setup.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM outbox_consumed WHERE consumer = 'tally'",
    );
    assert.equal(consumed.rows[0]?.n, 300);
    assert.equal(
      workers.reduce((sum, w) => sum + w.metrics.eventsProcessed, 0),
      300,
    );
  });

  it('does not apply a consumer twice when an event is delivered again', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(2);
    await createDeliveries(db);
    const id = await insertEvent(db, 'test.tally');
    const worker = createWorker({
      db,
      config: testWorkerConfig(),
      log: quietLog,
      handlers: [tallyHandler('a')],
      jobs: [],
    });
    assert.equal(await worker.feed.pollOnce(), 1);
    // As if a relay or a timed-out claim handed the event over once more.
    await db.query('UPDATE outbox_events SET published_at = NULL, available_at = now() WHERE id = $1', [id]);
    assert.equal(await worker.feed.pollOnce(), 1);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM worker_test_deliveries');
    assert.equal(rows[0]?.n, 1);
    assert.equal(await pendingCount(db), 0);
  });

  it('moves a poisoned event to the dead letters without personal data, and replays it on the operator command', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(4);
    let healed = false;
    const poisoned: OutboxHandler = {
      consumer: 'notifications',
      topics: ['test.poison', 'test.fine'],
      async handle(_tx, event) {
        if (event.topic === 'test.poison' && !healed) {
          throw new Error('cannot notify jane.doe@example.com about DE89370400440532013000');
        }
      },
    };
    const poisonId = await insertEvent(db, 'test.poison');
    const fineId = await insertEvent(db, 'test.fine');
    const worker = createWorker({
      db,
      config: testWorkerConfig({ WORKER_MAX_ATTEMPTS: '3' }),
      log: quietLog,
      handlers: [poisoned],
      jobs: [],
    });
    env.stopFirst(() => worker.stop());
    worker.start();
    await waitUntil('the poisoned event in the dead letters', async () => {
      const { rows } = await db.query('SELECT 1 FROM outbox_dead_letters WHERE event_id = $1', [poisonId]);
      return rows.length === 1;
    });

    const { rows } = await db.query<{ consumer: string; attempts: number; error: string }>(
      'SELECT consumer, attempts, error FROM outbox_dead_letters WHERE event_id = $1',
      [poisonId],
    );
    assert.equal(rows[0]?.consumer, 'notifications');
    assert.equal(rows[0]?.attempts, 3);
    assert.match(rows[0]?.error ?? '', /^Error: cannot notify <email> about <iban>$/);
    const fine = await db.query<{ published: boolean }>(
      'SELECT published_at IS NOT NULL AS published FROM outbox_events WHERE id = $1',
      [fineId],
    );
    assert.equal(fine.rows[0]?.published, true, 'a poisoned event does not hold up the others');
    assert.equal(worker.metrics.eventsDeadLettered, 1);
    assert.match(await worker.metricsText(), /^ng_worker_outbox_dead_letters 1$/m);

    const cliEnv = { ...process.env, DATABASE_URL: env.database.url, NG_ENV: 'test', LOG_LEVEL: 'silent' };
    const listed = await run('npm', ['run', '--silent', 'worker', '--', 'dead-letters', 'list'], {
      cwd: repositoryRoot,
      env: cliEnv,
      timeout: 60_000,
    });
    assert.match(listed.stdout, new RegExp(`^${poisonId}\\ttest.poison\\tnotifications\\tattempts=3\\t`, 'm'));

    healed = true;
    const cli = path.join(repositoryRoot, 'apps/worker/src/cli.ts');
    const replayed = await run(process.execPath, [cli, 'dead-letters', 'replay', poisonId], {
      env: cliEnv,
      timeout: 60_000,
    });
    assert.match(replayed.stdout, /re-queued/);
    await waitUntil('the replayed event delivered', async () => (await pendingCount(db)) === 0);
    const after = await db.query<{ published: boolean; attempts: number }>(
      'SELECT published_at IS NOT NULL AS published, attempts FROM outbox_events WHERE id = $1',
      [poisonId],
    );
    assert.deepEqual(after.rows[0], { published: true, attempts: 1 });

    await assert.rejects(
      run(process.execPath, [cli, 'dead-letters', 'replay', poisonId], { env: cliEnv, timeout: 60_000 }),
      (error: { code?: number; stderr?: string }) => error.code === 1 && /no open dead letter/.test(error.stderr ?? ''),
    );
  });
});
