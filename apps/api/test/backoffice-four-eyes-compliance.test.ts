import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createCustomer,
  currentSubmission,
  freshKey,
  openAccount,
  pendingKycCustomer,
  samplePassport,
} from './fixtures.ts';
import { buildTestApp, type TestApp, type TestDatabaseKind, testDatabaseKinds } from './helper.ts';
import { type SignedInOperator, signedInOperator } from './operators.ts';

/**
 * Four-eyes (SOX segregation of duties, docs/adr/0042-four-eyes-approvals.md) for the compliance
 * desk: erasing a customer and raising a customer's limits (a higher KYC tier, or removing an
 * override that held them below their tier) wait for a second operator.
 */
function call(
  testApp: TestApp,
  operator: SignedInOperator,
  method: 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: object,
) {
  return testApp.app.inject({
    method,
    url: `/backoffice/v1${url}`,
    headers: { authorization: operator.authorization, 'idempotency-key': freshKey() },
    ...(payload ? { payload } : {}),
  });
}

async function complianceDesk(t: Parameters<typeof buildTestApp>[0], database: TestDatabaseKind) {
  const testApp = await buildTestApp(t, { database });
  const compliance = await signedInOperator(testApp, ['compliance', 'approver'], 'Compliance');
  const approver = await signedInOperator(testApp, ['approver'], 'Approver');
  return { testApp, compliance, approver };
}

const approve = (testApp: TestApp, approver: SignedInOperator, approvalId: string) =>
  call(testApp, approver, 'POST', `/approvals/${approvalId}/approve`);

async function approvalCount(testApp: TestApp): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ n: string }>('SELECT count(*) AS n FROM approvals');
  return Number(rows[0]?.n);
}

for (const database of testDatabaseKinds) {
  describe(`four-eyes for erasure (${database})`, () => {
    it("holds a named operator's erasure until a second operator approves it", async (t) => {
      const { testApp, compliance, approver } = await complianceDesk(t, database);
      const customerId = await createCustomer(testApp.deps.db);
      const requested = await call(testApp, compliance, 'POST', `/customers/${customerId}/erasure`);
      assert.equal(requested.statusCode, 202, requested.body);
      assert.equal(requested.json().action, 'customers.erase');
      assert.deepEqual(requested.json().subject, { kind: 'customer', id: customerId });
      assert.equal(await testApp.services.identity.isErased(customerId), false, 'one operator erases nothing');

      const own = await approve(testApp, compliance, requested.json().id);
      assert.equal(own.statusCode, 403);
      assert.equal(own.json().code, 'approval_own_request');
      assert.equal(await testApp.services.identity.isErased(customerId), false);

      const approved = await approve(testApp, approver, requested.json().id);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().status, 'executed', approved.body);
      assert.equal(await testApp.services.identity.isErased(customerId), true);

      const { audit } = testApp.services;
      await audit.seal();
      const trail = await audit.recordsAbout({ kind: 'customer', id: customerId }, 10);
      const erased = trail.find((record) => record.action === 'customer.erased');
      assert.equal(erased?.actor.id, compliance.id);
      assert.equal(erased?.details.approvedBy, approver.id);
      assert.deepEqual((await audit.verify()).findings, []);
    });

    it('refuses at request time while an account is open, storing no approval', async (t) => {
      const { testApp, compliance } = await complianceDesk(t, database);
      const customerId = await createCustomer(testApp.deps.db);
      await openAccount(testApp, customerId);
      const before = await approvalCount(testApp);
      const refused = await call(testApp, compliance, 'POST', `/customers/${customerId}/erasure`);
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().code, 'customer_has_open_accounts');
      assert.equal(await approvalCount(testApp), before);
    });

    it('records a failed outcome when an account was opened before the approval', async (t) => {
      const { testApp, compliance, approver } = await complianceDesk(t, database);
      const customerId = await createCustomer(testApp.deps.db);
      const requested = await call(testApp, compliance, 'POST', `/customers/${customerId}/erasure`);
      assert.equal(requested.statusCode, 202, requested.body);
      await openAccount(testApp, customerId);
      const approved = await approve(testApp, approver, requested.json().id);
      assert.equal(approved.json().status, 'failed', approved.body);
      assert.deepEqual(approved.json().outcome, { status: 409, code: 'customer_has_open_accounts' });
      assert.equal(await testApp.services.identity.isErased(customerId), false);
    });

    it('answers 404 at request time for an unknown customer', async (t) => {
      const { testApp, compliance } = await complianceDesk(t, database);
      const refused = await call(testApp, compliance, 'POST', '/customers/cus_01jf8x9k2m3n4p5q6r7s8t9v0w/erasure');
      assert.equal(refused.statusCode, 404, refused.body);
      assert.equal(refused.json().code, 'customer_not_found');
    });
  });
}

const tierOf = async (testApp: TestApp, customerId: string) => (await testApp.services.kyc.review(customerId)).tier;

