import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSoftwareAuthenticator, type SoftwareAuthenticator } from '@nextgen/testkit';
import {
  createCustomer,
  currentSubmission,
  freshKey,
  fundedCustomer,
  pendingKycCustomer,
  registerPasskey,
} from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';
import { type SignedInOperator, signedInOperator } from './operators.ts';

/**
 * One pass over everything an auditor asks about (docs/operations/audit.md): money movements,
 * credential changes (sign-ins through the login page: audit.test.ts), data exports, reveals, KYC decisions, and every back-office action
 * including refusals and the approvals lifecycle. Each must leave its record, and the chain must verify.
 */
const origin = 'http://localhost:3000';

function approve(authenticator: SoftwareAuthenticator, answer: { json(): Record<string, unknown> }) {
  const { stepUp } = answer.json() as {
    stepUp: { challengeId: string; publicKey: { challenge: string; rpId: string } };
  };
  return { stepUp: { challengeId: stepUp.challengeId, assertion: authenticator.getAssertion(stepUp.publicKey) } };
}

const backoffice = (
  testApp: TestApp,
  operator: SignedInOperator,
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
) =>
  testApp.app.inject({
    method,
    url: `/backoffice/v1${url}`,
    headers: { authorization: operator.authorization, 'idempotency-key': freshKey() },
    ...(payload ? { payload } : {}),
  });

async function customerActions(testApp: TestApp) {
  const registered = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/customers',
    payload: { name: 'Audited Person', email: 'audited.person@example.test', password: 'correct horse battery staple' },
  });
  assert.equal(registered.statusCode, 201, registered.body);
  const customerId: string = registered.json().id;
  const patched = await testApp.injectAs(customerId, {
    method: 'PATCH',
    url: '/api/v1/customers/me',
    payload: { phone: '+4930111222' },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.equal((await testApp.injectAs(customerId, { url: '/api/v1/customers/me/export' })).statusCode, 200);

  const payer = await fundedCustomer(testApp, 2_000_00n, 'Payer Person');
  const payee = await fundedCustomer(testApp, 0n, 'Payee Person');
  const authenticator = createSoftwareAuthenticator({ origin });
  await registerPasskey(testApp, payer.customerId, authenticator);
  const reveal = (payload?: Record<string, unknown>) =>
    testApp.injectAs(payer.customerId, {
      method: 'POST',
      url: `/api/v1/accounts/${payer.account.id}/reveal`,
      ...(payload ? { payload } : {}),
    });
  assert.equal((await reveal(approve(authenticator, await reveal()))).statusCode, 200);
  const saved = await testApp.injectAs(payer.customerId, {
    method: 'POST',
    url: '/api/v1/payees',
    payload: { name: 'Payee Person', iban: payee.account.iban },
  });
  assert.equal(saved.statusCode, 201, saved.body);
  const key = freshKey();
  const transfer = {
    fromAccountId: payer.account.id,
    to: { iban: payee.account.iban },
    amount: { amount: '750.00', currency: 'EUR' },
  };
  const send = (payload: Record<string, unknown>) =>
    testApp.injectAs(payer.customerId, {
      method: 'POST',
      url: '/api/v1/transfers',
      headers: { 'idempotency-key': key },
      payload,
    });
  const sent = await send({ ...transfer, ...approve(authenticator, await send(transfer)) });
  assert.equal(sent.statusCode, 201, sent.body);
  return { payer };
}

async function backofficeActions(testApp: TestApp, accountId: string) {
  const desk = await signedInOperator(testApp, ['payments', 'accounts', 'support', 'compliance'], 'Desk');
  const approver = await signedInOperator(testApp, ['approver'], 'Approver');
  const credit = { accountId, amount: { amount: '10.00', currency: 'EUR' }, description: 'Goodwill' };
  const first = await backoffice(testApp, desk, 'POST', '/credits', credit);
  assert.equal(first.statusCode, 202, first.body);
  assert.equal((await backoffice(testApp, approver, 'POST', `/approvals/${first.json().id}/approve`)).statusCode, 200);
  const second = await backoffice(testApp, desk, 'POST', '/credits', credit);
  const rejected = await backoffice(testApp, approver, 'POST', `/approvals/${second.json().id}/reject`, {
    reason: 'Duplicate',
  });
  assert.equal(rejected.statusCode, 200, rejected.body);
  assert.equal((await backoffice(testApp, approver, 'POST', '/credits', credit)).statusCode, 403);
  assert.equal((await backoffice(testApp, desk, 'GET', `/accounts/${accountId}`)).statusCode, 200);
  assert.equal((await backoffice(testApp, desk, 'POST', `/accounts/${accountId}/freeze`)).statusCode, 200);

  const applicant = await pendingKycCustomer(testApp, 'Applicant Person');
  assert.equal(
    (
      await backoffice(testApp, desk, 'POST', `/customers/${applicant}/kyc/verify`, {
        tier: 1,
        submissionId: await currentSubmission(testApp, applicant),
      })
    ).statusCode,
    200,
  );
  const leaving = await createCustomer(testApp.deps.db);
  const erasure = await backoffice(testApp, desk, 'POST', `/customers/${leaving}/erasure`);
  assert.equal(erasure.statusCode, 202, erasure.body);
  assert.equal(
    (await backoffice(testApp, approver, 'POST', `/approvals/${erasure.json().id}/approve`)).json().status,
    'executed',
  );
}

describe('the audit trail', () => {
  it('records every money movement, credential change, export, reveal, KYC decision and back-office action', async (t) => {
    const testApp = await buildTestApp(t);
    const { payer } = await customerActions(testApp);
    await backofficeActions(testApp, payer.account.id);
    const { audit } = testApp.services;
    await audit.seal();
    const { rows } = await testApp.deps.db.query<{ action: string }>('SELECT DISTINCT action FROM audit_log');
    const recorded = new Set(rows.map((r) => r.action));
    const expected = [
      'customer.profile_changed',
      'customer.data_exported',
      'passkey.registered',
      'account.number_revealed',
      'payee.created',
      'payment.approved',
      'payments.transfer_posted',
      'kyc.submitted',
      'kyc.verified',
      'backoffice.approval_requested',
      'backoffice.approval_executed',
      'backoffice.approval_rejected',
      'backoffice.access_refused',
      'backoffice.account_viewed',
      'accounts.frozen_by_bank',
      'backoffice.operator_token_issued',
      'customer.erased',
    ];
    assert.deepEqual(
      expected.filter((action) => !recorded.has(action)),
      [],
      'every audited action left its record',
    );
    assert.deepEqual((await audit.verify()).findings, []);
  });
});
