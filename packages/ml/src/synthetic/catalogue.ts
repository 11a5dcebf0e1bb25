import type { Zone } from './calendar.ts';
import type { Random } from './random.ts';

/**
 * The world the agents live in: home regions (zone, currency, cities), merchants by ISO 18245
 * category, names. Every name here is invented.
 */

export interface Region {
  zone: Zone;
  currency: string;
  /** Units of the currency per euro, to scale euro-denominated habits (rounded, fixed for the run). */
  perEur: number;
  cities: readonly string[];
  /** Share of customers living here. */
  weight: number;
}

const cet = { name: 'Europe/Berlin', standardOffsetMin: 60 };
export const regions: readonly Region[] = [
  { zone: cet, currency: 'EUR', perEur: 1, cities: ['Berlin', 'Hamburg', 'Munich', 'Cologne'], weight: 40 },
  {
    zone: { name: 'Europe/Paris', standardOffsetMin: 60 },
    currency: 'EUR',
    perEur: 1,
    cities: ['Paris', 'Lyon'],
    weight: 15,
  },
  {
    zone: { name: 'Europe/Madrid', standardOffsetMin: 60 },
    currency: 'EUR',
    perEur: 1,
    cities: ['Madrid', 'Valencia'],
    weight: 10,
  },
  {
    zone: { name: 'Europe/Amsterdam', standardOffsetMin: 60 },
    currency: 'EUR',
    perEur: 1,
    cities: ['Amsterdam'],
    weight: 8,
  },
  { zone: { name: 'Europe/Lisbon', standardOffsetMin: 0 }, currency: 'EUR', perEur: 1, cities: ['Lisbon'], weight: 4 },
  {
    zone: { name: 'Europe/Helsinki', standardOffsetMin: 120 },
    currency: 'EUR',
    perEur: 1,
    cities: ['Helsinki'],
    weight: 4,
  },
  {
    zone: { name: 'Europe/London', standardOffsetMin: 0 },
    currency: 'GBP',
    perEur: 0.86,
    cities: ['London'],
    weight: 7,
  },
  {
    zone: { name: 'Europe/Zurich', standardOffsetMin: 60 },
    currency: 'CHF',
    perEur: 0.94,
    cities: ['Zurich'],
    weight: 4,
  },
  {
    zone: { name: 'Europe/Warsaw', standardOffsetMin: 60 },
    currency: 'PLN',
    perEur: 4.3,
    cities: ['Warsaw'],
    weight: 5,
  },
  {
    zone: { name: 'Europe/Stockholm', standardOffsetMin: 60 },
    currency: 'SEK',
    perEur: 11.2,
    cities: ['Stockholm'],
    weight: 3,
  },
];

/** Spending categories: their merchant codes, amount shape (euros) and time-of-use pattern. */
export type Category =
  | 'groceries'
  | 'restaurants'
  | 'fastFood'
  | 'fuel'
  | 'transport'
  | 'shopping'
  | 'electronics'
  | 'digital'
  | 'pharmacy';

export interface CategoryShape {
  mccs: readonly string[];
  brands: readonly string[];
  /** Online merchants have no city and are the ones stolen card numbers are tried on. */
  online: boolean;
  medianEur: number;
  sigma: number;
  minEur: number;
  maxEur: number;
  /** Relative use by local hour 0–23. */
  hours: readonly number[];
  /** Relative use by day of week, Sunday first. */
  days: readonly number[];
}

const h = (spec: Record<number, number>, base = 0): number[] =>
  Array.from({ length: 24 }, (_, hour) => spec[hour] ?? base);
const shopHours = h({ 8: 2, 9: 4, 10: 6, 11: 7, 12: 7, 13: 6, 14: 5, 15: 5, 16: 6, 17: 8, 18: 8, 19: 6, 20: 3, 21: 1 });

