import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import { createSoftwareAuthenticator, oauthDriver, type SoftwareAuthenticator } from '@nextgen/testkit';
import { canonicalBinding, createStepUpService, type StepUpBinding } from '../src/identity/step-up.ts';
import { stepUpChallengeRetentionMs, stepUpChallengeTtlMs, stepUpPurgeEveryIssues } from '../src/platform/constants.ts';
import { DomainError } from '../src/platform/errors.ts';
import { registerPasskey } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const origin = 'http://localhost:3000';
const payment: StepUpBinding = { amount: '750.00', currency: 'EUR', payeeIban: 'DE89370400440532013000' };

async function newCustomer(testApp: TestApp): Promise<string> {
  const { id } = await oauthDriver(testApp.app).registerCustomer({
    name: 'Ingrid Solberg',
    email: `${randomBytes(6).toString('hex')}@example.com`,
    password: 'northern lights over tromsø',
  });
  return id;
}

/** A customer with a passkey, and a step-up service on a clock the test moves. */
async function setUp(t: TestContext) {
  const testApp = await buildTestApp(t);
  const clock = { nowMs: Date.now() };
  const stepUp = createStepUpService(testApp.deps, {
    passkeys: testApp.services.passkeys,
    audit: testApp.services.audit,
    now: () => clock.nowMs,
  });
  const customerId = await newCustomer(testApp);
  const authenticator = createSoftwareAuthenticator({ origin });
  const passkeyId = await registerPasskey(testApp, customerId, authenticator);
  return { testApp, clock, stepUp, customerId, authenticator, passkeyId };
}

/** Expects a refused step-up with `code`. */
async function refused(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof DomainError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.status, 403);
    assert.doesNotMatch(error.message, /DE89/, 'no account number in the answer');
    return true;
  });
}

const sign = (authenticator: SoftwareAuthenticator, challenge: { publicKey: { challenge: string; rpId: string } }) =>
  authenticator.getAssertion(challenge.publicKey);

