import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import {
  createSoftwareAuthenticator,
  oauthDriver,
  passkeyStep,
  refreshErrorOf,
  type SignedInCustomer,
} from '@nextgen/testkit';
import { createCustomer, freshKey, openAccount, registerPasskey } from './fixtures.ts';
import { buildTestApp, type TestApp, type TestDatabaseKind, testDatabaseKinds } from './helper.ts';
import { type SignedInOperator, signedInOperator } from './operators.ts';

/**
 * The bank locks, unlocks and closes customers (issue 12, defect 12 follow-through; ADR 0105): a lock
 * stops the customer's tokens at once; unlocking and closing wait for a second operator (four-eyes)
 * and are bound to the status they were asked from.
 */
function call(testApp: TestApp, operator: SignedInOperator, url: string, payload?: object) {
  return testApp.app.inject({
    method: 'POST',
    url: `/backoffice/v1${url}`,
    headers: { authorization: operator.authorization, 'idempotency-key': freshKey() },
    ...(payload ? { payload } : {}),
  });
}

const reason = { reason: 'Fraud case FR-4711: card and credentials reported stolen' };
const approve = (testApp: TestApp, approver: SignedInOperator, approvalId: string) =>
  call(testApp, approver, `/approvals/${approvalId}/approve`);
const statusOf = (testApp: TestApp, customerId: string) => testApp.services.identity.customerStatusOf(customerId);

async function customersDesk(t: TestContext, database: TestDatabaseKind = 'postgres') {
  const testApp = await buildTestApp(t, { database });
  const desk = await signedInOperator(testApp, ['customers', 'approver'], 'Customers desk');
  const approver = await signedInOperator(testApp, ['approver'], 'Approver');
  return { testApp, desk, approver };
}

/** A customer registered and signed in through the real authorization server (access and refresh token). */
async function signedInCustomer(testApp: TestApp) {
  const driver = oauthDriver(testApp.app);
  const credentials = {
    email: `${randomBytes(6).toString('hex')}@example.com`,
    password: 'seven quiet herons at dawn',
  };
  await driver.registerCustomer({ name: 'Tomás Rivera', ...credentials });
  const session = await driver.signIn(credentials);
  return { driver, credentials, session, customerId: session.customerId };
}

async function meStatus(session: SignedInCustomer): Promise<{ status: number; code?: string }> {
  const response = await session.api('GET', '/api/v1/customers/me');
  return { status: response.status, code: (JSON.parse(response.body) as { code?: string }).code };
}

/** Refused at admission: the session's grant is revoked (invalid_token) and the status check refuses too. */
async function assertRefused(session: SignedInCustomer) {
  const { status, code } = await meStatus(session);
  assert.equal(status, 401);
  assert.ok(code === 'invalid_token' || code === 'customer_inactive', code);
}

/** A token of a grant no session ended (signed as the authorization server does): only the status check stops it. */
const meByStatusOnly = async (testApp: TestApp, customerId: string) => {
  const response = await testApp.injectAs(customerId, { url: '/api/v1/customers/me' });
  return { status: response.statusCode, code: response.json().code as string | undefined };
};

async function auditTrail(testApp: TestApp, customerId: string) {
  await testApp.services.audit.seal();
  return testApp.services.audit.recordsAbout({ kind: 'customer', id: customerId }, 50);
}

async function statusEvents(testApp: TestApp, customerId: string) {
  const { rows } = await testApp.deps.db.query<{ payload: object }>(
    `SELECT payload FROM outbox_events WHERE aggregate_id = $1 AND topic = 'customer.status_changed' ORDER BY id`,
    [customerId],
  );
  return rows.map((row) => row.payload);
}

