import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import {
  type CeremonyOverrides,
  createSoftwareAuthenticator,
  oauthDriver,
  type SoftwareAuthenticator,
} from '@nextgen/testkit';
import { passkeysPerCustomerMax } from '../src/platform/constants.ts';
import { registerPasskey } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const origin = 'http://localhost:3000';

async function newCustomer(testApp: TestApp): Promise<string> {
  const email = `${randomBytes(6).toString('hex')}@example.com`;
  const customer = await oauthDriver(testApp.app).registerCustomer({
    name: 'Amara Okafor',
    email,
    password: 'brass kettle under the stairs',
  });
  return customer.id;
}

async function setUp(t: TestContext) {
  const testApp = await buildTestApp(t);
  return { testApp, customerId: await newCustomer(testApp), authenticator: createSoftwareAuthenticator({ origin }) };
}

/** Asks for options and answers them with the authenticator, bent by `overrides`. */
async function answerRegistration(
  testApp: TestApp,
  customerId: string,
  authenticator: SoftwareAuthenticator,
  overrides: CeremonyOverrides = {},
) {
  const options = await testApp.injectAs(customerId, { method: 'POST', url: '/api/v1/passkeys/registration-options' });
  assert.equal(options.statusCode, 200, options.body);
  const credential = authenticator.createCredential(options.json(), overrides);
  const response = await testApp.injectAs(customerId, {
    method: 'POST',
    url: '/api/v1/passkeys',
    payload: { credential },
  });
  return { response, credential };
}

async function passkeyRows(testApp: TestApp, customerId: string) {
  const { rows } = await testApp.deps.db.query<{ id: string; name: string; revoked_at: Date | null }>(
    'SELECT id, name, revoked_at FROM passkeys WHERE customer_id = $1',
    [customerId],
  );
  return rows;
}

/** Audit records of `action` (pending or already sealed into the chain): actor and subject ids. */
async function audited(testApp: TestApp, action: string) {
  const { rows } = await testApp.deps.db.query<{ actor_id: string; subject_id: string }>(
    `SELECT actor_id, subject_id FROM audit_pending WHERE action = $1
     UNION ALL SELECT actor_id, subject_id FROM audit_log WHERE action = $1`,
    [action],
  );
  return rows;
}

const list = async (testApp: TestApp, customerId: string) =>
  (await testApp.injectAs(customerId, { method: 'GET', url: '/api/v1/passkeys' })).json().data as {
    id: string;
    name: string;
  }[];

describe('registering a passkey', () => {
  it('asks for user verification and a discoverable credential, and excludes passkeys already held', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    await registerPasskey(testApp, customerId, authenticator);
    const url = '/api/v1/passkeys/registration-options';
    const prompt = (await testApp.injectAs(customerId, { method: 'POST', url })).json().stepUp;
    const stepUp = { challengeId: prompt.challengeId, assertion: authenticator.getAssertion(prompt.publicKey) };
    const response = await testApp.injectAs(customerId, { method: 'POST', url, payload: { stepUp } });
    assert.equal(response.statusCode, 200, response.body);
    const options = response.json();
    assert.equal(options.rp.id, 'localhost');
    assert.equal(options.authenticatorSelection.userVerification, 'required');
    assert.equal(options.authenticatorSelection.residentKey, 'required');
    assert.deepEqual(
      options.excludeCredentials.map((c: { id: string }) => c.id),
      authenticator.credentialIds(),
    );
  });

  it('stores the public key and counter only, lists it without them, and tells other modules', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    const { response, credential } = await answerRegistration(testApp, customerId, authenticator);
    assert.equal(response.statusCode, 201, response.body);
    const passkey = response.json();
    assert.match(passkey.id, /^pky_/);
    assert.equal(passkey.name, 'Passkey');
    assert.equal(passkey.lastUsedAt, null);
    assert.equal(response.headers.location, `/api/v1/passkeys/${passkey.id}`);
    const listed = await testApp.injectAs(customerId, { method: 'GET', url: '/api/v1/passkeys' });
    assert.deepEqual(listed.json(), { data: [passkey], nextCursor: null });
    assert.doesNotMatch(listed.body, new RegExp(credential.id), 'the credential id is not shown');
    const { rows } = await testApp.deps.db.query<{ public_key: Buffer; sign_count: bigint; credential_id: string }>(
      'SELECT public_key, sign_count, credential_id FROM passkeys WHERE id = $1',
      [passkey.id],
    );
    assert.equal(rows[0]?.credential_id, credential.id);
    assert.ok((rows[0]?.public_key.length ?? 0) > 64, 'a COSE public key');
    assert.equal(rows[0]?.sign_count, 0n);
    const events = await testApp.deps.db.query<{ payload: Record<string, string> }>(
      "SELECT payload FROM outbox_events WHERE topic = 'security.passkey_added'",
    );
    assert.deepEqual(events.rows[0]?.payload, { customerId, passkeyId: passkey.id });
    assert.deepEqual(await audited(testApp, 'passkey.registered'), [{ actor_id: customerId, subject_id: passkey.id }]);
  });

  for (const [behaviour, overrides] of [
    ['refuses a passkey made for another origin', { origin: 'https://evil.example' }],
    ['refuses a passkey made for another RP ID', { rpId: 'evil.example' }],
    ['refuses a passkey made without user verification', { userVerified: false }],
    ['refuses a passkey that signed another challenge', { challenge: randomBytes(32).toString('base64url') }],
    ['refuses an assertion presented as a registration', { type: 'webauthn.get' }],
  ] as const) {
    it(`${behaviour} and stores nothing`, async (t) => {
      const { testApp, customerId, authenticator } = await setUp(t);
      const { response } = await answerRegistration(testApp, customerId, authenticator, overrides);
      assert.equal(response.statusCode, 400);
      assert.equal(response.json().code, 'passkey_invalid');
      assert.deepEqual(await passkeyRows(testApp, customerId), []);
    });
  }

  it('refuses a registration answer sent twice: the options are single-use', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    const { response, credential } = await answerRegistration(testApp, customerId, authenticator);
    assert.equal(response.statusCode, 201);
    const again = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/passkeys',
      payload: { credential },
    });
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().code, 'passkey_registration_expired');
    assert.equal((await passkeyRows(testApp, customerId)).length, 1);
  });

  it('refuses a registration answer that another customer asked the options for', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    const other = await newCustomer(testApp);
    const options = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/passkeys/registration-options',
    });
    const credential = authenticator.createCredential(options.json());
    const response = await testApp.injectAs(other, {
      method: 'POST',
      url: '/api/v1/passkeys',
      payload: { credential },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'passkey_registration_expired');
    assert.deepEqual(await passkeyRows(testApp, other), []);
  });

  it('refuses a malformed credential with validation_failed', async (t) => {
    const { testApp, customerId } = await setUp(t);
    const response = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/passkeys',
      payload: { credential: { id: 'not base64url!', rawId: 'x', type: 'public-key', response: {} } },
    });
    assert.equal(response.statusCode, 400);
    assert.equal(response.json().code, 'validation_failed');
  });

  it(`refuses more than ${passkeysPerCustomerMax} passkeys per customer`, async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    for (let i = 0; i < passkeysPerCustomerMax; i += 1) {
      await registerPasskey(testApp, customerId, createSoftwareAuthenticator({ origin }));
    }
    const response = await testApp.injectAs(customerId, {
      method: 'POST',
      url: '/api/v1/passkeys/registration-options',
    });
    assert.equal(response.statusCode, 409);
    assert.equal(response.json().code, 'passkey_limit_reached');
    assert.equal(authenticator.credentialIds().length, 0);
  });

  it('needs a signed-in customer', async (t) => {
    const { testApp } = await setUp(t);
    const response = await testApp.app.inject({ method: 'GET', url: '/api/v1/passkeys' });
    assert.equal(response.statusCode, 401);
  });
});

