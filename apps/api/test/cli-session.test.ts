import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { createTestDatabase, oauthDriver, repositoryRoot, startApiProcess, testRedisUrl } from '@nextgen/testkit';

const run = promisify(execFile);

/** `./ng token` then `./ng api`: the command line signs in like the app and signs each call (DPoP). */
it('signs in from the command line and calls the API with a DPoP proof per call', async (t) => {
  const database = await createTestDatabase();
  t.after(() => database.drop());
  const dir = await mkdtemp(path.join(tmpdir(), 'ng-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const api = await startApiProcess({
    DATABASE_URL: database.url,
    REDIS_URL: testRedisUrl,
    CACHE_KEY_PREFIX: `ngt:${randomBytes(6).toString('hex')}:`,
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
  });
  t.after(() => api.stop('SIGKILL'));
  const customer = { name: 'Mae Jemison', email: 'mae@example.com', password: 'endeavour sts-47 specialist' };
  const registered = await oauthDriver(api.baseUrl).registerCustomer(customer);
  const session = path.join(dir, 'session.json');
  const node = (script: string, args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [path.join(repositoryRoot, 'scripts', script), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...env },
    });

  const withoutPassword = await node('token.ts', ['--base', api.baseUrl, '--email', customer.email]).catch(
    (error: { stderr: string }) => error,
  );
  assert.match(withoutPassword.stderr, /usage: \.\/ng token/);
  // The password comes from the environment, as the script recommends (not the shell history).
  const token = await node('token.ts', ['--base', api.baseUrl, '--email', customer.email, '--session', session], {
    NG_PASSWORD: customer.password,
  });
  assert.match(token.stdout.trim(), /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/, 'prints the access token');
  assert.equal((await stat(session)).mode & 0o777, 0o600, 'the session file is private');

  const me = await node('api.ts', ['--session', session, 'GET', '/api/v1/customers/me']);
  assert.equal(JSON.parse(me.stdout).id, registered.id);
  assert.match(me.stderr, /HTTP 200/);
  const sessions = await node('api.ts', ['--session', session, 'GET', '/api/v1/sessions']);
  assert.equal(JSON.parse(sessions.stdout).data[0].deviceName, 'NextGen CLI (./ng token)');

  const curl = (await node('api.ts', ['--session', session, '--curl', 'GET', '/api/v1/customers/me'])).stdout;
  assert.match(curl, /^curl -sS -X GET -H 'authorization: DPoP eyJ/);
  assert.match(curl, /-H 'dpop: eyJ/);
  // The printed command works once: its proof's jti is then spent.
  const hasCurl = await run('sh', ['-c', 'command -v curl']).then(
    () => true,
    () => false,
  );
  if (!hasCurl) return t.diagnostic('curl is not installed: the printed command was not run');
  const first = await run('sh', ['-c', curl]);
  assert.equal(JSON.parse(first.stdout).id, registered.id);
  const replayed = await run('sh', ['-c', curl]);
  assert.equal(JSON.parse(replayed.stdout).code, 'invalid_dpop_proof');
});
