/**
 * Prints an access token for a customer, signing in through the real OAuth flow (authorization
 * code + PKCE S256, the hosted login page posted as a form), as docs/api/authentication.md does
 * with curl. For trying the API from a shell:
 *
 *   TOKEN=$(./ng token --email alex@demo.nextgen.test --password 'NextGen-demo-2026!')
 *   curl -H "authorization: Bearer $TOKEN" http://localhost:3000/api/v1/accounts
 *
 * --base defaults to PUBLIC_URL or http://localhost:3000. The password may also come from the
 * NG_PASSWORD environment variable so it stays out of shell history.
 */
import { parseArgs } from 'node:util';
import { oauthDriver } from '@nextgen/testkit';

const { values } = parseArgs({
  options: {
    base: { type: 'string', default: process.env.PUBLIC_URL ?? 'http://localhost:3000' },
    email: { type: 'string' },
    password: { type: 'string', default: process.env.NG_PASSWORD },
    refresh: { type: 'boolean', default: false },
  },
});
if (!values.email || !values.password) {
  process.stderr.write('usage: ./ng token --email EMAIL --password PASSWORD [--base URL] [--refresh]\n');
  process.exit(2);
}
try {
  const session = await oauthDriver(values.base).signIn({ email: values.email, password: values.password });
  process.stdout.write(`${values.refresh ? JSON.stringify(session, null, 2) : session.accessToken}\n`);
} catch (error) {
  process.stderr.write(`sign-in failed: ${(error as Error).message.split('\n')[0]}\n`);
  process.exit(1);
}