for (const database of testDatabaseKinds) {
  describe(`locking a customer (${database})`, () => {
    it('refuses their access token at once, their refresh token, and audits the lock with its reason', async (t) => {
      const { testApp, desk } = await customersDesk(t, database);
      const { driver, session, customerId } = await signedInCustomer(testApp);
      assert.equal((await meStatus(session)).status, 200);
      assert.equal((await meByStatusOnly(testApp, customerId)).status, 200, 'caches "active" first');

      const locked = await call(testApp, desk, `/customers/${customerId}/lock`, reason);
      assert.equal(locked.statusCode, 200, locked.body);
      assert.deepEqual(locked.json(), { id: customerId, status: 'locked' });

      await assertRefused(session);
      assert.deepEqual(await meByStatusOnly(testApp, customerId), { status: 401, code: 'customer_inactive' });
      assert.equal(await refreshErrorOf(driver, session.refreshToken), 'invalid_grant');
      const sessions = await testApp.services.sessions.listSessions(customerId, {
        limit: 10,
        cursor: undefined,
        currentGrantId: undefined,
      });
      assert.deepEqual(sessions.data, [], 'every session of the customer ended');

      const trail = await auditTrail(testApp, customerId);
      const record = trail.find((r) => r.action === 'customer.locked');
      assert.equal(record?.actor.id, desk.id);
      assert.equal(record?.details.reason, reason.reason);
      assert.equal(record?.details.from, 'active');
      assert.deepEqual((await testApp.services.audit.verify()).findings, []);
      assert.deepEqual(await statusEvents(testApp, customerId), [{ customerId, from: 'active', to: 'locked' }]);

      const again = await call(testApp, desk, `/customers/${customerId}/lock`, reason);
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json().code, 'customer_status_conflict');
    });
  });

  describe(`unlocking a customer, four-eyes (${database})`, () => {
    it('waits for a second operator; the requester cannot approve it; then the customer signs in again', async (t) => {
      const { testApp, desk, approver } = await customersDesk(t, database);
      const { driver, credentials, session, customerId } = await signedInCustomer(testApp);
      assert.equal((await call(testApp, desk, `/customers/${customerId}/lock`, reason)).statusCode, 200);

      const requested = await call(testApp, desk, `/customers/${customerId}/unlock`, { reason: 'Case FR-4711 closed' });
      assert.equal(requested.statusCode, 202, requested.body);
      assert.equal(requested.json().action, 'customers.unlock');
      assert.deepEqual(requested.json().subject, { kind: 'customer', id: customerId });
      assert.deepEqual(requested.json().request, { customerId, fromStatus: 'locked', reason: 'Case FR-4711 closed' });
      assert.equal(await statusOf(testApp, customerId), 'locked', 'one operator unlocks nothing');

      const own = await approve(testApp, desk, requested.json().id);
      assert.equal(own.statusCode, 403, own.body);
      assert.equal(own.json().code, 'approval_own_request');
      assert.equal(await statusOf(testApp, customerId), 'locked');

      const approved = await approve(testApp, approver, requested.json().id);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().status, 'executed', approved.body);
      assert.equal(await statusOf(testApp, customerId), 'active');

      // A new sign-in works; the session of before the lock does not come back.
      const again = await driver.signIn(credentials);
      assert.equal((await meStatus(again)).status, 200);
      assert.equal(await refreshErrorOf(driver, session.refreshToken), 'invalid_grant');

      const unlocked = (await auditTrail(testApp, customerId)).find((r) => r.action === 'customer.unlocked');
      assert.equal(unlocked?.actor.id, desk.id);
      assert.equal(unlocked?.details.approvedBy, approver.id);
      assert.equal(unlocked?.details.from, 'locked');
    });

    it("fails the approval with 409 when the customer's status changed after the request, and changes nothing", async (t) => {
      const { testApp, desk, approver } = await customersDesk(t, database);
      const customerId = await createCustomer(testApp.deps.db);
      assert.equal((await call(testApp, desk, `/customers/${customerId}/lock`, reason)).statusCode, 200);
      const unlock = await call(testApp, desk, `/customers/${customerId}/unlock`, reason);
      assert.equal(unlock.statusCode, 202, unlock.body);
      const close = await call(testApp, desk, `/customers/${customerId}/close`, reason);
      assert.equal(close.statusCode, 202, close.body);
      assert.equal(close.json().request.fromStatus, 'locked');

      const closed = await approve(testApp, approver, close.json().id);
      assert.equal(closed.json().status, 'executed', closed.body);
      assert.equal(await statusOf(testApp, customerId), 'closed');

      const stale = await approve(testApp, approver, unlock.json().id);
      assert.equal(stale.statusCode, 200, stale.body);
      assert.equal(stale.json().status, 'failed', stale.body);
      assert.deepEqual(stale.json().outcome, { status: 409, code: 'customer_status_conflict' });
      assert.equal(await statusOf(testApp, customerId), 'closed', 'closing is final');
      assert.deepEqual(await statusEvents(testApp, customerId), [
        { customerId, from: 'active', to: 'locked' },
        { customerId, from: 'locked', to: 'closed' },
      ]);
    });
  });
}

