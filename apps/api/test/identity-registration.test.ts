import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registrationEmailTakenPerIpMax } from '../src/platform/constants.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const ada = { name: 'Ada Lovelace', email: 'Ada.Lovelace@Example.com', password: 'correct horse battery staple' };

function register(testApp: TestApp, body: unknown) {
  return testApp.app.inject({ method: 'POST', url: '/api/v1/customers', payload: body as object });
}

async function customerCount(testApp: TestApp): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ n: bigint }>('SELECT count(*) AS n FROM customers');
  return Number(rows[0]?.n);
}

describe('customer registration', () => {
  it('registers a customer and answers the profile, never the password or its hash', async (t) => {
    const testApp = await buildTestApp(t);
    const response = await register(testApp, ada);
    assert.equal(response.statusCode, 201);
    const body = response.json();
    assert.deepEqual(Object.keys(body).sort(), ['address', 'createdAt', 'email', 'id', 'name', 'phone']);
    assert.equal(body.phone, null);
    assert.equal(body.address, null);
    assert.match(body.id, /^cus_[0-9a-z]{26}$/);
    assert.equal(body.name, 'Ada Lovelace');
    assert.equal(body.email, 'Ada.Lovelace@Example.com');
    assert.ok(Math.abs(Date.parse(body.createdAt) - Date.now()) < 60_000);
    assert.equal(response.headers.location, '/api/v1/customers/me');
    assert.doesNotMatch(response.body, /argon2|horse/);

    const { rows } = await testApp.deps.db.query<{ password_hash: string; email_index: string }>(
      'SELECT password_hash, email_index FROM customers WHERE id = $1',
      [body.id],
    );
    assert.match(rows[0]?.password_hash ?? '', /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // The e-mail is found by its keyed blind index of the normalized form (the address itself is encrypted).
    assert.equal(rows[0]?.email_index, await testApp.services.vault.blindIndex('email', 'ada.lovelace@example.com'));
    const events = await testApp.deps.db.query<{ topic: string; payload: unknown }>(
      'SELECT topic, payload FROM outbox_events WHERE aggregate_id = $1',
      [body.id],
    );
    assert.deepEqual(events.rows, [{ topic: 'customer.registered', payload: { customerId: body.id } }]);
  });

  it('refuses an e-mail already registered in another letter case with 409 email_taken', async (t) => {
    const testApp = await buildTestApp(t);
    assert.equal((await register(testApp, ada)).statusCode, 201);
    const again = await register(testApp, { ...ada, name: 'Someone Else', email: 'ADA.lovelace@example.COM' });
    assert.equal(again.statusCode, 409);
    assert.match(again.headers['content-type'] ?? '', /^application\/problem\+json/);
    assert.equal(again.json().code, 'email_taken');
    assert.match(again.json().detail, /already exists/);
    assert.equal(await customerCount(testApp), 1);
  });

  it(`stops registrations from a network that got ${registrationEmailTakenPerIpMax} email_taken answers (address probing)`, async (t) => {
    const testApp = await buildTestApp(t);
    assert.equal((await register(testApp, ada)).statusCode, 201);
    for (let i = 0; i < registrationEmailTakenPerIpMax; i += 1) {
      assert.equal((await register(testApp, ada)).statusCode, 409);
    }
    const probe = await register(testApp, ada);
    assert.equal(probe.statusCode, 429);
    assert.equal(probe.json().code, 'rate_limited');
    assert.ok(Number(probe.headers['retry-after']) > 0);
    // A new address is refused alike: the answer no longer tells taken from free.
    const fresh = await register(testApp, { ...ada, email: 'charles.babbage@example.com' });
    assert.equal(fresh.statusCode, 429);
    assert.equal(await customerCount(testApp), 1);
    // Another network is not affected.
    const elsewhere = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      payload: { ...ada, email: 'charles.babbage@example.com' },
      remoteAddress: '203.0.113.7',
    });
    assert.equal(elsewhere.statusCode, 201, elsewhere.body);
  });

  it('registers each of many concurrent sign-ups of one e-mail at most once', async (t) => {
    const testApp = await buildTestApp(t);
    const statuses = await Promise.all(
      Array.from({ length: 4 }, () => register(testApp, ada).then((r) => r.statusCode)),
    );
    assert.deepEqual(statuses.sort(), [201, 409, 409, 409]);
    assert.equal(await customerCount(testApp), 1);
  });

  describe('refuses weak passwords with weak_password, the rule, and nothing stored', () => {
    const cases: [string, string, string][] = [
      ['a common password', 'qwertyuiop12', 'common'],
      ['a breached password with padding', 'Sunshine2024!!', 'common'],
      ['a password containing the e-mail local part', 'my ada.lovelace secret', 'personal_data'],
      ['a password containing the name', 'Lovelace & Babbage 1843', 'personal_data'],
      ['a password that is too short', 'Kx9#mQ2vLp4', 'too_short'],
      ['a password that is too long', 'Kx9#mQ2vLp4z'.repeat(11), 'too_long'],
      ['a repetitive password', 'ababababcdcdcdcd', 'repetitive'],
    ];
    for (const [what, password, rule] of cases) {
      it(`refuses ${what}`, async (t) => {
        const testApp = await buildTestApp(t);
        const response = await register(testApp, { ...ada, password });
        assert.equal(response.statusCode, 400);
        const body = response.json();
        assert.equal(body.code, 'weak_password');
        assert.ok(
          body.errors.some((e: { pointer: string; rule: string }) => e.pointer === '/body/password' && e.rule === rule),
          JSON.stringify(body.errors),
        );
        assert.ok(!response.body.includes(password), 'the password is never echoed');
        assert.equal(await customerCount(testApp), 0);
      });
    }
  });

  it('accepts passwords of exactly 12 and 128 characters', async (t) => {
    const testApp = await buildTestApp(t);
    const shortest = await register(testApp, { ...ada, password: 'Kx9#mQ2vLp4z' });
    assert.equal(shortest.statusCode, 201);
    const longest = 'Kx9#mQ2vLp4z'.repeat(11).slice(0, 128);
    const other = await register(testApp, { ...ada, email: 'grace@example.com', password: longest });
    assert.equal(other.statusCode, 201);
  });

  describe('refuses malformed requests with validation_failed and a pointer per field', () => {
    const cases: [string, unknown, string[]][] = [
      ['missing fields', {}, ['/body/email', '/body/name', '/body/password']],
      ['an unknown field', { ...ada, admin: true }, ['/body/admin']],
      [
        'wrong types',
        { name: 7, email: ['a@b.c'], password: 123456789012 },
        ['/body/email', '/body/name', '/body/password'],
      ],
      ['an invalid e-mail', { ...ada, email: 'not-an-email' }, ['/body/email']],
      ['an e-mail over 254 characters', { ...ada, email: `${'a'.repeat(250)}@example.com` }, ['/body/email']],
      ['a name over 100 characters', { ...ada, name: 'N'.repeat(101) }, ['/body/name']],
      ['a name with control characters', { ...ada, name: 'Ada\u0000Lovelace' }, ['/body/name']],
      ['a blank name', { ...ada, name: '   ' }, ['/body/name']],
      ['a password field over 1024 characters', { ...ada, password: 'x'.repeat(1025) }, ['/body/password']],
    ];
    for (const [what, body, pointers] of cases) {
      it(`refuses ${what}`, async (t) => {
        const testApp = await buildTestApp(t);
        const response = await register(testApp, body);
        assert.equal(response.statusCode, 400, response.body);
        assert.equal(response.json().code, 'validation_failed');
        const got = [...new Set(response.json().errors.map((e: { pointer: string }) => e.pointer))].sort();
        assert.deepEqual(got, pointers);
        assert.equal(await customerCount(testApp), 0);
      });
    }
  });

  it('refuses a body that is not JSON with 415', async (t) => {
    const testApp = await buildTestApp(t);
    const response = await testApp.app.inject({
      method: 'POST',
      url: '/api/v1/customers',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Ada&email=ada%40example.com&password=correct+horse+battery',
    });
    assert.equal(response.statusCode, 415);
    assert.equal(response.json().code, 'unsupported_media_type');
  });
});

describe('the signed-in customer profile', () => {
  it('answers the profile of the customer the token names', async (t) => {
    const testApp = await buildTestApp(t);
    const created = (await register(testApp, ada)).json();
    const response = await testApp.injectAs(created.id, { url: '/api/v1/customers/me' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), created);
  });

  it('asks for a token with 401 and WWW-Authenticate', async (t) => {
    const testApp = await buildTestApp(t);
    const response = await testApp.app.inject({ url: '/api/v1/customers/me' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'unauthenticated');
    assert.match(String(response.headers['www-authenticate']), /^Bearer realm="nextgen"/);
  });

  it('refuses the token of a customer that no longer exists at admission (fail closed)', async (t) => {
    const testApp = await buildTestApp(t);
    const response = await testApp.injectAs('cus_01jf8x3m5n6p7q8r9s0t1v2w3x', { url: '/api/v1/customers/me' });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().code, 'customer_inactive');
  });

  it('is for customers only: an operator token answers 403', async (t) => {
    const testApp = await buildTestApp(t);
    const response = await testApp.app.inject({
      url: '/api/v1/customers/me',
      headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().code, 'customer_only');
  });
});
