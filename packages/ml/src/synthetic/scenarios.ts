import { structuringThresholdEur } from '../constants.ts';
import { type FraudLabel, type Role, type Scenario, scenarios } from '../interchange/format.ts';
import { type Agent, devicesOn, newId, type Party, type PlannedRow, type World } from './agents.ts';
import { dayMs, localToUtcMs } from './calendar.ts';
import { categories, minorOf, payeeName, personName } from './catalogue.ts';
import {
  appDevice,
  cashDepositReference,
  cashWithdrawalReference,
  incomingReferences,
  payeeReferences,
  reference,
  secondOfDay,
} from './normal.ts';
import { type Random, randomFor } from './random.ts';

/** One instance of a scenario: whose account, from which day. */
export interface FraudCase {
  id: string;
  scenario: Scenario;
  agentIndex: number;
  startDay: number;
}

/** Days a case may take from its first row to its last: its start is drawn so that it fits the run. */
export const scenarioSpanDays: Record<Scenario, number> = {
  account_takeover: 1,
  card_testing: 1,
  mule: 7,
  app_scam: 6,
  structuring: 21,
};

/** Cases start a few days in, so that every victim has some ordinary history before. */
const firstCaseDay = 3;

/**
 * round(rate × customers) distinct customers get one case each, the scenarios taking turns so that
 * each gets a fifth of them (±1).
 */
export function planFraudCases(seed: number, customers: number, days: number, fraudRate: number): FraudCase[] {
  const rng = randomFor(seed, 'fraud');
  const victims = rng
    .shuffle(Array.from({ length: customers }, (_, i) => i))
    .slice(0, Math.round(fraudRate * customers));
  const offset = rng.int(0, scenarios.length - 1);
  return victims.map((agentIndex, i) => {
    const scenario = scenarios[(i + offset) % scenarios.length] as Scenario;
    const lastStart = days - scenarioSpanDays[scenario] - 1;
    if (lastStart < firstCaseDay) throw new Error(`a ${scenario} case does not fit into ${days} days`);
    return { id: newId(rng, 'case'), scenario, agentIndex, startDay: rng.int(firstCaseDay, lastStart) };
  });
}

export interface CaseContext {
  world: World;
  /** UTC midnight of the local date of a run day. */
  dateMsOf(day: number): number;
}

interface Case {
  agent: Agent;
  fraudCase: FraudCase;
  ctx: CaseContext;
  rng: Random;
  rows: PlannedRow[];
}

function add(
  c: Case,
  role: Role,
  timeMs: number,
  counterparty: Party,
  amountMinor: number,
  fields: Omit<PlannedRow, 'timeMs' | 'agent' | 'counterparty' | 'amountMinor' | 'label'>,
): void {
  const label: FraudLabel = { scenario: c.fraudCase.scenario, case: c.fraudCase.id, role };
  c.rows.push({ timeMs, agent: c.agent, counterparty, amountMinor, ...fields, label });
}

function localTime(c: Case, day: number, hours: readonly number[]): number {
  return localToUtcMs(c.agent.region.zone, c.ctx.dateMsOf(day), secondOfDay(c.rng, hours));
}

/** Whole tens of the currency, as people type large amounts. */
const toTens = (minor: number): number => Math.max(1000, Math.round(minor / 1000) * 1000);
const attackHours = [5, 5, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4];
const dayHours = [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 1, 0, 0];
const anyHours = Array.from({ length: 24 }, () => 1);
const seconds = (c: Case, min: number, max: number): number => c.rng.int(min, max) * 1000;

/** New device, new payee, maybe a small probe, then one or two large transfers within the hour. */
function accountTakeover(c: Case): void {
  const device = newId(c.rng, 'dev');
  const payee = { id: newId(c.rng, 'ext'), name: payeeName(c.rng) };
  let time = localTime(c, c.fraudCase.startDay, attackHours);
  const transfer = (description: string) => ({ channel: 'transfer' as const, device, mcc: null, description });
  if (c.rng.chance(0.5)) {
    add(
      c,
      'probe',
      time,
      payee,
      -minorOf(c.rng.int(1, 10), c.agent.region),
      transfer(reference(c.rng, payeeReferences)),
    );
  }
  const transfers = c.rng.int(1, 2);
  for (let i = 0; i < transfers; i++) {
    time += seconds(c, 120, 1800);
    const share = i === 0 ? c.rng.uniform(0.6, 1.5) : c.rng.uniform(0.2, 0.6);
    const to = i === 0 ? payee : { id: newId(c.rng, 'ext'), name: payeeName(c.rng) };
    add(c, 'cash_out', time, to, -toTens(c.agent.incomeMinor * share), transfer(reference(c.rng, payeeReferences)));
  }
}

/** 5–15 purchases of a few cents at online shops within ten minutes, then perhaps real ones. */
function cardTesting(c: Case): void {
  const online = c.ctx.world.merchants.get('');
  const shops = c.rng.shuffle([...(online?.digital ?? [])]).slice(0, c.rng.int(1, 2));
  let time = localTime(c, c.fraudCase.startDay, anyHours);
  const probes = c.rng.int(5, 15);
  for (let i = 0; i < probes; i++) {
    time += seconds(c, 4, 38);
    const shop = c.rng.pick(shops);
    add(c, 'probe', time, shop, -c.rng.int(1, 199), {
      channel: 'card',
      device: null,
      mcc: shop.mcc,
      description: shop.name,
    });
  }
  if (!c.rng.chance(0.6)) return;
  const stores = online?.electronics ?? [];
  const shape = categories.electronics;
  for (let i = c.rng.int(1, 2); i > 0; i--) {
    time += seconds(c, 600, 5400);
    const store = c.rng.pick(stores);
    const amount = minorOf(c.rng.uniform(150, Math.min(900, shape.maxEur)), c.agent.region);
    add(c, 'cash_out', time, store, -amount, {
      channel: 'card',
      device: null,
      mcc: store.mcc,
      description: store.name,
    });
  }
}

