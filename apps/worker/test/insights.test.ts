import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimCustomers, finishCustomer, sweepStep } from '../../api/src/insights/index.ts';
import { type Database, newId } from '../../api/src/platform/index.ts';
import { fundedCustomer } from '../../api/test/fixtures.ts';
import { buildTestApp, type TestApp, testDatabaseKinds } from '../../api/test/helper.ts';
import {
  createMetrics,
  createScheduler,
  insightsJobs,
  insightsPurgeJobName,
  insightsQueueJobName,
  insightsSweepJobName,
  loadWorkerConfig,
  type ScheduledJob,
} from '../src/index.ts';

/** The worker's clock in these tests: every line below is before it. */
const now = new Date('2026-11-20T12:00:00Z');
const settings = loadWorkerConfig({ DATABASE_URL: 'postgres://unused' }, 'in-process').insights;

async function runOnce(db: Database, job: ScheduledJob): Promise<unknown[]> {
  await db.query('UPDATE job_leases SET next_run_at = now() WHERE job = $1', [job.name]);
  const errors: unknown[] = [];
  const scheduler = createScheduler(db, [job], {
    holder: 'insights-test',
    leaseTtlMs: 30_000,
    metrics: createMetrics(),
    onError: (error) => errors.push(error),
  });
  await scheduler.tick();
  await scheduler.stop();
  return errors;
}

const queueJob = () => {
  const job = insightsJobs(settings, { now: () => now }).find((j) => j.name === insightsQueueJobName);
  assert.ok(job);
  return job;
};

async function purchase(testApp: TestApp, accountId: string, amountMinor: bigint, description: string, at: string) {
  await testApp.services.payments.cardPurchase({
    accountId,
    amountMinor,
    currency: 'EUR',
    description,
    at: new Date(at),
  });
}

/** A customer paying StreamFlix 9.99 on the 5th of July to November and groceries three times in November. */
async function subscriber(testApp: TestApp) {
  const { customerId, account } = await fundedCustomer(testApp, 2_000_00n);
  for (const month of ['07', '08', '09', '10', '11'])
    await purchase(testApp, account.id, 999n, 'StreamFlix', `2026-${month}-05T08:00:00Z`);
  await purchase(testApp, account.id, 30_00n, 'FreshMart Berlin', '2026-11-02T17:10:00Z');
  await purchase(testApp, account.id, 25_50n, 'FreshMart Berlin', '2026-11-09T18:20:00Z');
  await purchase(testApp, account.id, 24_50n, 'FreshMart Berlin', '2026-11-16T16:45:00Z');
  return { customerId, accountId: account.id };
}

interface StoredInsight {
  type: string;
  period: string;
  dedupe_key: string;
  data: Record<string, unknown>;
  params: Record<string, string>;
}

async function insightsOf(db: Database, customerId: string): Promise<StoredInsight[]> {
  const { rows } = await db.query<StoredInsight>(
    'SELECT type, period, dedupe_key, data, params FROM insights WHERE customer_id = $1 ORDER BY dedupe_key',
    [customerId],
  );
  return rows;
}

