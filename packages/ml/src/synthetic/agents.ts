import type { Channel, FraudLabel } from '../interchange/format.ts';
import {
  atmOperators,
  billBillers,
  type Category,
  categories,
  categoryNames,
  employerNames,
  landlordNames,
  type Merchant,
  minorOf,
  personName,
  type Region,
  regions,
  subscriptionBillers,
} from './catalogue.ts';
import { type Random, randomFor } from './random.ts';

/** The other side of a row: an account, a merchant or an ATM. */
export interface Party {
  id: string;
  name: string;
}

export interface RecurringPayment {
  payee: Party;
  mcc: string;
  channel: Extract<Channel, 'card' | 'direct_debit'>;
  dayOfMonth: number;
  amountMinor: number;
}

/** One customer: a persona fixed at the start, and the little state the agent accumulates. */
export interface Agent {
  index: number;
  id: string;
  accountId: string;
  name: string;
  region: Region;
  city: string;
  /** Net monthly salary. */
  incomeMinor: number;
  /** Day of month the employer pays (moved back to Friday on weekends). */
  payday: number;
  employer: Party;
  rentMinor: number;
  rentDay: number;
  landlord: Party;
  recurring: RecurringPayment[];
  /** Mean card purchases a day per category, before the day-of-week weight. */
  ratePerDay: Record<Category, number>;
  /** Hours this person lives later (positive) or earlier than the category patterns. */
  chronotypeHours: number;
  devices: string[];
  /** A legitimate new phone: from `day` on, `device` replaces devices[0]. */
  phoneChange: { day: number; device: string } | null;
  /** Indices of customers of the same currency this one sends money to. */
  friends: number[];
  homeAtm: Party;
  cashDepositsPerDay: number;
  /** Pays in takings (thousands), not pocket money: the legitimate look-alike of structuring. */
  cashBusiness: boolean;
  // State, updated as the days pass.
  /** Accounts at other banks this customer has paid, with their names. */
  knownPayees: Map<string, string>;
  maxTransferOutMinor: number;
  lastAppDevice: string | null;
}

/** A row before it is an interchange row: numbers, not strings; its id is given when it is emitted. */
export interface PlannedRow {
  timeMs: number;
  agent: Agent;
  counterparty: Party;
  amountMinor: number;
  channel: Channel;
  device: string | null;
  mcc: string | null;
  description: string;
  label: FraudLabel | null;
}

export interface World {
  /** Per city (and '' for online merchants), per category. */
  merchants: Map<string, Record<Category, Merchant[]>>;
  atms: Map<string, Party[]>;
}

export function newId(rng: Random, prefix: string): string {
  return `${prefix}_${rng.hex(12)}`;
}

export function buildWorld(seed: number): World {
  const rng = randomFor(seed, 'world');
  const cities = ['', ...regions.flatMap((r) => r.cities)];
  const merchants = new Map<string, Record<Category, Merchant[]>>();
  const atms = new Map<string, Party[]>();
  for (const city of cities) {
    const byCategory = {} as Record<Category, Merchant[]>;
    for (const category of categoryNames) {
      const shape = categories[category];
      if (shape.online !== (city === '')) {
        byCategory[category] = [];
        continue;
      }
      byCategory[category] = shape.brands.map((brand, i) => ({
        id: newId(rng, 'mer'),
        name: city === '' ? brand : `${brand} ${city}`,
        mcc: shape.mccs[i % shape.mccs.length] as string,
        category,
      }));
    }
    merchants.set(city, byCategory);
    if (city !== '') {
      atms.set(
        city,
        atmOperators.map((operator, i) => ({ id: newId(rng, 'atm'), name: `${operator} ATM ${city} ${i + 1}` })),
      );
    }
  }
  return { merchants, atms };
}

function recurringOf(rng: Random, region: Region, incomeMinor: number): RecurringPayment[] {
  const bill = (kind: keyof typeof billBillers, scale: number): RecurringPayment => {
    const biller = billBillers[kind];
    return {
      payee: { id: newId(rng, 'ext'), name: rng.pick(biller.brands) },
      mcc: biller.mcc,
      channel: 'direct_debit',
      dayOfMonth: rng.int(2, 28),
      amountMinor: minorOf(rng.uniform(biller.minEur, biller.maxEur) * scale, region),
    };
  };
  const wealth = Math.min(1.6, Math.max(0.7, incomeMinor / minorOf(2600, region)));
  const payments = [bill('utilities', wealth), bill('telecom', 1)];
  if (rng.chance(0.6)) payments.push(bill('insurance', wealth));
  const subscriptions = rng.shuffle([...subscriptionBillers]).slice(0, rng.weighted([2, 4, 3, 1]));
  for (const biller of subscriptions) {
    payments.push({
      payee: { id: newId(rng, 'mer'), name: rng.pick(biller.brands) },
      mcc: biller.mcc,
      channel: 'card',
      dayOfMonth: rng.int(1, 28),
      amountMinor: minorOf(Math.round(rng.uniform(biller.minEur, biller.maxEur)) - 0.01, region),
    });
  }
  return payments;
}

