import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLedgerInvariants } from '@nextgen/testkit';
import { createCustomer, freshKey, fundedCustomer, openAccount, rowCounts } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * These tests are about posting, idempotency and refusals, with small amounts to payees paid for the
 * first time; the passkey approval such a first payment needs has its own tests (transfers-step-up.test.ts).
 */
const withoutNewPayeeStepUp = { env: { STEP_UP_NEW_PAYEE: 'false' } };

function transfer(testApp: TestApp, customerId: string, payload: unknown, key: string | null = freshKey()) {
  return testApp.injectAs(customerId, {
    method: 'POST',
    url: '/api/v1/transfers',
    headers: key === null ? {} : { 'idempotency-key': key },
    payload: payload as Record<string, unknown>,
  });
}

const eur = (amount: string) => ({ amount, currency: 'EUR' });

async function balanceOf(testApp: TestApp, customerId: string, accountId: string) {
  const account = await testApp.services.accounts.getAccount(customerId, accountId);
  return account.balance.amount;
}

describe('transfers', () => {
  it('moves money between own accounts and shows the transfer to its sender', async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const { customerId, account } = await fundedCustomer(testApp, 100_00n);
    const savings = await openAccount(testApp, customerId, { type: 'savings' });
    const response = await transfer(testApp, customerId, {
      fromAccountId: account.id,
      to: { accountId: savings.id },
      amount: eur('12.34'),
      reference: 'Rainy day fund',
    });
    assert.equal(response.statusCode, 201);
    const body = response.json();
    assert.match(body.id, /^trf_/);
    assert.equal(body.status, 'posted');
    assert.equal(body.fromAccountId, account.id);
    assert.equal(body.toAccountId, savings.id);
    assert.deepEqual(body.amount, eur('12.34'));
    assert.equal(body.reference, 'Rainy day fund');
    assert.equal(body.counterparty.name, 'J*** D**');
    assert.equal(body.counterparty.maskedIban.slice(-5).replace(' ', ''), savings.iban.slice(-4));
    assert.ok(body.postedAt);
    assert.equal(await balanceOf(testApp, customerId, account.id), '87.66');
    assert.equal(await balanceOf(testApp, customerId, savings.id), '12.34');

    const fetched = await testApp.injectAs(customerId, { url: `/api/v1/transfers/${body.id}` });
    assert.equal(fetched.statusCode, 200);
    assert.deepEqual(fetched.json(), body);
    assert.deepEqual(await checkLedgerInvariants(testApp.deps.db), []);
  });

  it("pays another customer by IBAN without revealing the payee's account id, name or IBAN", async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const { customerId, account } = await fundedCustomer(testApp, 50_00n, 'Alice Sender');
    const payee = await fundedCustomer(testApp, 0n, 'Bob Receiver');
    const spacedIban = payee.account.iban.replace(/(.{4})/g, '$1 ').toLowerCase();
    const response = await transfer(testApp, customerId, {
      fromAccountId: account.id,
      to: { iban: spacedIban },
      amount: eur('20'),
      reference: 'Dinner',
    });
    assert.equal(response.statusCode, 201);
    const body = response.json();
    assert.equal(body.toAccountId, null);
    assert.deepEqual(body.counterparty, { name: 'B** R*******', maskedIban: body.counterparty.maskedIban });
    assert.doesNotMatch(response.body, new RegExp(`${payee.account.id}|${payee.account.iban}|Bob|Receiver`));
    assert.equal(await balanceOf(testApp, payee.customerId, payee.account.id), '20.00');

    const { rows } = await testApp.deps.db.query<{ topic: string; payload: Record<string, unknown> }>(
      'SELECT topic, payload FROM outbox_events WHERE aggregate_id = $1',
      [body.id],
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.topic, 'transfer.posted');
    assert.deepEqual(rows[0]?.payload.amount, eur('20.00'));
    assert.doesNotMatch(JSON.stringify(rows[0]?.payload), /Bob|Alice|DE\d\d/);

    const peek = await testApp.injectAs(payee.customerId, { url: `/api/v1/transfers/${body.id}` });
    assert.equal(peek.statusCode, 404);
    assert.equal(peek.json().code, 'transfer_not_found');
  });

  describe('idempotency', () => {
    it('replays the identical response for a retry and moves the money once', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp, 100_00n);
      const payee = await fundedCustomer(testApp, 0n);
      const key = freshKey();
      const payload = { fromAccountId: account.id, to: { iban: payee.account.iban }, amount: eur('10.00') };
      const first = await transfer(testApp, customerId, payload, key);
      const retry = await transfer(testApp, customerId, payload, key);
      assert.equal(first.statusCode, 201);
      assert.equal(retry.statusCode, 201);
      assert.equal(retry.body, first.body);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      assert.equal(first.headers['idempotent-replayed'], undefined);
      assert.equal(await balanceOf(testApp, customerId, account.id), '90.00');
      assert.equal((await rowCounts(testApp.deps.db)).transfers, 1);
    });

    it('refuses the same key with a different body, changing nothing', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp, 100_00n);
      const savings = await openAccount(testApp, customerId);
      const key = freshKey();
      const payload = { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur('10.00') };
      assert.equal((await transfer(testApp, customerId, payload, key)).statusCode, 201);
      const before = await rowCounts(testApp.deps.db);
      const reused = await transfer(testApp, customerId, { ...payload, amount: eur('11.00') }, key);
      assert.equal(reused.statusCode, 422);
      assert.equal(reused.json().code, 'idempotency_key_reused');
      assert.deepEqual(await rowCounts(testApp.deps.db), before);
      // Keys are scoped per customer: another customer may use the same key.
      const other = await fundedCustomer(testApp, 10_00n);
      const otherSavings = await openAccount(testApp, other.customerId);
      const theirs = await transfer(
        testApp,
        other.customerId,
        { fromAccountId: other.account.id, to: { accountId: otherSavings.id }, amount: eur('1.00') },
        key,
      );
      assert.equal(theirs.statusCode, 201);
    });

    it('requires a well-formed Idempotency-Key and stores nothing without one', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp, 100_00n);
      const savings = await openAccount(testApp, customerId);
      const payload = { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur('1.00') };
      const before = await rowCounts(testApp.deps.db);
      const missing = await transfer(testApp, customerId, payload, null);
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().code, 'idempotency_key_missing');
      for (const key of ['', 'x'.repeat(256), 'has space', 'naïve']) {
        const invalid = await testApp.injectAs(customerId, {
          method: 'POST',
          url: '/api/v1/transfers',
          headers: { 'idempotency-key': Buffer.from(key).toString('latin1') },
          payload,
        });
        assert.equal(invalid.statusCode, 400, key);
        assert.equal(invalid.json().code, 'idempotency_key_invalid', key);
      }
      assert.deepEqual(await rowCounts(testApp.deps.db), before);
      const { rows } = await testApp.deps.db.query('SELECT 1 FROM idempotency_keys');
      assert.equal(rows.length, 0);
    });

    it('executes 40 concurrent requests with the same key exactly once', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp, 100_00n);
      const payee = await fundedCustomer(testApp, 0n);
      const key = freshKey();
      const payload = { fromAccountId: account.id, to: { iban: payee.account.iban }, amount: eur('7.00') };
      const responses = await Promise.all(
        Array.from({ length: 40 }, () => transfer(testApp, customerId, payload, key)),
      );
      assert.deepEqual(new Set(responses.map((r) => r.statusCode)), new Set([201]));
      assert.equal(new Set(responses.map((r) => r.body)).size, 1);
      assert.equal(responses.filter((r) => r.headers['idempotent-replayed'] !== 'true').length, 1);
      assert.equal((await rowCounts(testApp.deps.db)).transfers, 1);
      assert.equal(await balanceOf(testApp, customerId, account.id), '93.00');
      assert.deepEqual(await checkLedgerInvariants(testApp.deps.db), []);
    });

    it('stores a refused transfer so a retry answers the same even after funds arrive', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp, 5_00n);
      const savings = await openAccount(testApp, customerId);
      const key = freshKey();
      const payload = { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur('6.00') };
      const before = await rowCounts(testApp.deps.db);
      const refused = await transfer(testApp, customerId, payload, key);
      assert.equal(refused.statusCode, 422);
      assert.equal(refused.json().code, 'insufficient_funds');
      assert.deepEqual(refused.json().errors, [
        { pointer: '/body/amount/amount', detail: 'exceeds the available balance' },
      ]);
      assert.deepEqual(await rowCounts(testApp.deps.db), before);
      await testApp.services.payments.creditAccount({
        accountId: account.id,
        amountMinor: 10_00n,
        currency: 'EUR',
        description: 'Top-up',
      });
      const retry = await transfer(testApp, customerId, payload, key);
      assert.equal(retry.statusCode, 422);
      assert.equal(retry.headers['idempotent-replayed'], 'true');
      const { traceId: _a, ...first } = refused.json();
      const { traceId: _b, ...again } = retry.json();
      assert.deepEqual(again, first);
      assert.equal((await transfer(testApp, customerId, payload)).statusCode, 201);
    });
  });

  describe('refusals', () => {
    it('refuses zero, negative, too precise and malformed amounts with a pointer, storing nothing', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp, 100_00n);
      const savings = await openAccount(testApp, customerId);
      const key = freshKey();
      const cases: [string, string][] = [
        ['0.00', 'amount_not_positive'],
        ['0', 'amount_not_positive'],
        ['-5.00', 'amount_not_positive'],
        ['1.234', 'amount_too_precise'],
        ['abc', 'amount_malformed'],
        ['1e3', 'amount_malformed'],
        ['12,50', 'amount_malformed'],
        ['99999999999999999', 'amount_too_large'],
      ];
      for (const [amount, code] of cases) {
        const response = await transfer(
          testApp,
          customerId,
          { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur(amount) },
          key,
        );
        assert.equal(response.statusCode, 400, amount);
        assert.equal(response.json().code, code, amount);
        assert.equal(response.json().errors[0].pointer, '/body/amount/amount');
      }
      const numeric = await transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { accountId: savings.id },
        amount: { amount: 12.5, currency: 'EUR' },
      });
      assert.equal(numeric.json().code, 'validation_failed');
      // Validation failures are not stored: the same key still works for a corrected request.
      const fixed = await transfer(
        testApp,
        customerId,
        { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur('1.23') },
        key,
      );
      assert.equal(fixed.statusCode, 201);
    });

    it('refuses a transfer that would overdraw the account', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp, 10_00n);
      const savings = await openAccount(testApp, customerId);
      const response = await transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { accountId: savings.id },
        amount: eur('10.01'),
      });
      assert.equal(response.statusCode, 422);
      assert.equal(response.json().code, 'insufficient_funds');
      assert.equal(await balanceOf(testApp, customerId, account.id), '10.00');
      const exact = await transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { accountId: savings.id },
        amount: eur('10.00'),
      });
      assert.equal(exact.statusCode, 201);
    });

    it('refuses paying an account into itself', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp);
      for (const to of [{ accountId: account.id }, { iban: account.iban }]) {
        const response = await transfer(testApp, customerId, { fromAccountId: account.id, to, amount: eur('1.00') });
        assert.equal(response.statusCode, 422);
        assert.equal(response.json().code, 'same_account');
      }
    });

    it('refuses a currency that differs from either account', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp);
      const dollars = await openAccount(testApp, customerId, { currency: 'USD' });
      const wrongAmount = await transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { accountId: dollars.id },
        amount: { amount: '1.00', currency: 'USD' },
      });
      assert.equal(wrongAmount.statusCode, 422);
      assert.equal(wrongAmount.json().code, 'currency_mismatch');
      assert.equal(wrongAmount.json().side, 'from');
      const wrongPayee = await transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { accountId: dollars.id },
        amount: eur('1.00'),
      });
      assert.equal(wrongPayee.json().code, 'currency_mismatch');
      assert.equal(wrongPayee.json().side, 'to');
    });

    it("answers an unknown or another customer's source account with 404, changing nothing", async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const victim = await fundedCustomer(testApp, 100_00n, 'Victor Victim');
      const { customerId, account } = await fundedCustomer(testApp, 100_00n, 'Mallory Thief');
      const before = await rowCounts(testApp.deps.db);
      const stolen = await transfer(testApp, customerId, {
        fromAccountId: victim.account.id,
        to: { accountId: account.id },
        amount: eur('50.00'),
      });
      assert.equal(stolen.statusCode, 404);
      assert.equal(stolen.json().code, 'account_not_found');
      const unknown = await transfer(testApp, customerId, {
        fromAccountId: 'acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
        to: { accountId: account.id },
        amount: eur('50.00'),
      });
      assert.equal(unknown.json().detail, stolen.json().detail);
      const intoTheirs = await transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { accountId: victim.account.id },
        amount: eur('1.00'),
      });
      assert.equal(intoTheirs.statusCode, 404);
      assert.equal(intoTheirs.json().errors[0].pointer, '/body/to/accountId');
      const counts = await rowCounts(testApp.deps.db);
      assert.deepEqual(counts, before);
      assert.equal(await balanceOf(testApp, victim.customerId, victim.account.id), '100.00');
    });

    it('refuses an invalid IBAN (400) and a valid one that is not an open account here (422)', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp);
      for (const iban of ['DE88370400440532013000', 'DE8937040044053201300', 'not an iban']) {
        const response = await transfer(testApp, customerId, {
          fromAccountId: account.id,
          to: { iban },
          amount: eur('1'),
        });
        assert.equal(response.statusCode, 400, iban);
        assert.equal(response.json().code, 'invalid_iban');
        assert.equal(response.json().errors[0].pointer, '/body/to/iban');
      }
      const elsewhere = await transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { iban: 'DE89370400440532013000' },
        amount: eur('1'),
      });
      assert.equal(elsewhere.statusCode, 422);
      assert.equal(elsewhere.json().code, 'payee_account_not_found');

      const payee = await fundedCustomer(testApp, 0n);
      await testApp.services.accounts.close(payee.customerId, payee.account.id);
      const closed = await transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { iban: payee.account.iban },
        amount: eur('1'),
      });
      assert.equal(closed.statusCode, 422);
      assert.equal(closed.json().code, 'payee_account_not_found');
      assert.equal(closed.json().detail, elsewhere.json().detail);
    });

    it('refuses frozen and closed accounts, saying which side', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp, 100_00n);
      const savings = await openAccount(testApp, customerId);
      const payee = await fundedCustomer(testApp, 0n);
      const send = (from: string, to: object) =>
        transfer(testApp, customerId, { fromAccountId: from, to, amount: eur('1.00') });

      await testApp.services.accounts.freeze(customerId, account.id);
      const frozenFrom = await send(account.id, { accountId: savings.id });
      assert.equal(frozenFrom.statusCode, 422);
      assert.equal(frozenFrom.json().code, 'account_frozen');
      assert.equal(frozenFrom.json().side, 'from');
      await testApp.services.accounts.unfreeze(customerId, account.id);

      await testApp.services.accounts.freeze(payee.customerId, payee.account.id);
      const frozenTo = await send(account.id, { iban: payee.account.iban });
      assert.equal(frozenTo.json().code, 'account_frozen');
      assert.equal(frozenTo.json().side, 'to');
      assert.doesNotMatch(frozenTo.body, new RegExp(payee.account.id));

      await testApp.services.accounts.close(customerId, savings.id);
      const closedTo = await send(account.id, { accountId: savings.id });
      assert.equal(closedTo.json().code, 'account_closed');
      assert.equal(closedTo.json().side, 'to');
      const closedFrom = await send(savings.id, { accountId: account.id });
      assert.equal(closedFrom.json().code, 'account_closed');
      assert.equal(closedFrom.json().side, 'from');
      assert.equal(await balanceOf(testApp, customerId, account.id), '100.00');
    });

    it('validates the body strictly: exactly one payee form, printable reference of 140 characters at most', async (t) => {
      const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
      const { customerId, account } = await fundedCustomer(testApp);
      const savings = await openAccount(testApp, customerId);
      const bad = [
        { fromAccountId: account.id, to: { accountId: savings.id, iban: savings.iban }, amount: eur('1') },
        { fromAccountId: account.id, to: {}, amount: eur('1') },
        { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur('1'), reference: 'x'.repeat(141) },
        { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur('1'), reference: 'bell\u0007' },
        { fromAccountId: account.id, to: { accountId: savings.id }, amount: { amount: '1', currency: 'XXX' } },
        { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur('1'), memo: 'extra' },
        { fromAccountId: 'acc_x', to: { accountId: savings.id }, amount: eur('1') },
      ];
      for (const payload of bad) {
        const response = await transfer(testApp, customerId, payload);
        assert.equal(response.statusCode, 400, JSON.stringify(payload));
        assert.equal(response.json().code, 'validation_failed');
      }
      const unauthenticated = await testApp.app.inject({
        method: 'POST',
        url: '/api/v1/transfers',
        headers: { 'idempotency-key': freshKey() },
        payload: { fromAccountId: account.id, to: { accountId: savings.id }, amount: eur('1') },
      });
      assert.equal(unauthenticated.statusCode, 401);
      assert.equal((await rowCounts(testApp.deps.db)).transfers, 0);
    });
  });

  it('groups concurrent transfers into shared batches and keeps the books balanced', async (t) => {
    // About 750.00 per customer to others within minutes: the cumulative step-up rule would ask for
    // approvals (as it must since migration 0080; it let them through only by racing), and this
    // test is about batching, so it runs without the rule, as the load tests do.
    const testApp = await buildTestApp(t, { env: { STEP_UP_NEW_PAYEE: 'false', STEP_UP_CUMULATIVE: 'false' } });
    const customers = await Promise.all(Array.from({ length: 10 }, () => fundedCustomer(testApp, 1_000_00n)));
    const requests = Array.from({ length: 300 }, (_, i) => {
      const from = customers[i % 10];
      const to = customers[(i * 7 + 3) % 10];
      assert.ok(from && to);
      return transfer(testApp, from.customerId, {
        fromAccountId: from.account.id,
        to: { iban: to.account.iban },
        amount: eur(`${(i % 50) + 1}.00`),
      });
    });
    const responses = await Promise.all(requests);
    const statuses = responses.map((r) => r.statusCode);
    assert.ok(
      statuses.every((s) => s === 201 || s === 422),
      String(statuses),
    );
    assert.ok(
      responses
        .filter((r) => r.statusCode === 422)
        .every((r) => ['same_account', 'insufficient_funds'].includes(r.json().code)),
    );
    const { rows } = await testApp.deps.db.query<{ batches: number; entries: number }>(
      `SELECT count(DISTINCT created_at)::int AS batches, count(*)::int AS entries FROM journal_entries WHERE kind = 'transfer'`,
    );
    assert.equal(rows[0]?.entries, statuses.filter((s) => s === 201).length);
    assert.ok(
      (rows[0]?.batches ?? 0) < (rows[0]?.entries ?? 0),
      `batches ${rows[0]?.batches} < entries ${rows[0]?.entries}`,
    );
    assert.deepEqual(await checkLedgerInvariants(testApp.deps.db), []);
    const total = await testApp.deps.db.query<{ total: string }>(
      `SELECT sum(balance_minor)::text AS total FROM ledger_accounts WHERE kind = 'customer'`,
    );
    assert.equal(total.rows[0]?.total, '1000000');
  });

  it('keeps answering cleanly while accounts are frozen and unfrozen during transfers', async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const { customerId, account } = await fundedCustomer(testApp, 1_000_00n);
    const payee = await fundedCustomer(testApp, 0n);
    const transfers = Array.from({ length: 120 }, () =>
      transfer(testApp, customerId, {
        fromAccountId: account.id,
        to: { iban: payee.account.iban },
        amount: eur('1.00'),
      }),
    );
    const toggles = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? testApp.services.accounts.freeze(payee.customerId, payee.account.id)
        : testApp.services.accounts.unfreeze(payee.customerId, payee.account.id),
    );
    const [responses] = await Promise.all([Promise.all(transfers), Promise.all(toggles)]);
    for (const response of responses) {
      assert.ok(response.statusCode === 201 || response.json().code === 'account_frozen', response.body);
    }
    const posted = responses.filter((r) => r.statusCode === 201).length;
    assert.equal(await balanceOf(testApp, payee.customerId, payee.account.id), `${posted}.00`);
    assert.deepEqual(await checkLedgerInvariants(testApp.deps.db), []);
  });

  it('refuses the token of a customer id the bank does not know at admission (401), never a 500', async (t) => {
    const testApp = await buildTestApp(t, withoutNewPayeeStepUp);
    const ghost = 'cus_01jf8x9k2m3n4p5q6r7s8t9v0w';
    const response = await transfer(testApp, ghost, {
      fromAccountId: 'acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
      to: { accountId: 'acc_01jf8x9k2m3n4p5q6r7s8t9v0x' },
      amount: eur('1'),
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'customer_inactive');
    const open = await testApp.injectAs(ghost, {
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { type: 'checking', currency: 'EUR' },
    });
    assert.equal(open.statusCode, 401);
    assert.equal(open.json().code, 'customer_inactive');
    await createCustomer(testApp.deps.db);
  });
});
