/**
 * Calls the API as the customer `./ng token` signed in, with a fresh DPoP proof per call (RFC 9449):
 *
 *   ./ng api GET /api/v1/accounts
 *   ./ng api POST /api/v1/transfers '{"fromAccountId":"acc_…", …}' -H 'idempotency-key: dinner-1'
 *   ./ng api --curl GET /api/v1/accounts     # prints a curl command (its proof works once, for 60 s)
 *
 * The access token is refreshed (and the session file updated) when it has less than 30 seconds
 * left; a `use_dpop_nonce` answer is retried once with the server's nonce. The answer's body goes
 * to standard output, its status to standard error; the exit code is 1 for a 4xx or 5xx answer.
 */
import { parseArgs } from 'node:util';
import { createDpopClient, createDpopKey, oauthDriver } from '@nextgen/testkit';
import { defaultSessionFile, loadSession, type SavedSession, saveSession } from './session-file.ts';

const usage = 'usage: ./ng api [--session FILE] [--curl] [-H "name: value"]… METHOD PATH [JSON-BODY]\n';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    session: { type: 'string', default: defaultSessionFile },
    curl: { type: 'boolean', default: false },
    header: { type: 'string', short: 'H', multiple: true, default: [] },
  },
});
const [method, path, body] = positionals;
if (!method || !path?.startsWith('/')) {
  process.stderr.write(usage);
  process.exit(2);
}

const expiresAtS = (jwt: string) =>
  Number((JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number }).exp);

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

function headersOf(lines: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`a header is "name: value", got "${line}"`);
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
}

async function freshSession(file: string, saved: SavedSession, driver: ReturnType<typeof oauthDriver>) {
  if (expiresAtS(saved.accessToken) - Date.now() / 1000 > 30) return saved;
  const renewed = await driver.refresh(saved.refreshToken);
  const session = { ...saved, accessToken: renewed.accessToken, refreshToken: renewed.refreshToken };
  await saveSession(file, { ...session, nonce: driver.dpop.nonce });
  return session;
}

try {
  const saved = await loadSession(values.session);
  const dpop = createDpopClient(createDpopKey(saved.dpopPrivateJwk));
  if (saved.nonce) dpop.learnNonce({ 'dpop-nonce': saved.nonce });
  const driver = oauthDriver(saved.base, { dpop, userAgent: 'NextGen CLI (./ng api)' });
  const session = await freshSession(values.session, saved, driver);
  const headers = headersOf(values.header);
  const verb = method.toUpperCase();
  if (values.curl) {
    const signed = dpop.headersFor(verb, `${saved.base}${path}`, session.accessToken);
    const all = { ...signed, ...(body ? { 'content-type': 'application/json' } : {}), ...headers };
    const parts = ['curl -sS', `-X ${verb}`, ...Object.entries(all).map(([n, v]) => `-H ${quote(`${n}: ${v}`)}`)];
    if (body) parts.push(`-d ${quote(body)}`);
    process.stdout.write(`${[...parts, quote(`${saved.base}${path}`)].join(' ')}\n`);
  } else {
    const response = await driver.api(session.accessToken, verb, path, {
      ...(body ? { body: JSON.parse(body) as unknown } : {}),
      headers,
    });
    await saveSession(values.session, { ...session, nonce: dpop.nonce });
    process.stderr.write(`HTTP ${response.status}\n`);
    process.stdout.write(`${response.body}\n`);
    if (response.status >= 400) process.exitCode = 1;
  }
} catch (error) {
  process.stderr.write(`${(error as Error).message.split('\n')[0]}\n`);
  process.exit(1);
}
