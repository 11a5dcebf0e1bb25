import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OperatorRole } from '../src/backoffice/roles.ts';
import { freshKey, fundedCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp, type TestDatabaseKind, testDatabaseKinds } from './helper.ts';
import { type SignedInOperator, signedInOperator } from './operators.ts';

type Operator = SignedInOperator;

function call(testApp: TestApp, operator: Operator, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  return testApp.app.inject({
    method,
    url: `/backoffice/v1${url}`,
    headers: { authorization: operator.authorization, 'idempotency-key': freshKey() },
    ...(payload ? { payload } : {}),
  });
}

const creditOf = (accountId: string, amount = '250.00') => ({
  accountId,
  amount: { amount, currency: 'EUR' },
  description: 'Goodwill refund',
});

async function balanceOf(testApp: TestApp, customerId: string, accountId: string) {
  return (await testApp.services.accounts.getAccount(customerId, accountId)).balance.amount;
}

/** A customer with 100.00, a requester (payments, accounts, approver) and a second approver. */
async function deskWithTwoOperators(t: Parameters<typeof buildTestApp>[0], database: TestDatabaseKind) {
  const testApp = await buildTestApp(t, { database });
  const { customerId, account } = await fundedCustomer(testApp);
  const requester = await signedInOperator(testApp, ['payments', 'accounts', 'approver'], 'Requester');
  const approver = await signedInOperator(testApp, ['approver'], 'Approver');
  return { testApp, customerId, account, requester, approver };
}

for (const database of testDatabaseKinds) {
  describe(`back-office roles (${database})`, () => {
    it('let each role do only its own actions (matrix)', async (t) => {
      const testApp = await buildTestApp(t, { database });
      const { customerId, account } = await fundedCustomer(testApp);
      const roles: OperatorRole[] = ['support', 'payments', 'accounts', 'compliance', 'approver'];
      const operators = new Map<OperatorRole, Operator>();
      for (const role of roles) operators.set(role, await signedInOperator(testApp, [role], role));
      const actions: {
        role: OperatorRole;
        method: 'GET' | 'POST' | 'PUT';
        url: string;
        payload?: object;
        ok: number;
      }[] = [
        { role: 'support', method: 'GET', url: `/accounts/${account.id}`, ok: 200 },
        { role: 'support', method: 'GET', url: `/audit-records?subjectKind=account&subjectId=${account.id}`, ok: 200 },
        { role: 'payments', method: 'POST', url: '/credits', payload: creditOf(account.id), ok: 202 },
        { role: 'accounts', method: 'POST', url: `/accounts/${account.id}/freeze`, ok: 200 },
        { role: 'accounts', method: 'POST', url: `/accounts/${account.id}/unfreeze`, ok: 202 },
        { role: 'approver', method: 'GET', url: '/approvals', ok: 200 },
        {
          role: 'compliance',
          method: 'PUT',
          url: `/customers/${customerId}/limit-overrides`,
          payload: { currency: 'EUR', perTransferMaximum: '5000.00', dailyMaximum: '20000.00', reason: 'Checked' },
          ok: 202,
        },
      ];
      for (const action of actions) {
        for (const role of roles) {
          const response = await call(
            testApp,
            operators.get(role) as Operator,
            action.method,
            action.url,
            action.payload,
          );
          const what = `${role} ${action.method} ${action.url}`;
          if (role === action.role) {
            assert.equal(response.statusCode, action.ok, `${what}: ${response.body}`);
          } else {
            assert.equal(response.statusCode, 403, what);
            assert.equal(response.json().code, 'operator_role_missing', what);
          }
        }
      }
    });

    it('keep the shared automation client out where BACKOFFICE_AUTOMATION is off', async (t) => {
      const testApp = await buildTestApp(t, { database, env: { BACKOFFICE_AUTOMATION: 'false' } });
      const { account } = await fundedCustomer(testApp);
      const response = await testApp.app.inject({
        method: 'POST',
        url: '/backoffice/v1/credits',
        headers: { authorization: `Bearer ${await testApp.operatorToken()}`, 'idempotency-key': freshKey() },
        payload: creditOf(account.id),
      });
      assert.equal(response.statusCode, 403);
      assert.equal(response.json().code, 'backoffice_automation_disabled');
    });
  });
}

