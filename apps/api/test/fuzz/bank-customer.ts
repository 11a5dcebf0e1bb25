import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  createSoftwareAuthenticator,
  type SignedInCustomer,
  type SoftwareAuthenticator,
  signUpAndSignIn,
} from '@nextgen/testkit';
import { newId } from '../../src/platform/ids.ts';
import { openAccount, registerPasskey } from '../fixtures.ts';
import type { TestApp } from '../helper.ts';

/**
 * A customer holding one of every resource the API offers customers, each made the way the app
 * makes it: registered and signed in through the authorization server (a session), KYC-verified,
 * two funded accounts with a transfer between them (transactions), a payee, a passkey, a pending
 * step-up challenge and an insight. The IDOR
 * matrix needs two of them; the fuzz test uses one so its ids reach past "not found".
 *
 * `idsByKind` maps an id prefix (`acc`, `trf`, …) to the customer's ids of that kind: a route whose
 * parameter pattern names a kind missing here is a new resource this fixture must learn to create.
 */
export interface BankCustomer {
  readonly customerId: string;
  readonly signedIn: SignedInCustomer;
  readonly accountId: string;
  readonly savingsId: string;
  readonly iban: string;
  readonly authenticator: SoftwareAuthenticator;
  /** A live step-up challenge (revealing the account number), as the app would be asked to approve. */
  readonly stepUp: {
    readonly challengeId: string;
    readonly publicKey: Parameters<SoftwareAuthenticator['getAssertion']>[0];
  };
  readonly idsByKind: Readonly<Record<string, readonly string[]>>;
}

const origin = 'http://localhost:3000';

/** KYC-verified at the top tier, as fixtures.createCustomer does, so the customer can move money. */
async function verifyKyc(testApp: TestApp, customerId: string): Promise<void> {
  await testApp.deps.db.query(
    `INSERT INTO kyc_profiles (customer_id, status, tier, decided_at, decided_by) VALUES ($1, 'verified', 3, now(), 'system')
     ON CONFLICT (customer_id) DO UPDATE SET status = 'verified', tier = 3, decided_at = now(), decided_by = 'system'`,
    [customerId],
  );
}

async function savedPayee(testApp: TestApp, customerId: string): Promise<string> {
  const response = await testApp.injectAs(customerId, {
    method: 'POST',
    url: '/api/v1/payees',
    payload: { name: 'Grace Hopper', iban: 'DE89 3704 0044 0532 0130 00' },
  });
  assert.equal(response.statusCode, 201, `saving a payee: ${response.body}`);
  return response.json().id;
}

async function pendingStepUp(testApp: TestApp, customerId: string, accountId: string): Promise<BankCustomer['stepUp']> {
  const response = await testApp.injectAs(customerId, { method: 'POST', url: `/api/v1/accounts/${accountId}/reveal` });
  assert.equal(response.json().code, 'step_up_required', `asking to reveal an account number: ${response.body}`);
  return response.json().stepUp;
}

/** The customer's history lines (the transfer between their accounts and the deposits). */
async function transactionIds(testApp: TestApp, customerId: string): Promise<string[]> {
  const response = await testApp.injectAs(customerId, { method: 'GET', url: '/api/v1/transactions?limit=10' });
  assert.equal(response.statusCode, 200, `listing transactions: ${response.body}`);
  return (response.json().data as { id: string }[]).map((line) => line.id);
}

/** An insight as the worker writes one (apps/worker insights-queue, insights/repository.ts). */
async function insightId(testApp: TestApp, customerId: string): Promise<string> {
  const id = newId('insight');
  await testApp.deps.db.query(
    `INSERT INTO insights (id, customer_id, type, period, dedupe_key, message_key, params, data, model_version)
     VALUES ($1, $2, 'upcoming_bill', '2026-12-28', 'upcoming_bill:fixture', 'insights.upcoming_bill',
       '{"name": "Rent", "amount": "740.00 EUR", "date": "2026-12-28"}', '{}', 'fixture')`,
    [id, customerId],
  );
  return id;
}

async function sessionIds(signedIn: SignedInCustomer): Promise<string[]> {
  const response = await signedIn.api('GET', '/api/v1/sessions');
  assert.equal(response.status, 200, `listing sessions: ${response.body}`);
  return (JSON.parse(response.body).data as { id: string }[]).map((session) => session.id);
}

export async function bankCustomer(testApp: TestApp, name: string): Promise<BankCustomer> {
  const email = `${name.split(' ')[0]?.toLowerCase()}.${randomBytes(4).toString('hex')}@example.com`;
  const signedIn = await signUpAndSignIn(testApp.app, { name, email, password: 'a ledger balances twice' });
  const { customerId } = signedIn;
  await verifyKyc(testApp, customerId);
  const account = await openAccount(testApp, customerId, { fundMinor: 1_000_00n });
  const savings = await openAccount(testApp, customerId, { type: 'savings', fundMinor: 10_00n });
  const transfer = await testApp.services.payments.postTransfer(customerId, {
    fromAccountId: account.id,
    to: { accountId: savings.id },
    amountMinor: 5_00n,
    currency: 'EUR',
    reference: 'Savings',
  });
  const authenticator = createSoftwareAuthenticator({ origin });
  const passkeyId = await registerPasskey(testApp, customerId, authenticator);
  const stepUp = await pendingStepUp(testApp, customerId, account.id);
  return {
    customerId,
    signedIn,
    accountId: account.id,
    savingsId: savings.id,
    iban: account.iban,
    authenticator,
    stepUp,
    idsByKind: {
      cus: [customerId],
      acc: [account.id, savings.id],
      trf: [String(transfer.id)],
      pye: [await savedPayee(testApp, customerId)],
      pky: [passkeyId],
      ses: await sessionIds(signedIn),
      sup: [stepUp.challengeId],
      txn: await transactionIds(testApp, customerId),
      ins: [await insightId(testApp, customerId)],
    },
  };
}
