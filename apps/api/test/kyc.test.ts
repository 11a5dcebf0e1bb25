import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { createKycService, type KycSubmission } from '../src/compliance/kyc.ts';
import type { Screening, ScreeningSubject } from '../src/compliance/screening.ts';
import { createCustomer, currentSubmission, openAccount, rowCounts, samplePassport } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const passport: KycSubmission = samplePassport;

/** A customer as registration leaves them: no KYC profile yet; named as on the sample passport. */
async function unverifiedCustomer(testApp: TestApp, name: string = passport.legalName): Promise<string> {
  const customerId = await createCustomer(testApp.deps.db, name);
  await testApp.deps.db.query('DELETE FROM kyc_profiles WHERE customer_id = $1', [customerId]);
  return customerId;
}

const submitKyc = (testApp: TestApp, customerId: string, payload: object) =>
  testApp.injectAs(customerId, { method: 'PUT', url: '/api/v1/me/kyc', payload: payload as Record<string, unknown> });

async function asOperator(testApp: TestApp, method: 'GET' | 'POST', url: string, payload?: object) {
  return testApp.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
    ...(payload ? { payload: payload as Record<string, unknown> } : {}),
  });
}

async function kycEvents(testApp: TestApp, customerId: string) {
  const { rows } = await testApp.deps.db.query<{ topic: string; payload: Record<string, unknown> }>(
    "SELECT topic, payload FROM outbox_events WHERE aggregate_id = $1 AND topic LIKE 'customer.kyc_%' ORDER BY id",
    [customerId],
  );
  return rows;
}

