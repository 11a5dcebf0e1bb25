import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { createDpopClient, createDpopKey, type SoftwareAuthenticator } from '@nextgen/testkit';
import { importJWK, SignJWT } from 'jose';
import { apiAudienceOf, backofficeClientId, backofficeScope, issuerOf, mobileClientId } from '../src/platform/auth.ts';
import { accessTokenTtlS } from '../src/platform/constants.ts';
import { createLocalKeyManagement, createPersonalDataVault } from '../src/platform/crypto/index.ts';
import type { Queryable } from '../src/platform/database.ts';
import { createDpopNonces, dpopNonceSecretOf } from '../src/platform/dpop.ts';
import { newId } from '../src/platform/ids.ts';
import type { PrivateJwk } from '../src/platform/keys.ts';
import type { Currency } from '../src/platform/money.ts';
import type { TestApp } from './helper.ts';

/**
 * Banking fixtures: customers inserted with plain SQL (the identity module owns registration),
 * accounts opened and funded through the real services, as a client or operator would.
 */
/**
 * Runs one of the operators' command-line tools (apps/api/src/cli/<tool>.ts) on the test app's
 * database, as `./ng <tool> …` would: resolves with its output, rejects with its exit code.
 */
export function commandLine(
  testApp: Pick<TestApp, 'config'>,
  tool: 'audit' | 'backoffice',
  env: Record<string, string> = {},
): (...args: string[]) => Promise<{ stdout: string; stderr: string }> {
  const cli = path.resolve(import.meta.dirname, `../src/cli/${tool}.ts`);
  const settings = {
    ...process.env,
    NG_ENV: 'test',
    DATABASE_URL: testApp.config.databaseUrl,
    LOG_LEVEL: 'silent',
    SEED_DEMO_DATA: 'false',
    ...env,
  };
  return (...args) => promisify(execFile)(process.execPath, [cli, ...args], { env: settings });
}

/**
 * The settings every production configuration must name before loadConfig accepts NG_ENV=production
 * (secrets as placeholders). Tests of a production rule start from it and add or leave out the
 * settings that rule is about.
 */
export const productionBase = {
  NG_ENV: 'production',
  DATABASE_URL: 'postgres://db/x',
  REDIS_URL: 'redis://r',
  SIGNING_JWKS: '{"keys":[]}',
  COOKIE_SECRETS: 'x'.repeat(32),
  PUBLIC_URL: 'https://bank.example',
  BACKOFFICE_CLIENT_SECRET: 'y'.repeat(32),
} as const;

/** productionBase with AWS KMS wrapping personal data (required in production). */
export const productionWithKms = {
  ...productionBase,
  KMS_PROVIDER: 'aws',
  KMS_KEY_ID: 'alias/pd',
  AWS_REGION: 'eu-central-1',
} as const;

export async function createCustomer(db: Queryable, name = 'Jane Doe'): Promise<string> {
  const id = newId('customer');
  const email = `${randomBytes(6).toString('hex')}@example.test`;
  // Encrypted as the identity module does, under the public test KEK every NG_ENV=test process shares.
  const vault = createPersonalDataVault({ db, kms: createLocalKeyManagement(undefined) });
  await db.query(
    `INSERT INTO customers (id, name_ciphertext, email_ciphertext, email_index, password_hash)
     VALUES ($1, $2, $3, $4, 'not-a-hash')`,
    [
      id,
      await vault.encrypt(id, 'name', name),
      await vault.encrypt(id, 'email', email),
      await vault.blindIndex('email', email),
    ],
  );
  // KYC-verified at the highest tier (compliance/kyc.ts), so tests move money unless they test KYC or limits.
  await db.query(
    "INSERT INTO kyc_profiles (customer_id, status, tier, decided_at, decided_by) VALUES ($1, 'verified', 3, now(), 'system')",
    [id],
  );
  return id;
}

/** An identity document as a customer submits it (PUT /api/v1/me/kyc). */
export const samplePassport = {
  legalName: 'Ada Lovelace',
  documentType: 'passport',
  documentNumber: 'C01X00T47',
  issuingCountry: 'GB',
  expiresOn: '2036-05-31',
  dateOfBirth: '1990-12-10',
  nationality: 'GB',
} as const;

/** The KYC submission a customer's profile holds now: what an operator's decision names. */
export async function currentSubmission(testApp: Pick<TestApp, 'services'>, customerId: string): Promise<string> {
  const { submissionId } = await testApp.services.kyc.review(customerId);
  if (!submissionId) throw new Error('the customer has no KYC profile');
  return submissionId;
}

/** A customer who submitted an identity document through the API and waits for a KYC decision. */
export async function pendingKycCustomer(testApp: Pick<TestApp, 'deps' | 'injectAs'>, name = 'Jane Doe') {
  const customerId = await createCustomer(testApp.deps.db, name);
  await testApp.deps.db.query('DELETE FROM kyc_profiles WHERE customer_id = $1', [customerId]);
  const submitted = await testApp.injectAs(customerId, {
    method: 'PUT',
    url: '/api/v1/me/kyc',
    payload: { ...samplePassport, legalName: name },
  });
  if (submitted.statusCode !== 200) throw new Error(`KYC submission failed: ${submitted.body}`);
  return customerId;
}

export interface OpenedAccount {
  readonly id: string;
  readonly iban: string;
  readonly currency: Currency;
}