export const categories: Record<Category, CategoryShape> = {
  groceries: {
    mccs: ['5411'],
    brands: ['FreshMart', 'GreenBasket', 'DailyFoods', 'SuperSaver', 'Marktplatz', 'CornerGrocer', 'BioHof'],
    online: false,
    medianEur: 28,
    sigma: 0.6,
    minEur: 1.2,
    maxEur: 320,
    hours: shopHours,
    days: [0.2, 1, 1, 1, 1.1, 1.5, 1.9],
  },
  restaurants: {
    mccs: ['5812'],
    brands: ['Trattoria Sole', 'Bistro Lumen', 'The Oak Table', 'Casa Verde', 'Sakura House', 'Le Petit Coin'],
    online: false,
    medianEur: 26,
    sigma: 0.55,
    minEur: 4,
    maxEur: 260,
    hours: h({ 11: 2, 12: 6, 13: 5, 14: 2, 18: 3, 19: 7, 20: 8, 21: 5, 22: 2, 23: 1 }),
    days: [1.2, 0.6, 0.7, 0.8, 1, 1.6, 1.7],
  },
  fastFood: {
    mccs: ['5814'],
    brands: ['Burger Stop', 'Kebab Corner', 'Noodle Box', 'Café Minute', 'Bakery Korn'],
    online: false,
    medianEur: 8.5,
    sigma: 0.45,
    minEur: 1.5,
    maxEur: 45,
    hours: h({ 7: 3, 8: 4, 9: 2, 11: 3, 12: 7, 13: 6, 14: 2, 17: 2, 18: 3, 19: 3, 20: 2, 22: 2, 23: 2, 0: 1, 1: 1 }),
    days: [1, 1, 1, 1, 1, 1.3, 1.2],
  },
  fuel: {
    mccs: ['5541'],
    brands: ['PetroLine', 'FuelPoint', 'Autogas Nord', 'RoadStar'],
    online: false,
    medianEur: 58,
    sigma: 0.3,
    minEur: 12,
    maxEur: 130,
    hours: h({ 6: 2, 7: 5, 8: 5, 9: 3, 12: 3, 16: 4, 17: 6, 18: 5, 19: 3, 20: 1 }, 0.5),
    days: [0.8, 1, 1, 1, 1, 1.3, 1.1],
  },
  transport: {
    mccs: ['4111'],
    brands: ['City Transit', 'MetroTicket', 'Regional Rail'],
    online: false,
    medianEur: 3.2,
    sigma: 0.35,
    minEur: 1.2,
    maxEur: 40,
    hours: h({ 6: 3, 7: 8, 8: 8, 9: 3, 12: 1, 16: 3, 17: 7, 18: 6, 19: 2, 22: 1, 23: 1 }, 0.2),
    days: [0.3, 1, 1, 1, 1, 1, 0.4],
  },
  shopping: {
    mccs: ['5311', '5651', '5661'],
    brands: ['Galerie Mode', 'StyleHouse', 'Urban Threads', 'ShoeBox', 'Kaufhof Plaza'],
    online: false,
    medianEur: 48,
    sigma: 0.8,
    minEur: 3,
    maxEur: 900,
    hours: shopHours,
    days: [0.3, 0.8, 0.8, 0.9, 1, 1.3, 1.9],
  },
  electronics: {
    mccs: ['5732'],
    brands: ['TechDepot Online', 'GadgetWorld Online', 'PixelStore'],
    online: true,
    medianEur: 110,
    sigma: 0.9,
    minEur: 9,
    maxEur: 2400,
    hours: h({ 9: 2, 10: 3, 12: 3, 14: 3, 17: 3, 19: 5, 20: 6, 21: 6, 22: 4, 23: 2, 0: 1 }, 0.3),
    days: [1.3, 1, 1, 1, 1, 1, 1.2],
  },
  digital: {
    mccs: ['5815', '5816', '5818', '5735'],
    brands: ['AppMarket', 'PlayVault', 'eBook Shelf', 'SoundCloudy', 'GameCoins'],
    online: true,
    medianEur: 4.5,
    sigma: 0.7,
    minEur: 0.49,
    maxEur: 120,
    hours: h({ 7: 2, 8: 2, 12: 3, 13: 2, 17: 2, 18: 3, 19: 5, 20: 6, 21: 7, 22: 6, 23: 4, 0: 2, 1: 1 }, 0.4),
    days: [1.3, 1, 1, 1, 1, 1.1, 1.3],
  },
  pharmacy: {
    mccs: ['5912'],
    brands: ['Apotheke am Markt', 'HealthPlus', 'Farmacia Central'],
    online: false,
    medianEur: 14,
    sigma: 0.7,
    minEur: 2,
    maxEur: 150,
    hours: shopHours,
    days: [0.1, 1, 1, 1, 1, 1, 0.8],
  },
};

export const categoryNames = Object.keys(categories) as Category[];

export interface Merchant {
  id: string;
  name: string;
  mcc: string;
  category: Category;
}

/** Recurring services billed by card (digital subscriptions) or direct debit (bills). */
export interface Biller {
  mcc: string;
  brands: readonly string[];
  /** Monthly price range in euros. */
  minEur: number;
  maxEur: number;
}

