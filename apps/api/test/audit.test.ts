import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { oauthDriver, signUpAndSignIn } from '@nextgen/testkit';
import { genesisHash, recordHash } from '../src/audit/chain.ts';
import type { SealedRow } from '../src/audit/repository.ts';
import type { Queryable } from '../src/platform/database.ts';
import { commandLine, fundedCustomer, openAccount } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const system = { kind: 'system', id: 'test' } as const;

async function recordSome(testApp: TestApp, count: number) {
  for (let i = 1; i <= count; i += 1) {
    await testApp.deps.db.transaction((tx) =>
      testApp.services.audit.record(tx, {
        action: 'test.something_happened',
        actor: system,
        subject: { kind: 'account', id: `acc_${i}` },
        details: { step: i, ok: true, code: 'x' },
      }),
    );
  }
  await testApp.services.audit.seal();
}

/** Changes the log as a superuser who switched the append-only triggers off (what an attacker with DB access could do). */
async function asAttacker(testApp: TestApp, work: (tx: Queryable) => Promise<unknown>) {
  await testApp.deps.db.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    await work(tx);
  });
}

const positions = async (testApp: TestApp) =>
  (
    await testApp.deps.db.query<{ position: bigint; id: string }>(
      'SELECT position, id FROM audit_log ORDER BY position',
    )
  ).rows;

