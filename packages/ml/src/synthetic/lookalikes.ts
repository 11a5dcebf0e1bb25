/**
 * Legitimate behaviour that looks like fraud on any single signal, so that a model has to learn
 * combinations (docs/ml/synthetic-data.md, "Look-alikes"). Drawn from streams of their own
 * (`lookalike…`), after the ordinary day: every row the rest of the generator writes stays as it
 * was, and nothing here is labelled.
 *
 * - Micro-payments: in-app purchases and game top-ups of a few cents, several in one session, at
 *   the same online shops card testers use; parking by app at tens of cents.
 * - Cash traders: market stalls paying in their week's takings, often just under the reporting
 *   threshold (they bank before it, as many honestly do), on several days a month.
 * - A new phone, then a new payee: the first days on a new phone often include paying someone new,
 *   sometimes a lot (the phone itself, a deposit), at any hour.
 * - A borrowed phone: a payment once from a partner's or a relative's phone, never seen again.
 */
import { structuringThresholdEur } from '../constants.ts';
import { type Agent, devicesOn, newId, type PlannedRow } from './agents.ts';
import { localToUtcMs } from './calendar.ts';
import { minorOf, payeeName } from './catalogue.ts';
import { cashDepositReference, type DayContext, payeeReferences, plan, reference, secondOfDay } from './normal.ts';
import { type Random, randomFor } from './random.ts';

/** The look-alike habits of one customer, fixed for the run. */
export interface LookalikeHabits {
  /** Sessions of tiny in-app purchases a day (0 for most). */
  microSessionsPerDay: number;
  /** Parking sessions paid by app a day. */
  parkingPerDay: number;
  /** A market trader's chance a day of paying in takings. */
  traderDepositsPerDay: number;
}

/** Most people never do any of this; a few do it a lot. */
export function lookalikeHabits(seed: number, index: number): LookalikeHabits {
  const rng = randomFor(seed, 'lookalike-persona', index);
  return {
    microSessionsPerDay: rng.chance(0.1) ? rng.uniform(0.05, 0.3) : 0,
    parkingPerDay: rng.chance(0.1) ? rng.uniform(0.1, 0.6) : 0,
    traderDepositsPerDay: rng.chance(0.015) ? rng.uniform(0.15, 0.4) : 0,
  };
}

const eveningHours = [1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 4, 5, 6, 6, 5, 3];
const dayHours = [0, 0, 0, 0, 0, 0, 0, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 2, 1, 0, 0, 0];
const anyHours = Array.from({ length: 24 }, () => 1);
/** In-app price points, in cents. */
const pricePointsMinor = [9, 19, 29, 49, 49, 79, 99, 99];

function at(agent: Agent, ctx: DayContext, rng: Random, hours: readonly number[]): number {
  return localToUtcMs(agent.region.zone, ctx.date.dateMs, secondOfDay(rng, hours, agent.chronotypeHours));
}

function microPayments(agent: Agent, habits: LookalikeHabits, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  const shops = ctx.world.merchants.get('')?.digital ?? [];
  if (shops.length === 0) return;
  for (let sessions = rng.poisson(habits.microSessionsPerDay); sessions > 0; sessions--) {
    const shop = rng.pick(shops);
    let time = at(agent, ctx, rng, eveningHours);
    for (let i = rng.weighted([0, 6, 3, 1, 0.5]); i > 0; i--) {
      const fields = { channel: 'card' as const, device: null, mcc: shop.mcc, description: shop.name };
      // Price points are set in the shop's currency: the same cents everywhere.
      out.push(plan(agent, time, shop, -rng.pick(pricePointsMinor), fields));
      time += rng.int(8, 240) * 1000;
    }
  }
  const transport = ctx.world.merchants.get(agent.city)?.transport ?? [];
  for (let parks = rng.poisson(habits.parkingPerDay); parks > 0 && transport.length > 0; parks--) {
    const operator = rng.pick(transport);
    const fields = {
      channel: 'card' as const,
      device: null,
      mcc: operator.mcc,
      description: `${operator.name} Parking`,
    };
    out.push(plan(agent, at(agent, ctx, rng, dayHours), operator, -rng.int(2, 9) * 10, fields));
  }
}

function traderDeposits(agent: Agent, habits: LookalikeHabits, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  if (!rng.chance(habits.traderDepositsPerDay)) return;
  const thresholdMinor = minorOf(structuringThresholdEur, agent.region);
  const share = rng.chance(0.6) ? rng.uniform(0.85, 0.995) : rng.uniform(0.3, 1.4);
  const amount = Math.max(1000, Math.floor((thresholdMinor * share) / 1000) * 1000);
  const atms = ctx.world.atms.get(agent.city) ?? [agent.homeAtm];
  const fields = { channel: 'atm' as const, device: null, mcc: '6011', description: cashDepositReference };
  out.push(plan(agent, at(agent, ctx, rng, dayHours), rng.pick(atms), amount, fields));
}

function newPayeeFrom(
  agent: Agent,
  device: string,
  large: boolean,
  ctx: DayContext,
  rng: Random,
  out: PlannedRow[],
): void {
  const payee = { id: newId(rng, 'ext'), name: payeeName(rng) };
  const incomeEur = agent.incomeMinor / 100 / agent.region.perEur;
  const eur = large ? Math.round((rng.uniform(0.3, 1.5) * incomeEur) / 10) * 10 : Math.max(5, rng.logNormal(80, 0.9));
  const amount = minorOf(eur, agent.region);
  const fields = { channel: 'transfer' as const, device, mcc: null, description: reference(rng, payeeReferences) };
  out.push(plan(agent, at(agent, ctx, rng, anyHours), payee, -amount, fields));
  // A scam victim's "more than ever" is judged against these payments too (scenarios.ts).
  agent.maxTransferOutMinor = Math.max(agent.maxTransferOutMinor, amount);
}

function devicePayments(agent: Agent, ctx: DayContext, rng: Random, out: PlannedRow[]): void {
  const change = agent.phoneChange;
  if (change !== null && ctx.day >= change.day && ctx.day <= change.day + 2 && rng.chance(0.3)) {
    newPayeeFrom(agent, devicesOn(agent, ctx.day)[0] as string, rng.chance(0.5), ctx, rng, out);
  }
  if (rng.chance(0.0015)) newPayeeFrom(agent, newId(rng, 'dev'), rng.chance(0.3), ctx, rng, out);
}

/** The look-alike rows of one customer's day. */
export function lookalikeDay(
  agent: Agent,
  habits: LookalikeHabits,
  ctx: DayContext,
  seed: number,
  out: PlannedRow[],
): void {
  const rng = randomFor(seed, 'lookalike', agent.index, ctx.day);
  microPayments(agent, habits, ctx, rng, out);
  traderDeposits(agent, habits, ctx, rng, out);
  devicePayments(agent, ctx, rng, out);
}