for (const database of testDatabaseKinds) {
  describe(`four-eyes for raising limits (${database})`, () => {
    it('lets one operator verify at the lowest tier, but a higher tier waits for a second operator', async (t) => {
      const { testApp, compliance, approver } = await complianceDesk(t, database);
      const lowest = await pendingKycCustomer(testApp);
      const submissionId = await currentSubmission(testApp, lowest);
      const direct = await call(testApp, compliance, 'POST', `/customers/${lowest}/kyc/verify`, {
        tier: 1,
        submissionId,
      });
      assert.equal(direct.statusCode, 200, direct.body);
      assert.equal(direct.json().tier, 1);

      const raised = await call(testApp, compliance, 'POST', `/customers/${lowest}/kyc/verify`, {
        tier: 3,
        submissionId,
      });
      assert.equal(raised.json().request.submissionId, submissionId, 'the approval names the reviewed submission');
      assert.equal(raised.statusCode, 202, raised.body);
      assert.equal(raised.json().action, 'kyc.verify');
      assert.equal(await tierOf(testApp, lowest), 1, 'one operator raises nothing');
      const approved = await approve(testApp, approver, raised.json().id);
      assert.equal(approved.json().status, 'executed', approved.body);
      assert.equal(await tierOf(testApp, lowest), 3);

      const lowered = await call(testApp, compliance, 'POST', `/customers/${lowest}/kyc/verify`, {
        tier: 2,
        submissionId,
      });
      assert.equal(lowered.statusCode, 200, 'lowering limits protects the bank: immediate');
      assert.equal(await tierOf(testApp, lowest), 2);

      const pending = await pendingKycCustomer(testApp);
      const high = await call(testApp, compliance, 'POST', `/customers/${pending}/kyc/verify`, {
        tier: 2,
        submissionId: await currentSubmission(testApp, pending),
      });
      assert.equal(high.statusCode, 202, high.body);
      assert.equal((await testApp.services.kyc.review(pending)).status, 'pending');
    });

    it('fails an approved verification when the customer replaced the document during the approval window', async (t) => {
      const { testApp, compliance, approver } = await complianceDesk(t, database);
      const customerId = await pendingKycCustomer(testApp);
      const reviewed = await currentSubmission(testApp, customerId);
      const requested = await call(testApp, compliance, 'POST', `/customers/${customerId}/kyc/verify`, {
        tier: 3,
        submissionId: reviewed,
      });
      assert.equal(requested.statusCode, 202, requested.body);
      const replaced = await testApp.injectAs(customerId, {
        method: 'PUT',
        url: '/api/v1/me/kyc',
        payload: { ...samplePassport, legalName: 'Jane Doe', documentNumber: 'X99999999' },
      });
      assert.equal(replaced.statusCode, 200, replaced.body);

      const approved = await approve(testApp, approver, requested.json().id);
      assert.equal(approved.json().status, 'failed', approved.body);
      assert.deepEqual(approved.json().outcome, { status: 409, code: 'kyc_submission_replaced' });
      const now = await testApp.services.kyc.review(customerId);
      assert.deepEqual([now.status, now.tier], ['pending', null]);

      const stale = await call(testApp, compliance, 'POST', `/customers/${customerId}/kyc/verify`, {
        tier: 3,
        submissionId: reviewed,
      });
      assert.equal(stale.statusCode, 409, 'no approval is asked for a replaced submission');
      assert.equal(stale.json().code, 'kyc_submission_replaced');
    });

    it('holds removing an override that kept a customer below their tier; removing a raise is immediate', async (t) => {
      const { testApp, compliance, approver } = await complianceDesk(t, database);
      const customerId = await createCustomer(testApp.deps.db);
      const setOverride = (perTransferMaxMinor: bigint, dailyMaxMinor: bigint) =>
        testApp.services.limits.setLimitOverride({
          customerId,
          currency: 'EUR',
          perTransferMaxMinor,
          dailyMaxMinor,
          reason: 'test',
          operator: 'opr_test',
        });
      const sourceOf = async () =>
        (await testApp.services.limits.limitsOf(customerId)).limits.find((l) => l.currency === 'EUR')?.source;
      await setOverride(10_00n, 20_00n); // a restriction, e.g. while fraud is investigated
      const lifted = await call(testApp, compliance, 'DELETE', `/customers/${customerId}/limit-overrides?currency=EUR`);
      assert.equal(lifted.statusCode, 202, lifted.body);
      assert.equal(lifted.json().action, 'limits.override_removal');
      assert.equal(await sourceOf(), 'override', 'one operator lifts no restriction');
      const approved = await approve(testApp, approver, lifted.json().id);
      assert.equal(approved.json().status, 'executed', approved.body);
      assert.equal(await sourceOf(), 'tier');

      await setOverride(900_000_00n, 9_000_000_00n); // above tier 3
      const lowered = await call(
        testApp,
        compliance,
        'DELETE',
        `/customers/${customerId}/limit-overrides?currency=EUR`,
      );
      assert.equal(lowered.statusCode, 200, lowered.body);
      assert.equal(await sourceOf(), 'tier');
    });

    it('refuses an override request for an erased customer, or an inconsistent, zero or negative one, at request time', async (t) => {
      const { testApp, compliance } = await complianceDesk(t, database);
      const customerId = await createCustomer(testApp.deps.db);
      await testApp.services.gdpr.eraseCustomer({ customerId, operatorId: 'opr_test' });
      const before = await approvalCount(testApp);
      const body = { currency: 'EUR', perTransferMaximum: '5000.00', dailyMaximum: '20000.00', reason: 'Checked' };
      const erased = await call(testApp, compliance, 'PUT', `/customers/${customerId}/limit-overrides`, body);
      assert.equal(erased.statusCode, 404, erased.body);
      assert.equal(erased.json().code, 'customer_not_found');
      const other = await createCustomer(testApp.deps.db);
      const inconsistent = await call(testApp, compliance, 'PUT', `/customers/${other}/limit-overrides`, {
        ...body,
        perTransferMaximum: '30000.00',
      });
      assert.equal(inconsistent.statusCode, 422, inconsistent.body);
      assert.equal(inconsistent.json().code, 'limit_override_inconsistent');
      for (const amount of ['0.00', '-5.00']) {
        const unusable = await call(testApp, compliance, 'PUT', `/customers/${other}/limit-overrides`, {
          ...body,
          perTransferMaximum: amount,
        });
        assert.equal(unusable.statusCode, 400, unusable.body);
        assert.equal(unusable.json().code, 'amount_not_positive');
      }
      assert.equal(await approvalCount(testApp), before);
    });
  });
}
