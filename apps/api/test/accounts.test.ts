import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateIban } from '../src/accounts/iban.ts';
import { accountsPerCustomerMax } from '../src/platform/constants.ts';
import { createCustomer, freshKey, openAccount, rowCounts } from './fixtures.ts';
import { buildTestApp } from './helper.ts';

describe('accounts', () => {
  it('opens checking and savings accounts with a valid IBAN and zero balances', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const response = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { type: 'savings', currency: 'EUR', name: 'Rainy day' },
    });
    assert.equal(response.statusCode, 201);
    const account = response.json();
    assert.match(account.id, /^acc_/);
    assert.equal(account.type, 'savings');
    assert.equal(account.name, 'Rainy day');
    assert.equal(account.status, 'open');
    assert.deepEqual(account.balance, { amount: '0.00', currency: 'EUR' });
    assert.deepEqual(account.availableBalance, { amount: '0.00', currency: 'EUR' });
    assert.deepEqual(account.overdraftLimit, { amount: '0.00', currency: 'EUR' });
    assert.ok(validateIban(account.iban).ok);
    assert.ok(account.iban.startsWith('DE'));
    assert.equal(account.maskedIban.slice(-5).replace(' ', ''), account.iban.slice(-4));

    const checking = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { type: 'checking', currency: 'JPY' },
    });
    assert.equal(checking.statusCode, 201);
    assert.equal(checking.json().name, 'Checking');
    assert.deepEqual(checking.json().balance, { amount: '0', currency: 'JPY' });
    assert.notEqual(checking.json().iban, account.iban);
  });

  it('shows current and available balance on the detail, and only a masked IBAN on the detail and in lists', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const account = await openAccount(testApp, customerId, { fundMinor: 250_00n });
    const detail = await testApp.injectAs(customerId, { url: `/api/v1/accounts/${account.id}` });
    assert.equal(detail.statusCode, 200);
    assert.deepEqual(detail.json().balance, { amount: '250.00', currency: 'EUR' });
    assert.deepEqual(detail.json().availableBalance, { amount: '250.00', currency: 'EUR' });
    assert.equal(detail.json().iban, undefined, 'the detail shows the IBAN masked only (reveal shows it)');
    assert.equal(detail.json().maskedIban.replace(/ /g, '').slice(-4), account.iban.slice(-4));
    assert.doesNotMatch(detail.body, new RegExp(account.iban));

    const list = await testApp.injectAs(customerId, { url: '/api/v1/accounts' });
    assert.equal(list.statusCode, 200);
    const [item] = list.json().data;
    assert.equal(item.id, account.id);
    assert.equal(item.iban, undefined);
    assert.match(item.maskedIban, /^DE\*\* \*{4} /);
    assert.doesNotMatch(list.body, new RegExp(account.iban));
    assert.equal(list.json().nextCursor, null);
  });

  it('pages through accounts newest first with an opaque cursor', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const opened = [];
    for (let i = 0; i < 3; i += 1) opened.push((await openAccount(testApp, customerId, { name: `Pot ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await testApp.injectAs(customerId, { url: `/api/v1/accounts${query}` });
      assert.equal(page.statusCode, 200);
      seen.push(...page.json().data.map((a: { id: string }) => a.id));
      cursor = page.json().nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...opened].reverse());

    const bad = await testApp.injectAs(customerId, { url: '/api/v1/accounts?cursor=bm90LWEtY3Vyc29y' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'invalid_cursor');
  });

  it("answers another customer's account exactly like an unknown one, and changes nothing", async (t) => {
    const testApp = await buildTestApp(t);
    const owner = await createCustomer(testApp.deps.db, 'Owner One');
    const other = await createCustomer(testApp.deps.db, 'Other Two');
    const account = await openAccount(testApp, owner, { fundMinor: 10_00n });
    const before = await rowCounts(testApp.deps.db);
    const unknown = await testApp.injectAs(other, { url: '/api/v1/accounts/acc_01jf8x9k2m3n4p5q6r7s8t9v0w' });
    const foreign = await testApp.injectAs(other, { url: `/api/v1/accounts/${account.id}` });
    assert.equal(foreign.statusCode, 404);
    assert.equal(foreign.json().code, 'account_not_found');
    assert.equal(foreign.json().detail, unknown.json().detail);
    for (const action of ['freeze', 'unfreeze', 'close']) {
      const response = await testApp.injectAs(other, {
        method: 'POST',
        url: `/api/v1/accounts/${account.id}/${action}`,
      });
      assert.equal(response.statusCode, 404, action);
      assert.equal(response.json().code, 'account_not_found');
    }
    assert.equal((await testApp.injectAs(other, { url: '/api/v1/accounts' })).json().data.length, 0);
    assert.deepEqual(await rowCounts(testApp.deps.db), before);
    assert.equal((await testApp.services.accounts.getAccount(owner, account.id)).status, 'open');
  });

  it('refuses callers without a customer token', async (t) => {
    const testApp = await buildTestApp(t);
    const anonymous = await testApp.app.inject({ url: '/api/v1/accounts' });
    assert.equal(anonymous.statusCode, 401);
    assert.equal(anonymous.json().code, 'unauthenticated');
    assert.ok(anonymous.headers['www-authenticate']);
    const operator = await testApp.app.inject({
      url: '/api/v1/accounts',
      headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
    });
    assert.equal(operator.statusCode, 403);
  });

  it('validates the opening request strictly', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const cases = [
      { type: 'loan', currency: 'EUR' },
      { type: 'checking', currency: 'XYZ' },
      { type: 'checking', currency: 'EUR', name: '' },
      { type: 'checking', currency: 'EUR', name: ' padded ' },
      { type: 'checking', currency: 'EUR', name: 'x'.repeat(101) },
      { type: 'checking', currency: 'EUR', overdraft: '100' },
    ];
    for (const payload of cases) {
      const response = await testApp.injectAs(customerId, { method: 'POST', url: '/api/v1/accounts', payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(response.json().code, 'validation_failed');
    }
    const malformedId = await testApp.injectAs(customerId, { url: '/api/v1/accounts/not-an-id' });
    assert.equal(malformedId.statusCode, 400);
    assert.equal((await rowCounts(testApp.deps.db)).accounts, 0);
  });

  it(`stops at ${accountsPerCustomerMax} open accounts per customer`, async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    await Promise.all(
      Array.from({ length: accountsPerCustomerMax }, () =>
        testApp.services.accounts.openAccount(customerId, { type: 'checking', currency: 'EUR' }),
      ),
    );
    const response = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { type: 'checking', currency: 'EUR' },
    });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'account_limit_reached');
  });

  it('freezes and unfreezes; a bank freeze cannot be lifted by the customer', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const account = await openAccount(testApp, customerId);
    const post = (action: string) =>
      testApp.injectAs(customerId, { method: 'POST', url: `/api/v1/accounts/${account.id}/${action}` });
    assert.equal((await post('freeze')).json().status, 'frozen');
    assert.equal((await post('freeze')).json().status, 'frozen');
    assert.equal((await post('unfreeze')).json().status, 'open');

    const bank = await testApp.app.inject({
      method: 'POST',
      url: `/backoffice/v1/accounts/${account.id}/freeze`,
      headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
    });
    assert.deepEqual(bank.json(), { id: account.id, status: 'frozen' });
    const lift = await post('unfreeze');
    assert.equal(lift.statusCode, 409);
    assert.equal(lift.json().code, 'account_frozen_by_bank');
    assert.equal((await post('close')).json().code, 'account_frozen_by_bank');
    await testApp.services.accounts.unfreezeByBank(account.id);
    assert.equal((await post('freeze')).json().status, 'frozen');
  });

  it('closes only an empty account, and a closed account stays closed', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const funded = await openAccount(testApp, customerId, { fundMinor: 5_00n });
    const spare = await openAccount(testApp, customerId);
    const post = (id: string, action: string) =>
      testApp.injectAs(customerId, { method: 'POST', url: `/api/v1/accounts/${id}/${action}` });

    const refused = await post(funded.id, 'close');
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'account_balance_not_zero');
    assert.equal((await testApp.services.accounts.getAccount(customerId, funded.id)).status, 'open');

    const moved = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/transfers',
      headers: { 'idempotency-key': freshKey() },
      payload: { fromAccountId: funded.id, to: { accountId: spare.id }, amount: { amount: '5.00', currency: 'EUR' } },
    });
    assert.equal(moved.statusCode, 201);
    const closed = await post(funded.id, 'close');
    assert.equal(closed.statusCode, 200);
    assert.equal(closed.json().status, 'closed');
    for (const action of ['freeze', 'unfreeze', 'close']) {
      const again = await post(funded.id, action);
      assert.equal(again.statusCode, 409, action);
      assert.equal(again.json().code, 'account_closed');
    }
    assert.equal(
      (await testApp.injectAs(customerId, { url: `/api/v1/accounts/${funded.id}` })).json().status,
      'closed',
    );
  });

  it('refuses to close an account with a pending hold', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const account = await openAccount(testApp, customerId, { fundMinor: 5_00n });
    const { rows } = await testApp.deps.db.query<{ ledger_account_id: string }>(
      'SELECT ledger_account_id FROM accounts WHERE id = $1',
      [account.id],
    );
    const ledgerAccountId = rows[0]?.ledger_account_id ?? '';
    const { ledger } = testApp.services;
    const hold = await ledger.placeHold({
      debitAccountId: ledgerAccountId,
      creditAccountId: ledger.systemAccountId('clearing', 'EUR'),
      amountMinor: 5_00n,
      currency: 'EUR',
    });
    assert.ok(hold.ok);
    await ledger.postHold(hold.entryId, 4_00n);
    // 1.00 is left on the account; move it out through a hold that stays open.
    const pending = await ledger.placeHold({
      debitAccountId: ledgerAccountId,
      creditAccountId: ledger.systemAccountId('clearing', 'EUR'),
      amountMinor: 1_00n,
      currency: 'EUR',
    });
    assert.ok(pending.ok);
    const detail = await testApp.injectAs(customerId, { url: `/api/v1/accounts/${account.id}` });
    assert.deepEqual(detail.json().balance, { amount: '1.00', currency: 'EUR' });
    assert.deepEqual(detail.json().availableBalance, { amount: '0.00', currency: 'EUR' });
    const close = await testApp.injectAs(customerId, { method: 'POST', url: `/api/v1/accounts/${account.id}/close` });
    assert.equal(close.statusCode, 409);
    assert.equal(close.json().code, 'account_balance_not_zero');
  });

  it('documents every banking route with its parameters and response statuses in /openapi.json', async (t) => {
    const { app } = await buildTestApp(t);
    const { paths } = (await app.inject({ url: '/openapi.json' })).json();
    const expected: [string, string, string][] = [
      ['/api/v1/accounts', 'get', '200'],
      ['/api/v1/accounts', 'post', '201'],
      ['/api/v1/accounts/{id}', 'get', '200'],
      ['/api/v1/accounts/{id}/freeze', 'post', '200'],
      ['/api/v1/accounts/{id}/unfreeze', 'post', '200'],
      ['/api/v1/accounts/{id}/close', 'post', '200'],
      ['/api/v1/transfers', 'post', '201'],
      ['/api/v1/transfers/{id}', 'get', '200'],
      ['/api/v1/transactions', 'get', '200'],
      ['/backoffice/v1/credits', 'post', '201'],
      ['/backoffice/v1/accounts/{id}/freeze', 'post', '200'],
    ];
    for (const [path, method, success] of expected) {
      const operation = paths[path]?.[method];
      assert.ok(operation, `${method} ${path}`);
      for (const status of [success, '400', '401', '429', '500'])
        assert.ok(operation.responses[status], `${path} ${status}`);
    }
    const transfer = paths['/api/v1/transfers'].post;
    assert.ok(
      transfer.parameters.some((p: { name: string; in: string }) => p.in === 'header' && p.name === 'idempotency-key'),
    );
    assert.ok(paths['/api/v1/transactions'].get.parameters.some((p: { name: string }) => p.name === 'minAmount'));
  });
});

describe('the payments party lookup (accounts.findAccounts)', () => {
  it("carries the holders' names in its one query, and an erased holder's placeholder", async (t) => {
    const testApp = await buildTestApp(t);
    const ada = await createCustomer(testApp.deps.db, 'Ada Lovelace');
    const grace = await createCustomer(testApp.deps.db, 'Grace Hopper');
    const adaAccount = await openAccount(testApp, ada);
    const adaSavings = await openAccount(testApp, ada, { type: 'savings' });
    const graceAccount = await openAccount(testApp, grace);
    const found = await testApp.services.accounts.findAccounts([adaAccount.id, adaSavings.id], [graceAccount.iban]);
    const names = new Map(found.map((account) => [account.id, account.holderName]));
    assert.deepEqual(
      names,
      new Map([
        [adaAccount.id, 'Ada Lovelace'],
        [adaSavings.id, 'Ada Lovelace'],
        [graceAccount.id, 'Grace Hopper'],
      ]),
    );
    await testApp.services.accounts.close(grace, graceAccount.id); // erasure needs every account closed
    await testApp.services.gdpr.eraseCustomer({ customerId: grace, operatorId: 'opr_test' });
    const [erased] = await testApp.services.accounts.findAccounts([], [graceAccount.iban]);
    assert.equal(erased?.holderName, 'Erased customer');
    assert.deepEqual(await testApp.services.accounts.findAccounts(['acc_nothere'], []), []);
  });
});
