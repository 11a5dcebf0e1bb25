import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../api/src/platform/database.ts';
import {
  acquireLease,
  createMetrics,
  createScheduler,
  LeaseLost,
  retentionJobs,
  stepUnderLease,
} from '../src/index.ts';
import { createItems, tallyJob } from './fixtures/tally-job.ts';
import { waitUntil, workerTestDatabase } from './helper.ts';

const childScript = path.join(import.meta.dirname, 'fixtures/job-child.ts');

async function items(db: Database) {
  const { rows } = await db.query<{ id: number; processed: number; processed_by: string | null }>(
    'SELECT id, processed, processed_by FROM worker_test_items ORDER BY id',
  );
  return rows;
}

function scheduler(db: Database, holder: string, job = tallyJob(), leaseTtlMs = 2_000) {
  return createScheduler(db, [job], { holder, leaseTtlMs, metrics: createMetrics(), onError: () => {} });
}

describe('scheduled jobs under a lease', () => {
  it('lets only one of two workers run a job at a time', async (t) => {
    const env = await workerTestDatabase(t);
    const setup = env.pool(2);
    await createItems(setup, 20);
    let inside = 0;
    let most = 0;
    // Each step yields to the event loop for a while, so the other worker has every chance to enter.
    const onStep = async () => {
      inside += 1;
      most = Math.max(most, inside);
      await sleep(5);
      inside -= 1;
    };
    const a = scheduler(env.pool(2), 'a', tallyJob({ onStep }));
    const b = scheduler(env.pool(2), 'b', tallyJob({ onStep }));
    env.stopFirst(() => Promise.all([a.stop(), b.stop()]));
    await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    assert.equal(most, 1);
    const rows = await items(setup);
    assert.ok(rows.every((r) => r.processed === 1));
    assert.equal(new Set(rows.map((r) => r.processed_by)).size, 1, 'one worker ran the whole job');
    const lease = await setup.query<{ runs: bigint; fencing_token: bigint }>(
      "SELECT runs, fencing_token FROM job_leases WHERE job = 'test-tally'",
    );
    assert.deepEqual(lease.rows[0], { runs: 1n, fencing_token: 1n });
  });

  it('lets another worker finish a job whose worker was killed mid-run, doing nothing twice', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(2);
    await createItems(db, 10);
    const child = spawn(process.execPath, [childScript], {
      env: { ...process.env, DATABASE_URL: env.database.url, HANG_AFTER_STEPS: '3', LEASE_TTL_MS: '1500' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    env.stopFirst(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitUntil(`the child to hang (output: ${output})`, async () => output.includes('hung'), 60_000);
    child.kill('SIGKILL');
    await exited;
    assert.equal((await items(db)).filter((r) => r.processed === 1).length, 3);

    const survivor = scheduler(db, 'survivor');
    env.stopFirst(() => survivor.stop());
    // Until the dead worker's lease expires the survivor's ticks take nothing; then it finishes the job.
    await waitUntil(
      'the survivor to finish the job',
      async () => {
        await survivor.tick();
        return (await items(db)).every((r) => r.processed > 0);
      },
      30_000,
    );
    const rows = await items(db);
    assert.ok(
      rows.every((r) => r.processed === 1),
      JSON.stringify(rows),
    );
    assert.deepEqual(
      rows.map((r) => r.processed_by),
      [...Array(3).fill('child'), ...Array(7).fill('survivor')],
    );
    const lease = await db.query<{ runs: bigint; fencing_token: bigint; holder: string | null }>(
      "SELECT runs, fencing_token, holder FROM job_leases WHERE job = 'test-tally'",
    );
    assert.deepEqual(lease.rows[0], { runs: 1n, fencing_token: 2n, holder: null });
  });

  it('refuses the writes of a worker whose lease was taken over (fencing token)', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(2);
    await createItems(db, 1);
    const stale = await acquireLease(db, 'test-fence', 'paused', 100);
    assert.ok(stale);
    await waitUntil('the lease to expire', async () => Boolean(await acquireLease(db, 'test-fence', 'new', 60_000)));
    await assert.rejects(
      stepUnderLease(db, stale, 1_000, (tx) => tx.query('UPDATE worker_test_items SET processed = 99')),
      LeaseLost,
    );
    assert.equal((await items(db))[0]?.processed, 0);
  });
});

describe('retention purges', () => {
  it('delete only the rows past their retention', async (t) => {
    const env = await workerTestDatabase(t);
    const db = env.pool(2);
    const customer = 'cus_worker_purge';
    await db.query("INSERT INTO customers (id, password_hash) VALUES ($1, 'x')", [customer]);
    const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000);
    for (const [key, age] of [
      ['old', 25],
      ['fresh', 23],
    ] as const) {
      await db.query(
        `INSERT INTO idempotency_keys (scope, key, request_hash, response_status, response_body, created_at)
         VALUES ('s', $1, 'h', 201, '{}', $2)`,
        [key, hoursAgo(age)],
      );
    }
    for (const [id, expiredHoursAgo] of [
      ['sup_old', 2],
      ['sup_recent', 0.5],
      ['sup_live', -0.1],
    ] as const) {
      await db.query(
        `INSERT INTO step_up_challenges (id, customer_id, purpose, binding_hash, challenge, created_at, expires_at)
         VALUES ($1, $2, 'payment', $3, $1, now() - interval '3 hours', $4)`,
        [id, customer, Buffer.alloc(32), hoursAgo(expiredHoursAgo)],
      );
    }
    const session = (id: string, expiresAt: Date, endedAt: Date | null) =>
      db.query(
        `INSERT INTO customer_sessions (id, customer_id, grant_id, device_key_thumbprint, device_name, network, expires_at, ended_at)
         VALUES ($1, $2, $1, $3, 'phone', '10.0.0.0/24', $4, $5)`,
        [id, customer, 'k'.repeat(43), expiresAt, endedAt],
      );
    await session('ses_expired_long_ago', hoursAgo(31 * 24), null);
    await session('ses_ended_long_ago', hoursAgo(-24), hoursAgo(31 * 24));
    await session('ses_expired_lately', hoursAgo(24), null);
    await session('ses_open', hoursAgo(-24), null);
    for (const daysAgo of [8, 7, 0]) {
      await db.query(
        `INSERT INTO outgoing_daily_totals (customer_id, currency, day, reserved_minor)
         VALUES ($1, 'EUR', (now() AT TIME ZONE 'UTC')::date - $2::int, 100)`,
        [customer, daysAgo],
      );
    }

    for (const [id, publishedDaysAgo] of [
      ['evt_published_long_ago', 8],
      ['evt_published_lately', 6],
      ['evt_pending', null],
    ] as const) {
      await db.query(
        `INSERT INTO outbox_events (id, topic, aggregate_id, payload, published_at)
         VALUES ($1, 'test', 'agg', '{}', $2)`,
        [id, publishedDaysAgo === null ? null : hoursAgo(publishedDaysAgo * 24)],
      );
      await db.query("INSERT INTO outbox_consumed (event_id, consumer) VALUES ($1, 'tally')", [id]);
    }

    for (const [transferId, approvedHoursAgo] of [
      ['trf_approved_long_ago', 25],
      ['trf_approved_lately', 23],
    ] as const) {
      await db.query(
        `INSERT INTO payment_approvals (transfer_id, customer_id, challenge_id, approved_at) VALUES ($1, $2, 'sup_x', $3)`,
        [transferId, customer, hoursAgo(approvedHoursAgo)],
      );
    }

    const purges = createScheduler(db, retentionJobs(60_000), {
      holder: 'purger',
      leaseTtlMs: 5_000,
      metrics: createMetrics(),
      onError: (error) => assert.fail(String(error)),
    });
    env.stopFirst(() => purges.stop());
    await purges.tick();

    const column = async (sql: string) => (await db.query<{ v: string }>(sql)).rows.map((r) => r.v);
    assert.deepEqual(await column('SELECT key AS v FROM idempotency_keys ORDER BY key'), ['fresh']);
    assert.deepEqual(await column('SELECT id AS v FROM step_up_challenges ORDER BY id'), ['sup_live', 'sup_recent']);
    assert.deepEqual(await column('SELECT id AS v FROM customer_sessions ORDER BY id'), [
      'ses_expired_lately',
      'ses_open',
    ]);
    assert.deepEqual(
      await column(
        "SELECT ((now() AT TIME ZONE 'UTC')::date - day)::text AS v FROM outgoing_daily_totals ORDER BY day DESC",
      ),
      ['0', '7'],
    );
    assert.deepEqual(await column('SELECT id AS v FROM outbox_events ORDER BY id'), [
      'evt_pending',
      'evt_published_lately',
    ]);
    assert.deepEqual(await column('SELECT event_id AS v FROM outbox_consumed ORDER BY event_id'), [
      'evt_pending',
      'evt_published_lately',
    ]);
    assert.deepEqual(await column('SELECT transfer_id AS v FROM payment_approvals'), ['trf_approved_lately']);
    const leases = await column("SELECT job || ':' || runs AS v FROM job_leases ORDER BY job");
    assert.deepEqual(leases, [
      'purge-daily-limit-totals:1',
      'purge-idempotency-keys:1',
      'purge-payment-approvals:1',
      'purge-published-events:1',
      'purge-sessions:1',
      'purge-step-up-challenges:1',
    ]);
  });
});