/** Opens an account for the customer and, when `fundMinor` is given, credits it from settlement. */
export async function openAccount(
  testApp: Pick<TestApp, 'services'>,
  customerId: string,
  options: { currency?: Currency; type?: 'checking' | 'savings'; fundMinor?: bigint; name?: string } = {},
): Promise<OpenedAccount> {
  const { services } = testApp;
  const currency = options.currency ?? 'EUR';
  const account = await services.accounts.openAccount(customerId, {
    type: options.type ?? 'checking',
    currency,
    name: options.name,
  });
  if (options.fundMinor) {
    await services.payments.creditAccount({
      accountId: account.id,
      amountMinor: options.fundMinor,
      currency,
      description: 'Opening deposit',
    });
  }
  return { id: account.id, iban: account.iban, currency };
}

/** A customer with one funded EUR checking account. */
export async function fundedCustomer(testApp: Pick<TestApp, 'services' | 'deps'>, fundMinor = 100_00n, name?: string) {
  const customerId = await createCustomer(testApp.deps.db, name);
  const account = await openAccount(testApp, customerId, { fundMinor });
  return { customerId, account };
}

let keyCounter = 0;
export function freshKey(): string {
  keyCounter += 1;
  return `test-${process.pid}-${Date.now()}-${keyCounter}`;
}

/** Every table's row count, to prove a refused request changed nothing. */
export async function rowCounts(db: Queryable): Promise<Record<string, number>> {
  const { rows } = await db.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM journal_entries) AS entries, (SELECT count(*)::int FROM postings) AS postings,
            (SELECT count(*)::int FROM transfers) AS transfers, (SELECT count(*)::int FROM account_transactions) AS lines,
            (SELECT count(*)::int FROM outbox_events) AS events, (SELECT count(*)::int FROM accounts) AS accounts,
            (SELECT sum(balance_minor)::text FROM ledger_accounts WHERE kind = 'customer') AS customer_money`,
  );
  return rows[0] ?? {};
}

/**
 * Signs access tokens as the authorization server would (RFC 9068 `at+jwt`, ES256), for tests that
 * run the API as its own process with a SIGNING_JWKS and COOKIE_SECRETS they chose (buildTestApp
 * signs its own). Customer tokens are DPoP-bound (`cnf.jkt`) to the signer's one device key;
 * `dpopHeaders` signs a fresh proof, with a current server nonce, for each request.
 */
export async function accessTokenSigner(signingJwk: PrivateJwk, publicUrl: string, cookieSecret: string) {
  const key = await importJWK(signingJwk, 'ES256');
  const device = createDpopClient(createDpopKey(), {
    nonce: createDpopNonces(dpopNonceSecretOf({ cookieSecrets: [cookieSecret] })).next,
  });
  const sign = (claims: Record<string, unknown>, expiresInS = accessTokenTtlS) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: signingJwk.kid })
      .setIssuer(issuerOf({ publicUrl }))
      .setAudience(apiAudienceOf({ publicUrl }))
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInS)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(key);
  return {
    device,
    /** `signedInAgoS`: how long ago the customer signed in (auth_time); just now by default, null for no auth_time. */
    customerToken: (customerId: string, options: { expiresInS?: number; signedInAgoS?: number | null } = {}) =>
      sign(
        {
          sub: customerId,
          client_id: mobileClientId,
          scope: 'openid offline_access',
          cnf: { jkt: device.key.thumbprint },
          ...(options.signedInAgoS === null
            ? {}
            : { auth_time: Math.floor(Date.now() / 1000) - (options.signedInAgoS ?? 0) }),
        },
        options.expiresInS,
      ),
    operatorToken: () => sign({ sub: backofficeClientId, client_id: backofficeClientId, scope: backofficeScope }),
    /** Authorization (DPoP scheme) and DPoP proof headers for one request with a customer token. */
    dpopHeaders: (token: string, method: string, url: string) => device.headersFor(method, url, token),
  };
}

/**
 * Adds a passkey from a software authenticator to the customer through the real API (options, then
 * the authenticator's answer), as the app's "Add a passkey" does. Returns the passkey's id (pky_…).
 */
export async function registerPasskey(
  testApp: Pick<TestApp, 'injectAs'>,
  customerId: string,
  authenticator: SoftwareAuthenticator,
): Promise<string> {
  const url = '/api/v1/passkeys/registration-options';
  let options = await testApp.injectAs(customerId, { method: 'POST', url });
  if (options.statusCode === 403 && options.json().code === 'step_up_required') {
    // The customer holds a passkey: approve with the authenticator that registered one, as the app would.
    const challenge = options.json().stepUp;
    const approver = enrolledAuthenticators
      .get(customerId)
      ?.find((candidate) =>
        challenge.publicKey.allowCredentials.some((c: { id: string }) => candidate.credentialIds().includes(c.id)),
      );
    if (!approver) throw new Error('no authenticator of this customer can approve adding a passkey');
    const stepUp = { challengeId: challenge.challengeId, assertion: approver.getAssertion(challenge.publicKey) };
    options = await testApp.injectAs(customerId, { method: 'POST', url, payload: { stepUp } });
  }
  if (options.statusCode !== 200)
    throw new Error(`registration options refused: ${options.statusCode} ${options.body}`);
  const credential = authenticator.createCredential(options.json());
  const created = await testApp.injectAs(customerId, {
    method: 'POST',
    url: '/api/v1/passkeys',
    payload: { credential },
  });
  if (created.statusCode !== 201)
    throw new Error(`passkey registration refused: ${created.statusCode} ${created.body}`);
  enrolledAuthenticators.set(customerId, [...(enrolledAuthenticators.get(customerId) ?? []), authenticator]);
  return created.json().id;
}

/** The authenticators registerPasskey enrolled, per customer: the next registration approves with one. */
const enrolledAuthenticators = new Map<string, SoftwareAuthenticator[]>();
