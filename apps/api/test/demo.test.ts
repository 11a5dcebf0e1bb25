import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLedgerInvariants } from '@nextgen/testkit';
import { demoCustomers } from '../src/demo/plan.ts';
import { seedDemoData } from '../src/demo/seed.ts';
import { buildTestApp } from './helper.ts';

describe('demo data', () => {
  it('loads six months of history for every demo customer once, with sound books', async (t) => {
    const testApp = await buildTestApp(t);
    const { services, deps } = testApp;
    const now = new Date('2026-11-26T12:00:00Z');
    const first = await seedDemoData(services, now);
    assert.equal(first.seeded, true);
    assert.deepEqual(await seedDemoData(services, now), { seeded: false });

    // E-mails are encrypted; the demo customers are found by their e-mails' blind indexes.
    const indexes = await Promise.all(
      demoCustomers.map((c) => services.vault.blindIndex('email', c.email.toLowerCase())),
    );
    const { rows: customers } = await deps.db.query<{ id: string }>(
      'SELECT id FROM customers WHERE email_index = ANY($1::text[]) ORDER BY created_at',
      [indexes],
    );
    assert.equal(customers.length, 3);
    const alex = customers[0]?.id ?? '';
    const page = await testApp.injectAs(alex, { url: '/api/v1/transactions?limit=100' });
    assert.equal(page.statusCode, 200);
    const items = page.json().data as { description: string; createdAt: string; direction: string }[];
    assert.equal(items.length, 100);
    const oldest = await testApp.injectAs(alex, { url: '/api/v1/transactions?to=2026-06-01T00:00:00Z&limit=100' });
    assert.ok(oldest.json().data.length > 0, 'history reaches back six months');
    const salaries = await testApp.injectAs(alex, { url: '/api/v1/transactions?q=Salary&limit=100' });
    assert.equal(salaries.json().data.length, 6);
    const accounts = await testApp.injectAs(alex, { url: '/api/v1/accounts' });
    const balances = accounts.json().data.map((a: { balance: { amount: string } }) => Number(a.balance.amount));
    assert.ok(
      balances.every((b: number) => b > 0),
      `balances ${balances}`,
    );
    assert.deepEqual(await checkLedgerInvariants(deps.db), []);
  });
});
