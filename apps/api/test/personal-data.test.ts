import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLedgerInvariants } from '@nextgen/testkit';
import { emailTakenPerCustomerMax } from '../src/platform/constants.ts';
import { DomainError } from '../src/platform/errors.ts';
import { newId } from '../src/platform/ids.ts';
import { fundedCustomer, openAccount } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const ada = { name: 'Ada Lovelace', email: 'Ada.Lovelace@Example.com', password: 'correct horse battery staple' };
const adaPhone = '+4930123456';
const adaAddress = { line1: '12 Analytical Street', postalCode: '10115', city: 'Berlin', country: 'DE' };

async function registerAda(testApp: TestApp, person = ada): Promise<string> {
  const response = await testApp.app.inject({ method: 'POST', url: '/api/v1/customers', payload: person });
  assert.equal(response.statusCode, 201, response.body);
  return response.json().id;
}

async function rawCustomerRow(testApp: TestApp, id: string): Promise<Record<string, unknown>> {
  const { rows } = await testApp.deps.db.query('SELECT * FROM customers WHERE id = $1', [id]);
  assert.ok(rows[0], 'the customer row exists');
  return rows[0];
}

const patchMe = (testApp: TestApp, id: string, payload: object) =>
  testApp.injectAs(id, { method: 'PATCH', url: '/api/v1/customers/me', payload });

const signIn = (testApp: TestApp, email: string, password = ada.password) =>
  testApp.services.identity.signIn({ email, password, ip: '203.0.113.7' });

describe('customers’ personal data at rest', () => {
  it('stores name, e-mail, phone and address only encrypted, and shows them decrypted to the customer', async (t) => {
    const testApp = await buildTestApp(t);
    const id = await registerAda(testApp);
    const patched = await patchMe(testApp, id, { phone: adaPhone, address: adaAddress });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json().address, adaAddress);

    const row = await rawCustomerRow(testApp, id);
    const stored = JSON.stringify(row);
    for (const clear of [
      'Ada',
      'Lovelace',
      'ada.lovelace',
      'example.com',
      '30123456',
      'Analytical',
      'Berlin',
      '10115',
    ]) {
      assert.ok(!stored.toLowerCase().includes(clear.toLowerCase()), `"${clear}" is not stored in clear`);
    }
    for (const column of ['name_ciphertext', 'email_ciphertext', 'phone_ciphertext', 'address_ciphertext']) {
      assert.match(String(row[column]), /^pd1\./, `${column} holds a ciphertext`);
    }
    assert.equal(row.name, null);
    assert.equal(row.email, null);
    assert.equal(row.email_normalized, null);

    const me = await testApp.injectAs(id, { url: '/api/v1/customers/me' });
    assert.deepEqual(
      { ...(me.json() as object), createdAt: undefined },
      { id, name: ada.name, email: ada.email, phone: adaPhone, address: adaAddress, createdAt: undefined },
    );
  });

  it('finds the customer at sign-in by the e-mail’s blind index, in any letter case', async (t) => {
    const testApp = await buildTestApp(t);
    const id = await registerAda(testApp);
    assert.deepEqual(await signIn(testApp, 'ADA.LOVELACE@example.COM'), { kind: 'signed_in', customerId: id });
    assert.deepEqual(await signIn(testApp, 'someone.else@example.com'), { kind: 'rejected' });
  });

  it('changes the profile, removes the phone with null, and refuses another customer’s e-mail', async (t) => {
    const testApp = await buildTestApp(t);
    const id = await registerAda(testApp);
    await registerAda(testApp, { ...ada, name: 'Bob Babbage', email: 'bob@example.com' });
    assert.equal((await patchMe(testApp, id, { phone: adaPhone })).json().phone, adaPhone);
    const cleared = await patchMe(testApp, id, { phone: null, name: 'Ada King' });
    assert.equal(cleared.statusCode, 200);
    assert.equal(cleared.json().phone, null);
    assert.equal(cleared.json().name, 'Ada King');

    const before = await rawCustomerRow(testApp, id);
    const taken = await patchMe(testApp, id, { email: 'BOB@example.com', name: 'Someone Else' });
    assert.equal(taken.statusCode, 409);
    assert.equal(taken.json().code, 'email_taken');
    assert.deepEqual(await rawCustomerRow(testApp, id), before);

    const moved = await patchMe(testApp, id, { email: 'ada.king@example.com' });
    assert.equal(moved.json().email, 'ada.king@example.com');
    assert.equal((await signIn(testApp, 'ada.king@example.com')).kind, 'signed_in');
    assert.equal((await signIn(testApp, ada.email)).kind, 'rejected');
  });

  it(`stops a customer's e-mail changes after ${emailTakenPerCustomerMax} email_taken answers (address probing)`, async (t) => {
    const testApp = await buildTestApp(t);
    const id = await registerAda(testApp);
    await registerAda(testApp, { ...ada, name: 'Bob Babbage', email: 'bob@example.com' });
    for (let i = 0; i < emailTakenPerCustomerMax; i += 1) {
      assert.equal((await patchMe(testApp, id, { email: 'bob@example.com' })).statusCode, 409);
    }
    const probe = await patchMe(testApp, id, { email: 'bob@example.com' });
    assert.equal(probe.statusCode, 429);
    assert.equal(probe.json().code, 'rate_limited');
    assert.ok(Number(probe.headers['retry-after']) > 0);
    // A free address, from another network, is refused alike: the answer no longer tells taken from free.
    const fresh = await testApp.injectAs(id, {
      method: 'PATCH',
      url: '/api/v1/customers/me',
      payload: { email: 'ada.king@example.com' },
      remoteAddress: '203.0.113.9',
    });
    assert.equal(fresh.statusCode, 429);
    assert.equal((await signIn(testApp, ada.email)).kind, 'signed_in');
    // Changes that are not the e-mail still work.
    assert.equal((await patchMe(testApp, id, { name: 'Ada King' })).statusCode, 200);
  });

  it('refuses a malformed phone or address with validation_failed and changes nothing', async (t) => {
    const testApp = await buildTestApp(t);
    const id = await registerAda(testApp);
    const before = await rawCustomerRow(testApp, id);
    for (const payload of [
      { phone: '030 123456' },
      { address: { ...adaAddress, country: 'Germany' } },
      { address: { line1: 'x' } },
      {},
    ]) {
      const response = await patchMe(testApp, id, payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(response.json().code, 'validation_failed');
    }
    assert.deepEqual(await rawCustomerRow(testApp, id), before);
  });

  it('encrypts customers stored in clear before encryption existed, once, at start-up', async (t) => {
    const testApp = await buildTestApp(t);
    const id = newId('customer');
    // A row as migration 0002 wrote it.
    await testApp.deps.db.query(
      `INSERT INTO customers (id, name, email, email_normalized, password_hash) VALUES ($1, 'Grace Hopper', 'Grace@Example.com', 'grace@example.com', 'x')`,
      [id],
    );
    assert.equal(await testApp.services.identity.encryptPlaintextCustomers(), 1);
    assert.equal(await testApp.services.identity.encryptPlaintextCustomers(), 0);
    const row = await rawCustomerRow(testApp, id);
    assert.doesNotMatch(JSON.stringify(row), /Grace|Hopper/i);
    const profile = await testApp.services.identity.findCustomerById(id);
    assert.equal(profile?.name, 'Grace Hopper');
    assert.equal(profile?.email, 'Grace@Example.com');
    assert.equal(row.email_index, await testApp.services.vault.blindIndex('email', 'grace@example.com'));
  });
});