function ratesOf(rng: Random, incomeMinor: number, region: Region): Record<Category, number> {
  const spender = Math.min(2, Math.max(0.5, (incomeMinor / minorOf(2600, region)) ** 0.5 * rng.uniform(0.7, 1.3)));
  const commuter = rng.chance(0.6);
  return {
    groceries: rng.uniform(2, 4.5) / 7,
    restaurants: (rng.uniform(0.3, 2.5) * spender) / 7,
    fastFood: rng.uniform(0.5, 4) / 7,
    fuel: rng.chance(0.55) ? rng.uniform(0.6, 1.4) / 7 : 0,
    transport: commuter ? rng.uniform(1, 1.8) : rng.uniform(0, 0.15),
    shopping: (rng.uniform(0.3, 1.6) * spender) / 7,
    electronics: rng.uniform(0.02, 0.25) / 7,
    digital: rng.uniform(0.1, 1.5) / 7,
    pharmacy: rng.uniform(0.1, 0.6) / 7,
  };
}

/** A persona for customer `index`: drawn from its own stream, so it does not depend on the others. */
function buildAgent(seed: number, index: number, days: number): Agent {
  const rng = randomFor(seed, 'agent', index);
  const region = regions[rng.weighted(regions.map((r) => r.weight))] as Region;
  const city = rng.pick(region.cities);
  const incomeEur = Math.min(15_000, Math.max(950, rng.logNormal(2600, 0.45)));
  const incomeMinor = minorOf(incomeEur, region);
  const devices = [newId(rng, 'dev')];
  if (rng.chance(0.25)) devices.push(newId(rng, 'dev'));
  const phoneChange = rng.chance(0.08) && days > 2 ? { day: rng.int(1, days - 1), device: newId(rng, 'dev') } : null;
  const rentShare = rng.uniform(0.22, 0.42);
  const cashUser = rng.chance(0.08);
  return {
    index,
    id: newId(rng, 'cus'),
    accountId: newId(rng, 'acc'),
    name: personName(rng),
    region,
    city,
    incomeMinor,
    payday: rng.pick([15, 25, 27, 28, 31]),
    employer: { id: newId(rng, 'ext'), name: rng.pick(employerNames) },
    rentMinor: Math.round((incomeMinor * rentShare) / 1000) * 1000,
    rentDay: rng.int(1, 3),
    landlord: rng.chance(0.6)
      ? { id: newId(rng, 'ext'), name: rng.pick(landlordNames) }
      : { id: newId(rng, 'ext'), name: personName(rng) },
    recurring: recurringOf(rng, region, incomeMinor),
    ratePerDay: ratesOf(rng, incomeMinor, region),
    chronotypeHours: rng.int(-1, 2),
    devices,
    phoneChange,
    friends: [],
    homeAtm: { id: '', name: '' },
    cashDepositsPerDay: cashUser ? rng.uniform(0.01, 0.05) : 0,
    cashBusiness: cashUser && rng.chance(0.3),
    knownPayees: new Map(),
    maxTransferOutMinor: 0,
    lastAppDevice: null,
  };
}

/** Every customer, with friends among customers of the same currency and an ATM in their city. */
export function buildAgents(seed: number, count: number, days: number, world: World): Agent[] {
  const agents = Array.from({ length: count }, (_, i) => buildAgent(seed, i, days));
  const byCurrency = new Map<string, number[]>();
  for (const agent of agents) {
    const peers = byCurrency.get(agent.region.currency) ?? [];
    peers.push(agent.index);
    byCurrency.set(agent.region.currency, peers);
  }
  for (const agent of agents) {
    const rng = randomFor(seed, 'social', agent.index);
    const peers = (byCurrency.get(agent.region.currency) ?? []).filter((i) => i !== agent.index);
    const wanted = Math.min(peers.length, rng.int(2, 6));
    const friends = new Set<number>();
    while (friends.size < wanted) friends.add(rng.pick(peers));
    agent.friends = [...friends].sort((a, b) => a - b);
    agent.homeAtm = rng.pick(world.atms.get(agent.city) ?? []);
    agent.knownPayees.set(agent.landlord.id, agent.landlord.name);
  }
  return agents;
}

/** The devices an agent uses on `day`. */
export function devicesOn(agent: Agent, day: number): string[] {
  if (agent.phoneChange === null || day < agent.phoneChange.day) return agent.devices;
  return [agent.phoneChange.device, ...agent.devices.slice(1)];
}
