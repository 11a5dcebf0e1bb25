import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { payeesPerCustomerMax } from '../src/platform/constants.ts';
import { createCustomer, currentSubmission, fundedCustomer, openAccount, pendingKycCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/** An IBAN in another bank (the ISO 13616 example), which confirmation of payee cannot check. */
const outsideIban = 'GB82WEST12345698765432';

function createPayee(testApp: TestApp, customerId: string, payload: Record<string, unknown>) {
  return testApp.injectAs(customerId, { method: 'POST', url: '/api/v1/payees', payload });
}

describe('payees', () => {
  it('saves a payee, lists it with the IBAN masked and stores name and IBAN encrypted', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db, 'Alice Saver');
    const created = await createPayee(testApp, customerId, {
      name: 'Landlord Ltd',
      iban: 'GB82 WEST 1234 5698 7654 32',
      reference: 'Flat 3 rent',
    });
    assert.equal(created.statusCode, 201, created.body);
    const payee = created.json();
    assert.match(payee.id, /^pye_/);
    assert.equal(created.headers.location, `/api/v1/payees/${payee.id}`);
    assert.equal(payee.name, 'Landlord Ltd');
    assert.equal(payee.maskedIban, 'GB** **** **** **** **54 32');
    assert.equal(payee.reference, 'Flat 3 rent');
    assert.equal(payee.confirmation, 'not_checked');
    assert.doesNotMatch(created.body, /WEST1234|98765432/);

    const list = await testApp.injectAs(customerId, { url: '/api/v1/payees' });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), { data: [payee], nextCursor: null });

    const { rows } = await testApp.deps.db.query('SELECT * FROM payees');
    const raw = JSON.stringify(rows);
    assert.doesNotMatch(raw, /Landlord|GB82WEST|98765432/, 'name and IBAN are not stored in clear');
  });

  it('confirms the payee name against the holder of an account in this bank', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db, 'Alice Saver');
    const holder = await fundedCustomer(testApp, 0n, 'Jane Anne Doe');
    const iban = holder.account.iban;

    const matched = await createPayee(testApp, customerId, { name: 'jane anne doe', iban });
    assert.equal(matched.json().confirmation, 'match');
    assert.equal(matched.json().suggestedName, undefined);
    await testApp.injectAs(customerId, { method: 'DELETE', url: `/api/v1/payees/${matched.json().id}` });

    // Leaving out a middle name is close, as is a typo (the unit tests cover the rules).
    const close = await createPayee(testApp, customerId, { name: 'Jane Doe', iban });
    assert.equal(close.json().confirmation, 'close_match');
    assert.equal(close.json().suggestedName, 'Jane Anne Doe', 'a close match suggests the holder’s name');
    await testApp.injectAs(customerId, { method: 'DELETE', url: `/api/v1/payees/${close.json().id}` });

    const wrong = await createPayee(testApp, customerId, { name: 'Mallory Smith', iban });
    assert.equal(wrong.statusCode, 201);
    assert.equal(wrong.json().confirmation, 'no_match');
    assert.doesNotMatch(wrong.body, /Jane|Doe/, 'no match reveals nothing of the holder');
    // The list shows the result recorded at saving, never a suggestion.
    const list = await testApp.injectAs(customerId, { url: '/api/v1/payees' });
    assert.equal(list.json().data[0].confirmation, 'no_match');
    assert.doesNotMatch(list.body, /Jane|Doe/);
  });

  it("confirms against the holder's verified legal name, never the self-service profile name", async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db, 'Alice Saver');
    const holderId = await pendingKycCustomer(testApp, 'Jane Doe');
    const { iban } = await openAccount(testApp, holderId);
    // Not verified yet: the profile name proves nothing, so nothing is confirmed.
    const pending = await createPayee(testApp, customerId, { name: 'Jane Doe', iban });
    assert.equal(pending.json().confirmation, 'not_checked');
    await testApp.injectAs(customerId, { method: 'DELETE', url: `/api/v1/payees/${pending.json().id}` });

    await testApp.services.kyc.verify(holderId, {
      tier: 1,
      operator: 'opr_test',
      submissionId: await currentSubmission(testApp, holderId),
    });
    // The profile name changes behind the verification's back (the route refuses it; the service does not check).
    await testApp.services.identity.updateProfile(holderId, { name: 'Tax Office' });
    const impostor = await createPayee(testApp, customerId, { name: 'Tax Office', iban });
    assert.equal(impostor.json().confirmation, 'no_match', 'the profile name is not the verified name');
    await testApp.injectAs(customerId, { method: 'DELETE', url: `/api/v1/payees/${impostor.json().id}` });
    const legal = await createPayee(testApp, customerId, { name: 'Jane Doe', iban });
    assert.equal(legal.json().confirmation, 'match');
  });

  it('refuses a second payee with the same IBAN, an invalid IBAN and a blank name, changing nothing', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    assert.equal((await createPayee(testApp, customerId, { name: 'Shop', iban: outsideIban })).statusCode, 201);
    const again = await createPayee(testApp, customerId, { name: 'Shop again', iban: outsideIban.toLowerCase() });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'payee_exists');

    const invalid = await createPayee(testApp, customerId, { name: 'Typo', iban: 'GB82WEST12345698765433' });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().code, 'invalid_iban');
    assert.equal(invalid.json().errors[0].pointer, '/body/iban');
    assert.doesNotMatch(invalid.body, /12345698765433/, 'the refused IBAN is not echoed');

    const blank = await createPayee(testApp, customerId, { name: ' ', iban: outsideIban });
    assert.equal(blank.statusCode, 400);
    const extra = await createPayee(testApp, customerId, { name: 'X', iban: outsideIban, trusted: true });
    assert.equal(extra.statusCode, 400);
    const { rows } = await testApp.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM payees');
    assert.equal(rows[0]?.n, 1);
  });

  it('lets another customer save the same IBAN, and never see or delete someone else’s payee', async (t) => {
    const testApp = await buildTestApp(t);
    const alice = await createCustomer(testApp.deps.db, 'Alice');
    const mallory = await createCustomer(testApp.deps.db, 'Mallory');
    const alices = (await createPayee(testApp, alice, { name: 'Shop', iban: outsideIban })).json();
    assert.equal((await createPayee(testApp, mallory, { name: 'Shop', iban: outsideIban })).statusCode, 201);

    const theirs = await testApp.injectAs(mallory, { url: '/api/v1/payees' });
    assert.equal(theirs.json().data.length, 1);
    assert.notEqual(theirs.json().data[0].id, alices.id);
    const stolen = await testApp.injectAs(mallory, { method: 'DELETE', url: `/api/v1/payees/${alices.id}` });
    assert.equal(stolen.statusCode, 404);
    assert.equal(stolen.json().code, 'payee_not_found');

    const deleted = await testApp.injectAs(alice, { method: 'DELETE', url: `/api/v1/payees/${alices.id}` });
    assert.equal(deleted.statusCode, 204);
    assert.deepEqual((await testApp.injectAs(alice, { url: '/api/v1/payees' })).json().data, []);
    const twice = await testApp.injectAs(alice, { method: 'DELETE', url: `/api/v1/payees/${alices.id}` });
    assert.equal(twice.statusCode, 404);
  });

  it('pages through payees newest first with an opaque cursor', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    const ibans = ['GB82WEST12345698765432', 'DE89370400440532013000', 'FR1420041010050500013M02606'];
    const created = [];
    for (const [i, iban] of ibans.entries()) {
      created.push((await createPayee(testApp, customerId, { name: `Payee ${i}`, iban })).json().id);
    }
    const first = (await testApp.injectAs(customerId, { url: '/api/v1/payees?limit=2' })).json();
    assert.deepEqual(
      first.data.map((p: { id: string }) => p.id),
      [created[2], created[1]],
    );
    const second = (
      await testApp.injectAs(customerId, { url: `/api/v1/payees?limit=2&cursor=${first.nextCursor}` })
    ).json();
    assert.deepEqual(
      second.data.map((p: { id: string }) => p.id),
      [created[0]],
    );
    assert.equal(second.nextCursor, null);
    const bad = await testApp.injectAs(customerId, { url: '/api/v1/payees?cursor=bm9wZQ' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'invalid_cursor');
  });

  it(`stops at ${payeesPerCustomerMax} payees per customer`, async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    // Filled in SQL: the limit is what is under test, not 200 encryptions.
    await testApp.deps.db.query(
      `INSERT INTO payees (id, customer_id, name_ciphertext, iban_ciphertext, iban_index, masked_iban, confirmation)
       SELECT 'pye_' || lpad(g::text, 26, '0'), $1, 'x', 'x', 'index-' || g, 'XX', 'not_checked'
       FROM generate_series(1, $2::int) AS g`,
      [customerId, payeesPerCustomerMax],
    );
    const over = await createPayee(testApp, customerId, { name: 'One too many', iban: outsideIban });
    assert.equal(over.statusCode, 409);
    assert.equal(over.json().code, 'payee_limit_reached');
  });
});
