import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { oauthDriver, refreshErrorOf, type SignedInCustomer } from '@nextgen/testkit';
import { coarseNetworkOf, deviceNameOf } from '../src/identity/sessions.ts';
import { buildTestApp, type TestApp } from './helper.ts';

const phoneAgent = 'NextGen/2.4 (iPhone; iOS 18.1)';
const tabletAgent = 'NextGen/2.4 (iPad; iPadOS 18.1)';

function newCustomer() {
  return {
    name: 'Dorothy Vaughan',
    email: `dorothy.${randomBytes(4).toString('hex')}@example.com`,
    password: 'fortran for the computing pool',
  };
}

/** One customer signed in on two devices (two DPoP keys, two User-Agents). */
async function onTwoDevices(testApp: TestApp) {
  const customer = newCustomer();
  const phone = oauthDriver(testApp.app, { userAgent: phoneAgent });
  const tablet = oauthDriver(testApp.app, { userAgent: tabletAgent });
  await phone.registerCustomer(customer);
  return { customer, phone, tablet, onPhone: await phone.signIn(customer), onTablet: await tablet.signIn(customer) };
}

interface ListedSession {
  id: string;
  deviceName: string;
  network: string;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

async function sessionsOf(
  session: SignedInCustomer,
  query = '',
): Promise<{ data: ListedSession[]; nextCursor: string | null }> {
  const response = await session.api('GET', `/api/v1/sessions${query}`);
  assert.equal(response.status, 200, response.body);
  return JSON.parse(response.body);
}

const refreshError = refreshErrorOf;

async function newDeviceEvents(testApp: TestApp, customerId: string) {
  const { rows } = await testApp.deps.db.query<{ payload: Record<string, unknown> }>(
    `SELECT payload FROM outbox_events WHERE topic = 'security.new_device_login' AND aggregate_id = $1`,
    [customerId],
  );
  return rows.map((row) => (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload));
}

describe('signed-in sessions and devices', () => {
  it("lists the customer's sessions with device name, coarse network and which one is current", async (t) => {
    const testApp = await buildTestApp(t);
    const { onPhone } = await onTwoDevices(testApp);
    const { data, nextCursor } = await sessionsOf(onPhone);
    assert.equal(nextCursor, null);
    assert.deepEqual(
      data.map((s) => [s.deviceName, s.current]),
      [
        [tabletAgent, false],
        [phoneAgent, true],
      ],
    );
    for (const session of data) {
      assert.match(session.id, /^ses_/);
      assert.equal(session.network, '127.0.0.0/24', 'never the full address');
      assert.ok(Date.parse(session.lastUsedAt) >= Date.parse(session.createdAt));
    }
  });

  it('pages through sessions newest first with a cursor', async (t) => {
    const testApp = await buildTestApp(t);
    const { onPhone } = await onTwoDevices(testApp);
    const first = await sessionsOf(onPhone, '?limit=1');
    assert.equal(first.data.length, 1);
    assert.equal(first.data[0]?.deviceName, tabletAgent);
    assert.ok(first.nextCursor);
    const second = await sessionsOf(onPhone, `?limit=1&cursor=${first.nextCursor}`);
    assert.deepEqual(
      second.data.map((s) => s.deviceName),
      [phoneAgent],
    );
    assert.equal(second.nextCursor, null);
    const bad = await onPhone.api('GET', '/api/v1/sessions?cursor=not-a-cursor');
    assert.equal(bad.status, 400);
  });

  it('signs another device out: its refresh token stops at once and its access token is refused', async (t) => {
    const testApp = await buildTestApp(t);
    const { tablet, onPhone, onTablet } = await onTwoDevices(testApp);
    const tabletSession = (await sessionsOf(onPhone)).data.find((s) => s.deviceName === tabletAgent);
    assert.ok(tabletSession);
    const revoked = await onPhone.api('DELETE', `/api/v1/sessions/${tabletSession.id}`);
    assert.equal(revoked.status, 200);
    assert.equal(JSON.parse(revoked.body).id, tabletSession.id);

    assert.equal(await refreshError(tablet, onTablet.refreshToken), 'invalid_grant');
    const refused = await onTablet.api('GET', '/api/v1/customers/me');
    assert.equal(refused.status, 401);
    assert.equal(JSON.parse(refused.body).code, 'invalid_token');
    // The phone is untouched, and the tablet is no longer listed.
    const listed = await sessionsOf(onPhone);
    assert.deepEqual(
      listed.data.map((s) => s.deviceName),
      [phoneAgent],
    );
    const again = await onPhone.api('DELETE', `/api/v1/sessions/${tabletSession.id}`);
    assert.equal(again.status, 404);
  });

  it("answers 404 for another customer's session and signs nobody out", async (t) => {
    const testApp = await buildTestApp(t);
    const { onPhone, onTablet } = await onTwoDevices(testApp);
    const stranger = oauthDriver(testApp.app);
    const other = newCustomer();
    await stranger.registerCustomer(other);
    const onStranger = await stranger.signIn(other);
    const target = (await sessionsOf(onPhone)).data[0];
    assert.ok(target);
    const response = await onStranger.api('DELETE', `/api/v1/sessions/${target.id}`);
    assert.equal(response.status, 404);
    assert.equal(JSON.parse(response.body).code, 'session_not_found');
    assert.equal((await onTablet.api('GET', '/api/v1/customers/me')).status, 200);
    assert.equal((await sessionsOf(onPhone)).data.length, 2);
    assert.deepEqual(
      (await sessionsOf(onStranger)).data.map((s) => s.current),
      [true],
      'a customer sees only their own sessions',
    );
  });

  it('drops a session that signed out', async (t) => {
    const testApp = await buildTestApp(t);
    const { onPhone, onTablet } = await onTwoDevices(testApp);
    await onTablet.logout();
    assert.deepEqual(
      (await sessionsOf(onPhone)).data.map((s) => s.deviceName),
      [phoneAgent],
    );
  });

  it('writes security.new_device_login once per new device key, with no personal data', async (t) => {
    const testApp = await buildTestApp(t);
    const { customer, phone } = await onTwoDevices(testApp);
    const customerId = (await phone.signIn(customer)).customerId;
    // Two devices, three sign-ins: the phone's second sign-in is a known device.
    const events = await newDeviceEvents(testApp, customerId);
    assert.equal(events.length, 2);
    for (const payload of events) {
      assert.deepEqual(Object.keys(payload).sort(), ['customerId', 'sessionId']);
      assert.equal(payload.customerId, customerId);
    }
    const serialized = JSON.stringify(events);
    assert.ok(!serialized.includes(customer.email) && !serialized.includes('iPhone'), 'no personal data');
  });

  it('writes security.new_device_login once when one new device signs in several times at once', async (t) => {
    const testApp = await buildTestApp(t);
    const customer = newCustomer();
    const { id: customerId } = await oauthDriver(testApp.app).registerCustomer(customer);
    const keyThumbprint = randomBytes(32).toString('base64url');
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        testApp.services.sessions.recordSignIn({
          customerId,
          grantId: `grant-${i}-${randomBytes(4).toString('hex')}`,
          keyThumbprint,
          userAgent: phoneAgent,
          ip: '198.51.100.7',
        }),
      ),
    );
    assert.equal(outcomes.filter((o) => o.newDevice).length, 1);
    assert.equal((await newDeviceEvents(testApp, customerId)).length, 1);
  });

