import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freePort, startApiProcess } from '@nextgen/testkit';
import { openPglite } from '../../api/src/platform/database.ts';
import { migrate } from '../../api/src/platform/migrations.ts';
import { createWorker, type OutboxHandler, purges } from '../src/index.ts';
import { insertEvent, quietLog, testWorkerConfig, waitUntil } from './helper.ts';

describe('the worker on the embedded PGlite', () => {
  it('shares the one connection with the API without wedging it', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ng-worker-pglite-'));
    const db = await openPglite(path.join(dir, 'pglite'));
    let worker: ReturnType<typeof createWorker> | undefined;
    t.after(async () => {
      await worker?.stop(); // before the database closes
      await db.close();
      await rm(dir, { recursive: true, force: true });
    });
    await migrate(db);
    await db.exec('CREATE TABLE worker_test_deliveries (event_id text NOT NULL)');
    const handler: OutboxHandler = {
      consumer: 'tally',
      topics: ['*'],
      async handle(tx, event) {
        if (event.topic === 'test.poison') throw new Error('poisoned');
        await tx.query('INSERT INTO worker_test_deliveries (event_id) VALUES ($1)', [event.id]);
      },
    };
    const ids = [];
    for (let i = 0; i < 20; i += 1) ids.push(await insertEvent(db, 'test.tally'));
    const poisonId = await insertEvent(db, 'test.poison');
    worker = createWorker({
      db,
      config: testWorkerConfig({ WORKER_MAX_ATTEMPTS: '2' }),
      log: quietLog,
      handlers: [handler],
    });
    worker.start();
    // Meanwhile the "API" keeps using the same handle, in and out of transactions.
    for (let i = 0; i < 20; i += 1) {
      await db.transaction(async (tx) => {
        await tx.query('SELECT count(*) FROM outbox_events');
      });
      await db.query('SELECT 1');
    }
    await waitUntil('every event handled or dead-lettered', async () => {
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM outbox_events WHERE published_at IS NULL AND dead_lettered_at IS NULL',
      );
      return rows[0]?.n === 0;
    });
    const delivered = await db.query<{ n: number }>(
      'SELECT count(DISTINCT event_id)::int AS n FROM worker_test_deliveries',
    );
    assert.equal(delivered.rows[0]?.n, 20);
    const dead = await db.query('SELECT 1 FROM outbox_dead_letters WHERE event_id = $1', [poisonId]);
    assert.equal(dead.rows.length, 1);
    // The purges, the fraud drift job, which the test settings leave on (RISK_SCORING's default), and the three insights jobs.
    assert.equal(worker.scheduler.jobs.length, purges.length + 4);
    await waitUntil('every standard job to run once', async () => {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_leases WHERE runs > 0');
      return rows[0]?.n === worker?.scheduler.jobs.length;
    });
  });

  it('starts with `./ng start` in the same process, serving /metrics and /healthz on WORKER_PORT', async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ng-worker-start-'));
    const workerPort = await freePort();
    const api = await startApiProcess(
      { DATA_DIR: dir, WORKER_PORT: String(workerPort), WORKER_JOB_TICK_MS: '50' },
      120_000,
    );
    t.after(async () => {
      await api.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    });
    const base = `http://127.0.0.1:${workerPort}`;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    await waitUntil('the purge jobs in /metrics', async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return /^ng_worker_job_runs_total\{job="purge-idempotency-keys"\} 1$/m.test(text);
    });
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^ng_worker_outbox_lag_seconds [0-9.e+-]+$/m);
    assert.match(text, /^ng_worker_outbox_events_failed_total 0$/m);
    assert.equal((await fetch(`${api.baseUrl}/readyz`)).status, 200, 'the API still answers');
    assert.equal((await fetch(`${base}/nope`)).status, 404);
    assert.equal(await api.stop('SIGTERM'), 0);
  });
});
