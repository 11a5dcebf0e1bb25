import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kycTiers, tierLimits } from '../src/compliance/limits.ts';
import { transferLimitCurrencyPercents } from '../src/platform/constants.ts';
import type { DomainError } from '../src/platform/errors.ts';
import { currencies } from '../src/platform/money.ts';
import { createCustomer, freshKey, openAccount, rowCounts } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/** Step-up (payments/step-up-policy.ts) is switched off here: these tests are about KYC and limits. */
const noStepUp = { env: { STEP_UP_NEW_PAYEE: 'false', STEP_UP_THRESHOLD: '1000000000.00' } };

/** A payer at `tier` with a funded EUR account, and a payee at another customer. */
async function payerAndPayee(testApp: TestApp, tier: 1 | 2 | 3, fundMinor = 10_000_00n) {
  const { db } = testApp.deps;
  const payerId = await createCustomer(db, 'Paula Payer');
  await db.query('UPDATE kyc_profiles SET tier = $2 WHERE customer_id = $1', [payerId, tier]);
  const account = await openAccount(testApp, payerId, { fundMinor });
  const payee = await openAccount(testApp, await createCustomer(db, 'Pete Payee'));
  return { payerId, account, payee };
}

const transferBody = (fromAccountId: string, iban: string, amount: string) => ({
  fromAccountId,
  to: { iban },
  amount: { amount, currency: 'EUR' },
  reference: 'Rent',
});

function pay(testApp: TestApp, customerId: string, payload: object, key = freshKey()) {
  return testApp.injectAs(customerId, {
    method: 'POST',
    url: '/api/v1/transfers',
    headers: { 'idempotency-key': key },
    payload: payload as Record<string, unknown>,
  });
}

async function reservedToday(testApp: TestApp, customerId: string): Promise<bigint> {
  const { rows } = await testApp.deps.db.query<{ reserved_minor: bigint }>(
    'SELECT reserved_minor FROM outgoing_daily_totals WHERE customer_id = $1 AND currency = $2 AND day = $3::date',
    [customerId, 'EUR', new Date().toISOString().slice(0, 10)],
  );
  return rows[0]?.reserved_minor ?? 0n;
}

describe('tier limits', () => {
  it('has a per-transfer and a daily limit for every tier and currency, growing with the tier', () => {
    assert.deepEqual(Object.keys(transferLimitCurrencyPercents).sort(), [...currencies].sort());
    for (const currency of currencies) {
      let previous = { perTransferMaxMinor: 0n, dailyMaxMinor: 0n };
      for (const tier of kycTiers) {
        const limits = tierLimits(tier, currency);
        assert.ok(limits.perTransferMaxMinor > previous.perTransferMaxMinor, `${currency} tier ${tier}`);
        assert.ok(limits.dailyMaxMinor >= limits.perTransferMaxMinor, `${currency} tier ${tier}`);
        previous = limits;
      }
    }
    assert.deepEqual(tierLimits(1, 'EUR'), { perTransferMaxMinor: 1_000_00n, dailyMaxMinor: 2_000_00n });
    assert.deepEqual(tierLimits(1, 'KWD'), { perTransferMaxMinor: 300_000n, dailyMaxMinor: 600_000n });
  });
});

describe('money movement only once verified', () => {
  it('refuses an unverified customer’s transfer with 403 kyc_required, changing nothing, and replays it', async (t) => {
    const testApp = await buildTestApp(t, noStepUp);
    const { db } = testApp.deps;
    const customerId = await createCustomer(db);
    const checking = await openAccount(testApp, customerId, { fundMinor: 100_00n });
    const savings = await openAccount(testApp, customerId, { type: 'savings' });
    await db.query('DELETE FROM kyc_profiles WHERE customer_id = $1', [customerId]);
    const before = await rowCounts(db);
    const key = freshKey();
    const body = {
      fromAccountId: checking.id,
      to: { accountId: savings.id },
      amount: { amount: '5.00', currency: 'EUR' },
    };
    const refused = await pay(testApp, customerId, body, key);
    assert.equal(refused.statusCode, 403);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    assert.equal(refused.json().code, 'kyc_required');
    assert.match(refused.json().detail, /PUT \/api\/v1\/me\/kyc/);
    assert.deepEqual(await rowCounts(db), before);

    const replayed = await pay(testApp, customerId, body, key);
    assert.equal(replayed.statusCode, 403);
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.json().code, 'kyc_required');

    await db.query(
      "INSERT INTO kyc_profiles (customer_id, status, document_ciphertext, submitted_at) VALUES ($1, 'pending', 'x', now())",
      [customerId],
    );
    await assert.rejects(
      testApp.services.payments.postTransfer(customerId, {
        ...body,
        amountMinor: 5_00n,
        currency: 'EUR',
        reference: '',
      }),
      (error: DomainError) => error.code === 'kyc_required' && /being reviewed/.test(error.message),
    );
    assert.deepEqual(await rowCounts(db), before);
  });
});

