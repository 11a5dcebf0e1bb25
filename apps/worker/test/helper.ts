import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '@nextgen/testkit';
import { connectPostgres, type Database } from '../../api/src/platform/database.ts';
import { newId } from '../../api/src/platform/ids.ts';
import { loadWorkerConfig, type WorkerConfig } from '../src/config.ts';

/**
 * A test database (migrated from the template) and the pools opened on it, torn down in one
 * `after` hook in a fixed order: whatever the test registered with `stopFirst` (workers, child
 * processes), then the pools, then the database. Dropping a database a worker still polls would
 * make the worker's errors and the drop race.
 */
export interface WorkerTestDatabase {
  readonly database: TestDatabase;
  /** A new pool on the test database (one per simulated worker process). */
  pool(size?: number): Database;
  stopFirst(stop: () => Promise<unknown>): void;
}

export async function workerTestDatabase(t: TestContext): Promise<WorkerTestDatabase> {
  const database = await createTestDatabase();
  const pools: Database[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  t.after(async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
    await Promise.allSettled(pools.map((pool) => pool.close()));
    await database.drop();
  });
  return {
    database,
    pool(size = 4) {
      const pool = connectPostgres(database.url, () => {}, size);
      pools.push(pool);
      return pool;
    },
    stopFirst(stop) {
      stops.push(stop);
    },
  };
}

/** Settings that make a test's worker quick: short polls, leases and back-offs. */
export function testWorkerConfig(overrides: Record<string, string> = {}): WorkerConfig {
  return loadWorkerConfig(
    {
      DATABASE_URL: 'postgres://unused',
      WORKER_POLL_INTERVAL_MS: '20',
      WORKER_JOB_TICK_MS: '20',
      WORKER_RETRY_BASE_MS: '1',
      WORKER_CLAIM_TIMEOUT_MS: '5000',
      WORKER_LEASE_TTL_MS: '2000',
      WORKER_MAX_ATTEMPTS: '3',
      ...overrides,
    },
    'in-process',
  );
}

export const quietLog = { info: () => {}, warn: () => {} };

/** Polls `check` until it answers true; fails after `timeoutMs` instead of hanging the suite. */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export async function insertEvent(db: Database, topic: string, payload: object = {}): Promise<string> {
  const id = newId('outboxEvent');
  await db.query('INSERT INTO outbox_events (id, topic, aggregate_id, payload) VALUES ($1, $2, $3, $4)', [
    id,
    topic,
    'agg_test',
    JSON.stringify(payload),
  ]);
  return id;
}