describe('customers’ personal data in logs', () => {
  it('never writes a name, e-mail, phone or address to the log, even at trace level', async (t) => {
    const logLines: string[] = [];
    const testApp = await buildTestApp(t, { env: { LOG_LEVEL: 'trace' }, logLines });
    const id = await registerAda(testApp);
    await patchMe(testApp, id, { phone: adaPhone, address: adaAddress });
    await patchMe(testApp, id, { phone: 'not a phone' });
    await testApp.injectAs(id, { url: '/api/v1/customers/me' });
    await testApp.injectAs(id, { url: '/api/v1/customers/me/export' });
    assert.ok(logLines.length >= 8, `requests were logged: ${logLines.length}`);
    const log = logLines.join('').toLowerCase();
    for (const secret of ['lovelace', 'ada.lovelace@example.com', '30123456', 'analytical street', 'not a phone']) {
      assert.ok(!log.includes(secret), `the log holds no "${secret}"`);
    }
  });
});

describe('GDPR export', () => {
  it('exports the customer’s profile, accounts and transactions, and nothing of other customers', async (t) => {
    const testApp = await buildTestApp(t);
    const id = await registerAda(testApp);
    await patchMe(testApp, id, { phone: adaPhone });
    const account = await openAccount(testApp, id, { fundMinor: 250_00n });
    const other = await fundedCustomer(testApp, 100_00n, 'Zelda Otherperson');

    const response = await testApp.injectAs(id, { url: '/api/v1/customers/me/export' });
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-disposition']), /attachment/);
    const exported = response.json();
    assert.equal(exported.format, 'nextgen-personal-data-export/1');
    assert.equal(exported.customer.name, ada.name);
    assert.equal(exported.customer.email, ada.email);
    assert.equal(exported.customer.phone, adaPhone);
    assert.deepEqual(
      exported.accounts.map((a: { id: string }) => a.id),
      [account.id],
    );
    assert.equal(exported.transactions.length, 1);
    assert.deepEqual(exported.transactions[0].amount, { amount: '250.00', currency: 'EUR' });
    assert.equal(exported.transactions[0].statusReason, null, 'a posted line has no status reason');
    for (const section of ['passkeys', 'payees', 'sessions']) {
      assert.ok(Array.isArray(exported[section]), `the export has its ${section}`);
    }
    assert.ok('kyc' in exported, 'the export has the KYC details');
    for (const foreign of [other.customerId, other.account.id, other.account.iban, 'Zelda', 'Otherperson']) {
      assert.ok(!response.body.includes(foreign), `the export holds nothing of another customer (${foreign})`);
    }
  });
});