describe('transfer limits', () => {
  it('refuses a payment over the per-transfer limit with 422 limit_exceeded naming the limit', async (t) => {
    const testApp = await buildTestApp(t, noStepUp);
    const { payerId, account, payee } = await payerAndPayee(testApp, 1);
    const before = await rowCounts(testApp.deps.db);
    const key = freshKey();
    const refused = await pay(testApp, payerId, transferBody(account.id, payee.iban, '1000.01'), key);
    assert.equal(refused.statusCode, 422);
    const problem: Record<string, unknown> & { errors: { pointer: string }[]; detail: string } = refused.json();
    assert.equal(problem.code, 'limit_exceeded');
    assert.equal(problem.limit, 'per_transfer');
    assert.deepEqual(problem.limitAmount, { amount: '1000.00', currency: 'EUR' });
    assert.deepEqual(problem.remainingToday, { amount: '2000.00', currency: 'EUR' });
    assert.match(problem.detail, /1000\.00 EUR per transfer/);
    assert.equal(problem.errors[0]?.pointer, '/body/amount/amount');
    assert.deepEqual(await rowCounts(testApp.deps.db), before);
    assert.equal(await reservedToday(testApp, payerId), 0n);
    const replayed = await pay(testApp, payerId, transferBody(account.id, payee.iban, '1000.01'), key);
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.deepEqual({ ...(replayed.json() as object), traceId: undefined }, { ...problem, traceId: undefined });

    assert.equal((await pay(testApp, payerId, transferBody(account.id, payee.iban, '1000.00'))).statusCode, 201);
  });

  it('adds up the day’s payments against the daily limit and says what remains', async (t) => {
    const testApp = await buildTestApp(t, noStepUp);
    const { payerId, account, payee } = await payerAndPayee(testApp, 1);
    for (const _ of [1, 2]) {
      assert.equal((await pay(testApp, payerId, transferBody(account.id, payee.iban, '700.00'))).statusCode, 201);
    }
    const refused = await pay(testApp, payerId, transferBody(account.id, payee.iban, '700.00'));
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().limit, 'daily');
    assert.deepEqual(refused.json().remainingToday, { amount: '600.00', currency: 'EUR' });
    assert.match(refused.json().detail, /600\.00 EUR today/);
    assert.equal((await pay(testApp, payerId, transferBody(account.id, payee.iban, '600.00'))).statusCode, 201);
    assert.equal(await reservedToday(testApp, payerId), 2_000_00n);

    // Between the customer's own accounts nothing is limited.
    const savings = await openAccount(testApp, payerId, { type: 'savings' });
    const own = await pay(testApp, payerId, {
      fromAccountId: account.id,
      to: { accountId: savings.id },
      amount: { amount: '1500.00', currency: 'EUR' },
    });
    assert.equal(own.statusCode, 201);
    const limits = (await testApp.injectAs(payerId, { url: '/api/v1/me/limits' })).json();
    assert.equal(limits.tier, 1);
    assert.deepEqual(
      limits.limits.find((l: { currency: string }) => l.currency === 'EUR'),
      {
        currency: 'EUR',
        perTransfer: { amount: '1000.00', currency: 'EUR' },
        daily: { amount: '2000.00', currency: 'EUR' },
        usedToday: { amount: '2000.00', currency: 'EUR' },
        remainingToday: { amount: '0.00', currency: 'EUR' },
        source: 'tier',
      },
    );
  });

  it('gives the day’s allowance back when the ledger refuses the payment', async (t) => {
    const testApp = await buildTestApp(t, noStepUp);
    const { payerId, account, payee } = await payerAndPayee(testApp, 1, 500_00n);
    const refused = await pay(testApp, payerId, transferBody(account.id, payee.iban, '900.00'));
    assert.equal(refused.json().code, 'insufficient_funds');
    assert.equal(await reservedToday(testApp, payerId), 0n);
    const key = freshKey();
    assert.equal((await pay(testApp, payerId, transferBody(account.id, payee.iban, '400.00'), key)).statusCode, 201);
    // A replay of a posted payment reserves nothing more.
    assert.equal((await pay(testApp, payerId, transferBody(account.id, payee.iban, '400.00'), key)).statusCode, 201);
    assert.equal(await reservedToday(testApp, payerId), 400_00n);
  });

  it('never lets concurrent payments together pass the daily limit', async (t) => {
    const testApp = await buildTestApp(t, noStepUp);
    const { payerId, account, payee } = await payerAndPayee(testApp, 1);
    const attempts = 24;
    const answers = await Promise.all(
      Array.from({ length: attempts }, () => pay(testApp, payerId, transferBody(account.id, payee.iban, '300.00'))),
    );
    const statuses = answers.map((a) => a.statusCode);
    // 6 × 300.00 = 1800.00 fits in 2000.00; a seventh would not.
    assert.equal(statuses.filter((s) => s === 201).length, 6, statuses.join(','));
    assert.ok(answers.every((a) => a.statusCode === 201 || a.json().code === 'limit_exceeded'));
    const { rows } = await testApp.deps.db.query<{ sum: bigint }>(
      'SELECT sum(amount_minor)::bigint AS sum FROM transfers WHERE customer_id = $1',
      [payerId],
    );
    assert.equal(rows[0]?.sum, 1_800_00n);
    assert.equal(await reservedToday(testApp, payerId), 1_800_00n);
  });

  it('lets a back-office override raise a customer’s limits, and removing it restores the tier’s', async (t) => {
    const testApp = await buildTestApp(t, noStepUp);
    const { payerId, account, payee } = await payerAndPayee(testApp, 1);
    const url = `/backoffice/v1/customers/${payerId}/limit-overrides`;
    const operator = { authorization: `Bearer ${await testApp.operatorToken()}` };
    const asCustomer = await testApp.injectAs(payerId, {
      method: 'PUT',
      url,
      payload: { currency: 'EUR', perTransferMaximum: '5000.00', dailyMaximum: '8000.00', reason: 'Buying a car' },
    });
    assert.equal(asCustomer.statusCode, 403);
    const inconsistent = await testApp.app.inject({
      method: 'PUT',
      url,
      headers: operator,
      payload: { currency: 'EUR', perTransferMaximum: '9000.00', dailyMaximum: '8000.00', reason: 'Buying a car' },
    });
    assert.equal(inconsistent.statusCode, 422);
    assert.equal(inconsistent.json().code, 'limit_override_inconsistent');

    const raised = await testApp.app.inject({
      method: 'PUT',
      url,
      headers: operator,
      payload: { currency: 'EUR', perTransferMaximum: '5000.00', dailyMaximum: '8000.00', reason: 'Buying a car' },
    });
    assert.equal(raised.statusCode, 200);
    const eur = raised.json().limits.find((l: { currency: string }) => l.currency === 'EUR');
    assert.deepEqual([eur.perTransfer.amount, eur.daily.amount, eur.source], ['5000.00', '8000.00', 'override']);
    assert.equal((await pay(testApp, payerId, transferBody(account.id, payee.iban, '4500.00'))).statusCode, 201);

    const removed = await testApp.app.inject({ method: 'DELETE', url: `${url}?currency=EUR`, headers: operator });
    assert.equal(removed.statusCode, 200);
    assert.equal(removed.json().limits[0].source, 'tier');
    await testApp.services.audit.seal();
    const trail = await testApp.services.audit.recordsAbout({ kind: 'customer', id: payerId }, 10);
    assert.deepEqual(
      trail.map((r) => r.action),
      ['limits.override_removed', 'limits.override_set'],
    );
    assert.deepEqual(trail[1]?.details, { currency: 'EUR', perTransferMaxMinor: '500000', dailyMaxMinor: '800000' });
    const back = await pay(testApp, payerId, transferBody(account.id, payee.iban, '1000.00'));
    assert.equal(back.json().code, 'limit_exceeded');
    assert.equal(back.json().limit, 'daily');
    const unknownCustomer = await testApp.app.inject({
      method: 'PUT',
      url: '/backoffice/v1/customers/cus_01jf8x3m5n6p7q8r9s0t1v2w3x/limit-overrides',
      headers: operator,
      payload: { currency: 'EUR', perTransferMaximum: '5000.00', dailyMaximum: '8000.00', reason: 'Typo' },
    });
    assert.equal(unknownCustomer.statusCode, 404);
  });
});
