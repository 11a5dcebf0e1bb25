import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { apiAudienceOf, backofficeClientId, backofficeScope, issuerOf, mobileClientId } from '../src/platform/auth.ts';
import { accessTokenTtlS } from '../src/platform/constants.ts';
import type { Queryable } from '../src/platform/database.ts';
import { newId } from '../src/platform/ids.ts';
import type { PrivateJwk } from '../src/platform/keys.ts';
import type { Currency } from '../src/platform/money.ts';
import type { TestApp } from './helper.ts';

/**
 * Banking fixtures: customers inserted with plain SQL (the identity module owns registration),
 * accounts opened and funded through the real services, as a client or operator would.
 */
export async function createCustomer(db: Queryable, name = 'Jane Doe'): Promise<string> {
  const id = newId('customer');
  const email = `${randomBytes(6).toString('hex')}@example.test`;
  await db.query(
    `INSERT INTO customers (id, name, email, email_normalized, password_hash) VALUES ($1, $2, $3, $3, 'not-a-hash')`,
    [id, name, email],
  );
  return id;
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
 * run the API as its own process with a SIGNING_JWKS they chose (buildTestApp signs its own).
 */
export async function accessTokenSigner(signingJwk: PrivateJwk, publicUrl: string) {
  const key = await importJWK(signingJwk, 'ES256');
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
    customerToken: (customerId: string, options: { expiresInS?: number } = {}) =>
      sign({ sub: customerId, client_id: mobileClientId, scope: 'openid offline_access' }, options.expiresInS),
    operatorToken: () => sign({ sub: backofficeClientId, client_id: backofficeClientId, scope: backofficeScope }),
  };
}
