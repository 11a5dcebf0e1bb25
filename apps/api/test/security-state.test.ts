import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * Security state fails closed (issue 12): a customer's status is checked at admission, so tokens of
 * a locked, closed or erased customer stop before they expire.
 */
const me = (testApp: TestApp, customerId: string) => testApp.injectAs(customerId, { url: '/api/v1/customers/me' });

function assertInactive(response: Awaited<ReturnType<typeof me>>) {
  assert.equal(response.statusCode, 401, response.body);
  assert.equal(response.json().code, 'customer_inactive');
  assert.match(String(response.headers['www-authenticate']), /error="invalid_token"/);
}

describe("a customer's status at admission", () => {
  for (const status of ['locked', 'closed'] as const) {
    it(`refuses the tokens of a ${status} customer from the next request, and admits them again when reopened`, async (t) => {
      const testApp = await buildTestApp(t);
      const customerId = await createCustomer(testApp.deps.db);
      // The first call caches "active": the change must overwrite it, not wait for it to expire.
      assert.equal((await me(testApp, customerId)).statusCode, 200);
      assert.equal(await testApp.services.identity.setCustomerStatus(customerId, status), true);
      assertInactive(await me(testApp, customerId));
      assert.equal(await testApp.services.identity.setCustomerStatus(customerId, 'active'), true);
      assert.equal((await me(testApp, customerId)).statusCode, 200);
    });
  }

  it('refuses the tokens of an erased customer from the next request', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    assert.equal((await me(testApp, customerId)).statusCode, 200);
    const erased = await testApp.app.inject({
      method: 'POST',
      url: `/backoffice/v1/customers/${customerId}/erasure`,
      headers: { authorization: `Bearer ${await testApp.operatorToken()}` },
    });
    assert.equal(erased.statusCode, 200, erased.body);
    assertInactive(await me(testApp, customerId));
    assert.equal(await testApp.services.identity.setCustomerStatus(customerId, 'active'), false, 'erasure is final');
    assertInactive(await me(testApp, customerId));
  });

  it('reads PostgreSQL when the cached status is lost, and a status changed behind the cache is seen then', async (t) => {
    const testApp = await buildTestApp(t);
    const customerId = await createCustomer(testApp.deps.db);
    assert.equal((await me(testApp, customerId)).statusCode, 200);
    await testApp.deps.db.query(`UPDATE customers SET status = 'locked' WHERE id = $1`, [customerId]);
    await testApp.deps.cache.delete(`customer-status:${customerId}`);
    assertInactive(await me(testApp, customerId));
  });

  it('answers 503 rather than admit when the status cannot be read', async (t) => {
    const testApp = await buildTestApp(t, { faults: true });
    const customerId = await createCustomer(testApp.deps.db);
    await testApp.faults?.database.cut();
    const response = await me(testApp, customerId);
    await testApp.faults?.database.restore();
    assert.equal(response.statusCode, 503, response.body);
  });
});
