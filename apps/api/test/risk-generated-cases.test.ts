import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateTransactions, type Transaction } from '@nextgen/ml';
import { freshKey, fundedCustomer } from './fixtures.ts';
import { buildTestApp, type TestApp } from './helper.ts';

/**
 * The issue's proof: a generated account takeover sent through the API is stopped, and a generated
 * customer's ordinary payment passes (risk/, docs/adr/0130, 0131). Both customers' earlier lives
 * come from the same generator the model was trained on (another seed), replayed into the ledger
 * back-dated through the services (as demo data is); then the payment in question goes over HTTP,
 * signed with the test app's device key. Payees outside the bank (`ext_…`) become accounts in this
 * bank, since transfers to other banks do not exist yet (issue 15).
 */
const seed = 31;
const rows = [...generateTransactions({ seed, customers: 200, days: 120, start: '2026-06-01', fraudRate: 0.2 })];
const dayMs = 24 * 60 * 60 * 1000;

/** Replays `history` of one generated customer into a new bank customer, shifted by `shiftMs`. */
async function replay(testApp: TestApp, history: readonly Transaction[], shiftMs: number, payees: Map<string, string>) {
  const { payments } = testApp.services;
  const first = Date.parse(history[0]?.time ?? '') + shiftMs;
  const { customerId, account } = await fundedCustomer(testApp, 0n, 'Generated Customer');
  // What the customer brought from their previous bank: the generator keeps no balances.
  await payments.creditAccount({
    accountId: account.id,
    amountMinor: 20_000_00n,
    currency: 'EUR',
    description: 'Opening balance',
    at: new Date(first - dayMs),
  });
  for (const row of history) {
    const at = new Date(Date.parse(row.time) + shiftMs);
    const amountMinor = BigInt(row.amountMinor);
    const money = { amountMinor: amountMinor < 0n ? -amountMinor : amountMinor, currency: 'EUR' as const, at };
    if (amountMinor > 0n)
      await payments.creditAccount({ ...money, accountId: account.id, description: row.description || 'Credit' });
    else if (row.channel === 'transfer') {
      const iban = await payeeIban(testApp, payees, row.counterparty);
      await payments.postTransfer(customerId, {
        ...money,
        fromAccountId: account.id,
        to: { iban },
        reference: row.description,
      });
    } else
      await payments.cardPurchase({ ...money, accountId: account.id, description: row.description || 'Card payment' });
  }
  return { customerId, accountId: account.id };
}

/** One account in this bank per generated counterparty, opened once. */
async function payeeIban(testApp: TestApp, payees: Map<string, string>, counterparty: string): Promise<string> {
  const known = payees.get(counterparty);
  if (known) return known;
  const { account } = await fundedCustomer(testApp, 0n, 'Generated Payee');
  payees.set(counterparty, account.iban);
  return account.iban;
}

/**
 * The risk check's outcome for this payment at each hour of the next day (without storing it under
 * a key): from the device the customer has used for months (`knownDevice`) or from the test app's
 * key as a stranger's.
 */
async function outcomesOverADay(
  testApp: TestApp,
  from: { customerId: string; accountId: string },
  toIban: string,
  amountMinor: bigint,
  knownDevice: boolean,
): Promise<string[]> {
  const risk = testApp.services.risk;
  assert.ok(risk);
  const [to] = await testApp.services.accounts.findAccounts([], [toIban]);
  assert.ok(to);
  const outcomes: string[] = [];
  for (let hour = 0; hour < 24; hour += 1) {
    const verdict = await risk.check({
      customerId: from.customerId,
      fromAccountId: from.accountId,
      toAccountId: to.id,
      toIban,
      toOwnAccount: false,
      amountMinor,
      currency: 'EUR',
      at: new Date(Date.now() + hour * 60 * 60 * 1000),
      deviceKeyThumbprint: knownDevice ? testApp.device.key.thumbprint : `stranger-${hour}`,
      idempotencyKey: undefined,
    });
    outcomes.push(verdict.outcome);
  }
  return outcomes;
}

const send = (testApp: TestApp, customerId: string, body: object) =>
  testApp.injectAs(customerId, {
    method: 'POST',
    url: '/api/v1/transfers',
    headers: { 'idempotency-key': freshKey() },
    payload: body,
  });

