import { type Agent, devicesOn, newId, type Party, type PlannedRow, type World } from './agents.ts';
import { businessDayOnOrBefore, type LocalDate, localToUtcMs } from './calendar.ts';
import {
  type Category,
  categories,
  categoryAmountMinor,
  categoryNames,
  minorOf,
  payeeName,
  personName,
} from './catalogue.ts';
import type { Random } from './random.ts';

/**
 * The references people write on transfers. Fraud rows draw from these same lists (no label
 * leakage): a scam payment reads like any invoice, a mule's incoming money like any repayment.
 */
export const friendReferences = [
  'Dinner',
  'Thanks!',
  'Concert tickets',
  'Flat share',
  'Taxi',
  'Groceries',
  'Holiday share',
  '',
];
export const incomingReferences = [
  'Loan back',
  'Thanks!',
  'Birthday present',
  'Refund',
  'Invoice {n}',
  'Holiday share',
  '',
];
export const payeeReferences = ['Invoice {n}', 'Order {n}', 'Deposit', 'Car', 'Furniture', 'Loan back', ''];
export const cashDepositReference = 'Cash deposit';
export const cashWithdrawalReference = 'Cash withdrawal';

/** A reference with its `{n}` filled by a number, as invoices and orders carry. */
export function reference(rng: Random, templates: readonly string[]): string {
  return rng.pick(templates).replace('{n}', String(rng.int(1000, 99999)));
}

/** A local second of the day drawn from an hour pattern, shifted by the customer's chronotype. */
export function secondOfDay(rng: Random, hours: readonly number[], shiftHours = 0): number {
  const hour = (rng.weighted(hours) + shiftHours + 24) % 24;
  return hour * 3600 + rng.int(0, 3599);
}

export interface DayContext {
  day: number;
  date: LocalDate;
  world: World;
  agents: readonly Agent[];
}

export function plan(
  agent: Agent,
  timeMs: number,
  counterparty: Party,
  amountMinor: number,
  fields: Pick<PlannedRow, 'channel' | 'device' | 'mcc' | 'description'>,
): PlannedRow {
  return { timeMs, agent, counterparty, amountMinor, ...fields, label: null };
}

function at(agent: Agent, date: LocalDate, second: number): number {
  return localToUtcMs(agent.region.zone, date.dateMs, second);
}

/** Banks book salaries, standing orders and debits in early-morning batches (04:00–07:59 local, so
 * also on the same UTC date in every zone here). */
const batchHours = [0, 0, 0, 0, 1, 2, 2, 1];

/** Salary, rent, bills and subscriptions: the same day every month. */
function monthly(agent: Agent, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  const { date } = ctx;
  const batch = (): number => at(agent, date, secondOfDay(rng, batchHours));
  if (date.dayOfMonth === businessDayOnOrBefore(date, agent.payday)) {
    const month = `${date.year}-${String(date.month).padStart(2, '0')}`;
    const amount = agent.incomeMinor;
    out.push(
      plan(agent, batch(), agent.employer, amount, {
        channel: 'transfer',
        device: null,
        mcc: null,
        description: `Salary ${month}`,
      }),
    );
  }
  if (date.dayOfMonth === agent.rentDay) {
    out.push(
      plan(agent, batch(), agent.landlord, -agent.rentMinor, {
        channel: 'standing_order',
        device: null,
        mcc: null,
        description: 'Rent',
      }),
    );
  }
  for (const payment of agent.recurring) {
    if (date.dayOfMonth !== Math.min(payment.dayOfMonth, date.daysInMonth)) continue;
    out.push(
      plan(agent, batch(), payment.payee, -payment.amountMinor, {
        channel: payment.channel,
        device: null,
        mcc: payment.mcc,
        description: payment.payee.name,
      }),
    );
  }
}

/** Card purchases of every category, by the persona's rates and the day-of-week pattern. */
function cardSpending(agent: Agent, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  const local = ctx.world.merchants.get(agent.city);
  const online = ctx.world.merchants.get('');
  for (const category of categoryNames) {
    const shape = categories[category];
    const count = rng.poisson(agent.ratePerDay[category as Category] * (shape.days[ctx.date.dayOfWeek] ?? 1));
    const merchants = (shape.online ? online : local)?.[category] ?? [];
    for (let i = 0; i < count && merchants.length > 0; i++) {
      const merchant = rng.pick(merchants);
      const time = at(agent, ctx.date, secondOfDay(rng, shape.hours, agent.chronotypeHours));
      const amount = categoryAmountMinor(rng, shape, agent.region);
      // About one clothing purchase in 25 comes back: a refund is money in on the card.
      const refund = category === 'shopping' && rng.chance(0.04);
      const fields = { channel: 'card' as const, device: null, mcc: merchant.mcc, description: merchant.name };
      out.push(plan(agent, time, merchant, refund ? amount : -amount, fields));
    }
  }
}

const dayHours = [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 4, 3, 3, 3, 3, 4, 5, 5, 5, 4, 2, 1];
const atmHours = [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 4, 3, 3, 3, 4, 5, 5, 4, 3, 2, 1, 1];

