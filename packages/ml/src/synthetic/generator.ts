import { maxCustomers, maxDays, maxSeed, minDaysWithFraud } from '../constants.ts';
import { formatVersion, type Transaction } from '../interchange/format.ts';
import { type Agent, buildAgents, buildWorld, type PlannedRow } from './agents.ts';
import { dayMs, formatTime, localDate, maxUtcOffsetMs } from './calendar.ts';
import { type LookalikeHabits, lookalikeDay, lookalikeHabits } from './lookalikes.ts';
import { type DayContext, normalDay } from './normal.ts';
import { randomFor } from './random.ts';
import { caseRows, type FraudCase, planFraudCases } from './scenarios.ts';

export interface GenerationOptions {
  /** 0 … 2^32 − 1. */
  seed: number;
  customers: number;
  days: number;
  /** First local date, YYYY-MM-DD. */
  start: string;
  /** Share of customers, 0 … 1, whose account sees one fraud case during the run. */
  fraudRate: number;
}

export const defaultGenerationOptions: GenerationOptions = {
  seed: 14,
  customers: 1000,
  days: 90,
  start: '2026-01-01',
  fraudRate: 0.02,
};

const datePattern = /^\d{4}-\d{2}-\d{2}$/;

/** UTC midnight of a YYYY-MM-DD date, or NaN if it is not a real date. */
export function parseStartDate(text: string): number {
  if (!datePattern.test(text)) return Number.NaN;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text ? ms : Number.NaN;
}

/** What is wrong with the options, as a sentence naming the option, or null. */
export function generationOptionsProblem(o: GenerationOptions): string | null {
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > maxSeed)
    return `seed must be an integer from 0 to ${maxSeed}`;
  if (!Number.isInteger(o.customers) || o.customers < 2 || o.customers > maxCustomers) {
    return `customers must be an integer from 2 to ${maxCustomers}`;
  }
  if (!Number.isInteger(o.days) || o.days < 1 || o.days > maxDays)
    return `days must be an integer from 1 to ${maxDays}`;
  if (Number.isNaN(parseStartDate(o.start))) return 'start must be a date YYYY-MM-DD';
  if (!(o.fraudRate >= 0 && o.fraudRate <= 1)) return 'fraud-rate must be a number from 0 to 1';
  if (o.fraudRate > 0 && o.days < minDaysWithFraud) {
    return `days must be at least ${minDaysWithFraud} when fraud-rate is above 0 (a structuring case spreads over three weeks)`;
  }
  return null;
}

function byTime(a: PlannedRow, b: PlannedRow): number {
  if (a.timeMs !== b.timeMs) return a.timeMs - b.timeMs;
  if (a.agent.accountId !== b.agent.accountId) return a.agent.accountId < b.agent.accountId ? -1 : 1;
  return a.amountMinor - b.amountMinor;
}

/**
 * Customers and their transactions, in time order, one row at a time: the agents live day by day,
 * and a day's rows are released as soon as no later day can produce an earlier row (local days
 * start at most `maxUtcOffsetMs` before UTC midnight). Memory is the agents plus about a day of rows,
 * and the fraud rows already planned for later days.
 *
 * Ids are given as rows are released, from their own stream: a row's id says nothing of where it
 * came from, so fraud rows cannot be told apart by their ids.
 */
export function* generateTransactions(options: GenerationOptions): Generator<Transaction> {
  const problem = generationOptionsProblem(options);
  if (problem) throw new RangeError(problem);
  const { seed, customers, days, fraudRate } = options;
  const startMs = parseStartDate(options.start);
  const world = buildWorld(seed);
  const agents = buildAgents(seed, customers, days, world);
  const habits = agents.map((agent) => lookalikeHabits(seed, agent.index));
  const casesByDay = new Map<number, FraudCase[]>();
  for (const fraudCase of planFraudCases(seed, customers, days, fraudRate)) {
    casesByDay.set(fraudCase.startDay, [...(casesByDay.get(fraudCase.startDay) ?? []), fraudCase]);
  }
  const ids = randomFor(seed, 'ids');
  const dateMsOf = (day: number): number => startMs + day * dayMs;
  let pending: PlannedRow[] = [];
  let releasedBeforeMs = Number.NEGATIVE_INFINITY;
  for (let day = 0; day < days; day++) {
    const ctx: DayContext = { day, date: localDate(dateMsOf(day)), world, agents };
    const planned: PlannedRow[] = [];
    for (const agent of agents) {
      normalDay(agent, ctx, randomFor(seed, 'day', agent.index, day), planned);
      lookalikeDay(agent, habits[agent.index] as LookalikeHabits, ctx, seed, planned);
    }
    for (const fraudCase of casesByDay.get(day) ?? []) {
      planned.push(...caseRows(seed, fraudCase, agents[fraudCase.agentIndex] as Agent, { world, dateMsOf }));
    }
    for (const row of planned) {
      if (row.timeMs < releasedBeforeMs) throw new Error(`a row of day ${day} is earlier than rows already written`);
      pending.push(row);
    }
    pending.sort(byTime);
    releasedBeforeMs = dateMsOf(day + 1) - maxUtcOffsetMs;
    let released = 0;
    while (released < pending.length && (pending[released] as PlannedRow).timeMs < releasedBeforeMs) {
      yield toTransaction(pending[released] as PlannedRow, `txn_${ids.hex(16)}`);
      released++;
    }
    pending = pending.slice(released);
  }
  for (const row of pending) yield toTransaction(row, `txn_${ids.hex(16)}`);
}

function toTransaction(row: PlannedRow, id: string): Transaction {
  if (!Number.isSafeInteger(row.amountMinor) || row.amountMinor === 0) {
    throw new Error(`planned an amount that is not a non-zero integer: ${row.amountMinor}`);
  }
  return {
    v: formatVersion,
    id,
    time: formatTime(row.timeMs),
    customer: row.agent.id,
    account: row.agent.accountId,
    counterparty: row.counterparty.id,
    counterpartyName: row.counterparty.name,
    amountMinor: String(row.amountMinor),
    currency: row.agent.region.currency,
    channel: row.channel,
    device: row.device,
    mcc: row.mcc,
    description: row.description,
    label: row.label,
  };
}