/** 5–10 transfers in from strangers over 1–4 days; hours later most of it goes out again. */
function mule(c: Case): void {
  const senders = c.rng.int(5, 10);
  const inDays = c.rng.int(1, 4);
  let totalMinor = 0;
  let lastMs = 0;
  for (let i = 0; i < senders; i++) {
    const time = localTime(c, c.fraudCase.startDay + c.rng.int(0, inDays - 1), dayHours);
    const eur = Math.min(2500, Math.max(150, c.rng.logNormal(600, 0.6)));
    const amount = minorOf(c.rng.chance(0.7) ? Math.round(eur) : eur, c.agent.region);
    const sender = { id: newId(c.rng, 'ext'), name: personName(c.rng) };
    const fields = {
      channel: 'transfer' as const,
      device: null,
      mcc: null,
      description: reference(c.rng, incomingReferences),
    };
    add(c, 'fan_in', time, sender, amount, fields);
    totalMinor += amount;
    lastMs = Math.max(lastMs, time);
  }
  let remaining = Math.round(totalMinor * c.rng.uniform(0.85, 0.97));
  let time = lastMs + seconds(c, 1800, 20 * 3600);
  for (let i = c.rng.int(0, 2); i > 0; i--) {
    const cash = Math.min(remaining - 1000, minorOf(c.rng.int(4, 10) * 50, c.agent.region));
    if (cash <= 0) break;
    const fields = { channel: 'atm' as const, device: null, mcc: '6011', description: cashWithdrawalReference };
    add(c, 'fan_out', time, c.agent.homeAtm, -cash, fields);
    remaining -= cash;
    time += seconds(c, 300, 3600);
  }
  const day = Math.floor((time - c.ctx.dateMsOf(0)) / dayMs);
  const transfers = c.rng.int(1, 3);
  for (let i = transfers; i > 0; i--) {
    const amount = i === 1 ? remaining : Math.round(remaining / i);
    const payee = { id: newId(c.rng, 'ext'), name: payeeName(c.rng) };
    const device = appDevice(c.agent, day, c.rng);
    add(c, 'fan_out', time, payee, -amount, {
      channel: 'transfer',
      device,
      mcc: null,
      description: reference(c.rng, payeeReferences),
    });
    remaining -= amount;
    time += seconds(c, 60, 1800);
  }
}

/**
 * The customer pays a new payee from their own phone, more than they have ever sent, and perhaps
 * again a day or two later ("the fee", "the tax").
 */
function appScam(c: Case): void {
  const { agent, fraudCase } = c;
  const payee = { id: newId(c.rng, 'ext'), name: payeeName(c.rng) };
  const device = agent.lastAppDevice ?? (devicesOn(agent, fraudCase.startDay)[0] as string);
  const firstMinor =
    Math.ceil(
      Math.max(agent.maxTransferOutMinor * c.rng.uniform(1.3, 2.5), agent.incomeMinor * c.rng.uniform(0.7, 2)) / 1000,
    ) * 1000;
  let day = fraudCase.startDay;
  const payments = c.rng.int(1, 3);
  for (let i = 0; i < payments; i++) {
    const amount = i === 0 ? firstMinor : toTens(firstMinor * c.rng.uniform(0.2, 0.6));
    const fields = { channel: 'transfer' as const, device, mcc: null, description: reference(c.rng, payeeReferences) };
    add(c, 'payment', localTime(c, day, dayHours), payee, -amount, fields);
    day += c.rng.int(1, 2);
  }
}

/** 4–6 cash deposits, each 90–99.5 % of the reporting threshold, two to four days apart. */
function structuring(c: Case): void {
  const thresholdMinor = minorOf(structuringThresholdEur, c.agent.region);
  const atms = c.ctx.world.atms.get(c.agent.city) ?? [c.agent.homeAtm];
  let day = c.fraudCase.startDay;
  const deposits = c.rng.int(4, 6);
  for (let i = 0; i < deposits; i++) {
    const amount = Math.floor((thresholdMinor * c.rng.uniform(0.905, 0.995)) / 1000) * 1000;
    const fields = { channel: 'atm' as const, device: null, mcc: '6011', description: cashDepositReference };
    add(c, 'deposit', localTime(c, day, dayHours), c.rng.pick(atms), amount, fields);
    day += c.rng.int(2, 4);
  }
}

const runners: Record<Scenario, (c: Case) => void> = {
  account_takeover: accountTakeover,
  card_testing: cardTesting,
  mule,
  app_scam: appScam,
  structuring,
};

/** The rows of one case, planned on its first day from what its agent has done so far. */
export function caseRows(seed: number, fraudCase: FraudCase, agent: Agent, ctx: CaseContext): PlannedRow[] {
  const c: Case = { agent, fraudCase, ctx, rng: randomFor(seed, 'case', fraudCase.id), rows: [] };
  runners[fraudCase.scenario](c);
  return c.rows;
}