describe('KYC onboarding', () => {
  it('stores a submitted identity document encrypted and shows it masked', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp);
    assert.equal((await testApp.injectAs(customerId, { url: '/api/v1/me/kyc' })).json().status, 'none');

    const submitted = await submitKyc(testApp, customerId, passport);
    assert.equal(submitted.statusCode, 200);
    const view = submitted.json();
    assert.equal(view.status, 'pending');
    assert.equal(view.tier, null);
    assert.deepEqual(view.document, {
      type: 'passport',
      legalName: 'A** L*******',
      number: '****0T47',
      issuingCountry: 'GB',
      nationality: 'GB',
      expiresOn: '2036-05-31',
      dateOfBirth: '1990-**-**',
    });
    assert.deepEqual((await testApp.injectAs(customerId, { url: '/api/v1/me/kyc' })).json(), view);
    const exported = await testApp.services.kyc.exportPersonalData(customerId);
    const { documentType, ...details } = passport;
    assert.deepEqual(exported?.document, { type: documentType, ...details });
    assert.equal(exported?.status, 'pending');

    const { rows } = await testApp.deps.db.query('SELECT * FROM kyc_profiles WHERE customer_id = $1', [customerId]);
    const raw = JSON.stringify(rows);
    for (const secret of ['C01X00T47', 'Lovelace', '1990-12-10', '2036-05-31'])
      assert.ok(!raw.includes(secret), `${secret} is stored in clear`);
    assert.match(String(rows[0]?.document_ciphertext), /^pd1\./);
    assert.match(view.submissionId, /^kys_/);
    assert.deepEqual(await kycEvents(testApp, customerId), [
      { topic: 'customer.kyc_submitted', payload: { customerId, submissionId: view.submissionId } },
    ]);
  });

  it('refuses an expired document and an underage customer, and stores nothing', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp);
    const before = await rowCounts(testApp.deps.db);
    const expired = await submitKyc(testApp, customerId, { ...passport, expiresOn: '2020-01-31' });
    assert.equal(expired.statusCode, 422);
    assert.equal(expired.json().code, 'document_expired');
    assert.equal(expired.json().errors[0].pointer, '/body/expiresOn');
    const child = new Date(Date.now() - 10 * 365 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const underage = await submitKyc(testApp, customerId, { ...passport, dateOfBirth: child });
    assert.equal(underage.statusCode, 422);
    assert.equal(underage.json().code, 'underage');
    const malformed = await submitKyc(testApp, customerId, { ...passport, dateOfBirth: '1990-02-30' });
    assert.equal(malformed.statusCode, 400);
    const lowercaseCountry = await submitKyc(testApp, customerId, { ...passport, nationality: 'gb' });
    assert.equal(lowercaseCountry.statusCode, 400);
    assert.deepEqual(await rowCounts(testApp.deps.db), before);
    assert.equal((await testApp.injectAs(customerId, { url: '/api/v1/me/kyc' })).json().status, 'none');
    assert.deepEqual(await kycEvents(testApp, customerId), []);
  });

  it('lets an operator verify a pending customer with a tier, after which they move money', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp);
    const checking = await openAccount(testApp, customerId, { fundMinor: 100_00n });
    const savings = await openAccount(testApp, customerId, { type: 'savings' });
    const { submissionId } = (await submitKyc(testApp, customerId, passport)).json();

    const asCustomer = await testApp.injectAs(customerId, {
      method: 'POST',
      url: `/backoffice/v1/customers/${customerId}/kyc/verify`,
      payload: { tier: 3, submissionId },
    });
    assert.equal(asCustomer.statusCode, 403);

    const verified = await asOperator(testApp, 'POST', `/backoffice/v1/customers/${customerId}/kyc/verify`, {
      tier: 2,
      submissionId,
    });
    assert.equal(verified.statusCode, 200);
    assert.equal(verified.json().status, 'verified');
    assert.equal(verified.json().tier, 2);
    assert.equal(verified.json().decidedBy, 'nextgen-backoffice');
    const mine = (await testApp.injectAs(customerId, { url: '/api/v1/me/kyc' })).json();
    assert.equal(mine.status, 'verified');
    assert.equal(mine.screening, undefined, 'the customer never sees the screening outcome');
    assert.deepEqual((await kycEvents(testApp, customerId)).at(-1), {
      topic: 'customer.kyc_verified',
      payload: { customerId, tier: 2 },
    });
    await testApp.services.audit.seal();
    const trail = await testApp.services.audit.recordsAbout({ kind: 'customer', id: customerId }, 10);
    assert.deepEqual(
      trail.map((r) => [r.action, r.actor.kind]),
      [
        ['kyc.verified', 'operator'],
        ['kyc.submitted', 'customer'],
      ],
    );
    assert.equal(trail[0]?.details.tier, 2);

    const moved = await testApp.services.payments.postTransfer(customerId, {
      fromAccountId: checking.id,
      to: { accountId: savings.id },
      amountMinor: 10_00n,
      currency: 'EUR',
      reference: 'First savings',
    });
    assert.equal(moved.status, 'posted');
    const again = await submitKyc(testApp, customerId, passport);
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'kyc_already_verified');
  });

  it('rejects with a reason the customer sees, who may submit again unless not eligible', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp);
    const first = (await submitKyc(testApp, customerId, passport)).json().submissionId;
    const rejected = await asOperator(testApp, 'POST', `/backoffice/v1/customers/${customerId}/kyc/reject`, {
      reason: 'document_unreadable',
      submissionId: first,
    });
    assert.equal(rejected.statusCode, 200);
    const mine = (await testApp.injectAs(customerId, { url: '/api/v1/me/kyc' })).json();
    assert.equal(mine.status, 'rejected');
    assert.equal(mine.rejectionReason, 'document_unreadable');
    assert.deepEqual((await kycEvents(testApp, customerId)).at(-1), {
      topic: 'customer.kyc_rejected',
      payload: { customerId, reason: 'document_unreadable' },
    });
    const twice = await asOperator(testApp, 'POST', `/backoffice/v1/customers/${customerId}/kyc/reject`, {
      reason: 'underage',
      submissionId: first,
    });
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().code, 'kyc_not_pending');

    const resubmitted = await submitKyc(testApp, customerId, { ...passport, documentNumber: 'C01X00T48' });
    assert.equal(resubmitted.json().status, 'pending');
    assert.equal(resubmitted.json().rejectionReason, null);
    await asOperator(testApp, 'POST', `/backoffice/v1/customers/${customerId}/kyc/reject`, {
      reason: 'not_eligible',
      submissionId: resubmitted.json().submissionId,
    });
    const final = await submitKyc(testApp, customerId, passport);
    assert.equal(final.statusCode, 409);
    assert.equal(final.json().code, 'kyc_not_resubmittable');
    const unknown = await asOperator(
      testApp,
      'GET',
      `/backoffice/v1/customers/${await createCustomer(testApp.deps.db)}/kyc`,
    );
    assert.equal(unknown.statusCode, 200, 'fixture customers are verified without a document');
    assert.equal(unknown.json().document, null);
  });

  it('grandfathers customers who banked before KYC existed as verified tier 1 without a document', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp);
    // The migration's last statement, run on a database whose one customer predates it.
    const migration = await readFile(new URL('../migrations/0044_kyc_profiles.sql', import.meta.url), 'utf8');
    const grandfathering = migration.slice(migration.lastIndexOf('INSERT INTO kyc_profiles'));
    await testApp.deps.db.exec(grandfathering);
    const review = await testApp.services.kyc.review(customerId);
    assert.deepEqual(
      [review.status, review.tier, review.decidedBy, review.document],
      ['verified', 1, 'grandfathered', null],
    );
  });

  it('decides only the submission the operator reviewed: a replaced document answers 409', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp);
    const reviewedId = (await submitKyc(testApp, customerId, passport)).json().submissionId;
    const reviewed = await asOperator(testApp, 'GET', `/backoffice/v1/customers/${customerId}/kyc`);
    assert.equal(reviewed.json().submissionId, reviewedId);
    assert.equal(reviewed.json().legalNameMatchesProfile, true);
    // The customer swaps the document after the operator looked at it.
    const replaced = await submitKyc(testApp, customerId, { ...passport, documentNumber: 'X99999999' });
    const replacedId = replaced.json().submissionId;
    assert.notEqual(replacedId, reviewedId);

    for (const [action, body] of [
      ['verify', { tier: 1 }],
      ['reject', { reason: 'document_unreadable' }],
    ] as const) {
      const stale = await asOperator(testApp, 'POST', `/backoffice/v1/customers/${customerId}/kyc/${action}`, {
        ...body,
        submissionId: reviewedId,
      });
      assert.equal(stale.statusCode, 409, stale.body);
      assert.equal(stale.json().code, 'kyc_submission_replaced');
    }
    const missing = await asOperator(testApp, 'POST', `/backoffice/v1/customers/${customerId}/kyc/verify`, {
      tier: 1,
    });
    assert.equal(missing.statusCode, 400, 'a decision must name the submission');
    assert.equal((await testApp.services.kyc.review(customerId)).status, 'pending');

    const current = await asOperator(testApp, 'POST', `/backoffice/v1/customers/${customerId}/kyc/verify`, {
      tier: 1,
      submissionId: replacedId,
    });
    assert.equal(current.statusCode, 200, current.body);
    assert.equal(current.json().submissionId, replacedId);
  });

  it("refuses to verify a document whose legal name is not the profile's name", async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp, 'Jane Doe');
    const { submissionId } = (await submitKyc(testApp, customerId, passport)).json();
    const review = await asOperator(testApp, 'GET', `/backoffice/v1/customers/${customerId}/kyc`);
    assert.equal(review.json().legalNameMatchesProfile, false);
    const refused = await asOperator(testApp, 'POST', `/backoffice/v1/customers/${customerId}/kyc/verify`, {
      tier: 1,
      submissionId,
    });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'kyc_name_mismatch');
    assert.ok(!refused.body.includes('Lovelace') && !refused.body.includes('Jane'), 'no names in the problem');
    assert.equal((await testApp.services.kyc.review(customerId)).status, 'pending');

    // Case, accents, titles and word order aside, the same name verifies.
    const ada = await unverifiedCustomer(testApp, 'Dr. ADA LOVELACE');
    const adaSubmission = (await submitKyc(testApp, ada, { ...passport, legalName: 'Lovelace Ada' })).json();
    const verified = await asOperator(testApp, 'POST', `/backoffice/v1/customers/${ada}/kyc/verify`, {
      tier: 1,
      submissionId: adaSubmission.submissionId,
    });
    assert.equal(verified.statusCode, 200, verified.body);
  });

  it('sends a name change after verification to review (409 name_change_needs_review)', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp);
    const rename = (name: string) =>
      testApp.injectAs(customerId, { method: 'PATCH', url: '/api/v1/customers/me', payload: { name } });
    const beforeVerification = await rename('Ada Byron');
    assert.equal(beforeVerification.statusCode, 200, 'an unverified name is self-service');
    assert.equal((await rename('Ada Lovelace')).statusCode, 200);
    const { submissionId } = (await submitKyc(testApp, customerId, passport)).json();
    await testApp.services.kyc.verify(customerId, { tier: 1, operator: 'opr_test', submissionId });

    const changed = await rename('Ada King');
    assert.equal(changed.statusCode, 409, changed.body);
    assert.equal(changed.json().code, 'name_change_needs_review');
    assert.doesNotMatch(changed.body, /Lovelace|King/, 'no names in the problem');
    assert.equal((await testApp.services.identity.findCustomerById(customerId))?.name, 'Ada Lovelace');
    const recased = await rename('ADA LOVELACE');
    assert.equal(recased.statusCode, 200, 'the same name in other letters is not a change of name');
    const addressOnly = await testApp.injectAs(customerId, {
      method: 'PATCH',
      url: '/api/v1/customers/me',
      payload: { address: null },
    });
    assert.equal(addressOnly.statusCode, 200, 'other fields stay self-service');

    // Grandfathered customers (verified without a document) keep the name they were verified with.
    const grandfathered = await createCustomer(testApp.deps.db, 'Grace Hopper');
    const refused = await testApp.injectAs(grandfathered, {
      method: 'PATCH',
      url: '/api/v1/customers/me',
      payload: { name: 'Grace Murray' },
    });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.equal(refused.json().code, 'name_change_needs_review');
  });

  it('says plainly that the default screening checked no list', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await unverifiedCustomer(testApp);
    await submitKyc(testApp, customerId, passport);
    const review = await asOperator(testApp, 'GET', `/backoffice/v1/customers/${customerId}/kyc`);
    assert.equal(review.statusCode, 200);
    assert.equal(review.json().screening.outcome, 'clear');
    assert.match(review.json().screening.reason, /^not_screened/);
  });
});