for (const database of testDatabaseKinds) {
  describe(`four-eyes approvals (${database})`, () => {
    it('hold a manual credit until a second operator approves it, then execute it once', async (t) => {
      const { testApp, customerId, account, requester, approver } = await deskWithTwoOperators(t, database);
      const key = freshKey();
      const request = () =>
        testApp.app.inject({
          method: 'POST',
          url: '/backoffice/v1/credits',
          headers: { authorization: requester.authorization, 'idempotency-key': key },
          payload: creditOf(account.id),
        });
      const requested = await request();
      assert.equal(requested.statusCode, 202);
      const approval = requested.json();
      assert.match(approval.id, /^apr_/);
      assert.equal(approval.status, 'pending');
      assert.equal(approval.action, 'payments.credit');
      assert.equal(approval.requestedBy, requester.id);
      assert.equal(approval.request.amount, '250.00');
      const replay = await request();
      assert.equal(replay.json().id, approval.id);
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      assert.equal(await balanceOf(testApp, customerId, account.id), '100.00');

      const own = await call(testApp, requester, 'POST', `/approvals/${approval.id}/approve`);
      assert.equal(own.statusCode, 403);
      assert.equal(own.json().code, 'approval_own_request');
      assert.equal(await balanceOf(testApp, customerId, account.id), '100.00');

      const approved = await call(testApp, approver, 'POST', `/approvals/${approval.id}/approve`);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().status, 'executed');
      assert.equal(approved.json().decidedBy, approver.id);
      assert.match(approved.json().outcome.resultId, /^jnl_/);
      const again = await call(testApp, approver, 'POST', `/approvals/${approval.id}/approve`);
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'approval_already_decided');
      assert.equal(await balanceOf(testApp, customerId, account.id), '350.00');
    });

    it('execute once when two approvers approve the same request at the same moment', async (t) => {
      const { testApp, customerId, account, requester, approver } = await deskWithTwoOperators(t, database);
      const other = await signedInOperator(testApp, ['approver'], 'Other approver');
      const approval = (await call(testApp, requester, 'POST', '/credits', creditOf(account.id))).json();
      const answers = await Promise.all([
        call(testApp, approver, 'POST', `/approvals/${approval.id}/approve`),
        call(testApp, other, 'POST', `/approvals/${approval.id}/approve`),
      ]);
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 409]);
      assert.equal(await balanceOf(testApp, customerId, account.id), '350.00');
    });

    it('keep others out while one approver executes, and free a claim whose approver went away', async (t) => {
      const { testApp, customerId, account, requester, approver } = await deskWithTwoOperators(t, database);
      const other = await signedInOperator(testApp, ['approver'], 'Other approver');
      const approval = (await call(testApp, requester, 'POST', '/credits', creditOf(account.id))).json();
      // As the claim of an approver whose process is executing the credit (or died doing so) leaves it.
      const claim = (interval: string) =>
        testApp.deps.db.query(
          `UPDATE approvals SET claimed_by = $2, claimed_until = now() + $3::interval WHERE id = $1`,
          [approval.id, approver.id, interval],
        );
      await claim('1 minute');
      const busy = await call(testApp, other, 'POST', `/approvals/${approval.id}/approve`);
      assert.equal(busy.statusCode, 409);
      assert.equal(busy.json().code, 'approval_in_progress');
      const rejected = await call(testApp, other, 'POST', `/approvals/${approval.id}/reject`, { reason: 'No' });
      assert.equal(rejected.json().code, 'approval_in_progress');
      assert.equal(await balanceOf(testApp, customerId, account.id), '100.00');
      await claim('-1 second');
      const approved = await call(testApp, other, 'POST', `/approvals/${approval.id}/approve`);
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.json().status, 'executed');
      assert.equal(approved.json().decidedBy, other.id);
      assert.equal(await balanceOf(testApp, customerId, account.id), '350.00');
    });

    it('can be rejected with a reason; nothing is executed and the request stays decided', async (t) => {
      const { testApp, customerId, account, requester, approver } = await deskWithTwoOperators(t, database);
      const approval = (await call(testApp, requester, 'POST', '/credits', creditOf(account.id))).json();
      const ownRejection = await call(testApp, requester, 'POST', `/approvals/${approval.id}/reject`, { reason: 'x' });
      assert.equal(ownRejection.json().code, 'approval_own_request');
      const rejected = await call(testApp, approver, 'POST', `/approvals/${approval.id}/reject`, {
        reason: 'No ticket for this refund',
      });
      assert.equal(rejected.statusCode, 200);
      assert.equal(rejected.json().status, 'rejected');
      assert.equal(rejected.json().reason, 'No ticket for this refund');
      const late = await call(testApp, approver, 'POST', `/approvals/${approval.id}/approve`);
      assert.equal(late.json().code, 'approval_already_decided');
      assert.equal(await balanceOf(testApp, customerId, account.id), '100.00');
    });

    it('expire: an expired request cannot be approved and leaves the pending list', async (t) => {
      const { testApp, customerId, account, requester, approver } = await deskWithTwoOperators(t, database);
      const approval = (await call(testApp, requester, 'POST', '/credits', creditOf(account.id))).json();
      const listed = await call(testApp, approver, 'GET', '/approvals');
      assert.deepEqual(
        listed.json().data.map((a: { id: string }) => a.id),
        [approval.id],
      );
      await testApp.deps.db.query(
        `UPDATE approvals SET requested_at = now() - interval '2 days', expires_at = now() - interval '1 day' WHERE id = $1`,
        [approval.id],
      );
      const expired = await call(testApp, approver, 'POST', `/approvals/${approval.id}/approve`);
      assert.equal(expired.statusCode, 409);
      assert.equal(expired.json().code, 'approval_expired');
      assert.equal((await call(testApp, approver, 'GET', `/approvals/${approval.id}`)).json().status, 'expired');
      assert.deepEqual((await call(testApp, approver, 'GET', '/approvals')).json().data, []);
      assert.equal(await balanceOf(testApp, customerId, account.id), '100.00');
    });

    it('unfreeze an account only after a second operator approves; freezing is immediate', async (t) => {
      const { testApp, customerId, account, requester, approver } = await deskWithTwoOperators(t, database);
      const frozen = await call(testApp, requester, 'POST', `/accounts/${account.id}/freeze`);
      assert.deepEqual(frozen.json(), { id: account.id, status: 'frozen' });
      const requested = await call(testApp, requester, 'POST', `/accounts/${account.id}/unfreeze`);
      assert.equal(requested.statusCode, 202);
      assert.equal((await testApp.services.accounts.getAccount(customerId, account.id)).status, 'frozen');
      const approved = await call(testApp, approver, 'POST', `/approvals/${requested.json().id}/approve`);
      assert.equal(approved.json().status, 'executed');
      assert.equal((await testApp.services.accounts.getAccount(customerId, account.id)).status, 'open');
      const notFrozen = await call(testApp, requester, 'POST', `/accounts/${account.id}/unfreeze`);
      assert.equal(notFrozen.json().code, 'account_not_frozen');
    });

    it("change a customer's limits only after a second operator approves", async (t) => {
      const { testApp, customerId, approver } = await deskWithTwoOperators(t, database);
      const compliance = await signedInOperator(testApp, ['compliance'], 'Compliance');
      const requested = await call(testApp, compliance, 'PUT', `/customers/${customerId}/limit-overrides`, {
        currency: 'EUR',
        perTransferMaximum: '5000.00',
        dailyMaximum: '20000.00',
        reason: 'Business customer, documents checked',
      });
      assert.equal(requested.statusCode, 202, requested.body);
      assert.equal(requested.json().action, 'limits.override');
      const sourceOf = async () =>
        (await testApp.services.limits.limitsOf(customerId)).limits.find((l) => l.currency === 'EUR')?.source;
      assert.equal(await sourceOf(), 'tier');
      const approved = await call(testApp, approver, 'POST', `/approvals/${requested.json().id}/approve`);
      assert.equal(approved.json().status, 'executed', approved.body);
      assert.equal(await sourceOf(), 'override');
    });

    it('record a failed outcome when the action is refused at execution time', async (t) => {
      const { testApp, customerId, account, requester, approver } = await deskWithTwoOperators(t, database);
      const approval = (await call(testApp, requester, 'POST', '/credits', creditOf(account.id))).json();
      await testApp.services.accounts.freezeByBank(account.id);
      const approved = await call(testApp, approver, 'POST', `/approvals/${approval.id}/approve`);
      assert.equal(approved.statusCode, 200);
      assert.equal(approved.json().status, 'failed');
      assert.deepEqual(approved.json().outcome, { status: 422, code: 'account_frozen' });
      await testApp.services.accounts.unfreezeByBank(account.id);
      assert.equal(await balanceOf(testApp, customerId, account.id), '100.00');
    });

    it('leave an intact audit trail of every request, decision and action', async (t) => {
      const { testApp, account, requester, approver } = await deskWithTwoOperators(t, database);
      const approval = (await call(testApp, requester, 'POST', '/credits', creditOf(account.id))).json();
      await call(testApp, approver, 'POST', `/approvals/${approval.id}/approve`);
      await call(testApp, requester, 'POST', `/accounts/${account.id}/freeze`);
      const { audit } = testApp.services;
      await audit.seal();
      const trail = await audit.recordsAbout({ kind: 'approval', id: approval.id }, 10);
      assert.deepEqual(
        trail.map((r) => [r.action, r.actor.id]),
        [
          ['backoffice.approval_executed', approver.id],
          ['backoffice.approval_requested', requester.id],
        ],
      );
      assert.equal(trail[0]?.details.requestedBy, requester.id);
      const accountTrail = await audit.recordsAbout({ kind: 'account', id: account.id }, 10);
      assert.deepEqual(
        accountTrail.map((r) => [r.action, r.actor.id]),
        [['accounts.frozen_by_bank', requester.id]],
      );
      assert.deepEqual((await audit.verify()).findings, []);
    });
  });
}
