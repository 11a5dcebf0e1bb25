/**
 * Signs a customer in through the real OAuth flow, as the app does (PAR, PKCE S256, the hosted
 * login page posted as a form, DPoP-bound tokens; docs/api/authentication.md), and keeps the
 * sign-in in a session file for `./ng api`, which signs a DPoP proof for every call:
 *
 *   ./ng token --email alex@demo.nextgen.test --password 'NextGen-demo-2026!'
 *   ./ng api GET /api/v1/accounts
 *
 * The access token is printed too (to read its claims), but it is bound to the session's key: a
 * request needs a fresh DPoP proof, which `./ng api` (or `./ng api --curl …`) makes.
 *
 * --base defaults to PUBLIC_URL or http://localhost:3000; --session to .ng-session.json (written
 * with mode 600: it holds the device's private key and the refresh token). The password may also
 * come from the NG_PASSWORD environment variable so it stays out of shell history.
 */
import { parseArgs } from 'node:util';
import { oauthDriver } from '@nextgen/testkit';
import { defaultSessionFile, saveSession } from './session-file.ts';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: process.env.PUBLIC_URL ?? 'http://localhost:3000' },
    email: { type: 'string' },
    password: { type: 'string', default: process.env.NG_PASSWORD },
    session: { type: 'string', default: defaultSessionFile },
    refresh: { type: 'boolean', default: false },
  },
});
if (!values.email || !values.password) {
  process.stderr.write(
    'usage: ./ng token --email EMAIL --password PASSWORD [--base URL] [--session FILE] [--refresh]\n',
  );
  process.exit(2);
}
try {
  const driver = oauthDriver(values.base, { userAgent: 'NextGen CLI (./ng token)' });
  const session = await driver.signIn({ email: values.email, password: values.password });
  await saveSession(values.session, {
    base: values.base,
    customerId: session.customerId,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    idToken: session.idToken,
    dpopPrivateJwk: driver.dpop.key.exportPrivateJwk(),
    nonce: driver.dpop.nonce,
  });
  const { accessToken, refreshToken, idToken, expiresIn, scope, customerId } = session;
  const printed = { accessToken, refreshToken, idToken, expiresIn, scope, customerId };
  process.stdout.write(`${values.refresh ? JSON.stringify(printed, null, 2) : accessToken}\n`);
  process.stderr.write(`signed in; session kept in ${values.session} for ./ng api\n`);
} catch (error) {
  process.stderr.write(`sign-in failed: ${(error as Error).message.split('\n')[0]}\n`);
  process.exit(1);
}
