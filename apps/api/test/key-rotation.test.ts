import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { startFakeKms } from '@nextgen/testkit';
import {
  createAwsKeyManagement,
  createKeyManagement,
  createPersonalDataVault,
  type KeyManagement,
  rotateDataKeys,
} from '../src/platform/crypto/index.ts';
import { newId } from '../src/platform/ids.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const run = promisify(execFile);

async function kekFile(t: TestContext) {
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-rotate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return path.join(dir, 'kek.json');
}

/** Customers with encrypted names, through the vault as the identity module uses it. */
async function customersWithData(testApp: TestApp, count: number) {
  const customers: { id: string; ciphertext: string }[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = newId('customer');
    customers.push({ id, ciphertext: await testApp.services.vault.encrypt(id, 'name', `Customer ${i}`) });
  }
  return customers;
}

async function kekIds(testApp: TestApp): Promise<string[]> {
  const { rows } = await testApp.deps.db.query<{ kek_id: string }>(
    'SELECT DISTINCT kek_id FROM customer_data_keys WHERE kek_id IS NOT NULL UNION SELECT kek_id FROM vault_keys',
  );
  return rows.map((r) => r.kek_id).sort();
}

/** A fresh process's view: a new vault and KMS client that never cached a key. */
async function readBack(testApp: TestApp, kms: KeyManagement, customers: { id: string; ciphertext: string }[]) {
  const vault = createPersonalDataVault({ db: testApp.deps.db, kms });
  return Promise.all(customers.map((c) => vault.decrypt(c.id, 'name', c.ciphertext)));
}

describe('key rotation with the local key file', () => {
  it('re-wraps every data key under a new KEK version; the data and the blind index still read', async (t) => {
    const testApp = await buildTestApp(t, { env: { LOCAL_KEK_FILE: await kekFile(t) } });
    const customers = await customersWithData(testApp, 3);
    const index = await testApp.services.vault.blindIndex('email', 'ada@example.com');
    await testApp.services.vault.destroyCustomerKey(customers[2]?.id ?? '');
    const kms = createKeyManagement(testApp.config);

    const report = await rotateDataKeys(testApp.deps.db, kms);
    assert.deepEqual(report, {
      kekId: 'local/v2',
      newKekVersion: true,
      rewrapped: 2,
      vaultKeysRewrapped: 1,
      current: 2,
      destroyed: 1,
    });
    assert.deepEqual(await kekIds(testApp), ['local/v2']);
    const file = JSON.parse(await readFile(testApp.config.localKekFile ?? '', 'utf8'));
    assert.deepEqual(
      file.keks.map((k: { version: number }) => k.version),
      [1, 2],
    );
    const fresh = createKeyManagement(testApp.config);
    assert.deepEqual(await readBack(testApp, fresh, customers.slice(0, 2)), ['Customer 0', 'Customer 1']);
    const freshVault = createPersonalDataVault({ db: testApp.deps.db, kms: fresh });
    assert.equal(await freshVault.blindIndex('email', 'ada@example.com'), index);
  });

  it('resumes an interrupted rotation instead of starting another', async (t) => {
    const testApp = await buildTestApp(t, { env: { LOCAL_KEK_FILE: await kekFile(t) } });
    const customers = await customersWithData(testApp, 4);
    const kms = createKeyManagement(testApp.config);
    // KMS fails on the third re-wrap: two batches of one are committed, the other two stay under v1.
    let rewraps = 0;
    const flaky: KeyManagement = {
      ...kms,
      rewrapDataKey: async (key, context) => {
        rewraps += 1;
        if (rewraps === 3) throw new Error('KMS went away');
        return kms.rewrapDataKey(key, context);
      },
    };
    await assert.rejects(rotateDataKeys(testApp.deps.db, flaky, { batchSize: 1 }), /KMS went away/);
    assert.deepEqual(await kekIds(testApp), ['local/v1', 'local/v2']);

    const resumed = await rotateDataKeys(testApp.deps.db, createKeyManagement(testApp.config));
    assert.equal(resumed.newKekVersion, false);
    assert.equal(resumed.kekId, 'local/v2');
    assert.equal(resumed.rewrapped, 2);
    assert.equal(resumed.current, 4);
    assert.deepEqual(await kekIds(testApp), ['local/v2']);
    assert.deepEqual(
      await readBack(testApp, createKeyManagement(testApp.config), customers),
      customers.map((_, i) => `Customer ${i}`),
    );
  });

  it('runs as ./ng rotate-keys and reports its counts', async (t) => {
    const file = await kekFile(t);
    const testApp = await buildTestApp(t, { env: { LOCAL_KEK_FILE: file } });
    await customersWithData(testApp, 2);
    const { stdout } = await run(process.execPath, [path.resolve(import.meta.dirname, '../src/cli/rotate-keys.ts')], {
      env: {
        PATH: process.env.PATH ?? '',
        NG_ENV: 'test',
        DATABASE_URL: testApp.config.databaseUrl ?? '',
        LOCAL_KEK_FILE: file,
        LOG_LEVEL: 'silent',
      },
    });
    const report = JSON.parse(stdout);
    assert.equal(report.provider, 'local');
    assert.equal(report.kekId, 'local/v2');
    assert.equal(report.rewrapped, 2);
    assert.deepEqual(await kekIds(testApp), ['local/v2']);
    const { rows } = await testApp.deps.db.query<{ action: string }>(
      "SELECT action FROM audit_pending WHERE action = 'keys.rotated' UNION ALL SELECT action FROM audit_log WHERE action = 'keys.rotated'",
    );
    assert.equal(rows.length, 1);
  });
});

const fakeKms = await startFakeKms();
after(() => fakeKms.close());

describe('key rotation with AWS KMS', () => {
  it('moves data keys to the key KMS_KEY_ID now names, with ReEncrypt, and they still unwrap', async (t) => {
    const alias = `alias/pd-${newId('customer')}`;
    const oldArn = fakeKms.createKey(alias);
    const aws = () =>
      createAwsKeyManagement({
        keyId: alias,
        region: fakeKms.region,
        endpoint: fakeKms.endpoint,
        credentials: fakeKms.credentials,
      });
    const testApp = await buildTestApp(t);
    const vault = createPersonalDataVault({ db: testApp.deps.db, kms: aws() });
    const customers: { id: string; ciphertext: string }[] = [];
    for (const name of ['Ada', 'Grace', 'Hedy']) {
      const id = newId('customer');
      customers.push({ id, ciphertext: await vault.encrypt(id, 'name', name) });
    }
    await vault.blindIndex('email', 'ada@example.com');
    assert.deepEqual(await kekIds(testApp), [oldArn]);

    const newArn = fakeKms.createKey();
    fakeKms.updateAlias(alias, newArn);
    const mark = fakeKms.calls.length;
    const report = await rotateDataKeys(testApp.deps.db, aws());
    assert.equal(report.kekId, newArn);
    assert.equal(report.newKekVersion, false);
    assert.equal(report.rewrapped, 3);
    assert.equal(report.vaultKeysRewrapped, 1);
    assert.deepEqual(fakeKms.calls.slice(mark).sort(), ['DescribeKey', ...Array(4).fill('ReEncrypt')]);
    assert.deepEqual(await kekIds(testApp), [newArn]);
    assert.deepEqual(await readBack(testApp, aws(), customers), ['Ada', 'Grace', 'Hedy']);

    const again = await rotateDataKeys(testApp.deps.db, aws());
    assert.equal(again.rewrapped, 0, 'a second run finds nothing to do');
  });
});
