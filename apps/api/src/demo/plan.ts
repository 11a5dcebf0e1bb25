/**
 * Demo history, planned as pure data: six months (or more) of a realistic retail banking life for
 * each demo customer — salary, rent, utilities, subscriptions, groceries, card purchases, a savings
 * plan and transfers between customers. Deterministic for a seed, so demos and tests are repeatable.
 * seed.ts applies a plan through the banking services.
 */

export type DemoEventKind =
  | 'opening_deposit' // the balance a customer brings from their previous bank (enters through settlement)
  | 'salary' // money from an employer outside the bank (enters through settlement)
  | 'card_purchase' // a card-like payment to a merchant (leaves through card clearing)
  | 'bill' // a direct debit or standing order to a company outside the bank
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
  readonly employer: string;
  readonly netSalaryMinor: bigint;
  readonly rentMinor: bigint;
  readonly landlord: string;
  readonly savingsPlanMinor: bigint;
  readonly subscriptions: readonly { readonly name: string; readonly amountMinor: bigint; readonly day: number }[];
}

/** The demo password satisfies the password policy; it is public by design (README shows it). */
export const demoPassword = 'NextGen-demo-2026!';

export const demoCustomers: readonly DemoCustomer[] = [
  {
    key: 'alex',
    name: 'Alex Morgan',
    email: 'alex@demo.nextgen.test',
    employer: 'Nordwind Logistics GmbH',
    netSalaryMinor: 352_000n,
    rentMinor: 118_000n,
    landlord: 'Hausverwaltung Kramer',
    savingsPlanMinor: 30_000n,
    subscriptions: [
      { name: 'Netflix', amountMinor: 1_399n, day: 3 },
      { name: 'Spotify', amountMinor: 1_099n, day: 9 },
      { name: 'FitX Gym', amountMinor: 2_999n, day: 1 },
      { name: 'Telekom Mobile', amountMinor: 2_495n, day: 15 },
    ],
  },
  {
    key: 'sam',
    name: 'Sam Rivera',
    email: 'sam@demo.nextgen.test',
    employer: 'Klinikum Süd',
    netSalaryMinor: 289_500n,
    rentMinor: 94_000n,
    landlord: 'Vonovia SE',
    savingsPlanMinor: 15_000n,
    subscriptions: [
      { name: 'Disney+', amountMinor: 999n, day: 12 },
      { name: 'Vodafone Internet', amountMinor: 3_999n, day: 5 },
      { name: 'Urban Sports Club', amountMinor: 4_900n, day: 2 },
    ],
  },
  {
    key: 'kim',
    name: 'Kim Weber',
    email: 'kim@demo.nextgen.test',
    employer: 'Softwerk AG',
    netSalaryMinor: 415_000n,
    rentMinor: 145_000n,
    landlord: 'Immobilien Becker KG',
    savingsPlanMinor: 50_000n,
    subscriptions: [
      { name: 'Amazon Prime', amountMinor: 899n, day: 20 },
      { name: 'Apple iCloud', amountMinor: 299n, day: 7 },
      { name: 'O2 Mobile', amountMinor: 1_999n, day: 11 },
    ],
  },
];

const merchants = {
  groceries: ['REWE', 'Lidl', 'ALDI Süd', 'EDEKA', 'Kaufland', 'dm-drogerie markt'],
  dining: ['Vapiano', 'Starbucks', 'Burger King', 'Sushi Circle', 'Café Extrablatt'],
  transport: ['Aral', 'Shell', 'DB Vertrieb', 'BVG Ticket', 'Uber'],
  shopping: ['Amazon EU', 'Zalando', 'IKEA', 'MediaMarkt', 'H&M', 'Decathlon'],
} as const;