describe('managing passkeys', () => {
  it('renames a passkey', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    const id = await registerPasskey(testApp, customerId, authenticator);
    const response = await testApp.injectAs(customerId, {
      method: 'PATCH',
      url: `/api/v1/passkeys/${id}`,
      payload: { name: 'Work phone' },
    });
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().name, 'Work phone');
    assert.deepEqual(
      (await list(testApp, customerId)).map((p) => p.name),
      ['Work phone'],
    );
  });

  it('revokes a passkey: it leaves the list and stays in the store as revoked', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    const id = await registerPasskey(testApp, customerId, authenticator);
    const response = await testApp.injectAs(customerId, { method: 'DELETE', url: `/api/v1/passkeys/${id}` });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { id, revoked: true });
    assert.deepEqual(await list(testApp, customerId), []);
    assert.ok((await passkeyRows(testApp, customerId))[0]?.revoked_at instanceof Date);
    const again = await testApp.injectAs(customerId, { method: 'DELETE', url: `/api/v1/passkeys/${id}` });
    assert.equal(again.statusCode, 404);
    const events = await testApp.deps.db.query("SELECT 1 FROM outbox_events WHERE topic = 'security.passkey_revoked'");
    assert.equal(events.rowCount, 1);
    assert.deepEqual(await audited(testApp, 'passkey.revoked'), [{ actor_id: customerId, subject_id: id }]);
  });

  it("answers 404 for another customer's passkey and changes nothing", async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    const id = await registerPasskey(testApp, customerId, authenticator);
    const intruder = await newCustomer(testApp);
    const rename = await testApp.injectAs(intruder, {
      method: 'PATCH',
      url: `/api/v1/passkeys/${id}`,
      payload: { name: 'Mine now' },
    });
    const revoke = await testApp.injectAs(intruder, { method: 'DELETE', url: `/api/v1/passkeys/${id}` });
    assert.equal(rename.statusCode, 404);
    assert.equal(revoke.statusCode, 404);
    assert.equal(rename.json().code, 'passkey_not_found');
    assert.deepEqual(await list(testApp, intruder), []);
    const [row] = await passkeyRows(testApp, customerId);
    assert.equal(row?.name, 'Passkey');
    assert.equal(row?.revoked_at, null);
  });

  it('refuses a blank or over-long name with validation_failed', async (t) => {
    const { testApp, customerId, authenticator } = await setUp(t);
    const id = await registerPasskey(testApp, customerId, authenticator);
    for (const name of ['', 'x'.repeat(65), 'tab\there']) {
      const response = await testApp.injectAs(customerId, {
        method: 'PATCH',
        url: `/api/v1/passkeys/${id}`,
        payload: { name },
      });
      assert.equal(response.statusCode, 400, name);
      assert.equal(response.json().code, 'validation_failed');
    }
  });
});
