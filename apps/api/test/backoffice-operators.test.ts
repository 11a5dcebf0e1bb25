import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { operatorToken } from '@nextgen/testkit';
import { decodeJwt } from 'jose';
import { issuerOf } from '../src/platform/auth.ts';
import { commandLine } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';
import { signedInOperator } from './operators.ts';

const whoAmI = (testApp: TestApp, authorization: string) =>
  testApp.app.inject({ url: '/backoffice/v1/approvals', headers: { authorization } });

describe('back-office operators', () => {
  it('get a short-lived token for their own client id carrying their roles as scopes', async (t) => {
    const testApp = await buildTestApp(t);
    const operator = await signedInOperator(testApp, ['approver', 'support']);
    const claims = decodeJwt(operator.token);
    assert.equal(claims.client_id, operator.id);
    assert.match(operator.id, /^opr_/);
    assert.deepEqual(String(claims.scope).split(' ').sort(), [
      'backoffice',
      'backoffice:approver',
      'backoffice:support',
    ]);
    assert.ok((claims.exp ?? 0) - (claims.iat ?? 0) <= 600);
    assert.equal((await whoAmI(testApp, operator.authorization)).statusCode, 200);
  });

  it('leave an audit record for every token issued or refused', async (t) => {
    const testApp = await buildTestApp(t);
    const operator = await signedInOperator(testApp, ['support']);
    const issuer = issuerOf(testApp.config);
    await assert.rejects(operatorToken(testApp.app, { ...operator.credentials, issuer, roles: ['approver'] }));
    const trail = async () => {
      await testApp.services.audit.seal();
      const records = await testApp.services.audit.recordsAbout({ kind: 'operator', id: operator.id }, 10);
      return records.map((r) => [r.action, r.actor.id, r.details]).sort();
    };
    // The token endpoint does not wait for its audit records: wait (boundedly) until all are written.
    for (let attempt = 0; attempt < 750 && (await trail()).length < 3; attempt += 1) await setTimeout(20);
    assert.deepEqual(await trail(), [
      ['backoffice.operator_created', 'cli:test', { roles: 'support' }],
      ['backoffice.operator_token_issued', operator.id, { scope: 'backoffice backoffice:support' }],
      ['backoffice.operator_token_refused', 'authorization-server', { error: 'invalid_scope' }],
    ]);
  });

  it('cannot obtain a role they were not given', async (t) => {
    const testApp = await buildTestApp(t);
    const { credentials } = await signedInOperator(testApp, ['support']);
    await assert.rejects(
      operatorToken(testApp.app, { ...credentials, issuer: issuerOf(testApp.config), roles: ['approver'] }),
      /operator token refused: 400 invalid_scope/,
    );
  });

  it('are refused a token with a key that is not theirs, and with the old key after a rotation', async (t) => {
    const testApp = await buildTestApp(t);
    const issuer = issuerOf(testApp.config);
    const alice = await signedInOperator(testApp, ['support']);
    const bob = await signedInOperator(testApp, ['support']);
    await assert.rejects(
      operatorToken(testApp.app, { clientId: alice.id, privateJwk: bob.credentials.privateJwk, issuer, roles: [] }),
      /invalid_client/,
    );
    const rotated = await testApp.services.backoffice.operators.rotateKey('cli:test', alice.id);
    await assert.rejects(operatorToken(testApp.app, { ...alice.credentials, issuer, roles: [] }), /invalid_client/);
    const fresh = await operatorToken(testApp.app, { ...rotated.credentials, issuer, roles: ['support'] });
    assert.equal(decodeJwt(fresh).client_id, alice.id);
  });

  it('once disabled get no new token and their unexpired token stops working at once', async (t) => {
    const testApp = await buildTestApp(t);
    const operator = await signedInOperator(testApp, ['approver']);
    await testApp.services.backoffice.operators.disable('cli:test', operator.id);
    const refused = await whoAmI(testApp, operator.authorization);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().code, 'operator_disabled');
    await assert.rejects(
      operatorToken(testApp.app, { ...operator.credentials, issuer: issuerOf(testApp.config), roles: ['approver'] }),
      /invalid_client/,
    );
    await testApp.services.backoffice.operators.enable('cli:test', operator.id);
    assert.equal((await whoAmI(testApp, operator.authorization)).statusCode, 200);
  });

  it('are managed from the command line, each command audited with the OS user as actor', async (t) => {
    const testApp = await buildTestApp(t);
    const run = commandLine(testApp, 'backoffice');
    const created = JSON.parse(
      (await run('operator', 'create', '--name', 'Alice', '--roles', 'payments,approver')).stdout,
    );
    assert.match(created.operator.id, /^opr_/);
    assert.deepEqual(created.operator.roles, ['payments', 'approver']);
    assert.equal(created.credentials.privateJwk.kty, 'EC');
    const token = await operatorToken(testApp.app, {
      ...created.credentials,
      issuer: issuerOf(testApp.config),
      roles: ['approver'],
    });
    assert.equal((await whoAmI(testApp, `Bearer ${token}`)).statusCode, 200);
    const { rows } = await testApp.deps.db.query<{ public_jwks: { keys: { d?: string }[] } }>(
      'SELECT public_jwks FROM operators',
    );
    assert.equal(rows[0]?.public_jwks.keys[0]?.d, undefined, 'the bank stores no private key');
    const disabled = JSON.parse((await run('operator', 'disable', '--id', created.operator.id)).stdout);
    assert.equal(disabled.status, 'disabled');
    await assert.rejects(run('operator', 'create', '--name', 'Eve', '--roles', 'root'), /--roles must be/);
    await testApp.services.audit.seal();
    const trail = (await testApp.services.audit.recordsAbout({ kind: 'operator', id: created.operator.id }, 10)).filter(
      (r) => !r.action.startsWith('backoffice.operator_token_'),
    );
    assert.deepEqual(
      trail.map((r) => r.action),
      ['backoffice.operator_disabled', 'backoffice.operator_created'],
    );
    assert.match(trail[0]?.actor.id ?? '', /^cli:/);
  });
});