/** Cash: withdrawals in round notes, and for a few customers cash paid in. */
function cash(agent: Agent, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  const fields = { channel: 'atm' as const, device: null, mcc: '6011' };
  if (rng.chance(0.035)) {
    const notes = rng.pick([20, 40, 50, 50, 100, 100, 150, 200, 300]);
    const time = at(agent, ctx.date, secondOfDay(rng, atmHours, agent.chronotypeHours));
    out.push(
      plan(agent, time, agent.homeAtm, -minorOf(notes, agent.region), {
        ...fields,
        description: cashWithdrawalReference,
      }),
    );
  }
  if (rng.chance(agent.cashDepositsPerDay)) {
    // Shopkeepers and market traders pay in takings of thousands, some near the reporting threshold.
    const eur = agent.cashBusiness ? Math.min(19_000, rng.logNormal(2500, 0.9)) : rng.int(2, 80) * 10;
    const amount = minorOf(Math.round(eur / 10) * 10 || 10, agent.region);
    const time = at(agent, ctx.date, secondOfDay(rng, atmHours));
    out.push(plan(agent, time, agent.homeAtm, amount, { ...fields, description: cashDepositReference }));
  }
}

/** Money sent to a friend: two rows, the sender's (from a device) and the friend's. */
function toFriend(agent: Agent, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  if (agent.friends.length === 0) return;
  const friend = ctx.agents[rng.pick(agent.friends)] as Agent;
  const eur = Math.min(450, Math.max(2, rng.logNormal(25, 0.8)));
  const amount = rng.chance(0.6) ? minorOf(Math.round(eur), agent.region) : minorOf(eur, agent.region);
  const time = at(agent, ctx.date, secondOfDay(rng, dayHours, agent.chronotypeHours));
  const device = appDevice(agent, ctx.day, rng);
  const description = reference(rng, friendReferences);
  const from = { id: agent.accountId, name: agent.name };
  const to = { id: friend.accountId, name: friend.name };
  out.push(plan(agent, time, to, -amount, { channel: 'transfer', device, mcc: null, description }));
  out.push(plan(friend, time, from, amount, { channel: 'transfer', device: null, mcc: null, description }));
  agent.maxTransferOutMinor = Math.max(agent.maxTransferOutMinor, amount);
}

/** Which of the customer's phones starts an app payment today; remembered for later. */
export function appDevice(agent: Agent, day: number, rng: Random): string {
  const device = rng.pick(devicesOn(agent, day));
  agent.lastAppDevice = device;
  return device;
}

/**
 * A payment to an account at another bank: mostly someone already paid before, sometimes a new payee
 * (a tradesman, a seller), rarely a large one (a used car, a deposit): the legitimate look-alikes of
 * takeover and scam payments.
 */
function toPayee(agent: Agent, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  const known = [...agent.knownPayees];
  const fresh = known.length === 0 || rng.chance(0.6);
  const [id, name] = fresh ? [newId(rng, 'ext'), payeeName(rng)] : rng.pick(known);
  const payee = { id, name };
  const large = rng.chance(0.08);
  const eur = large ? rng.uniform(0.3, 1.2) * (agent.incomeMinor / 100 / agent.region.perEur) : rng.logNormal(120, 0.9);
  const amount = minorOf(Math.min(20_000, Math.max(5, large ? Math.round(eur / 10) * 10 : eur)), agent.region);
  const time = at(agent, ctx.date, secondOfDay(rng, dayHours, agent.chronotypeHours));
  const device = appDevice(agent, ctx.day, rng);
  out.push(
    plan(agent, time, payee, -amount, {
      channel: 'transfer',
      device,
      mcc: null,
      description: reference(rng, payeeReferences),
    }),
  );
  agent.knownPayees.set(payee.id, payee.name);
  agent.maxTransferOutMinor = Math.max(agent.maxTransferOutMinor, amount);
}

/** Money from someone at another bank: family, a refund, a shared bill settled. */
function fromOutside(agent: Agent, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  const amount = minorOf(Math.min(3000, Math.max(5, rng.logNormal(80, 1))), agent.region);
  const time = at(agent, ctx.date, secondOfDay(rng, dayHours));
  const sender = { id: newId(rng, 'ext'), name: personName(rng) };
  out.push(
    plan(agent, time, sender, amount, {
      channel: 'transfer',
      device: null,
      mcc: null,
      description: reference(rng, incomingReferences),
    }),
  );
}

/** One customer's ordinary day. */
export function normalDay(agent: Agent, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  monthly(agent, ctx, rng, out);
  cardSpending(agent, ctx, rng, out);
  cash(agent, ctx, rng, out);
  if (rng.chance(0.07)) toFriend(agent, ctx, rng, out);
  if (rng.chance(0.015)) toPayee(agent, ctx, rng, out);
  if (rng.chance(0.012)) fromOutside(agent, ctx, rng, out);
}
