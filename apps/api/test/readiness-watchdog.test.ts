import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Issue 12, defect 2: a wedged database left /readyz green (and, on PGlite, hanging). Readiness
 * turns red while a database call has waited longer than READINESS_QUERY_WAIT_MAX_MS, and green
 * again once it answered.
 */
const env = { READINESS_QUERY_WAIT_MAX_MS: '100' };
const pollsMax = 500;

/** Polls /readyz until it answers 503, while `stillWaiting` holds; the last answer is returned. */
async function readinessWhile(testApp: TestApp, stillWaiting: () => boolean): Promise<LightMyRequestResponse> {
  let answer = await testApp.app.inject({ url: '/readyz' });
  for (let poll = 1; poll < pollsMax && answer.statusCode !== 503 && stillWaiting(); poll += 1) {
    await sleep(20);
    answer = await testApp.app.inject({ url: '/readyz' });
  }
  return answer;
}

function assertRed(answer: LightMyRequestResponse) {
  assert.equal(answer.statusCode, 503, answer.body);
  assert.match(answer.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(answer.json().code, 'service_unavailable');
}

function settledFlag(work: Promise<unknown>) {
  const state = { settled: false };
  work.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

describe('readiness watchdog', () => {
  it('turns red while a query waits on a lock held elsewhere, and green once it is released (PostgreSQL)', async (t) => {
    const testApp = await buildTestApp(t, { env });
    assert.equal((await testApp.app.inject({ url: '/readyz' })).statusCode, 200);
    const holder = new pg.Client({ connectionString: testApp.config.databaseUrl });
    // The test database is dropped at the end; a connection still open then must not crash the test.
    holder.on('error', () => {});
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE approvals IN ACCESS EXCLUSIVE MODE');
    const blocked = testApp.deps.db.query('SELECT count(*) FROM approvals');
    const state = settledFlag(blocked);
    const red = await readinessWhile(testApp, () => !state.settled);
    await holder.query('COMMIT');
    await holder.end();
    await blocked;
    assertRed(red);
    assert.equal(testApp.deps.db.oldestWaitMs(), 0);
    assert.equal((await testApp.app.inject({ url: '/readyz' })).statusCode, 200);
  });

  it("turns red while a call waits for the embedded PGlite's one connection, and green once it is free", async (t) => {
    const testApp = await buildTestApp(t, { env, database: 'pglite' });
    const { db } = testApp.deps;
    assert.equal((await testApp.app.inject({ url: '/readyz' })).statusCode, 200);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding!: Promise<void>;
    const started = new Promise<void>((resolve) => {
      holding = db.transaction(async () => {
        resolve();
        await gate;
      });
    });
    await started;
    const waiting = db.query('SELECT 1');
    const red = await readinessWhile(testApp, () => true);
    release();
    await Promise.all([holding, waiting]);
    // Readiness pings queued behind the transaction too; one more query answers after all of them.
    await db.query('SELECT 1');
    assertRed(red);
    assert.equal((await testApp.app.inject({ url: '/readyz' })).statusCode, 200);
  });
});
