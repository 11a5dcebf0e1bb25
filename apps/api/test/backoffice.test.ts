import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLedgerInvariants } from '@nextgen/testkit';
import { commandLine, createCustomer, freshKey, openAccount, rowCounts } from './fixtures.ts';
import { buildTestApp, type TestApp, testDatabaseKinds } from './helper.ts';

async function credit(
  testApp: TestApp,
  payload: unknown,
  options: { key?: string | null; token?: string; asCustomer?: string } = {},
) {
  const key = options.key === undefined ? freshKey() : options.key;
  const request = {
    method: 'POST' as const,
    url: '/backoffice/v1/credits',
    headers: key === null ? {} : { 'idempotency-key': key },
    payload: payload as Record<string, unknown>,
  };
  if (options.asCustomer) return testApp.injectAs(options.asCustomer, request);
  const authorization = `Bearer ${options.token ?? (await testApp.operatorToken())}`;
  return testApp.app.inject({ ...request, headers: { ...request.headers, authorization } });
}

async function settlementBalance(testApp: TestApp) {
  const id = testApp.services.ledger.systemAccountId('settlement', 'EUR');
  return (await testApp.services.ledger.getAccounts([id])).get(id)?.balanceMinor;
}

for (const database of testDatabaseKinds) {
  describe(`back office (${database})`, () => {
    it("credits a customer's account from the settlement account, once per key", async (t) => {
      const testApp = await buildTestApp(t, { database });
      const customerId = await createCustomer(testApp.deps.db);
      const account = await openAccount(testApp, customerId);
      const key = freshKey();
      const payload = {
        accountId: account.id,
        amount: { amount: '100.00', currency: 'EUR' },
        description: 'Welcome bonus',
      };
      const first = await credit(testApp, payload, { key });
      assert.equal(first.statusCode, 201);
      const body = first.json();
      assert.match(body.id, /^jnl_/);
      assert.equal(body.status, 'posted');
      assert.deepEqual(body.amount, { amount: '100.00', currency: 'EUR' });
      assert.deepEqual(body.balanceAfter, { amount: '100.00', currency: 'EUR' });
      const replay = await credit(testApp, payload, { key });
      assert.equal(replay.body, first.body);
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      const reused = await credit(testApp, { ...payload, description: 'Another' }, { key });
      assert.equal(reused.statusCode, 422);
      assert.equal(reused.json().code, 'idempotency_key_reused');
      const missing = await credit(testApp, payload, { key: null });
      assert.equal(missing.json().code, 'idempotency_key_missing');

      assert.equal(await settlementBalance(testApp), -100_00n);
      const view = await testApp.services.accounts.getAccount(customerId, account.id);
      assert.deepEqual(view.balance, { amount: '100.00', currency: 'EUR' });
      const history = await testApp.injectAs(customerId, { url: '/api/v1/transactions' });
      assert.deepEqual(
        history.json().data.map((i: { direction: string; description: string }) => [i.direction, i.description]),
        [['credit', 'Welcome bonus']],
      );
      assert.deepEqual(await checkLedgerInvariants(testApp.deps.db), []);
    });

    it('is closed to customers: their token gets 403 and nothing changes', async (t) => {
      const testApp = await buildTestApp(t, { database });
      const customerId = await createCustomer(testApp.deps.db);
      const account = await openAccount(testApp, customerId);
      const before = await rowCounts(testApp.deps.db);
      const payload = {
        accountId: account.id,
        amount: { amount: '1000000.00', currency: 'EUR' },
        description: 'Free money',
      };
      const asCustomer = await credit(testApp, payload, { asCustomer: customerId });
      assert.equal(asCustomer.statusCode, 403);
      assert.equal(asCustomer.json().code, 'operator_only');
      const anonymous = await testApp.app.inject({
        method: 'POST',
        url: '/backoffice/v1/credits',
        headers: { 'idempotency-key': freshKey() },
        payload,
      });
      assert.equal(anonymous.statusCode, 401);
      const freeze = await testApp.injectAs(customerId, {
        method: 'POST',
        url: `/backoffice/v1/accounts/${account.id}/unfreeze`,
      });
      assert.equal(freeze.statusCode, 403);
      assert.deepEqual(await rowCounts(testApp.deps.db), before);
    });

    it('refuses unknown, frozen and closed accounts, other currencies and bad amounts', async (t) => {
      const testApp = await buildTestApp(t, { database });
      const customerId = await createCustomer(testApp.deps.db);
      const account = await openAccount(testApp, customerId);
      const eur = (amount: string) => ({ amount, currency: 'EUR' });
      const unknown = await credit(testApp, {
        accountId: 'acc_01jf8x9k2m3n4p5q6r7s8t9v0w',
        amount: eur('1'),
        description: 'x',
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.json().code, 'account_not_found');
      const dollars = await credit(testApp, {
        accountId: account.id,
        amount: { amount: '1', currency: 'USD' },
        description: 'x',
      });
      assert.equal(dollars.statusCode, 422);
      assert.equal(dollars.json().code, 'currency_mismatch');
      const tooPrecise = await credit(testApp, { accountId: account.id, amount: eur('1.001'), description: 'x' });
      assert.equal(tooPrecise.json().code, 'amount_too_precise');
      const blank = await credit(testApp, { accountId: account.id, amount: eur('1'), description: '' });
      assert.equal(blank.json().code, 'validation_failed');

      await testApp.services.accounts.freezeByBank(account.id);
      const frozen = await credit(testApp, { accountId: account.id, amount: eur('1'), description: 'x' });
      assert.equal(frozen.statusCode, 422);
      assert.equal(frozen.json().code, 'account_frozen');
      await testApp.services.accounts.unfreezeByBank(account.id);
      await testApp.services.accounts.close(customerId, account.id);
      const closed = await credit(testApp, { accountId: account.id, amount: eur('1'), description: 'x' });
      assert.equal(closed.json().code, 'account_closed');
      assert.equal(await settlementBalance(testApp), 0n);
    });

    // The command line opens the database itself: PostgreSQL here (PGlite's folder is locked by the app).
    if (database === 'postgres') {
      it('credits from the command line through the same service', async (t) => {
        const testApp = await buildTestApp(t);
        const customerId = await createCustomer(testApp.deps.db);
        const account = await openAccount(testApp, customerId);
        const run = commandLine(testApp, 'backoffice');
        const args = [
          'credit',
          '--account',
          account.id,
          '--amount',
          '42.50',
          '--currency',
          'EUR',
          '--description',
          'Cash deposit',
        ];
        const first = await run(...args, '--idempotency-key', 'cli-1');
        assert.equal(JSON.parse(first.stdout).replayed, false);
        const again = await run(...args, '--idempotency-key', 'cli-1');
        assert.equal(JSON.parse(again.stdout).replayed, true);
        const view = await testApp.services.accounts.getAccount(customerId, account.id);
        assert.deepEqual(view.balance, { amount: '42.50', currency: 'EUR' });
        await assert.rejects(
          run('credit', '--account', account.id, '--amount=-1', '--currency', 'EUR', '--description', 'x'),
          (error) => {
            assert.match(String((error as { stderr: string }).stderr), /amount_not_positive/);
            return true;
          },
        );
      });
    }
  });
}
