import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { startFakeKms, startFakeS3 } from '@nextgen/testkit';
import { recordHash } from '../src/audit/chain.ts';
import {
  type AuditHeadSettings,
  ChainHeadConflict,
  createAuditService,
  createLocalHeadStore,
  createS3HeadStore,
} from '../src/audit/index.ts';
import type { SealedRow } from '../src/audit/repository.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createAwsSigningKey, createLocalSigningKey } from '../src/platform/crypto/signing.ts';
import type { Queryable } from '../src/platform/database.ts';
import { S3Error, signV4 } from '../src/platform/s3.ts';
import { commandLine, productionWithKms } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const system = { kind: 'system', id: 'test' } as const;

async function temporaryFolder(t: TestContext): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'ng-audit-heads-'));
  t.after(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/** A test app whose audit heads go to a fresh local folder; answers the app and the folder. */
async function appWithLocalHeads(t: TestContext): Promise<{ testApp: TestApp; folder: string }> {
  const folder = await temporaryFolder(t);
  return { testApp: await buildTestApp(t, { env: { AUDIT_HEAD_DIR: folder } }), folder };
}

async function recordSome(testApp: TestApp, count: number, audit = testApp.services.audit) {
  for (let i = 1; i <= count; i += 1) {
    await audit.record(testApp.deps.db, { action: 'test.something_happened', actor: system, details: { step: i } });
  }
  await audit.seal();
}

/** Changes the log as a superuser who switched the append-only triggers off (an attacker with the DB role and more). */
async function asAttacker(testApp: TestApp, work: (tx: Queryable) => Promise<unknown>) {
  await testApp.deps.db.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    await work(tx);
  });
}

/**
 * Rewrites the record at `position` and recomputes every hash after it, and the chain head, so the
 * chain walk alone finds nothing: the rewrite only the exported heads can reveal.
 */
async function rewriteConsistently(testApp: TestApp, position: bigint) {
  await asAttacker(testApp, async (tx) => {
    const { rows } = await tx.query<SealedRow>('SELECT * FROM audit_log WHERE position >= $1 ORDER BY position', [
      position,
    ]);
    let previousHash = rows[0]?.previous_hash ?? '';
    for (const row of rows) {
      const action = row.position === position ? 'test.never_happened' : row.action;
      const hash = recordHash({
        position: row.position,
        previousHash,
        id: row.id,
        occurredAt: row.occurred_at,
        sealedAt: row.sealed_at,
        action,
        actorKind: row.actor_kind,
        actorId: row.actor_id,
        subjectKind: row.subject_kind,
        subjectId: row.subject_id,
        details: row.details,
      });
      await tx.query('UPDATE audit_log SET action = $2, previous_hash = $3, hash = $4 WHERE position = $1', [
        row.position,
        action,
        previousHash,
        hash,
      ]);
      previousHash = hash;
    }
    await tx.query('UPDATE audit_chain_head SET hash = $1', [previousHash]);
  });
}

const headFile = (folder: string, position: number) => path.join(folder, `${String(position).padStart(20, '0')}.json`);

