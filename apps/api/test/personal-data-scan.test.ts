import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Database } from '../src/platform/database.ts';
import { createCustomer, currentSubmission, freshKey, openAccount } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Reads every text and JSON column of every table, and every log line, after a realistic customer
 * journey, looking for the personal data the journey typed: nothing is kept in clear except what
 * docs/security/data-protection.md lists as clear by design (account IBANs are the bank's routing
 * identifiers; statement lines and transfers keep the counterparty's name and IBAN as payment records).
 */
const ada = {
  name: 'Adaline Quarrington',
  email: 'adaline.quarrington@example.test',
  password: 'correct horse battery staple',
  phone: '+4930987654321',
  street: '77 Zyxwvut Street',
  documentNumber: 'ZQ9988776',
};
const payeeName = 'Bartholomew Oxenfurt';

/** Columns allowed to hold a value in clear, by design (docs/security/data-protection.md). */
const clearByDesign: Record<string, readonly string[]> = {
  iban: [
    'accounts.iban',
    'transfers.counterparty_iban',
    'account_transactions.counterparty_iban',
    // Journal entries keep the ledger's own metadata of a transfer; none name a person.
  ],
  counterpartyName: ['transfers.counterparty_name', 'account_transactions.counterparty_name'],
};

async function textColumns(db: Database): Promise<{ table: string; column: string }[]> {
  const { rows } = await db.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
     JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
     ORDER BY 1, 2`,
  );
  return rows.map((r) => ({ table: r.table_name, column: r.column_name }));
}

/** Every table.column whose text holds `needle` (case-insensitive; spaces in IBANs ignored). */
async function columnsHolding(db: Database, needle: string): Promise<string[]> {
  const found: string[] = [];
  for (const { table, column } of await textColumns(db)) {
    const { rows } = await db.query(
      `SELECT 1 FROM "${table}" WHERE replace("${column}"::text, ' ', '') ILIKE '%' || $1 || '%' LIMIT 1`,
      [needle.replaceAll(' ', '')],
    );
    if (rows.length > 0) found.push(`${table}.${column}`);
  }
  return found;
}

async function adaJourney(testApp: TestApp) {
  const registered = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    payload: { name: ada.name, email: ada.email, password: ada.password },
  });
  assert.equal(registered.statusCode, 201, registered.body);
  const customerId: string = registered.json().id;
  const as = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object, key = false) =>
    testApp.injectAs(customerId, {
      method,
      url,
      ...(key ? { headers: { 'idempotency-key': freshKey() } } : {}),
      ...(payload ? { payload: payload as Record<string, unknown> } : {}),
    });
  const patched = await as('PATCH', '/api/v1/customers/me', {
    phone: ada.phone,
    address: { line1: ada.street, postalCode: '10115', city: 'Berlin', country: 'DE' },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  const kyc = await as('PUT', '/api/v1/me/kyc', {
    legalName: ada.name,
    documentType: 'passport',
    documentNumber: ada.documentNumber,
    issuingCountry: 'GB',
    expiresOn: '2036-05-31',
    dateOfBirth: '1990-12-10',
    nationality: 'GB',
  });
  assert.equal(kyc.statusCode, 200, kyc.body);
  await testApp.services.kyc.verify(customerId, {
    tier: 2,
    operator: 'opr_scan',
    submissionId: await currentSubmission(testApp, customerId),
  });
  const account = await openAccount(testApp, customerId, { fundMinor: 500_00n });

  const payeeId = await createCustomer(testApp.deps.db, payeeName);
  const payeeAccount = await openAccount(testApp, payeeId);
  const saved = await as('POST', '/api/v1/payees', { name: payeeName, iban: payeeAccount.iban });
  assert.equal(saved.statusCode, 201, saved.body);
  const transfer = {
    fromAccountId: account.id,
    to: { iban: payeeAccount.iban },
    amount: { amount: '12.00', currency: 'EUR' },
    reference: 'Invoice 42',
  };
  const sent = await as('POST', '/api/v1/transfers', transfer, true);
  assert.equal(sent.statusCode, 201, sent.body);
  assert.equal((await as('GET', `/api/v1/transactions?accountId=${account.id}`)).statusCode, 200);
  assert.equal((await as('GET', '/api/v1/customers/me/export')).statusCode, 200);
  return { customerId, account, payeeAccount };
}

describe('personal data in clear, anywhere', () => {
  it('is nowhere in the database or the logs after a customer journey, but for payment records', async (t) => {
    const logLines: string[] = [];
    const testApp = await buildTestApp(t, {
      env: { LOG_LEVEL: 'trace', STEP_UP_NEW_PAYEE: 'false' },
      logLines,
    });
    const { account, payeeAccount } = await adaJourney(testApp);
    const { db } = testApp.deps;
    await testApp.services.audit.seal();

    // The scan finds what is there (so an empty answer below means something).
    assert.ok((await columnsHolding(db, account.iban)).includes('accounts.iban'));
    assert.ok((await columnsHolding(db, 'Oxenfurt')).includes('account_transactions.counterparty_name'));

    const nowhere = { email: ada.email, phone: ada.phone.slice(3), street: 'Zyxwvut', document: ada.documentNumber };
    for (const [what, value] of Object.entries(nowhere)) {
      assert.deepEqual(await columnsHolding(db, value), [], `${what} is stored nowhere in clear`);
    }
    for (const name of [ada.name, payeeName]) {
      const surname = name.split(' ')[1] as string;
      assert.deepEqual(
        (await columnsHolding(db, surname)).filter((c) => !clearByDesign.counterpartyName?.includes(c)),
        [],
        `${name} is stored in clear only as a payment's counterparty`,
      );
    }
    for (const iban of [account.iban, payeeAccount.iban]) {
      assert.deepEqual(
        (await columnsHolding(db, iban)).filter((c) => !clearByDesign.iban?.includes(c)),
        [],
        'a full IBAN is stored only as an account number and a payment record',
      );
    }

    const logs = logLines.join('\n').toLowerCase().replaceAll(' ', '');
    for (const value of [
      ...Object.values(nowhere),
      'Quarrington',
      'Oxenfurt',
      ada.password,
      account.iban,
      payeeAccount.iban,
    ]) {
      assert.ok(!logs.includes(value.toLowerCase().replaceAll(' ', '')), `the logs never hold ${value}`);
    }
  });
});
