import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  answerProblems,
  checkLedgerInvariants,
  checkTransferRecords,
  type KeyOutcome,
  type LoadAccount,
  latencySummary,
  modelBalances,
  outcomesByKey,
  parseMinor,
  planTransfers,
  runTransferLoad,
  seededRandom,
  transferIdOf,
} from '@nextgen/testkit';
import { createCustomer, openAccount } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Issue 3's concurrency proof: 50 clients send 2,400 random transfers over real HTTP to an app
 * listening on a port, own transfers by account id and payments to other customers by IBAN, with
 * sequential retries and truly concurrent duplicates of the same Idempotency-Key mixed in. Then the
 * clients' answers, the database and the clients' own model of the books must agree.
 * LOAD_SEED=<n> replays a run's plan (its seed is printed as a diagnostic).
 */
const customersCount = 6;
const accountsPerCustomer = 2;
const transfersCount = 2_400;
const clientsCount = 50;
/** Openings of 100–1,000 EUR against amounts up to 300 EUR (skewed small): some transfers overdraw. */
const amountMinorMax = 300_00n;

async function openLoadAccounts(testApp: TestApp, seed: number): Promise<LoadAccount[]> {
  const random = seededRandom(seed + 1);
  const accounts: LoadAccount[] = [];
  for (let c = 0; c < customersCount; c += 1) {
    const customerId = await createCustomer(testApp.deps.db, `Load Customer ${c}`);
    for (let a = 0; a < accountsPerCustomer; a += 1) {
      const openingMinor = BigInt(100_00 + Math.floor(random() * 900_00));
      const type = a === 0 ? 'checking' : 'savings';
      const account = await openAccount(testApp, customerId, { fundMinor: openingMinor, type });
      accounts.push({ ...account, customerId, openingMinor });
    }
  }
  return accounts;
}

async function balanceMinorOf(
  baseUrl: string,
  headersFor: (customerId: string, method: string, url: string) => Record<string, string>,
  account: LoadAccount,
): Promise<bigint> {
  const url = `${baseUrl}/api/v1/accounts/${account.id}`;
  const response = await fetch(url, { headers: headersFor(account.customerId, 'GET', url) });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { balance: { amount: string } };
  return parseMinor(body.balance.amount);
}

const answered = (outcomes: ReadonlyMap<string, KeyOutcome>) =>
  [...outcomes.values()].flatMap((o) => (o.answer ? [{ plan: o.plan, answer: o.answer }] : []));

describe('transfers under concurrent HTTP load', () => {
  it('moves money once per key for 2,400 transfers from 50 clients and keeps the books', async (t) => {
    const seed = Number(process.env.LOAD_SEED ?? randomInt(2 ** 31));
    t.diagnostic(`seed ${seed}`);
    const testApp = await buildTestApp(t, {
      env: { RATE_LIMIT_PER_MINUTE: '1000000', STEP_UP_NEW_PAYEE: 'false', STEP_UP_CUMULATIVE: 'false' },
    });
    await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    const baseUrl = `http://127.0.0.1:${(testApp.app.server.address() as AddressInfo).port}`;
    const accounts = await openLoadAccounts(testApp, seed);
    const customerIds = [...new Set(accounts.map((a) => a.customerId))];
    const tokens = new Map(
      await Promise.all(customerIds.map(async (id) => [id, await testApp.customerToken(id)] as const)),
    );
    // Proofs name PUBLIC_URL (the path on it), not the socket address the load reaches the app at.
    const headersFor = (customerId: string, method: string, url: string) =>
      testApp.dpopHeaders(tokens.get(customerId) ?? '', method, url.slice(baseUrl.length));

    const plans = planTransfers(accounts, { count: transfersCount, seed, amountMinorMax });
    const run = await runTransferLoad({ baseUrl, plans, clients: clientsCount, headersFor });
    t.diagnostic(`load ${JSON.stringify(latencySummary(run))}`);
    const outcomes = outcomesByKey(plans, run);
    const { db } = testApp.deps;

    await t.test('answers every submission, never with a 5xx, and every submission of a key alike', () => {
      assert.deepEqual(answerProblems(outcomes), []);
      const refusals = answered(outcomes).filter(({ answer }) => answer.status !== 201);
      for (const { answer } of refusals) {
        assert.equal(answer.status, 422, answer.body);
        assert.equal(JSON.parse(answer.body).code, 'insufficient_funds', answer.body);
      }
    });

    await t.test('executes each key once: one fresh answer, every other submission a replay', () => {
      for (const [key, outcome] of outcomes) {
        const fresh = outcome.answers.filter((a) => !a.replayed).length;
        assert.equal(fresh, 1, `${key} (${outcome.plan.submission}) answered fresh ${fresh} times`);
      }
    });

    await t.test('every key answered 201 produced exactly one transfer, and refused keys none', async () => {
      const answeredIds = answered(outcomes)
        .filter(({ answer }) => answer.status === 201)
        .map(({ answer }) => transferIdOf(answer))
        .sort();
      const { rows } = await db.query<{ id: string }>('SELECT id FROM transfers ORDER BY id');
      assert.deepEqual(
        rows.map((r) => r.id),
        answeredIds,
      );
    });

    await t.test('stores one response per key, with the status its clients got', async () => {
      const { rows } = await db.query<{ key: string; response_status: number }>(
        "SELECT key, response_status FROM idempotency_keys WHERE scope LIKE 'customer:%'",
      );
      const stored = new Map(rows.map((r) => [r.key, r.response_status]));
      assert.equal(stored.size, outcomes.size);
      for (const [key, outcome] of outcomes) assert.equal(stored.get(key), outcome.answer?.status, key);
    });

    await t.test("every balance equals the clients' model of the books", async () => {
      const model = modelBalances(accounts, outcomes);
      for (const account of accounts) {
        const balanceMinor = await balanceMinorOf(baseUrl, headersFor, account);
        assert.equal(balanceMinor, model.get(account.id), account.id);
      }
    });

    await t.test('the ledger invariants hold and no transfer is half-written', async () => {
      assert.deepEqual(await checkLedgerInvariants(db), []);
      assert.deepEqual(await checkTransferRecords(db), []);
    });

    await t.test('the load covered own and IBAN transfers, refusals, retries and concurrent duplicates', (st) => {
      const all = answered(outcomes);
      const posted = all.filter(({ answer }) => answer.status === 201);
      st.diagnostic(`posted ${posted.length} of ${all.length} transfers in ${run.attempts.length} requests`);
      assert.ok(posted.some(({ plan }) => plan.byIban) && posted.some(({ plan }) => !plan.byIban));
      assert.ok(posted.length > all.length / 2, 'most transfers fit');
      assert.ok(all.length - posted.length >= 20, 'some transfers overdraw');
      for (const submission of ['retry', 'concurrent'] as const) {
        const duplicated = plans.filter((p) => p.submission === submission).length;
        assert.ok(duplicated >= transfersCount / 20, `${duplicated} ${submission} submissions`);
      }
    });
  });
});
