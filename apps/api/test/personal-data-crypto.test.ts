import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { createTestDatabase, startFakeKms } from '@nextgen/testkit';
import { loadConfig } from '../src/platform/config.ts';
import {
  createAwsKeyManagement,
  createKeyManagement,
  createLocalKeyManagement,
  createPersonalDataVault,
  type KeyManagement,
} from '../src/platform/crypto/index.ts';
import { decryptField, encryptField } from '../src/platform/crypto/vault.ts';
import { connectPostgres } from '../src/platform/database.ts';
import { DependencyUnavailable, DomainError } from '../src/platform/errors.ts';
import { newId } from '../src/platform/ids.ts';
import { productionBase, productionWithKms } from './fixtures.ts';
import { buildTestApp } from './helper.ts';

async function testDb(t: TestContext) {
  const database = await createTestDatabase();
  const db = connectPostgres(database.url, () => {}, 4);
  t.after(async () => {
    await db.close();
    await database.drop();
  });
  return db;
}

async function tempDir(t: TestContext) {
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-kek-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const isErasedError = (error: unknown) => error instanceof DomainError && error.code === 'customer_erased';

describe('local key management', () => {
  it('generates a 256-bit KEK file readable only by its owner, and unwraps what it wrapped', async (t) => {
    const file = path.join(await tempDir(t), 'kek.json');
    const kms = createLocalKeyManagement(file);
    const context = { purpose: 'customer-data-key', customerId: 'cus_a' };
    const generated = await kms.generateDataKey(context);
    assert.equal(generated.plaintextKey.length, 32);
    assert.equal(generated.kekId, 'local/v1');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    assert.equal(Buffer.from(stored.keks[0].key, 'base64').length, 32);
    assert.deepEqual(await kms.unwrapDataKey(generated, context), generated.plaintextKey);
    // A fresh process reading the same file unwraps it too.
    assert.deepEqual(await createLocalKeyManagement(file).unwrapDataKey(generated, context), generated.plaintextKey);
  });

  it('refuses to unwrap a data key under another customer’s context', async (t) => {
    const kms = createLocalKeyManagement(path.join(await tempDir(t), 'kek.json'));
    const generated = await kms.generateDataKey({ purpose: 'customer-data-key', customerId: 'cus_a' });
    await assert.rejects(kms.unwrapDataKey(generated, { purpose: 'customer-data-key', customerId: 'cus_b' }));
  });

  it('keeps unwrapping keys of older KEK versions after a new version becomes current', async (t) => {
    const kms = createLocalKeyManagement(path.join(await tempDir(t), 'kek.json'));
    const context = { purpose: 'customer-data-key', customerId: 'cus_a' };
    const old = await kms.generateDataKey(context);
    assert.equal(await kms.createKekVersion?.(), 'local/v2');
    assert.equal(await kms.currentKekId(), 'local/v2');
    assert.deepEqual(await kms.unwrapDataKey(old, context), old.plaintextKey);
    const rewrapped = await kms.rewrapDataKey(old, context);
    assert.equal(rewrapped.kekId, 'local/v2');
    assert.deepEqual(await kms.unwrapDataKey(rewrapped, context), old.plaintextKey);
  });

  it('refuses to start in production without AWS KMS', () => {
    const production = productionBase;
    assert.throws(() => loadConfig(production), /KMS_PROVIDER must be aws in production/);
    assert.throws(() => loadConfig({ ...production, KMS_PROVIDER: 'aws' }), /KMS_KEY_ID is required/);
    const config = loadConfig({
      ...productionWithKms,
      AUDIT_HEAD_STORE: 's3',
      AUDIT_HEAD_BUCKET: 'bank-audit-heads',
      AUDIT_HEAD_KMS_KEY_ID: 'alias/audit-heads',
    });
    assert.equal(createKeyManagement(config).provider, 'aws');
  });
});

describe('the field ciphertext format', () => {
  it('refuses a ciphertext with any byte changed, and one of an unknown format version', () => {
    const key = randomBytes(32);
    const ciphertext = encryptField(key, 'cus_a', 'name', 'Ada Lovelace');
    const body = Buffer.from(ciphertext.slice('pd1.'.length), 'base64url');
    for (const position of [0, 12, body.length - 1]) {
      const tampered = Buffer.from(body);
      tampered[position] = (tampered[position] ?? 0) ^ 1;
      assert.throws(() => decryptField(key, 'cus_a', 'name', `pd1.${tampered.toString('base64url')}`));
    }
    assert.throws(
      () => decryptField(key, 'cus_a', 'name', `pd2.${body.toString('base64url')}`),
      /known ciphertext format/,
    );
    assert.throws(() => decryptField(randomBytes(32), 'cus_a', 'name', ciphertext));
    assert.equal(decryptField(key, 'cus_a', 'name', ciphertext), 'Ada Lovelace');
  });
});

/** The vault's behaviour is the same whichever KMS wraps its keys. */
function vaultBehaviour(name: string, makeKms: (t: TestContext) => Promise<KeyManagement>) {
  describe(`the personal-data vault over ${name}`, () => {
    it('decrypts what it encrypted, and encrypts the same text differently each time', async (t) => {
      const vault = createPersonalDataVault({ db: await testDb(t), kms: await makeKms(t) });
      const customerId = newId('customer');
      const first = await vault.encrypt(customerId, 'name', 'Ada Lovelace');
      const second = await vault.encrypt(customerId, 'name', 'Ada Lovelace');
      assert.match(first, /^pd1\.[A-Za-z0-9_-]+$/);
      assert.notEqual(first, second);
      assert.doesNotMatch(first, /Ada|Lovelace/);
      assert.equal(await vault.decrypt(customerId, 'name', first), 'Ada Lovelace');
      assert.equal(await vault.decrypt(customerId, 'name', second), 'Ada Lovelace');
    });

    it('refuses a ciphertext moved to another field or another customer', async (t) => {
      const vault = createPersonalDataVault({ db: await testDb(t), kms: await makeKms(t) });
      const ada = newId('customer');
      const bob = newId('customer');
      const ciphertext = await vault.encrypt(ada, 'phone', '+4930123456');
      await vault.encrypt(bob, 'phone', '+4930999999');
      await assert.rejects(vault.decrypt(ada, 'email', ciphertext), /unable to authenticate|Unsupported state/);
      await assert.rejects(vault.decrypt(bob, 'phone', ciphertext), /unable to authenticate|Unsupported state/);
    });

    it('indexes equal values equally, per field, without revealing them', async (t) => {
      const db = await testDb(t);
      const kms = await makeKms(t);
      const vault = createPersonalDataVault({ db, kms });
      const index = await vault.blindIndex('email', 'ada@example.com');
      assert.match(index, /^[0-9a-f]{32}$/);
      // Another process (a second vault on the same database) computes the same index.
      const other = createPersonalDataVault({ db, kms });
      assert.equal(await other.blindIndex('email', 'ada@example.com'), index);
      assert.notEqual(await vault.blindIndex('email', 'bob@example.com'), index);
      assert.notEqual(await vault.blindIndex('phone', 'ada@example.com'), index);
    });

    it('after the customer’s key is destroyed, refuses to decrypt or encrypt their data', async (t) => {
      const db = await testDb(t);
      const kms = await makeKms(t);
      const vault = createPersonalDataVault({ db, kms });
      const customerId = newId('customer');
      const ciphertext = await vault.encrypt(customerId, 'name', 'Ada Lovelace');
      assert.equal(await vault.destroyCustomerKey(customerId), true);
      assert.equal(await vault.destroyCustomerKey(customerId), false);
      await assert.rejects(vault.decrypt(customerId, 'name', ciphertext), isErasedError);
      await assert.rejects(vault.encrypt(customerId, 'name', 'Ada Lovelace'), isErasedError);
      assert.equal(await vault.decryptUnlessErased(customerId, 'name', ciphertext), undefined);
      // Another process, which never cached the key, cannot read it either: the wrapped key is gone.
      const other = createPersonalDataVault({ db, kms });
      await assert.rejects(other.decrypt(customerId, 'name', ciphertext), isErasedError);
      const { rows } = await db.query(
        'SELECT wrapped_key, kek_id, destroyed_at FROM customer_data_keys WHERE customer_id = $1',
        [customerId],
      );
      assert.equal(rows[0]?.wrapped_key, null);
      assert.ok(rows[0]?.destroyed_at instanceof Date);
    });
  });
}

vaultBehaviour('the local key file', async (t) => createLocalKeyManagement(path.join(await tempDir(t), 'kek.json')));

/** One fake KMS per test file; each test gets a fresh key in it. */
const fakeKms = await startFakeKms();
const sharedAlias = 'alias/nextgen-personal-data';
fakeKms.createKey(sharedAlias);
after(() => fakeKms.close());
const awsKms = (keyId = sharedAlias, credentials = fakeKms.credentials) =>
  createAwsKeyManagement({ keyId, region: fakeKms.region, endpoint: fakeKms.endpoint, credentials });

vaultBehaviour('AWS KMS (a fake KMS endpoint)', async () => awsKms());

describe('the AWS KMS adapter', () => {
  it('costs one KMS call per customer while the data key is cached, none per further decrypt', async (t) => {
    const db = await testDb(t);
    const vault = createPersonalDataVault({ db, kms: awsKms() });
    const customerId = newId('customer');
    const before = fakeKms.calls.length;
    const ciphertext = await vault.encrypt(customerId, 'name', 'Ada Lovelace');
    for (let i = 0; i < 5; i += 1) assert.equal(await vault.decrypt(customerId, 'name', ciphertext), 'Ada Lovelace');
    assert.deepEqual(fakeKms.calls.slice(before), ['GenerateDataKey']);
    // A second process unwraps it once with Decrypt, then serves from memory.
    const other = createPersonalDataVault({ db, kms: awsKms() });
    const mark = fakeKms.calls.length;
    await other.decrypt(customerId, 'name', ciphertext);
    await other.decrypt(customerId, 'name', ciphertext);
    assert.deepEqual(fakeKms.calls.slice(mark), ['Decrypt']);
  });

  it('signs its requests: a wrong secret is refused by KMS and nothing is generated', async () => {
    const refusedBefore = fakeKms.refusedSignatures;
    const forged = awsKms(sharedAlias, {
      accessKeyId: fakeKms.credentials.accessKeyId,
      secretAccessKey: 'not-the-secret',
    });
    await assert.rejects(
      forged.generateDataKey({ purpose: 'customer-data-key', customerId: 'cus_x' }),
      (error: Error) => /InvalidSignature|signature/i.test(`${error.name} ${error.message}`),
    );
    assert.equal(fakeKms.refusedSignatures, refusedBefore + 1);
  });

  it('answers a KMS outage as a dependency briefly unavailable (503), not a crash', async () => {
    fakeKms.failNext(2); // the adapter tries twice
    await assert.rejects(
      awsKms().generateDataKey({ purpose: 'customer-data-key', customerId: 'cus_y' }),
      (error: unknown) => error instanceof DependencyUnavailable && error.dependencyName === 'kms',
    );
  });

  it('re-wraps a data key under another KMS key with ReEncrypt, without seeing it in clear', async () => {
    const context = { purpose: 'customer-data-key', customerId: 'cus_z' };
    const oldArn = fakeKms.createKey();
    const generated = await awsKms(oldArn).generateDataKey(context);
    assert.equal(generated.kekId, oldArn);
    const newArn = fakeKms.createKey();
    const mark = fakeKms.calls.length;
    const rewrapped = await awsKms(newArn).rewrapDataKey(generated, context);
    assert.deepEqual(fakeKms.calls.slice(mark), ['ReEncrypt']);
    assert.equal(rewrapped.kekId, newArn);
    assert.deepEqual(await awsKms(newArn).unwrapDataKey(rewrapped, context), generated.plaintextKey);
  });
});

describe('the API on AWS KMS', () => {
  it('registers and shows a customer through KMS, and answers a KMS outage with 503, storing nothing', async (t) => {
    // The SDK takes credentials from the standard AWS chain: here, the environment of this test process.
    process.env.AWS_ACCESS_KEY_ID = fakeKms.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = fakeKms.credentials.secretAccessKey;
    const testApp = await buildTestApp(t, {
      env: { KMS_PROVIDER: 'aws', KMS_KEY_ID: sharedAlias, AWS_REGION: fakeKms.region, KMS_ENDPOINT: fakeKms.endpoint },
    });
    const register = (email: string) =>
      testApp.app.inject({
        method: 'POST',
        url: '/api/v1/customers',
        payload: { name: 'Ada Lovelace', email, password: 'correct horse battery staple' },
      });
    const created = await register('ada@example.com');
    assert.equal(created.statusCode, 201, created.body);
    const me = await testApp.injectAs(created.json().id, { url: '/api/v1/customers/me' });
    assert.equal(me.json().email, 'ada@example.com');

    const { rows: before } = await testApp.deps.db.query('SELECT id FROM customers');
    fakeKms.failNext(2); // the adapter tries twice
    const refused = await register('grace@example.com');
    assert.equal(refused.statusCode, 503, refused.body);
    assert.equal(refused.json().code, 'service_unavailable');
    assert.ok(refused.headers['retry-after']);
    const { rows: after } = await testApp.deps.db.query('SELECT id FROM customers');
    assert.deepEqual(after, before);
  });
});