for (const kind of testDatabaseKinds) {
  describe(`the insights jobs (${kind})`, () => {
    it('finds a 9.99 monthly subscription with its next date, and warns of a budget at exactly 80 % once, not twice', async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { db } = testApp.deps;
      const { customerId, accountId } = await subscriber(testApp);
      await db.query(
        "INSERT INTO budgets (customer_id, category, currency, amount_minor) VALUES ($1, 'groceries', 'EUR', 10000)",
        [customerId],
      );
      // The purchases enqueued the customer (the trigger on account_transactions).
      const queued = await db.query('SELECT 1 FROM insight_queue WHERE customer_id = $1', [customerId]);
      assert.equal(queued.rows.length, 1);

      assert.deepEqual(await runOnce(db, queueJob()), []);
      const first = await insightsOf(db, customerId);
      // Nothing else: groceries are new this month (not unusual), the forecast stays above zero.
      assert.deepEqual(first.map((i) => i.type).sort(), ['budget_warning', 'subscription_found']);
      const subscription = first.filter((i) => i.type === 'subscription_found');
      assert.equal(subscription.length, 1);
      assert.deepEqual(subscription[0]?.data, {
        accountId,
        frequency: 'monthly',
        amount: { amount: '9.99', currency: 'EUR' },
        nextDate: '2026-12-05',
      });
      assert.equal(subscription[0]?.params.name, 'StreamFlix');
      const warnings = first.filter((i) => i.type === 'budget_warning');
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.dedupe_key, `budget_warning:groceries:EUR:2026-11`);
      assert.deepEqual(warnings[0]?.data.spent, { amount: '80.00', currency: 'EUR' });
      assert.equal(warnings[0]?.data.percent, 80);
      assert.equal(first.filter((i) => i.type === 'budget_exceeded').length, 0);
      // Done: the queue row is gone, the lines carry their categories.
      assert.equal((await db.query('SELECT 1 FROM insight_queue WHERE customer_id = $1', [customerId])).rows.length, 0);
      const categories = await db.query<{ description: string; category: string | null }>(
        "SELECT DISTINCT description, category FROM account_transactions WHERE customer_id = $1 AND direction = 'debit'",
        [customerId],
      );
      assert.deepEqual(
        categories.rows.sort((a, b) => (a.description < b.description ? -1 : 1)),
        [
          { description: 'FreshMart Berlin', category: 'groceries' },
          { description: 'StreamFlix', category: 'subscriptions' },
        ],
      );

      // Another purchase re-enqueues the customer; the second run finds the same facts and writes none twice.
      await purchase(testApp, accountId, 1_00n, 'FreshMart Berlin', '2026-11-18T10:00:00Z');
      assert.deepEqual(await runOnce(db, queueJob()), []);
      const second = await insightsOf(db, customerId);
      assert.deepEqual(
        second.map((i) => i.dedupe_key),
        first.map((i) => i.dedupe_key),
      );
      assert.equal(second.filter((i) => i.type === 'budget_warning').length, 1);
    });

    it('tells of a bill due within a week and of the balance it will take below zero', async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { db } = testApp.deps;
      const { customerId, account } = await fundedCustomer(testApp, 2_300_00n);
      const landlord = await fundedCustomer(testApp, 1_00n, 'Leon Virtanen');
      for (const month of ['08', '09', '10', '11']) {
        await testApp.services.payments.postTransfer(customerId, {
          fromAccountId: account.id,
          to: { iban: landlord.account.iban },
          amountMinor: 500_00n,
          currency: 'EUR',
          reference: 'Rent',
          at: new Date(`2026-${month}-01T07:00:00Z`),
        });
      }
      // 2,300.00 − 4 × 500.00 = 300.00 now; the rent of 1 December takes it to −200.00.
      const lateNovember = new Date('2026-11-28T12:00:00Z');
      const [job] = insightsJobs(settings, { now: () => lateNovember });
      assert.ok(job);
      assert.deepEqual(await runOnce(db, job), []);
      const found = await insightsOf(db, customerId);
      assert.deepEqual(
        found.map((i) => [i.type, i.period, i.data]),
        [
          [
            'low_balance_forecast',
            '2026-12-01',
            { accountId: account.id, date: '2026-12-01', balance: { amount: '-200.00', currency: 'EUR' } },
          ],
          [
            'upcoming_bill',
            '2026-12-01',
            {
              accountId: account.id,
              date: '2026-12-01',
              amount: { amount: '500.00', currency: 'EUR' },
              category: 'rent_housing',
            },
          ],
        ],
      );
      assert.equal(found[1]?.params.name, 'L*** V*******');
    });

    it('claims each queued customer for one worker only', async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { db } = testApp.deps;
      for (let i = 0; i < 5; i += 1) await fundedCustomer(testApp, 1_00n);
      const first = await db.transaction((tx) => claimCustomers(tx, 3));
      const second = await db.transaction((tx) => claimCustomers(tx, 3));
      assert.equal(first.length, 3);
      assert.equal(second.length, 2);
      assert.equal(new Set([...first, ...second].map((c) => c.customerId)).size, 5);
      // All claimed: nothing for a third worker until a claim expires.
      assert.deepEqual(await db.transaction((tx) => claimCustomers(tx, 3)), []);
    });

    it('keeps a queue row that was enqueued again while the run worked, and releases it', async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { db } = testApp.deps;
      const { customerId } = await fundedCustomer(testApp, 10_00n);
      const { rows } = await db.query<{ generation: bigint }>(
        'SELECT generation FROM insight_queue WHERE customer_id = $1',
        [customerId],
      );
      const claimed = rows[0]?.generation ?? 0n;
      await db.query(
        "UPDATE insight_queue SET generation = generation + 1, claimed_until = now() + interval '1 hour' WHERE customer_id = $1",
        [customerId],
      );
      await db.transaction((tx) => finishCustomer(tx, { customerId, generation: claimed }));
      const left = await db.query<{ claimed_until: Date | null }>(
        'SELECT claimed_until FROM insight_queue WHERE customer_id = $1',
        [customerId],
      );
      assert.equal(left.rows.length, 1);
      assert.equal(left.rows[0]?.claimed_until, null);
      await db.transaction((tx) => finishCustomer(tx, { customerId, generation: claimed + 1n }));
      assert.equal((await db.query('SELECT 1 FROM insight_queue WHERE customer_id = $1', [customerId])).rows.length, 0);
    });

    it('purges insights older than a year but keeps found subscriptions', async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { db } = testApp.deps;
      const { customerId } = await fundedCustomer(testApp, 1_00n);
      const insert = (type: string, key: string, daysAgo: number) =>
        db.query(
          `INSERT INTO insights (id, customer_id, type, period, dedupe_key, message_key, model_version, created_at)
           VALUES ($1, $2, $3, '2025-01', $4, 'insights.' || $3, 'categoriser@1.0.0', now() - make_interval(days => $5))`,
          [newId('insight'), customerId, type, key, daysAgo],
        );
      await insert('budget_warning', 'old', 400);
      await insert('budget_warning', 'recent', 300);
      await insert('subscription_found', 'old-subscription', 400);
      const job = insightsJobs(settings).find((j) => j.name === insightsPurgeJobName);
      assert.ok(job);
      assert.deepEqual(await runOnce(db, job), []);
      assert.deepEqual(
        (await insightsOf(db, customerId)).map((i) => i.dedupe_key),
        ['old-subscription', 'recent'],
      );
    });

    it('sweeps every customer with an account not closed in cursor-ordered batches, once a day', async (t) => {
      const testApp = await buildTestApp(t, { database: kind });
      const { db } = testApp.deps;
      const ids = [];
      for (let i = 0; i < 3; i += 1) ids.push((await fundedCustomer(testApp, 1_00n)).customerId);
      // A customer whose accounts are all closed (as every erased customer's are) has nothing to refresh.
      const { customerId: gone } = await fundedCustomer(testApp, 1_00n);
      await db.query("UPDATE accounts SET status = 'closed', closed_at = now() WHERE customer_id = $1", [gone]);
      await db.query('DELETE FROM insight_queue');
      assert.equal(await db.transaction((tx) => sweepStep(tx, 2)), 2);
      assert.equal(await db.transaction((tx) => sweepStep(tx, 2)), 1);
      // The pass finished: the next one is due a day after this one started.
      assert.equal(await db.transaction((tx) => sweepStep(tx, 2)), undefined);
      const queued = await db.query<{ customer_id: string }>('SELECT customer_id FROM insight_queue ORDER BY 1');
      assert.deepEqual(
        queued.rows.map((r) => r.customer_id),
        ids.sort(),
      );
      const job = insightsJobs(settings).find((j) => j.name === insightsSweepJobName);
      assert.ok(job);
      assert.deepEqual(await runOnce(db, job), []);
    });
  });
}

describe('the insights jobs without a categoriser', () => {
  it('fail the run and leave the queue as it was', async (t) => {
    const testApp = await buildTestApp(t, { database: 'pglite' });
    const { db } = testApp.deps;
    await fundedCustomer(testApp, 1_00n);
    const [job] = insightsJobs({ ...settings, categoriserPath: '/nonexistent/categoriser.json' });
    assert.ok(job);
    const errors = await runOnce(db, job);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /categoriser file does not exist/);
    assert.equal((await db.query('SELECT 1 FROM insight_queue')).rows.length, 1);
  });
});