export const subscriptionBillers: readonly Biller[] = [
  { mcc: '4899', brands: ['StreamFlix', 'ViewMax'], minEur: 7.99, maxEur: 17.99 },
  { mcc: '5815', brands: ['TuneBox Music', 'eBook Unlimited'], minEur: 4.99, maxEur: 11.99 },
  { mcc: '5818', brands: ['CloudVault Storage', 'GameCoins Pass'], minEur: 1.99, maxEur: 14.99 },
  { mcc: '7997', brands: ['FitClub Gym'], minEur: 19.9, maxEur: 49.9 },
];

export const billBillers: Record<'utilities' | 'telecom' | 'insurance', Biller> = {
  utilities: { mcc: '4900', brands: ['Stadtwerke Energie', 'GreenPower', 'CityGas & Water'], minEur: 45, maxEur: 190 },
  telecom: { mcc: '4814', brands: ['TeleNet Mobile', 'SkyLink Broadband', 'OneCall'], minEur: 14.99, maxEur: 59.99 },
  insurance: { mcc: '6300', brands: ['SafeHome Insurance', 'Allsure', 'Mutual Life'], minEur: 12, maxEur: 95 },
};

export const atmOperators = ['Sparbank', 'CityBank', 'Volksbank', 'Cash Point', 'Euronet'] as const;

export const firstNames = [
  'Anna',
  'Lukas',
  'Marie',
  'Jonas',
  'Sofia',
  'Elias',
  'Emma',
  'Noah',
  'Lea',
  'Paul',
  'Chloé',
  'Hugo',
  'Lucía',
  'Mateo',
  'Sanne',
  'Daan',
  'Inês',
  'Tiago',
  'Aino',
  'Eero',
  'Olivia',
  'Jack',
  'Zofia',
  'Jakub',
  'Elsa',
  'Liam',
  'Mia',
  'Ben',
  'Julia',
  'Leon',
  'Camille',
  'Nina',
  'David',
  'Sara',
  'Tom',
  'Laura',
];
export const lastNames = [
  'Müller',
  'Schmidt',
  'Schneider',
  'Fischer',
  'Weber',
  'Meyer',
  'Wagner',
  'Becker',
  'Martin',
  'Bernard',
  'Dubois',
  'García',
  'Fernández',
  'López',
  'de Jong',
  'Jansen',
  'Silva',
  'Santos',
  'Korhonen',
  'Virtanen',
  'Smith',
  'Jones',
  'Taylor',
  'Nowak',
  'Kowalski',
  'Andersson',
  'Johansson',
  'Keller',
  'Huber',
  'Rossi',
];
export const employerNames = [
  'Nordwind Logistik GmbH',
  'Atelier Lumière SA',
  'Iberia Foods SL',
  'Delta Software BV',
  'Klinikum Mitte',
  'City Council Payroll',
  'Brightside Retail Ltd',
  'Alpine Engineering AG',
  'Vistula Media Sp. z o.o.',
  'Nordic Design AB',
  'University Payroll Office',
  'Helios Energy SE',
  'Metro Transit Authority',
];
export const landlordNames = [
  'Wohnbau Immobilien GmbH',
  'Habitat Gestion SA',
  'Residencial Sol SL',
  'Stadswonen BV',
  'Citylet Lettings Ltd',
  'Hausverwaltung Kraus',
  'Home Estates AG',
];

export function personName(rng: Random): string {
  return `${rng.pick(firstNames)} ${rng.pick(lastNames)}`;
}

const businessSuffixes = ['Consulting', 'Services', 'Trading GmbH', 'Bau GmbH', 'Ltd', 'SARL', 'Autohaus'];

/** Whom a customer pays at another bank: a person or a small business, for normal and fraud rows alike. */
export function payeeName(rng: Random): string {
  return rng.chance(0.7) ? personName(rng) : `${rng.pick(lastNames)} ${rng.pick(businessSuffixes)}`;
}

/** Whole minor units from a euro amount in the region's currency (all currencies here have two decimals). */
export function minorOf(eur: number, region: Region): number {
  return Math.max(1, Math.round(eur * region.perEur * 100));
}

/** An amount of a category, log-normal around its median, clamped to its range. */
export function categoryAmountMinor(rng: Random, shape: CategoryShape, region: Region): number {
  const eur = Math.min(shape.maxEur, Math.max(shape.minEur, rng.logNormal(shape.medianEur, shape.sigma)));
  return minorOf(eur, region);
}