describe('closing a customer', () => {
  it('is refused while an account is open, when requested and when approved', async (t) => {
    const { testApp, desk, approver } = await customersDesk(t);
    const withAccount = await createCustomer(testApp.deps.db);
    await openAccount(testApp, withAccount);
    const refused = await call(testApp, desk, `/customers/${withAccount}/close`, reason);
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'customer_has_open_accounts');
    const { rows } = await testApp.deps.db.query('SELECT 1 FROM approvals WHERE subject_id = $1', [withAccount]);
    assert.equal(rows.length, 0, 'no approval stored');

    const customerId = await createCustomer(testApp.deps.db);
    const requested = await call(testApp, desk, `/customers/${customerId}/close`, reason);
    assert.equal(requested.statusCode, 202, requested.body);
    assert.equal(requested.json().request.fromStatus, 'active');
    await openAccount(testApp, customerId);
    const approved = await approve(testApp, approver, requested.json().id);
    assert.equal(approved.json().status, 'failed', approved.body);
    assert.deepEqual(approved.json().outcome, { status: 409, code: 'customer_has_open_accounts' });
    assert.equal(await statusOf(testApp, customerId), 'active');
  });

  it("ends the customer's tokens once approved, and refuses unlocking a closed customer", async (t) => {
    const { testApp, desk, approver } = await customersDesk(t);
    const { session, customerId } = await signedInCustomer(testApp);
    const requested = await call(testApp, desk, `/customers/${customerId}/close`, reason);
    assert.equal(requested.statusCode, 202, requested.body);
    assert.equal((await meStatus(session)).status, 200, 'nothing changes before the approval');
    assert.equal((await approve(testApp, approver, requested.json().id)).json().status, 'executed');
    await assertRefused(session);
    assert.deepEqual(await meByStatusOnly(testApp, customerId), { status: 401, code: 'customer_inactive' });
    const unlock = await call(testApp, desk, `/customers/${customerId}/unlock`, reason);
    assert.equal(unlock.statusCode, 409, unlock.body);
    assert.equal(unlock.json().code, 'customer_status_conflict');
    const closed = (await auditTrail(testApp, customerId)).find((r) => r.action === 'customer.closed');
    assert.equal(closed?.details.approvedBy, approver.id);
  });
});