describe('generated fraud cases through the API', () => {
  it('stops a generated account takeover and lets a generated ordinary payment through', async (t) => {
    const env = {
      RISK_SCORING: 'true',
      STEP_UP_NEW_PAYEE: 'false',
      STEP_UP_CUMULATIVE: 'false',
      STEP_UP_THRESHOLD: '100000',
    };
    const testApp = await buildTestApp(t, { env });
    const payees = new Map<string, string>();

    // The takeover: the first generated case in euros with two months of the victim's life before it.
    const attack = rows.filter((r) => r.label?.scenario === 'account_takeover' && r.currency === 'EUR');
    const caseId = attack.find((r) => rows.filter((h) => h.customer === r.customer && h.time < r.time).length >= 50)
      ?.label?.case;
    const steps = attack.filter((r) => r.label?.case === caseId);
    const victimRows = rows.filter((r) => r.customer === steps[0]?.customer);
    const cashOut = steps.find((r) => r.label?.role === 'cash_out');
    assert.ok(cashOut && steps[0], 'the generator made a takeover with a cash-out');
    const shiftMs = Date.now() - 60_000 - Date.parse(steps[0].time);
    const victim = await replay(
      testApp,
      victimRows.filter((r) => r.time < (steps[0]?.time ?? '')),
      shiftMs,
      payees,
    );
    // The fraudster's device is the test app's key, which this customer never signed in with.
    const mule = await payeeIban(testApp, payees, cashOut.counterparty);
    const stolen = await send(testApp, victim.customerId, {
      fromAccountId: victim.accountId,
      to: { iban: mule },
      amount: { amount: (Number(-BigInt(cashOut.amountMinor)) / 100).toFixed(2), currency: 'EUR' },
    });
    assert.notEqual(stolen.statusCode, 201, `the cash-out of ${caseId} is not posted: ${stolen.body}`);
    // Held (202, a transfer) or refused (a problem): which depends on the hour of the run, a feature.
    // A step-up for this customer, who never enrolled a passkey, is `passkey_required`: the payment
    // waits for an approval only the customer's own passkey can give.
    const outcome = stolen.statusCode === 202 ? stolen.json().status : stolen.json().code;
    assert.ok(['held', 'step_up_required', 'passkey_required', 'transfer_declined'].includes(outcome), stolen.body);
    const stolenHourly = await outcomesOverADay(testApp, victim, mule, -BigInt(cashOut.amountMinor), false);
    assert.ok(!stolenHourly.includes('allow'), `stopped at every hour: ${stolenHourly.join()}`);

    // The ordinary payment: a legitimate customer's next transfer to someone they paid before, from
    // the device they have used for months.
    const legit = rows.filter((r) => !r.label && r.currency === 'EUR');
    const candidate = legit.find((r) => {
      if (r.channel !== 'transfer' || BigInt(r.amountMinor) >= 0n || !r.device) return false;
      const before = legit.filter((h) => h.customer === r.customer && h.time < r.time);
      return before.length >= 50 && before.some((h) => h.counterparty === r.counterparty && BigInt(h.amountMinor) < 0n);
    });
    assert.ok(candidate, 'the generator made an ordinary repeat payment');
    const ordinaryShift = Date.now() - 60_000 - Date.parse(candidate.time);
    const history = rows.filter((r) => r.customer === candidate.customer && r.time < candidate.time);
    const customer = await replay(testApp, history, ordinaryShift, payees);
    await testApp.deps.db.query(
      `INSERT INTO customer_devices (customer_id, key_thumbprint, first_seen_at) VALUES ($1, $2, $3)`,
      [
        customer.customerId,
        testApp.device.key.thumbprint,
        new Date(Date.parse(history[0]?.time ?? '') + ordinaryShift),
      ],
    );
    // At whatever hour of the day it is sent (the hour is a feature, and this test runs at any time).
    const payee = await payeeIban(testApp, payees, candidate.counterparty);
    const hourly = await outcomesOverADay(testApp, customer, payee, -BigInt(candidate.amountMinor), true);
    assert.deepEqual(new Set(hourly), new Set(['allow']), hourly.join());
    const usual = await send(testApp, customer.customerId, {
      fromAccountId: customer.accountId,
      to: { iban: payee },
      amount: { amount: (Number(-BigInt(candidate.amountMinor)) / 100).toFixed(2), currency: 'EUR' },
    });
    assert.equal(usual.statusCode, 201, usual.body);
  });
});