describe('step-up approval', () => {
  it("approves a payment signed with the customer's passkey, once", async (t) => {
    const { testApp, stepUp, customerId, authenticator, passkeyId } = await setUp(t);
    const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    assert.match(challenge.challengeId, /^sup_/);
    assert.equal(challenge.publicKey.userVerification, 'required');
    assert.deepEqual(
      challenge.publicKey.allowCredentials.map((c) => c.id),
      authenticator.credentialIds(),
    );
    const verified = await stepUp.verifyAssertion({
      customerId,
      challengeId: challenge.challengeId,
      purpose: 'payment',
      binding: { payeeIban: payment.payeeIban ?? '', currency: 'EUR', amount: '750.00' }, // key order is irrelevant
      assertion: sign(authenticator, challenge),
    });
    assert.equal(verified.passkeyId, passkeyId);
    assert.equal(verified.challengeId, challenge.challengeId);
    const { rows } = await testApp.deps.db.query(
      `SELECT actor_id, subject_id, details FROM audit_pending WHERE action = 'step_up.approved'
       UNION ALL SELECT actor_id, subject_id, details FROM audit_log WHERE action = 'step_up.approved'`,
    );
    assert.deepEqual(rows, [
      { actor_id: customerId, subject_id: challenge.challengeId, details: { purpose: 'payment', passkeyId } },
    ]);
  });

  it('makes the signature cover the details: the challenge ends with the hash of purpose and binding', async (t) => {
    const { stepUp, customerId, testApp } = await setUp(t);
    const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    const bytes = Buffer.from(challenge.publicKey.challenge, 'base64url');
    assert.equal(bytes.length, 64);
    const expected = createHash('sha256').update(canonicalBinding('payment', payment)).digest();
    assert.ok(bytes.subarray(32).equals(expected));
    // The details themselves are never stored.
    const { rows } = await testApp.deps.db.query('SELECT * FROM step_up_challenges');
    assert.doesNotMatch(JSON.stringify(rows), /DE89|750/);
  });

  it('refuses a replayed step-up assertion', async (t) => {
    const { stepUp, customerId, authenticator } = await setUp(t);
    const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    const assertion = sign(authenticator, challenge);
    const input = { customerId, challengeId: challenge.challengeId, purpose: 'payment' as const, binding: payment };
    await stepUp.verifyAssertion({ ...input, assertion });
    await refused(stepUp.verifyAssertion({ ...input, assertion }), 'step_up_replayed');
    await refused(stepUp.verifyAssertion({ ...input, assertion: sign(authenticator, challenge) }), 'step_up_replayed');
  });

  it('lets exactly one of two concurrent submissions of one approval through', async (t) => {
    const { stepUp, customerId, authenticator } = await setUp(t);
    const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    const assertion = sign(authenticator, challenge);
    const input = { customerId, challengeId: challenge.challengeId, purpose: 'payment' as const, binding: payment };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => stepUp.verifyAssertion({ ...input, assertion })),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        assert.ok(outcome.reason instanceof DomainError);
        assert.match(outcome.reason.code, /^step_up_(replayed|invalid)$/);
      }
    }
  });

  it('refuses to hash a binding whose numbers JSON cannot tell apart (NaN, Infinity)', () => {
    assert.throws(() => canonicalBinding('payment', { amount: Number.NaN }), /finite/);
    assert.throws(() => canonicalBinding('payment', { amount: Number.POSITIVE_INFINITY }), /finite/);
    assert.notEqual(canonicalBinding('payment', { amount: '10.00' }), canonicalBinding('payment', { amount: '10.0' }));
    assert.notEqual(
      canonicalBinding('payment', { a: 'b", "c": "d' }),
      canonicalBinding('payment', { a: 'b', c: 'd' }),
      'values cannot smuggle keys',
    );
  });

  it('deletes challenges an hour after they expired, now and then while issuing, and keeps the others', async (t) => {
    const { testApp, clock, stepUp, customerId } = await setUp(t);
    const ids = async () =>
      (await testApp.deps.db.query<{ id: string }>('SELECT id FROM step_up_challenges')).rows.map((r) => r.id);
    const old = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    clock.nowMs += stepUpChallengeTtlMs + stepUpChallengeRetentionMs - 1_000;
    const recent = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    assert.equal(await stepUp.purgeExpired(), 0, 'not yet an hour past its expiry');
    clock.nowMs += 2_000;
    // Issuing is what cleans up: within stepUpPurgeEveryIssues challenges the old one is gone.
    for (let i = 0; i < stepUpPurgeEveryIssues; i += 1) {
      await stepUp.issueChallenge({ customerId, purpose: 'reveal_account', binding: { accountId: `acc_${i}` } });
    }
    const left = await ids();
    assert.ok(!left.includes(old.challengeId), 'the old challenge was deleted');
    assert.ok(left.includes(recent.challengeId), 'a challenge expired for less than an hour stays');
  });

  it('refuses an approval given after 5 minutes', async (t) => {
    const { stepUp, customerId, authenticator, clock } = await setUp(t);
    const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    const assertion = sign(authenticator, challenge);
    clock.nowMs += stepUpChallengeTtlMs;
    await refused(
      stepUp.verifyAssertion({
        customerId,
        challengeId: challenge.challengeId,
        purpose: 'payment',
        binding: payment,
        assertion,
      }),
      'step_up_expired',
    );
  });

  for (const [behaviour, binding] of [
    ['another amount', { ...payment, amount: '7500.00' }],
    ['another currency', { ...payment, currency: 'USD' }],
    ['another payee', { ...payment, payeeIban: 'DE02120300000000202051' }],
    ['an extra detail', { ...payment, reference: 'rent' }],
  ] as const) {
    it(`refuses a signature for ${behaviour}, and the approval still works for the details approved`, async (t) => {
      const { stepUp, customerId, authenticator } = await setUp(t);
      const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
      const assertion = sign(authenticator, challenge);
      const input = { customerId, challengeId: challenge.challengeId, purpose: 'payment' as const, assertion };
      await refused(stepUp.verifyAssertion({ ...input, binding }), 'step_up_mismatch');
      await stepUp.verifyAssertion({ ...input, binding: payment });
    });
  }

  it('refuses an approval given for another purpose', async (t) => {
    const { stepUp, customerId, authenticator } = await setUp(t);
    const challenge = await stepUp.issueChallenge({
      customerId,
      purpose: 'reveal_account',
      binding: { accountId: 'acc_1' },
    });
    await refused(
      stepUp.verifyAssertion({
        customerId,
        challengeId: challenge.challengeId,
        purpose: 'payment',
        binding: { accountId: 'acc_1' },
        assertion: sign(authenticator, challenge),
      }),
      'step_up_mismatch',
    );
  });

  it("refuses another customer's challenge, even signed with their own passkey", async (t) => {
    const { testApp, stepUp, customerId, authenticator } = await setUp(t);
    const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    const other = await newCustomer(testApp);
    const othersAuthenticator = createSoftwareAuthenticator({ origin });
    await registerPasskey(testApp, other, othersAuthenticator);
    const input = { challengeId: challenge.challengeId, purpose: 'payment' as const, binding: payment };
    await refused(
      stepUp.verifyAssertion({ ...input, customerId: other, assertion: sign(authenticator, challenge) }),
      'step_up_invalid',
    );
    await refused(
      stepUp.verifyAssertion({
        ...input,
        customerId: other,
        assertion: othersAuthenticator.getAssertion(challenge.publicKey, {
          credentialId: othersAuthenticator.credentialIds()[0],
        }),
      }),
      'step_up_invalid',
    );
    // Nor may the owner approve with someone else's passkey.
    await refused(
      stepUp.verifyAssertion({
        ...input,
        customerId,
        assertion: othersAuthenticator.getAssertion({ challenge: challenge.publicKey.challenge, rpId: 'localhost' }),
      }),
      'step_up_invalid',
    );
  });

  for (const [behaviour, overrides] of [
    ['made without user verification', { userVerified: false }],
    ['made for another origin', { origin: 'https://evil.example' }],
    ['made for another RP ID', { rpId: 'evil.example' }],
    ['over another challenge', { challenge: randomBytes(64).toString('base64url') }],
  ] as const) {
    it(`refuses an assertion ${behaviour}`, async (t) => {
      const { stepUp, customerId, authenticator } = await setUp(t);
      const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
      await refused(
        stepUp.verifyAssertion({
          customerId,
          challengeId: challenge.challengeId,
          purpose: 'payment',
          binding: payment,
          assertion: authenticator.getAssertion(challenge.publicKey, overrides),
        }),
        'step_up_invalid',
      );
    });
  }

  it('refuses a revoked passkey', async (t) => {
    const { testApp, stepUp, customerId, authenticator, passkeyId } = await setUp(t);
    await registerPasskey(testApp, customerId, createSoftwareAuthenticator({ origin }));
    const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    await testApp.services.passkeys.revokePasskey(customerId, passkeyId);
    await refused(
      stepUp.verifyAssertion({
        customerId,
        challengeId: challenge.challengeId,
        purpose: 'payment',
        binding: payment,
        assertion: sign(authenticator, challenge),
      }),
      'step_up_invalid',
    );
  });

  it('refuses an unknown challenge id', async (t) => {
    const { stepUp, customerId, authenticator } = await setUp(t);
    const challenge = await stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment });
    await refused(
      stepUp.verifyAssertion({
        customerId,
        challengeId: 'sup_01jf8x3m5n6p7q8r9s0t1v2w3x',
        purpose: 'payment',
        binding: payment,
        assertion: sign(authenticator, challenge),
      }),
      'step_up_invalid',
    );
  });

  it('asks for a passkey first when the customer has none', async (t) => {
    const { testApp, stepUp } = await setUp(t);
    const customerId = await newCustomer(testApp);
    await refused(stepUp.issueChallenge({ customerId, purpose: 'payment', binding: payment }), 'passkey_required');
  });
});
