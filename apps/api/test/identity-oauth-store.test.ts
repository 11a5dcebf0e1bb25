import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createOAuthStore } from '../src/identity/oauth-store.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/** The PostgreSQL storage behind the authorization server, exercised directly. */
async function storeFor(t: Parameters<typeof buildTestApp>[0]) {
  const testApp = await buildTestApp(t);
  const revoked: string[] = [];
  const store = createOAuthStore(testApp.deps.db, {
    onGrantRevoked: async (grantId) => {
      revoked.push(grantId);
    },
    onPurgeFailed: (error) => {
      throw error;
    },
  });
  return { testApp, store, revoked };
}

async function rowCount(testApp: TestApp, where = 'true'): Promise<number> {
  const { rows } = await testApp.deps.db.query<{ n: bigint }>(
    `SELECT count(*) AS n FROM oauth_artefacts WHERE ${where}`,
  );
  return Number(rows[0]?.n);
}

const refreshToken = (grantId: string) => ({
  grantId,
  accountId: 'cus_x',
  clientId: 'nextgen-mobile',
  kind: 'RefreshToken',
});

describe('OAuth artefact storage', () => {
  it('keeps no usable token: ids are stored as digests and payloads without their value', async (t) => {
    const { testApp, store } = await storeFor(t);
    const tokenValue = 'k3Y9zQ-very-secret-refresh-token-value-123456';
    await store('RefreshToken').upsert(tokenValue, { ...refreshToken('grant-1'), jti: tokenValue }, 3600);
    const { rows } = await testApp.deps.db.query<{ id: string; payload: string }>(
      'SELECT id, payload FROM oauth_artefacts',
    );
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]?.id, tokenValue);
    assert.ok(!rows[0]?.payload.includes(tokenValue));
    const found = await store('RefreshToken').find(tokenValue);
    assert.equal(found?.jti, tokenValue);
    assert.equal(found?.grantId, 'grant-1');
  });

  it('finds sessions by uid and hides expired artefacts until they are purged', async (t) => {
    const { testApp, store } = await storeFor(t);
    await store('Session').upsert('session-id', { jti: 'session-id', uid: 'uid-1', accountId: 'cus_x' }, 3600);
    assert.equal((await store('Session').findByUid('uid-1'))?.jti, 'session-id');
    await store('Interaction').upsert('old', { kind: 'Interaction' }, -5);
    assert.equal(await store('Interaction').find('old'), undefined);
    assert.equal(await rowCount(testApp), 2);
    assert.equal(await store.purgeExpired(), 1);
    assert.equal(await rowCount(testApp), 1);
  });

  it('stores what a client could smuggle into a request parameter, including \\u0000', async (t) => {
    const { store } = await storeFor(t);
    await store('Interaction').upsert('i-1', { params: { state: 'a\u0000b' } }, 60);
    assert.deepEqual((await store('Interaction').find('i-1'))?.params, { state: 'a\u0000b' });
  });

  it('marks a refresh token consumed once; a concurrent second use revokes the grant', async (t) => {
    const { store, revoked } = await storeFor(t);
    const tokens = store('RefreshToken');
    await tokens.upsert('rt-1', refreshToken('grant-7'), 3600);
    await tokens.upsert('rt-other', refreshToken('grant-8'), 3600);
    await store('Grant').upsert('grant-7', { kind: 'Grant' }, 3600);
    const outcomes = await Promise.allSettled([tokens.consume('rt-1'), tokens.consume('rt-1')]);
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    const failure = outcomes.find((o) => o.status === 'rejected');
    assert.equal((failure?.reason as { error?: string } | undefined)?.error, 'invalid_grant');
    assert.deepEqual(revoked, ['grant-7']);
    assert.equal(await tokens.find('rt-1'), undefined);
    assert.equal(await store('Grant').find('grant-7'), undefined);
    assert.ok(await tokens.find('rt-other'), 'other grants are untouched');
  });

  it('reports a consumed token as consumed', async (t) => {
    const { store } = await storeFor(t);
    const codes = store('AuthorizationCode');
    await codes.upsert('code-1', { grantId: 'g' }, 60);
    await codes.consume('code-1');
    assert.equal(typeof (await codes.find('code-1'))?.consumed, 'number');
  });

  it("revokes by grant: deletes that grant's artefacts of the model and reports the grant", async (t) => {
    const { testApp, store, revoked } = await storeFor(t);
    await store('RefreshToken').upsert('a', refreshToken('grant-1'), 3600);
    await store('RefreshToken').upsert('b', refreshToken('grant-1'), 3600);
    await store('RefreshToken').upsert('c', refreshToken('grant-2'), 3600);
    await store('AuthorizationCode').upsert('d', { grantId: 'grant-1' }, 60);
    await store('RefreshToken').revokeByGrantId('grant-1');
    assert.equal(await rowCount(testApp, `model = 'RefreshToken'`), 1);
    assert.equal(await rowCount(testApp, `model = 'AuthorizationCode'`), 1);
    assert.deepEqual(revoked, ['grant-1']);
  });

  it('never looks up clients in the database: they are configured statically', async (t) => {
    const { store } = await storeFor(t);
    assert.equal(await store('Client').find('nextgen-mobile'), undefined);
  });
});