  it('refreshing marks the session used', async (t) => {
    const testApp = await buildTestApp(t);
    const { phone, onPhone } = await onTwoDevices(testApp);
    await testApp.deps.db.query(`UPDATE customer_sessions SET last_used_at = now() - interval '1 hour'`);
    const renewed = await phone.refresh(onPhone.refreshToken);
    const listed = await sessionsOf({ ...onPhone, api: (m, p, c) => phone.api(renewed.accessToken, m, p, c) });
    const mine = listed.data.find((s) => s.current);
    assert.ok(mine && Date.now() - Date.parse(mine.lastUsedAt) < 60_000, 'last used just now');
  });
});

describe('device names and networks', () => {
  it('keeps IPv4 to its /24 and IPv6 to its /48', () => {
    assert.equal(coarseNetworkOf('203.0.113.77'), '203.0.113.0/24');
    assert.equal(coarseNetworkOf('::ffff:198.51.100.9'), '198.51.100.0/24');
    assert.equal(coarseNetworkOf('2001:db8:abcd:12::1'), '2001:db8:abcd::/48');
    assert.equal(coarseNetworkOf('2001:db8::1'), '2001:db8:0::/48');
    assert.equal(coarseNetworkOf('::1'), '0:0:0::/48');
    assert.equal(coarseNetworkOf('not an address'), 'unknown');
  });

  it('names a device from its User-Agent, printable and bounded', () => {
    assert.equal(deviceNameOf(undefined), 'Unknown device');
    assert.equal(deviceNameOf('  \u0007 '), 'Unknown device');
    assert.equal(deviceNameOf('NextGen\u200b/2.4\n(iPhone)'), 'NextGen/2.4(iPhone)');
    assert.equal(deviceNameOf('x'.repeat(500)).length, 100);
  });
});