describe('GDPR erasure by crypto-shredding', () => {
  async function settledCustomer(testApp: TestApp) {
    const id = await registerAda(testApp);
    await patchMe(testApp, id, { phone: adaPhone, address: adaAddress });
    const account = await openAccount(testApp, id, { fundMinor: 80_00n });
    await testApp.services.payments.cardPurchase({
      accountId: account.id,
      amountMinor: 80_00n,
      currency: 'EUR',
      description: 'Last coffee',
    });
    return { id, account };
  }

  const erase = async (testApp: TestApp, id: string) =>
    testApp.app.inject({
      method: 'POST',
      url: `/backoffice/v1/customers/${id}/erasure`,
      headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
    });

  it('refuses while the customer holds an account that is not closed, and changes nothing', async (t) => {
    const testApp = await buildTestApp(t);
    const { id } = await settledCustomer(testApp);
    const before = await rawCustomerRow(testApp, id);
    const refused = await erase(testApp, id);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().code, 'customer_has_open_accounts');
    assert.deepEqual(await rawCustomerRow(testApp, id), before);
    assert.equal(await testApp.services.vault.isErased(id), false);
  });

  it('makes every stored field unreadable, keeps the ledger sound, and stops sign-in', async (t) => {
    const testApp = await buildTestApp(t);
    const { db } = testApp.deps;
    const { id, account } = await settledCustomer(testApp);
    const closed = await testApp.injectAs(id, { method: 'POST', url: `/api/v1/accounts/${account.id}/close` });
    assert.equal(closed.statusCode, 200, closed.body);
    const { rows: linesBefore } = await db.query('SELECT id FROM account_transactions WHERE account_id = $1', [
      account.id,
    ]);

    const erased = await erase(testApp, id);
    assert.equal(erased.statusCode, 200, erased.body);
    assert.deepEqual(erased.json(), { customerId: id, erased: true, erasedNow: true });
    assert.equal((await erase(testApp, id)).json().erasedNow, false);

    const row = await rawCustomerRow(testApp, id);
    assert.equal(row.status, 'erased');
    assert.equal(row.email_index, null);
    const { rows: keys } = await db.query<{ wrapped_key: string | null }>(
      'SELECT wrapped_key FROM customer_data_keys WHERE customer_id = $1',
      [id],
    );
    assert.equal(keys[0]?.wrapped_key, null);
    for (const [field, column] of [
      ['name', 'name_ciphertext'],
      ['email', 'email_ciphertext'],
      ['phone', 'phone_ciphertext'],
      ['address', 'address_ciphertext'],
    ] as const) {
      await assert.rejects(
        testApp.services.vault.decrypt(id, field, String(row[column])),
        (error: unknown) => error instanceof DomainError && error.code === 'customer_erased',
      );
    }

    assert.deepEqual(await signIn(testApp, ada.email), { kind: 'rejected' });
    assert.equal(await testApp.services.identity.isCustomerActive(id), false);
    // Tokens issued before the erasure stop at admission (issue 12, defect 12).
    const me = await testApp.injectAs(id, { url: '/api/v1/customers/me' });
    assert.equal(me.statusCode, 401);
    assert.equal(me.json().code, 'customer_inactive');
    assert.equal((await testApp.injectAs(id, { url: '/api/v1/customers/me/export' })).statusCode, 401);

    // The ledger keeps its records, detached from the person, and still balances.
    const { rows: linesAfter } = await db.query('SELECT id FROM account_transactions WHERE account_id = $1', [
      account.id,
    ]);
    assert.deepEqual(linesAfter, linesBefore);
    assert.deepEqual(await checkLedgerInvariants(db), []);
    // The e-mail is free again: the person may come back as a new customer.
    assert.notEqual(await registerAda(testApp), id);
  });

  it('answers 404 for an unknown customer', async (t) => {
    const testApp = await buildTestApp(t);
    const response = await erase(testApp, newId('customer'));
    assert.equal(response.statusCode, 404);
    assert.equal(response.json().code, 'customer_not_found');
  });
});
