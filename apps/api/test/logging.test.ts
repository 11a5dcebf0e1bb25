import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fundedCustomer, openAccount } from './fixtures.ts';
import { buildTestApp } from './helper.ts';

describe('logs', () => {
  it('carry the request id and never a password, e-mail, name, IBAN or token', async (t) => {
    const logLines: string[] = [];
    const testApp = await buildTestApp(t, { env: { LOG_LEVEL: 'trace', STEP_UP_NEW_PAYEE: 'false' }, logLines });
    const { app } = testApp;
    const secrets = {
      name: 'Zebediah Quillfeather',
      email: 'Zebediah.Q@example.test',
      password: 'correct horse battery staple 9',
    };
    const registered = await app.inject({ method: 'POST', url: '/api/v1/customers', payload: secrets });
    assert.equal(registered.statusCode, 201);
    const taken = await app.inject({ method: 'POST', url: '/api/v1/customers', payload: secrets });
    assert.equal(taken.statusCode, 409);
    assert.doesNotMatch(taken.body, /zebediah/i, 'the conflict does not echo the e-mail');

    const payer = await fundedCustomer(testApp, 500_00n, 'Philippa Payer');
    const payee = await openAccount(testApp, registered.json().id);
    const token = await testApp.customerToken(payer.customerId);
    const transfer = await app.inject({
      method: 'POST',
      url: '/api/v1/transfers',
      headers: { ...testApp.dpopHeaders(token, 'POST', '/api/v1/transfers'), 'idempotency-key': 'log-test-1' },
      payload: {
        fromAccountId: payer.account.id,
        to: { iban: payee.iban },
        amount: { amount: '12.50', currency: 'EUR' },
        reference: 'Rent share',
      },
    });
    assert.equal(transfer.statusCode, 201);
    const search = await app.inject({
      url: `/api/v1/transactions?q=${encodeURIComponent(secrets.name)}&limit=5`,
      headers: testApp.dpopHeaders(token, 'GET', '/api/v1/transactions'),
    });
    assert.equal(search.statusCode, 200);
    await app.inject({ url: '/api/v1/accounts', headers: { authorization: 'Bearer not.a.real-token' } });

    const log = logLines.join('');
    assert.ok(logLines.length >= 10, `requests were logged: ${logLines.length}`);
    for (const line of logLines) {
      const entry = JSON.parse(line) as { reqId?: string; msg: string };
      if (entry.msg === 'incoming request' || entry.msg === 'request completed') assert.ok(entry.reqId, line);
    }
    const forbidden = [
      secrets.password,
      secrets.email,
      secrets.email.toLowerCase(),
      'Zebediah',
      'Philippa',
      payee.iban,
      payee.iban.replace(/(.{4})/g, '$1 ').trim(),
      token,
      'not.a.real-token',
    ];
    for (const value of forbidden) assert.ok(!log.includes(value), `the logs contain ${value.slice(0, 12)}…`);
  });
});
