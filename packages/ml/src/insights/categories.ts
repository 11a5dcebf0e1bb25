/**
 * The spending categories the app shows, and the ISO 18245 merchant category codes that decide
 * them when a row carries one. The table is a documented subset (docs/ml/insights.md): the codes
 * and ranges of ISO 18245 as the card schemes publish them (Visa Merchant Data Standards Manual,
 * Mastercard Quick Reference Booklet), grouped the way retail banking apps group them.
 */

export const categories = [
  'groceries',
  'eating_out',
  'transport',
  'shopping',
  'bills_utilities',
  'rent_housing',
  'subscriptions',
  'entertainment',
  'health',
  'travel',
  'cash',
  'income',
  'transfers',
  'fees',
  'other',
] as const;
export type Category = (typeof categories)[number];

export function isCategory(value: unknown): value is Category {
  return typeof value === 'string' && (categories as readonly string[]).includes(value);
}

/** An inclusive range of MCCs and its category; single codes are ranges of one. */
interface MccRange {
  readonly from: number;
  readonly to: number;
  readonly category: Category;
  readonly meaning: string;
}

const r = (from: number, to: number, category: Category, meaning: string): MccRange => ({
  from,
  to,
  category,
  meaning,
});

/** Checked in order: specific codes before the ranges that contain them. */
export const mccTable: readonly MccRange[] = [
  r(3000, 3350, 'travel', 'airlines (named carriers)'),
  r(3351, 3500, 'travel', 'car rental agencies (named)'),
  r(3501, 3999, 'travel', 'hotels and resorts (named)'),
  r(4011, 4011, 'transport', 'railroads'),
  r(4111, 4111, 'transport', 'local and suburban commuter transport'),
  r(4112, 4112, 'transport', 'passenger railways'),
  r(4121, 4121, 'transport', 'taxicabs and limousines'),
  r(4131, 4131, 'transport', 'bus lines'),
  r(4411, 4411, 'travel', 'cruise lines'),
  r(4511, 4511, 'travel', 'airlines and air carriers'),
  r(4722, 4722, 'travel', 'travel agencies and tour operators'),
  r(4784, 4784, 'transport', 'tolls and bridge fees'),
  r(4789, 4789, 'transport', 'transportation services'),
  r(4812, 4812, 'shopping', 'telecommunication equipment'),
  r(4814, 4814, 'bills_utilities', 'telecommunication services'),
  r(4816, 4816, 'bills_utilities', 'computer network and information services'),
  r(4899, 4899, 'subscriptions', 'cable, satellite and other pay television and streaming'),
  r(4900, 4900, 'bills_utilities', 'utilities: electric, gas, water, sanitary'),
  r(5200, 5299, 'shopping', 'home supply, hardware, garden'),
  r(5300, 5399, 'shopping', 'department, discount and variety stores'),
  r(5411, 5411, 'groceries', 'grocery stores and supermarkets'),
  r(5412, 5499, 'groceries', 'food stores: meat, bakeries, dairy, convenience'),
  r(5511, 5599, 'transport', 'car dealers, service stations, fuel'),
  r(5600, 5699, 'shopping', 'clothing and accessories'),
  r(5700, 5734, 'shopping', 'furniture, appliances, electronics, software'),
  r(5735, 5735, 'entertainment', 'record stores'),
  r(5811, 5814, 'eating_out', 'caterers, restaurants, bars, fast food'),
  r(5815, 5818, 'entertainment', 'digital goods: media, games, applications'),
  r(5912, 5912, 'health', 'drug stores and pharmacies'),
  r(5900, 5999, 'shopping', 'miscellaneous retail'),
  r(6010, 6011, 'cash', 'cash disbursements: bank counter, ATM'),
  r(6300, 6399, 'bills_utilities', 'insurance'),
  r(6513, 6513, 'rent_housing', 'real estate agents and managers, rentals'),
  r(7011, 7011, 'travel', 'lodging: hotels, motels, resorts'),
  r(7512, 7512, 'travel', 'car rental'),
  r(7523, 7523, 'transport', 'parking lots and garages'),
  r(7832, 7832, 'entertainment', 'cinemas'),
  r(7922, 7922, 'entertainment', 'theatrical producers, ticket agencies'),
  r(7991, 7996, 'entertainment', 'tourist attractions, amusement parks'),
  r(7997, 7997, 'subscriptions', 'membership clubs: sports, fitness'),
  r(8011, 8099, 'health', 'doctors, dentists, hospitals, health services'),
  r(9311, 9311, 'fees', 'tax payments'),
];

/** The category an MCC decides, or undefined when the code is not in the table (the text model decides). */
export function mccCategory(mcc: string | null): Category | undefined {
  if (mcc === null || !/^\d{4}$/.test(mcc)) return undefined;
  const code = Number(mcc);
  return mccTable.find((range) => code >= range.from && code <= range.to)?.category;
}
