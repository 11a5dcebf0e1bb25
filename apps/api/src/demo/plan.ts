/**
 * Demo history, planned as pure data from the synthetic data generator (@nextgen/ml, the same one
 * the fraud model and the insights are trained and tested on: docs/ml/synthetic-data.md): six
 * months (or more) of each demo customer's life — salary, rent, utilities and subscriptions by
 * direct debit and standing order, groceries, eating out, transport and other card payments, cash
 * withdrawals, transfers with friends — plus a savings plan of the bank's own. Deterministic for a
 * seed, so demos and tests are repeatable. seed.ts applies a plan through the banking services.
 */
import { generateTransactions, type Transaction } from '@nextgen/ml';

export type DemoEventKind =
  | 'opening_deposit' // the balance a customer brings from their previous bank (enters through settlement)
  | 'salary' // money from an employer outside the bank (enters through settlement)
  | 'credit' // other money from outside the bank: a friend's transfer, a refund (enters through settlement)
  | 'card_purchase' // a card payment or cash withdrawal (leaves through card clearing)
  | 'bill' // a direct debit, standing order or transfer to someone outside the bank
  | 'savings_transfer' // own checking → own savings
  | 'p2p_transfer'; // to another demo customer, by IBAN

export interface DemoEvent {
  readonly customer: string;
  readonly at: Date;
  readonly kind: DemoEventKind;
  readonly amountMinor: bigint;
  readonly counterparty: string;
  readonly description: string;
  /** For p2p transfers: the receiving demo customer's key. */
  readonly toCustomer?: string;
}

export interface DemoCustomer {
  readonly key: string;
  readonly name: string;
  readonly email: string;
  /** Moved to savings on the 28th of each month. */
  readonly savingsPlanMinor: bigint;
}

/** The demo password satisfies the password policy; it is public by design (README shows it). */
export const demoPassword = 'NextGen-demo-2026!';

export const demoCustomers: readonly DemoCustomer[] = [
  { key: 'alex', name: 'Alex Morgan', email: 'alex@demo.nextgen.test', savingsPlanMinor: 30_000n },
  { key: 'sam', name: 'Sam Rivera', email: 'sam@demo.nextgen.test', savingsPlanMinor: 15_000n },
  { key: 'kim', name: 'Kim Weber', email: 'kim@demo.nextgen.test', savingsPlanMinor: 50_000n },
];

/** The generator's population the demo customers are picked from (its first euro customers). */
const generatedCustomers = 12;
const dayMs = 24 * 60 * 60 * 1000;
/** Kept on top of the lowest balance the plan reaches, so no planned payment ever bounces. */
const cushionMinor = 500_00n;

const isoDate = (at: Date) => at.toISOString().slice(0, 10);

/** Stable small hash of a string, to send a friend outside the demo to one of the demo customers. */
function pickIndex(text: string, count: number): number {
  let hash = 2166136261;
  for (const char of text) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 16777619);
  return (hash >>> 0) % count;
}

/**
 * One generated row as a demo event of `customer`, or null when another demo customer's event
 * carries it (a transfer between two demo customers is planned once, from the sender).
 */
function eventOf(
  row: Transaction,
  customer: DemoCustomer,
  demoKeyOfAccount: ReadonlyMap<string, string>,
  others: readonly DemoCustomer[],
): DemoEvent | null {
  const amountMinor = BigInt(row.amountMinor);
  const base = {
    customer: customer.key,
    at: new Date(row.time),
    amountMinor: amountMinor < 0n ? -amountMinor : amountMinor,
    counterparty: row.counterpartyName,
    description: row.description || row.counterpartyName,
  };
  const person = row.counterparty.startsWith('acc_');
  if (amountMinor > 0n) {
    if (person && demoKeyOfAccount.has(row.counterparty)) return null;
    return { ...base, kind: /^salary\b/i.test(row.description) ? 'salary' : 'credit' };
  }
  if (row.channel === 'card' || row.channel === 'atm') return { ...base, kind: 'card_purchase' };
  if (row.channel === 'transfer' && person) {
    // A friend in the generated town: the demo customer they are, or one picked for them.
    const to = demoKeyOfAccount.get(row.counterparty) ?? others[pickIndex(row.counterparty, others.length)]?.key;
    const payee = demoCustomers.find((c) => c.key === to);
    if (payee) return { ...base, kind: 'p2p_transfer', toCustomer: payee.key, counterparty: payee.name };
  }
  return { ...base, kind: 'bill' };
}