describe('audit log', () => {
  it('chains sealed records: each hash covers its content and the previous hash', async (t) => {
    const testApp = await buildTestApp(t);
    await recordSome(testApp, 3);
    const { rows } = await testApp.deps.db.query<{
      position: bigint;
      previous_hash: string;
      hash: string;
      details: Record<string, unknown>;
    }>('SELECT position, previous_hash, hash, details FROM audit_log ORDER BY position');
    assert.deepEqual(
      rows.map((r) => r.position),
      [1n, 2n, 3n],
    );
    assert.equal(rows[0]?.previous_hash, genesisHash);
    assert.equal(rows[1]?.previous_hash, rows[0]?.hash);
    assert.equal(rows[2]?.previous_hash, rows[1]?.hash);
    assert.deepEqual(rows[2]?.details, { step: 3, ok: true, code: 'x' });
    assert.equal((await testApp.deps.db.query('SELECT 1 FROM audit_pending')).rowCount, 0);
    assert.deepEqual(await testApp.services.audit.verify(), { sealed: 3n, pending: 0, findings: [] });
  });

  it('keeps a record only if the audited transaction commits', async (t) => {
    const testApp = await buildTestApp(t);
    await assert.rejects(
      testApp.deps.db.transaction(async (tx) => {
        await testApp.services.audit.record(tx, { action: 'test.rolled_back', actor: system });
        throw new Error('the effect failed');
      }),
      /the effect failed/,
    );
    assert.equal(await testApp.services.audit.seal(), 0);
  });

  it('chains a record committed after a later-sequenced one in a later run, losing nothing', async (t) => {
    const testApp = await buildTestApp(t);
    const { audit } = testApp.services;
    // The first transaction takes the lower sequence number but commits after the second one.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let recorded: () => void = () => {};
    const slowRecorded = new Promise<void>((resolve) => {
      recorded = resolve;
    });
    const slow = testApp.deps.db.transaction(async (tx) => {
      await audit.record(tx, { action: 'test.slow_commit', actor: system });
      recorded();
      await held;
    });
    await slowRecorded;
    await testApp.deps.db.transaction((tx) => audit.record(tx, { action: 'test.fast_commit', actor: system }));
    assert.equal(await audit.seal(), 1);
    release();
    await slow;
    assert.equal(await audit.seal(), 1);
    const { rows } = await testApp.deps.db.query<{ action: string }>('SELECT action FROM audit_log ORDER BY position');
    assert.deepEqual(
      rows.map((r) => r.action),
      ['test.fast_commit', 'test.slow_commit'],
    );
    assert.deepEqual((await audit.verify()).findings, []);
  });

  it('seals committed records in the background once the sealer is started', async (t) => {
    const testApp = await buildTestApp(t);
    const { audit } = testApp.services;
    const errors: unknown[] = [];
    const stop = audit.startSealer((error) => errors.push(error));
    t.after(stop);
    await audit.record(testApp.deps.db, { action: 'test.background_sealed', actor: system });
    // The sealer runs about once a second: wait (boundedly) for it rather than sealing here.
    for (let attempt = 0; attempt < 400 && (await audit.verify()).sealed === 0n; attempt += 1) await setTimeout(50);
    assert.deepEqual(await audit.verify(), { sealed: 1n, pending: 0, findings: [] });
    assert.deepEqual(errors, []);
  });

  it('refuses updates, deletes and truncation of sealed records, and deleting unsealed ones', async (t) => {
    const testApp = await buildTestApp(t);
    await recordSome(testApp, 1);
    const { db } = testApp.deps;
    await assert.rejects(db.query("UPDATE audit_log SET action = 'test.rewritten'"), /append-only/);
    await assert.rejects(db.query('DELETE FROM audit_log'), /append-only/);
    await assert.rejects(db.query('TRUNCATE audit_log'), /append-only/);
    await db.transaction((tx) => testApp.services.audit.record(tx, { action: 'test.not_sealed_yet', actor: system }));
    await assert.rejects(db.query('DELETE FROM audit_pending'), /not sealed yet/);
    await assert.rejects(db.query("UPDATE audit_pending SET action = 'test.rewritten'"), /append-only/);
    assert.equal(await testApp.services.audit.seal(), 1);
    await assert.rejects(db.query('UPDATE audit_chain_head SET position = 0, hash = $1', [genesisHash]), /forward/);
    assert.deepEqual((await testApp.services.audit.verify()).findings, []);
  });

  it('pinpoints a tampered record by its position and id', async (t) => {
    const testApp = await buildTestApp(t);
    await recordSome(testApp, 5);
    const third = (await positions(testApp))[2];
    await asAttacker(testApp, (tx) =>
      tx.query(`UPDATE audit_log SET details = '{"step": 3, "ok": false, "code": "x"}' WHERE position = 3`),
    );
    assert.deepEqual((await testApp.services.audit.verify()).findings, [
      { kind: 'tampered', position: 3n, id: third?.id },
    ]);
  });

  it('finds a rewritten record even when its hash was recomputed: the next link breaks', async (t) => {
    const testApp = await buildTestApp(t);
    await recordSome(testApp, 4);
    const { rows } = await testApp.deps.db.query<SealedRow>('SELECT * FROM audit_log WHERE position = 2');
    const row = rows[0];
    assert.ok(row);
    const forged = recordHash({
      position: 2n,
      previousHash: row.previous_hash,
      id: row.id,
      occurredAt: row.occurred_at,
      sealedAt: row.sealed_at,
      action: 'test.something_else',
      actorKind: row.actor_kind,
      actorId: row.actor_id,
      subjectKind: row.subject_kind,
      subjectId: row.subject_id,
      details: row.details,
    });
    await asAttacker(testApp, (tx) =>
      tx.query(`UPDATE audit_log SET action = 'test.something_else', hash = $1 WHERE position = 2`, [forged]),
    );
    const third = (await positions(testApp))[2];
    assert.deepEqual((await testApp.services.audit.verify()).findings, [
      { kind: 'broken_link', position: 3n, id: third?.id, previousPosition: 2n },
    ]);
  });

  it('pinpoints deleted records: a gap in the middle, a missing first record, a cut-off tail', async (t) => {
    const testApp = await buildTestApp(t);
    await recordSome(testApp, 8);
    await asAttacker(testApp, (tx) => tx.query('DELETE FROM audit_log WHERE position IN (1, 4, 5, 8)'));
    assert.deepEqual((await testApp.services.audit.verify()).findings, [
      { kind: 'missing', afterPosition: 0n, beforePosition: 2n },
      { kind: 'missing', afterPosition: 3n, beforePosition: 6n },
      { kind: 'missing_tail', lastPosition: 7n, headPosition: 8n },
    ]);
  });

  it('`audit verify` exits 0 on an intact chain and 1 with one line per finding', async (t) => {
    const testApp = await buildTestApp(t);
    await recordSome(testApp, 4);
    // A fresh head folder: heads exported elsewhere (a developer's DATA_DIR) must not count here.
    const headDir = await mkdtemp(path.join(tmpdir(), 'ng-audit-'));
    t.after(() => rm(headDir, { recursive: true, force: true }));
    const run = commandLine(testApp, 'audit', { AUDIT_HEAD_DIR: headDir });
    const intact = await run('verify');
    assert.equal(intact.stdout, 'audit chain intact: 4 sealed record(s), 0 pending\n');
    const tamperedId = (await positions(testApp))[1]?.id;
    await asAttacker(testApp, async (tx) => {
      await tx.query(`UPDATE audit_log SET actor_id = 'someone-else' WHERE position = 2`);
      await tx.query('DELETE FROM audit_log WHERE position = 3');
    });
    await assert.rejects(run('verify'), (error: { code: number; stdout: string }) => {
      assert.equal(error.code, 1);
      assert.equal(
        error.stdout,
        [
          `tampered: record at position 2 (${tamperedId}) does not match its hash`,
          'missing: the record at position 3 between 2 and 4 was deleted',
          'audit chain BROKEN: 2 finding(s): 4 sealed record(s), 0 pending',
          '',
        ].join('\n'),
      );
      return true;
    });
    await assert.rejects(run('verify', '--json'), (error: { code: number; stdout: string }) => {
      const report = JSON.parse(error.stdout);
      assert.equal(report.intact, false);
      assert.deepEqual(
        report.findings.map((f: { kind: string }) => f.kind),
        ['tampered', 'missing'],
      );
      return true;
    });
    await assert.rejects(run('check'), (error: { code: number }) => error.code === 2);
  });
});