describe('the screening seam', () => {
  /** A list that matches one name at decisions and flags another for review at submission. */
  function testScreening(calls: { subject: ScreeningSubject; stage: string }[]): Screening {
    return {
      async screen(subject, stage) {
        calls.push({ subject, stage });
        if (subject.legalName === 'Listed Person' && stage === 'decision')
          return { outcome: 'match', reason: 'TEST-LIST entry 42' };
        if (subject.legalName === 'Similar Name') return { outcome: 'potential_match', reason: 'TEST-LIST entry 7' };
        return { outcome: 'clear', reason: 'TEST-LIST checked' };
      },
    };
  }

  it('is called on submission and each decision, and a match blocks verification', async (t) => {
    const testApp = await buildTestApp(t);
    const calls: { subject: ScreeningSubject; stage: string }[] = [];
    const kyc = createKycService(testApp.deps, {
      vault: testApp.services.vault,
      audit: testApp.services.audit,
      identity: testApp.services.identity,
      screening: testScreening(calls),
    });
    const listed = await unverifiedCustomer(testApp, 'Listed Person');
    await kyc.submit(listed, { ...passport, legalName: 'Listed Person' });
    assert.deepEqual(
      calls.map((c) => [c.stage, c.subject.customerId, c.subject.dateOfBirth, c.subject.nationality]),
      [['submission', listed, '1990-12-10', 'GB']],
    );
    const submissionId = await currentSubmission(testApp, listed);
    await assert.rejects(kyc.verify(listed, { tier: 1, operator: 'op', submissionId }), {
      status: 409,
      code: 'screening_match',
    });
    assert.equal(calls.at(-1)?.stage, 'decision');
    const review = await kyc.review(listed);
    assert.equal(review.status, 'pending');
    assert.deepEqual(
      { outcome: review.screening?.outcome, reason: review.screening?.reason },
      { outcome: 'match', reason: 'TEST-LIST entry 42' },
    );
    assert.equal((await kyc.customerView(listed)).status, 'pending');
    const rejected = await kyc.reject(listed, { reason: 'not_eligible', operator: 'op', submissionId });
    assert.equal(rejected.status, 'rejected');
  });

  it('shows a potential match to the operator, who may still verify', async (t) => {
    const testApp = await buildTestApp(t);
    const kyc = createKycService(testApp.deps, {
      vault: testApp.services.vault,
      audit: testApp.services.audit,
      identity: testApp.services.identity,
      screening: testScreening([]),
    });
    const similar = await unverifiedCustomer(testApp, 'Similar Name');
    await kyc.submit(similar, { ...passport, legalName: 'Similar Name' });
    assert.equal((await kyc.review(similar)).screening?.outcome, 'potential_match');
    const submissionId = await currentSubmission(testApp, similar);
    assert.equal((await kyc.verify(similar, { tier: 1, operator: 'op', submissionId })).status, 'verified');
  });
});