describe('customer status routes refuse', () => {
  it('an operator without the customers role (403), and audit the refusal', async (t) => {
    const { testApp } = await customersDesk(t);
    const customerId = await createCustomer(testApp.deps.db);
    const accountsDesk = await signedInOperator(testApp, ['accounts', 'support', 'approver'], 'Accounts desk');
    for (const action of ['lock', 'unlock', 'close']) {
      const refused = await call(testApp, accountsDesk, `/customers/${customerId}/${action}`, reason);
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().code, 'operator_role_missing');
    }
    assert.equal(await statusOf(testApp, customerId), 'active');
    await testApp.services.audit.seal();
    const { rows } = await testApp.deps.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM audit_log WHERE action = 'backoffice.access_refused' AND actor_id = $1`,
      [accountsDesk.id],
    );
    assert.equal(Number(rows[0]?.n), 3);
  });

  it('an unknown customer with 404 customer_not_found, for every action', async (t) => {
    const { testApp, desk } = await customersDesk(t);
    for (const action of ['lock', 'unlock', 'close']) {
      const refused = await call(testApp, desk, `/customers/cus_01jf8x9k2m3n4p5q6r7s8t9v0w/${action}`, reason);
      assert.equal(refused.statusCode, 404, refused.body);
      assert.equal(refused.json().code, 'customer_not_found');
      assert.match(String(refused.headers['content-type']), /application\/problem\+json/);
    }
  });

  it('a missing, blank, over-long or format-character reason with 400, locking nothing', async (t) => {
    const { testApp, desk } = await customersDesk(t);
    const customerId = await createCustomer(testApp.deps.db);
    for (const payload of [
      {},
      { reason: '' },
      { reason: '   ' },
      { reason: 'x'.repeat(141) },
      { reason: 'case\u202E1174' },
    ]) {
      const refused = await call(testApp, desk, `/customers/${customerId}/lock`, payload);
      assert.equal(refused.statusCode, 400, `${JSON.stringify(payload)}: ${refused.body}`);
      assert.equal(refused.json().code, 'validation_failed');
      assert.ok(
        refused.json().errors.some((e: { pointer: string }) => e.pointer.startsWith('/body')),
        refused.body,
      );
    }
    assert.equal(await statusOf(testApp, customerId), 'active');
  });

  it('a customer token with 403 operator_only', async (t) => {
    const { testApp } = await customersDesk(t);
    const customerId = await createCustomer(testApp.deps.db);
    const refused = await testApp.injectAs(customerId, {
      method: 'POST',
      url: `/backoffice/v1/customers/${customerId}/unlock`,
      payload: reason,
    });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().code, 'operator_only');
  });

  it('shows support the status, auditing the look-up', async (t) => {
    const { testApp, desk } = await customersDesk(t);
    const customerId = await createCustomer(testApp.deps.db);
    assert.equal((await call(testApp, desk, `/customers/${customerId}/lock`, reason)).statusCode, 200);
    const support = await signedInOperator(testApp, ['support'], 'Support');
    const shown = await testApp.app.inject({
      url: `/backoffice/v1/customers/${customerId}/status`,
      headers: { authorization: support.authorization },
    });
    assert.equal(shown.statusCode, 200, shown.body);
    assert.deepEqual(shown.json(), { id: customerId, status: 'locked' });
    const viewed = (await auditTrail(testApp, customerId)).find(
      (r) => r.action === 'backoffice.customer_status_viewed',
    );
    assert.equal(viewed?.actor.id, support.id);
  });
});

/** The alert paragraph of a sign-in page: what the customer is told. */
const alertOf = (html: string) => /<p class="alert" role="alert">([^<]*)<\/p>/.exec(html)?.[1];

async function submitPassword(testApp: TestApp, email: string, password: string) {
  const attempt = await oauthDriver(testApp.app).beginSignIn();
  return { attempt, response: await attempt.submit(email, password) };
}

describe('a locked or closed customer signing in', () => {
  it('is told to contact the bank after the right password; a wrong password or unknown e-mail learns nothing', async (t) => {
    const { testApp, desk, approver } = await customersDesk(t);
    const { credentials, customerId } = await signedInCustomer(testApp);
    const unknown = await submitPassword(
      testApp,
      `${randomBytes(6).toString('hex')}@example.com`,
      'any password at all',
    );
    assert.equal(unknown.response.status, 401);
    assert.equal((await call(testApp, desk, `/customers/${customerId}/lock`, reason)).statusCode, 200);

    const wrong = await submitPassword(testApp, credentials.email, 'not the password at all');
    assert.equal(wrong.response.status, 401);
    assert.equal(alertOf(wrong.response.body), alertOf(unknown.response.body), 'the same answer as an unknown e-mail');

    const right = await submitPassword(testApp, credentials.email, credentials.password);
    assert.equal(right.response.status, 403, right.response.body);
    assert.match(alertOf(right.response.body) ?? '', /locked by the bank\. Contact the bank/);
    assert.equal(right.response.headers.location, undefined, 'not signed in');

    const close = await call(testApp, desk, `/customers/${customerId}/close`, reason);
    assert.equal((await approve(testApp, approver, close.json().id)).json().status, 'executed');
    const closed = await submitPassword(testApp, credentials.email, credentials.password);
    assert.equal(closed.response.status, 403, closed.response.body);
    assert.match(alertOf(closed.response.body) ?? '', /relationship with the bank has ended/);

    const refusals = (await auditTrail(testApp, customerId)).filter((r) => r.action === 'customer.sign_in_refused');
    assert.deepEqual(
      refusals.map((r) => r.details.customerStatus),
      ['closed', 'locked'],
      'newest first',
    );
  });

  it('with a passkey, is told only after the passkey step too', async (t) => {
    const { testApp, desk } = await customersDesk(t);
    const { credentials, customerId } = await signedInCustomer(testApp);
    const authenticator = createSoftwareAuthenticator({ origin: 'http://localhost:3000' });
    await registerPasskey(testApp, customerId, authenticator);
    assert.equal((await call(testApp, desk, `/customers/${customerId}/lock`, reason)).statusCode, 200);

    const { attempt, response } = await submitPassword(testApp, credentials.email, credentials.password);
    assert.equal(response.status, 303, 'the password alone tells nothing: on to the passkey step');
    assert.match(String(response.headers.location), /\/passkey$/);
    const step = await passkeyStep(attempt, authenticator);
    assert.equal(step.status, 403, step.body);
    assert.equal(JSON.parse(step.body).code, 'customer_inactive');
    assert.match(JSON.parse(step.body).detail, /Contact the bank/);
  });
});