describe('audit of payments', () => {
  it('records every posted transfer, in the statement that posts it, without personal data', async (t) => {
    const testApp = await buildTestApp(t);
    const { customerId, account } = await fundedCustomer(testApp, 500_00n);
    const savings = await openAccount(testApp, customerId, { type: 'savings' });
    const transfer = await testApp.services.payments.postTransfer(customerId, {
      fromAccountId: account.id,
      to: { accountId: savings.id },
      amountMinor: 12_34n,
      currency: 'EUR',
      reference: 'Savings',
    });
    await testApp.services.audit.seal();
    const trail = await testApp.services.audit.recordsAbout({ kind: 'transfer', id: String(transfer.id) }, 5);
    assert.equal(trail.length, 1);
    const journalEntryId = String(trail[0]?.details.journalEntryId);
    assert.match(journalEntryId, /^jnl_/);
    assert.deepEqual(
      { action: trail[0]?.action, actor: trail[0]?.actor, details: trail[0]?.details },
      {
        action: 'payments.transfer_posted',
        actor: { kind: 'customer', id: customerId },
        details: {
          amountMinor: '1234',
          currency: 'EUR',
          fromAccountId: account.id,
          toAccountId: savings.id,
          journalEntryId,
        },
      },
    );
    assert.deepEqual((await testApp.services.audit.verify()).findings, []);
  });
});

describe('audit of sign-ins', () => {
  it('records a refused password and a completed sign-in, with no e-mail or password in the trail', async (t) => {
    const testApp = await buildTestApp(t);
    const email = `audit-${Date.now()}@example.test`;
    const password = 'correct horse battery staple 42';
    const signedIn = await signUpAndSignIn(testApp.app, { name: 'Ada Audit', email, password });
    const attempt = await oauthDriver(testApp.app).beginSignIn();
    assert.equal((await attempt.submit(email, 'wrong password entirely')).status, 401);
    await testApp.services.audit.seal();
    const { rows } = await testApp.deps.db.query<{ action: string; actor_id: string; details: object }>(
      `SELECT action, actor_id, details FROM audit_log WHERE action LIKE 'customer.sign%' ORDER BY position`,
    );
    assert.deepEqual(
      rows.map((r) => [r.action, r.actor_id, r.details]),
      [
        ['customer.signed_in', signedIn.customerId, { newDevice: true }],
        ['customer.sign_in_failed', 'sign-in', { factor: 'password' }],
      ],
    );
    const everything = JSON.stringify((await testApp.deps.db.query('SELECT to_jsonb(a) AS r FROM audit_log a')).rows);
    assert.ok(!everything.includes(email) && !everything.includes(password));
  });
});