/** The savings plan: on the 28th of each month of the plan. */
function savingsEvents(customer: DemoCustomer, start: Date, until: Date): DemoEvent[] {
  const events: DemoEvent[] = [];
  for (let time = start.getTime(); time < until.getTime() - dayMs; time += dayMs) {
    const day = new Date(time);
    if (day.getUTCDate() !== 28) continue;
    events.push({
      customer: customer.key,
      at: new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 28, 9, 0)),
      kind: 'savings_transfer',
      amountMinor: customer.savingsPlanMinor,
      counterparty: customer.name,
      description: 'Savings plan',
    });
  }
  return events;
}

/** What the customer must bring so that, with `events` applied in order, the balance never goes below the cushion. */
function openingBalance(customer: DemoCustomer, events: readonly DemoEvent[]): bigint {
  let balanceMinor = 0n;
  let lowestMinor = 0n;
  for (const e of events) {
    const incoming = e.kind === 'salary' || e.kind === 'credit';
    if (e.customer === customer.key) balanceMinor += incoming ? e.amountMinor : -e.amountMinor;
    if (e.toCustomer === customer.key) balanceMinor += e.amountMinor;
    if (balanceMinor < lowestMinor) lowestMinor = balanceMinor;
  }
  const needed = -lowestMinor + cushionMinor;
  // Whole hundreds of euros, as a moved balance would look.
  return ((needed + 100_00n - 1n) / 100_00n) * 100_00n;
}

/** Plans `months` of history ending at `until`, for every demo customer. Sorted by time. */
export function planDemoHistory(until: Date, months = 6, seed = 20261126): DemoEvent[] {
  const start = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth() - months, until.getUTCDate()));
  const days = Math.ceil((until.getTime() - start.getTime()) / dayMs);
  const rows = [
    ...generateTransactions({ seed, customers: generatedCustomers, days, start: isoDate(start), fraudRate: 0 }),
  ].filter((r) => Date.parse(r.time) >= start.getTime() && Date.parse(r.time) < until.getTime() - dayMs);
  // The first euro customers of the generated town become the demo customers, in order.
  const generatedIds = [...new Set(rows.filter((r) => r.currency === 'EUR').map((r) => r.customer))];
  if (generatedIds.length < demoCustomers.length) throw new Error('the generator made too few euro customers');
  const demoKeyOfCustomer = new Map(demoCustomers.map((c, i) => [generatedIds[i] as string, c.key]));
  const demoKeyOfAccount = new Map<string, string>();
  for (const r of rows) {
    const key = demoKeyOfCustomer.get(r.customer);
    if (key) demoKeyOfAccount.set(r.account, key);
  }
  const events: DemoEvent[] = [];
  for (const customer of demoCustomers) {
    const others = demoCustomers.filter((c) => c.key !== customer.key);
    for (const row of rows) {
      if (demoKeyOfCustomer.get(row.customer) !== customer.key) continue;
      const event = eventOf(row, customer, demoKeyOfAccount, others);
      if (event) events.push(event);
    }
    events.push(...savingsEvents(customer, start, until));
  }
  events.sort((a, b) => a.at.getTime() - b.at.getTime() || a.customer.localeCompare(b.customer));
  const openings: DemoEvent[] = demoCustomers.map((customer) => ({
    customer: customer.key,
    at: new Date(start.getTime() - 60 * 60 * 1000),
    kind: 'opening_deposit',
    amountMinor: openingBalance(customer, events),
    counterparty: 'Previous bank',
    description: 'Balance moved from previous bank',
  }));
  return [...openings, ...events];
}