/** mulberry32: a tiny, well-known deterministic PRNG; good enough for demo data, never for secrets. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dayMs = 24 * 60 * 60 * 1000;

function at(day: Date, hour: number, minute: number): Date {
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute));
}

function between(random: () => number, minMinor: number, maxMinor: number): bigint {
  return BigInt(Math.round(minMinor + random() * (maxMinor - minMinor)));
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function monthlyEvents(customer: DemoCustomer, day: Date): DemoEvent[] {
  const dom = day.getUTCDate();
  const month = day.toLocaleString('en', { month: 'long', timeZone: 'UTC' });
  const events: DemoEvent[] = [];
  const base = { customer: customer.key };
  if (dom === 27) {
    events.push({
      ...base,
      at: at(day, 6, 5),
      kind: 'salary',
      amountMinor: customer.netSalaryMinor,
      counterparty: customer.employer,
      description: `Salary ${month}`,
    });
  }
  if (dom === 1) {
    events.push({
      ...base,
      at: at(day, 7, 30),
      kind: 'bill',
      amountMinor: customer.rentMinor,
      counterparty: customer.landlord,
      description: `Rent ${month}`,
    });
  }
  if (dom === 28) {
    events.push({
      ...base,
      at: at(day, 9, 0),
      kind: 'savings_transfer',
      amountMinor: customer.savingsPlanMinor,
      counterparty: customer.name,
      description: 'Savings plan',
    });
  }
  for (const subscription of customer.subscriptions) {
    if (dom === subscription.day) {
      events.push({
        ...base,
        at: at(day, 4, 12),
        kind: 'bill',
        amountMinor: subscription.amountMinor,
        counterparty: subscription.name,
        description: `${subscription.name} subscription`,
      });
    }
  }
  return events;
}

function everydayEvents(customer: DemoCustomer, day: Date, random: () => number): DemoEvent[] {
  const events: DemoEvent[] = [];
  const card = (category: keyof typeof merchants, minMinor: number, maxMinor: number, hour: number) => {
    const merchant = pick(random, merchants[category]);
    events.push({
      customer: customer.key,
      at: at(day, hour, Math.floor(random() * 60)),
      kind: 'card_purchase',
      amountMinor: between(random, minMinor, maxMinor),
      counterparty: merchant,
      description: `Card payment ${merchant}`,
    });
  };
  if (random() < 0.4) card('groceries', 850, 9_500, 17);
  if (random() < 0.3) card('dining', 390, 4_800, 12);
  if (random() < 0.15) card('transport', 290, 7_500, 8);
  if (random() < 0.08) card('shopping', 1_500, 18_000, 20);
  return events;
}

/** Plans `months` of history ending at `until`, for every demo customer. Sorted by time. */
export function planDemoHistory(until: Date, months = 6, seed = 20261126): DemoEvent[] {
  const random = prng(seed);
  const start = new Date(Date.UTC(until.getUTCFullYear(), until.getUTCMonth() - months, until.getUTCDate()));
  const events: DemoEvent[] = demoCustomers.map((customer) => ({
    customer: customer.key,
    at: at(start, 5, 0),
    kind: 'opening_deposit',
    amountMinor: customer.rentMinor * 3n,
    counterparty: 'Previous bank',
    description: 'Balance moved from previous bank',
  }));
  for (let time = start.getTime() + dayMs; time < until.getTime() - dayMs; time += dayMs) {
    const day = new Date(time);
    for (const customer of demoCustomers) {
      events.push(...monthlyEvents(customer, day), ...everydayEvents(customer, day, random));
    }
    if (day.getUTCDate() % 9 === 0) {
      const [from, to] = [pick(random, demoCustomers), pick(random, demoCustomers)];
      if (from.key !== to.key) {
        events.push({
          customer: from.key,
          toCustomer: to.key,
          at: at(day, 19, 30),
          kind: 'p2p_transfer',
          amountMinor: between(random, 1_000, 6_000),
          counterparty: to.name,
          description: pick(random, ['Dinner', 'Concert tickets', 'Birthday present', 'Holiday flat share', 'Thanks!']),
        });
      }
    }
  }
  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}