describe('signed audit chain heads', () => {
  it('exports a signed head to a read-only file, and verifies clean against it', async (t) => {
    const { testApp, folder } = await appWithLocalHeads(t);
    const { audit } = testApp.services;
    assert.deepEqual(await audit.exportChainHead(), { outcome: 'empty' });
    await recordSome(testApp, 5);
    const exported = await audit.exportChainHead();
    assert.ok(exported.outcome === 'exported');
    assert.equal(exported.name, '00000000000000000005.json');
    assert.equal(exported.head.position, 5n);
    assert.equal(exported.head.count, 5n);
    assert.match(exported.head.keyId, /^local\//);
    const document = JSON.parse(await readFile(headFile(folder, 5), 'utf8'));
    assert.equal(document.format, 'nextgen-audit-head/1');
    assert.equal(
      document.hash,
      (await testApp.deps.db.query('SELECT hash FROM audit_log WHERE position = 5')).rows[0]?.hash,
    );
    assert.equal((await stat(headFile(folder, 5))).mode & 0o777, 0o444);
    // The chain has not moved: a second export (another worker, the next run) finds the head there.
    assert.equal((await audit.exportChainHead()).outcome, 'already_exported');
    await recordSome(testApp, 2);
    assert.equal((await audit.exportChainHead()).outcome, 'exported');
    assert.deepEqual(await audit.verifyExportedHeads(), { listed: 2, checked: 2, anchoredPosition: 7n, findings: [] });
    assert.deepEqual((await audit.verify()).findings, []);
  });

  it('reports exported_head_rewritten when a past record was rewritten with every later hash recomputed', async (t) => {
    const { testApp } = await appWithLocalHeads(t);
    const { audit } = testApp.services;
    await recordSome(testApp, 5);
    await audit.exportChainHead();
    await rewriteConsistently(testApp, 2n);
    // The chain is self-consistent again: only the signed head knows what position 5 hashed to.
    assert.deepEqual((await audit.verify()).findings, []);
    assert.deepEqual((await audit.verifyExportedHeads()).findings, [
      { kind: 'exported_head_rewritten', position: 5n, name: '00000000000000000005.json' },
    ]);
    // And no new export papers over it: the store keeps the honest head for that position.
    await assert.rejects(audit.exportChainHead(), ChainHeadConflict);
  });

  it('reports exported_head_beyond_chain when the tail was cut off and the head row moved back', async (t) => {
    const { testApp } = await appWithLocalHeads(t);
    const { audit } = testApp.services;
    await recordSome(testApp, 5);
    await audit.exportChainHead();
    await asAttacker(testApp, async (tx) => {
      await tx.query('DELETE FROM audit_log WHERE position > 3');
      await tx.query(
        'UPDATE audit_chain_head SET position = 3, hash = (SELECT hash FROM audit_log WHERE position = 3)',
      );
    });
    assert.deepEqual((await audit.verify()).findings, []);
    assert.deepEqual((await audit.verifyExportedHeads()).findings, [
      { kind: 'exported_head_beyond_chain', position: 5n, lastPosition: 3n, name: '00000000000000000005.json' },
    ]);
  });

  it('reports exported_head_forged for a stored head that was edited, or signed by another key', async (t) => {
    const { testApp, folder } = await appWithLocalHeads(t);
    const { audit } = testApp.services;
    await recordSome(testApp, 3);
    await audit.exportChainHead();
    // Someone rewrote the chain and "fixed" the stored head's hash to match, without the key.
    await rewriteConsistently(testApp, 1n);
    const file = headFile(folder, 3);
    const document = JSON.parse(await readFile(file, 'utf8'));
    document.hash = (await testApp.deps.db.query('SELECT hash FROM audit_log WHERE position = 3')).rows[0]?.hash;
    await chmod(file, 0o644);
    await writeFile(file, JSON.stringify(document));
    // A head made with a key of their own, naming that key, does not pass either.
    const otherKey: AuditHeadSettings = {
      store: createLocalHeadStore(folder),
      signingKey: createLocalSigningKey(path.join(await temporaryFolder(t), 'key.json')),
      retentionDays: 1,
    };
    await recordSome(testApp, 1);
    assert.equal(
      (await createAuditService({ db: testApp.deps.db, heads: otherKey }).exportChainHead()).outcome,
      'exported',
    );
    await writeFile(path.join(folder, '00000000000000000009.json'), 'not a head');
    assert.deepEqual((await audit.verifyExportedHeads()).findings, [
      { kind: 'exported_head_forged', name: '00000000000000000003.json' },
      { kind: 'exported_head_forged', name: '00000000000000000004.json' },
      { kind: 'exported_head_forged', name: '00000000000000000009.json' },
    ]);
  });

  it('local store: writes a name once, refuses to overwrite it, and leaves no temporary files', async (t) => {
    const folder = await temporaryFolder(t);
    const store = createLocalHeadStore(folder);
    const name = '00000000000000000001.json';
    const until = new Date(Date.now() + 86_400_000);
    assert.equal(await store.putOnce(name, Buffer.from('first'), until), 'written');
    assert.equal(await store.putOnce(name, Buffer.from('second'), until), 'exists');
    assert.equal((await store.get(name))?.toString(), 'first');
    // Racing writers of one name: exactly one wins, nobody replaces it.
    const other = '00000000000000000002.json';
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.putOnce(other, Buffer.from(`writer ${i}`), until)),
    );
    assert.equal(outcomes.filter((o) => o === 'written').length, 1);
    const winner = outcomes.indexOf('written');
    assert.equal((await store.get(other))?.toString(), `writer ${winner}`);
    assert.deepEqual((await readdir(folder)).sort(), [name, other]);
    const listed: string[] = [];
    for await (const n of store.list()) listed.push(n);
    assert.deepEqual(listed, [name, other]);
    assert.equal(await store.get('00000000000000000003.json'), undefined);
  });

  it('S3 store: signs with SigV4, locks each head in COMPLIANCE mode, never replaces one, lists across pages', async (t) => {
    const s3 = await startFakeS3();
    t.after(() => s3.close());
    s3.createBucket('audit-heads-test');
    s3.pageSize = 2;
    const testApp = await buildTestApp(t);
    const settings = {
      bucket: 'audit-heads-test',
      region: s3.region,
      endpoint: s3.endpoint,
      prefix: 'audit-heads/',
      credentials: async () => s3.credentials,
    };
    const heads: AuditHeadSettings = {
      store: createS3HeadStore(settings),
      signingKey: createLocalSigningKey(undefined),
      retentionDays: 30,
    };
    const audit = createAuditService({ db: testApp.deps.db, heads });
    for (let run = 0; run < 3; run += 1) {
      await recordSome(testApp, 2, audit);
      assert.equal((await audit.exportChainHead()).outcome, 'exported');
    }
    assert.equal((await audit.exportChainHead()).outcome, 'already_exported');
    assert.deepEqual(s3.refused, []);
    assert.equal(s3.puts.length, 3);
    const put = s3.puts[0];
    assert.equal(put?.key, 'audit-heads/00000000000000000002.json');
    assert.equal(put?.headers['x-amz-object-lock-mode'], 'COMPLIANCE');
    assert.equal(put?.headers['if-none-match'], '*');
    const retainedDays =
      (Date.parse(String(put?.headers['x-amz-object-lock-retain-until-date'])) - Date.now()) / 86_400_000;
    assert.ok(retainedDays > 29.9 && retainedDays <= 30, `retained ${retainedDays} days`);
    assert.equal(s3.versions('audit-heads-test', 'audit-heads/00000000000000000006.json').length, 1);
    assert.deepEqual(await audit.verifyExportedHeads(), { listed: 3, checked: 3, anchoredPosition: 6n, findings: [] });
    await rewriteConsistently(testApp, 5n);
    assert.deepEqual((await audit.verifyExportedHeads()).findings, [
      { kind: 'exported_head_rewritten', position: 6n, name: '00000000000000000006.json' },
    ]);
    // A request signed with the wrong secret is refused by S3, and the export says so.
    const wrong = createS3HeadStore({
      ...settings,
      credentials: async () => ({ ...s3.credentials, secretAccessKey: 'not-the-secret' }),
    });
    await assert.rejects(wrong.get('00000000000000000002.json'), (error: unknown) => {
      assert.ok(error instanceof S3Error);
      assert.equal(error.status, 403);
      assert.match(error.message, /SignatureDoesNotMatch/);
      return true;
    });
  });

  it('signs heads with an AWS KMS key and trusts only that key', async (t) => {
    const kms = await startFakeKms();
    t.after(() => kms.close());
    const arn = kms.createSigningKey('alias/audit-heads');
    const other = kms.createSigningKey('alias/someone-else');
    const kmsKey = (keyId: string) =>
      createAwsSigningKey({ keyId, region: kms.region, endpoint: kms.endpoint, credentials: kms.credentials });
    const { testApp, folder } = await appWithLocalHeads(t);
    const store = createLocalHeadStore(folder);
    const audit = createAuditService({
      db: testApp.deps.db,
      heads: { store, signingKey: kmsKey('alias/audit-heads'), retentionDays: 1 },
    });
    await recordSome(testApp, 2, audit);
    const exported = await audit.exportChainHead();
    assert.ok(exported.outcome === 'exported');
    assert.equal(exported.head.keyId, arn);
    assert.deepEqual(await audit.verifyExportedHeads(), { listed: 1, checked: 1, anchoredPosition: 2n, findings: [] });
    // One GetPublicKey for any number of heads; signatures are checked locally.
    assert.deepEqual(kms.calls, ['GetPublicKey', 'Sign']);
    // A head signed in KMS by another key (naming its own ARN) is not one of ours.
    await recordSome(testApp, 1, audit);
    const intruder = createAuditService({
      db: testApp.deps.db,
      heads: { store, signingKey: kmsKey(other), retentionDays: 1 },
    });
    assert.equal((await intruder.exportChainHead()).outcome, 'exported');
    assert.deepEqual((await audit.verifyExportedHeads()).findings, [
      { kind: 'exported_head_forged', name: '00000000000000000003.json' },
    ]);
    // A symmetric key is refused as a signing key, with the reason.
    await assert.rejects(kmsKey(kms.createKey()).keyId(), /UnsupportedOperationException|symmetric/);
  });

  it('signs S3 requests as AWS documents it (the SigV4 example "GET Object" of the S3 API reference)', () => {
    const request = {
      method: 'GET',
      path: '/test.txt',
      query: {},
      headers: { host: 'examplebucket.s3.amazonaws.com', range: 'bytes=0-9' } as Record<string, string>,
      body: Buffer.alloc(0),
    };
    const credentials = {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    };
    signV4(request, credentials, 'us-east-1', 's3', new Date('2013-05-24T00:00:00Z'));
    assert.equal(
      request.headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });

  it('`audit export-head` and `audit verify` work on the configured store, exiting 1 on a finding', async (t) => {
    const { testApp, folder } = await appWithLocalHeads(t);
    await recordSome(testApp, 4);
    const run = commandLine(testApp, 'audit', { AUDIT_HEAD_DIR: folder });
    assert.equal(
      (await run('export-head')).stdout,
      'audit chain head at position 4 exported 00000000000000000004.json\n',
    );
    assert.equal(
      (await run('export-head')).stdout,
      'audit chain head at position 4 was already exported as 00000000000000000004.json\n',
    );
    assert.equal(
      (await run('verify')).stdout,
      [
        'exported heads: checked the newest 1 of 1; a signed head anchors the chain through position 4',
        'audit chain intact: 4 sealed record(s), 0 pending',
        '',
      ].join('\n'),
    );
    await rewriteConsistently(testApp, 3n);
    await assert.rejects(run('verify'), (error: { code: number; stdout: string }) => {
      assert.equal(error.code, 1);
      assert.match(
        error.stdout,
        /^exported_head_rewritten: the chain at position 4 no longer hashes to the signed head/,
      );
      assert.match(error.stdout, /audit chain BROKEN: 1 finding\(s\): 4 sealed record\(s\), 0 pending\n$/);
      return true;
    });
    await assert.rejects(run('export-head'), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /does not match the chain at its position/);
      return true;
    });
  });

  it('requires S3 Object Lock and a KMS signing key in production', () => {
    const production = productionWithKms;
    assert.throws(() => loadConfig(production), /AUDIT_HEAD_STORE must be s3 in production/);
    assert.throws(() => loadConfig({ ...production, AUDIT_HEAD_STORE: 's3' }), /AUDIT_HEAD_BUCKET is required/);
    const withBucket = { ...production, AUDIT_HEAD_STORE: 's3', AUDIT_HEAD_BUCKET: 'bank-audit-heads' };
    assert.throws(() => loadConfig(withBucket), /AUDIT_HEAD_KMS_KEY_ID is required/);
    const config = loadConfig({ ...withBucket, AUDIT_HEAD_KMS_KEY_ID: 'alias/audit-heads' });
    assert.deepEqual(
      { ...config.auditHeads, dir: undefined },
      {
        store: 's3',
        dir: undefined,
        bucket: 'bank-audit-heads',
        region: 'eu-central-1',
        prefix: 'audit-heads/',
        endpoint: undefined,
        retentionDays: 2557,
        signing: 'aws',
        kmsKeyId: 'alias/audit-heads',
        signingKeyFile: undefined,
      },
    );
  });
});
