/** Insights API answers for the insight screens' tests, shaped as docs/api/insights.md shows them. */
import type { Budget, Forecast, Insight, RecurringPayment, Spending, UpcomingBill } from '../../queries/insights';

const eur = (amount: string) => ({ amount, currency: 'EUR' as const });

export const december: Spending = {
  month: '2026-12',
  currency: 'EUR',
  total: eur('300.00'),
  categories: [
    { category: 'groceries', amount: eur('200.00'), share: 0.666667, previous: eur('150.00'), trend: 'up' },
    { category: 'subscriptions', amount: eur('100.00'), share: 0.333333, previous: eur('100.00'), trend: 'flat' },
  ],
  months: [
    { month: '2026-07', total: eur('250.00') },
    { month: '2026-08', total: eur('280.00') },
    { month: '2026-09', total: eur('310.00') },
    { month: '2026-10', total: eur('290.00') },
    { month: '2026-11', total: eur('250.00') },
    { month: '2026-12', total: eur('300.00') },
  ],
};

export const november: Spending = {
  ...december,
  month: '2026-11',
  total: eur('250.00'),
  categories: [{ category: 'eating_out', amount: eur('250.00'), share: 1, previous: eur('0.00'), trend: 'up' }],
};

export const emptyMonth: Spending = { ...december, total: eur('0.00'), categories: [] };

export const groceriesBudget: Budget = {
  category: 'groceries',
  amount: eur('250.00'),
  spent: eur('212.40'),
  level: 'warning',
  share: 0.8496,
};
export const travelBudget: Budget = {
  category: 'travel',
  amount: eur('100.00'),
  spent: eur('130.00'),
  level: 'exceeded',
  share: 1.3,
};
export const healthBudget: Budget = {
  category: 'health',
  amount: eur('50.00'),
  spent: eur('10.00'),
  level: 'ok',
  share: 0.2,
};

export const bills: UpcomingBill[] = [
  {
    date: '2027-01-03',
    name: 'StreamFlix',
    amount: eur('9.99'),
    category: 'subscriptions',
    accountId: 'acc_01kfz3m2q8d7v6c5b4n3m2k1j0',
  },
  {
    date: '2027-01-05',
    name: 'City Power',
    amount: eur('60.00'),
    category: 'bills_utilities',
    accountId: 'acc_01kfz3m2q8d7v6c5b4n3m2k1j0',
  },
];

const checkingId = 'acc_01kfz3m2q8d7v6c5b4n3m2k1j0';

/** As the API orders them, by next date: two active (a bill and a salary) and one that stopped. */
export const recurring: RecurringPayment[] = [
  {
    id: 'rec_f74ac75a2c7a8842db3298e7',
    name: 'StreamFlix',
    category: 'subscriptions',
    frequency: 'monthly',
    direction: 'out',
    averageAmount: eur('9.99'),
    lastAmount: eur('9.99'),
    lastDate: '2026-12-03',
    nextDate: '2027-01-03',
    active: true,
    accountId: checkingId,
  },
  {
    id: 'rec_0b1c2d3e4f5a6b7c8d9e0f1a',
    name: 'Gym Plus',
    category: 'health',
    frequency: 'monthly',
    direction: 'out',
    averageAmount: eur('29.00'),
    lastAmount: eur('29.00'),
    lastDate: '2026-09-15',
    nextDate: '2027-01-15',
    active: false,
    accountId: checkingId,
  },
  {
    id: 'rec_9a8b7c6d5e4f3a2b1c0d9e8f',
    name: 'A*** C***',
    category: 'income',
    frequency: 'monthly',
    direction: 'in',
    averageAmount: eur('2450.00'),
    lastAmount: eur('2500.00'),
    lastDate: '2026-12-28',
    nextDate: '2027-01-28',
    active: true,
    accountId: checkingId,
  },
];

/** 30 days from 2026-12-05: falling 50 a day from 500, so below zero from the 11th day. */
export const forecast: Forecast = {
  accountId: 'acc_01kfz3m2q8d7v6c5b4n3m2k1j0',
  currency: 'EUR',
  method: 'recurring+weekday-profile',
  days: Array.from({ length: 30 }, (_, i) => ({
    date: new Date(Date.UTC(2026, 11, 5 + i)).toISOString().slice(0, 10),
    balance: eur(`${450 - 50 * i}.00`),
  })),
};

export const steadyForecast: Forecast = {
  ...forecast,
  days: forecast.days.map((d) => ({ ...d, balance: eur('688.06') })),
};

export function insight(n: number, overrides: Partial<Insight> = {}): Insight {
  return {
    id: `ins_01jf8x9k2m3n4p5q6r7s8t9v${String(n).padStart(2, '0')}`,
    type: 'budget_warning',
    period: '2026-12',
    messageKey: 'insights.budget_warning',
    params: { category: 'groceries', spent: '212.40 EUR', budget: '250.00 EUR', percent: '84' },
    message: 'You have spent 212.40 EUR of your 250.00 EUR groceries budget this month (84 %).',
    data: { category: 'groceries', spent: eur('212.40'), budget: eur('250.00'), percent: 84 },
    modelVersion: 'categoriser@1.0.0',
    createdAt: '2026-12-04T21:00:03.120Z',
    dismissedAt: null,
    ...overrides,
  };
}

export const bill = insight(2, {
  type: 'upcoming_bill',
  period: '2027-01-03',
  messageKey: 'insights.upcoming_bill',
  params: { name: 'StreamFlix', amount: '9.99 EUR', date: '2027-01-03' },
  message: 'StreamFlix will take 9.99 EUR from your account on 2027-01-03.',
  data: { accountId: 'acc_1', date: '2027-01-03', amount: eur('9.99'), category: 'subscriptions' },
});

/** An insight the customer dismissed (GET /insights?dismissed=true lists it). */
export const dismissedBill = insight(4, {
  ...bill,
  id: insight(4).id,
  createdAt: '2026-11-28T21:00:03.120Z',
  dismissedAt: '2026-11-30T08:15:00.000Z',
});
