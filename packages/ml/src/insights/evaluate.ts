/**
 * The measured half of the insights: each method scored on generated data it was not built on.
 *
 * - Categories: the text model alone (MCC hidden) on held-out rows whose texts are varied with a
 *   seed never used in training, counting only strings training never saw; and the whole
 *   pipeline (subscription, MCC, model) on the held-out rows as generated.
 * - Recurring: per row, precision and recall of "belongs to a detected series" against the
 *   generator's schedule (synthetic/truth.ts).
 * - Forecast: MASE over the 30 days after each account's history, against seasonal naive (m = 7)
 *   and naive (last value).
 */
import type { Transaction } from '../interchange/format.ts';
import { type GenerationOptions, generateTransactions } from '../synthetic/generator.ts';
import { recurringOf, recurringTruth } from '../synthetic/truth.ts';
import { type Category, categories } from './categories.ts';
import { type Categoriser, categorise } from './categoriser.ts';
import { forecastHorizonDays } from './constants.ts';
import { type ExampleOptions, labelledTexts, trueCategory } from './dataset.ts';
import { isoDate, utcDay } from './dates.ts';
import { dailyBalances, forecastBalance, mase, naiveForecast, seasonalNaiveForecast } from './forecast.ts';
import { detectRecurring, subscriptionKeys } from './recurring.ts';
import { accuracyMetrics } from './train.ts';

/** The data the committed categoriser trains on: 300 customers over a quarter, 70 % of texts varied. */
export function trainingExamples(dataSeed: number, variationSeed: number): ExampleOptions {
  return {
    data: { seed: dataSeed, customers: 300, days: 90, start: '2026-01-01', fraudRate: 0.02 },
    variationSeed,
    variedShare: 0.7,
    perCategory: 1500,
  };
}

/** Held-out texts: another data seed, every text varied with another variation seed. */
export function heldOutExamples(seed: number): ExampleOptions {
  return {
    data: { seed, customers: 300, days: 90, start: '2026-01-01', fraudRate: 0.02 },
    variationSeed: seed + 1_000_003,
    variedShare: 1,
    perCategory: 1000,
  };
}

/** Held-out histories: 300 customers over 180 days, the last 30 of them forecast. */
export const heldOutHistories = (seed: number): GenerationOptions => ({
  seed,
  customers: 300,
  days: 180,
  start: '2026-01-01',
  fraudRate: 0.02,
});

export interface Accuracy {
  readonly accuracy: number;
  readonly examples: number;
  readonly perCategory: ReadonlyMap<Category, { accuracy: number; examples: number }>;
}

function accuracyOf(labels: Category[], predicted: Category[]): Accuracy {
  const m = accuracyMetrics(labels, predicted);
  const perCategory = new Map<Category, { accuracy: number; examples: number }>();
  for (const c of categories) {
    const examples = m[`examples_${c}`];
    if (examples !== undefined) perCategory.set(c, { accuracy: m[`accuracy_${c}`] as number, examples });
  }
  return { accuracy: m.accuracy as number, examples: m.examples as number, perCategory };
}

/** The text model alone on varied held-out texts it never saw; `seen` holds the training texts. */
export function evaluateTextModel(
  model: Categoriser,
  seed: number,
  seen: ReadonlySet<string>,
): Accuracy & { unseenShare: number } {
  const texts = labelledTexts(heldOutExamples(seed));
  const unseen = texts.filter((t) => !seen.has(t.input.description));
  const result = accuracyOf(
    unseen.map((t) => t.label),
    unseen.map((t) => model.predict(t.input).category),
  );
  return { ...result, unseenShare: unseen.length / texts.length };
}

/**
 * Card merchants the generator never names (invented like its own, in the words real shops use):
 * what the text model makes of a brand it cannot have learnt. Ten a category the generator has.
 */
export const unseenMerchants: Partial<Record<Category, readonly string[]>> = {
  groceries: [
    'Supermercado Luz',
    'Bio Markt Weber',
    'Minimarket Sol',
    'Frischemarkt Nord',
    'Epicerie du Coin',
    'Food Hall Express',
    'Organic Grocer',
    'Spar Nachbar',
    'Fruta y Verdura Ana',
    'Hofladen Sommer',
  ],
  eating_out: [
    'Pizzeria Napoli',
    'Ristorante da Luca',
    'Sushi Bar Koi',
    'Brasserie du Port',
    'Taqueria Azul',
    'Burger Barn',
    'Kebab Haus Anatolia',
    'Cafe Central',
    'Bistro am Markt',
    'Thai Garden Restaurant',
  ],
  transport: [
    'Metro Card Top-up',
    'Tram Ticket Nord',
    'Bus Regional Ticket',
    'Shell Station 12',
    'Tankstelle Mitte',
    'Rail Ticket Office',
    'Taxi Zentrale',
    'Bike Share City',
    'Parkhaus Altstadt',
    'Fuel Express',
  ],
  shopping: [
    'Mode Boutique Lina',
    'Shoe Palace',
    'Fashion Outlet Center',
    'Department Store Royal',
    'Kids Clothing Co',
    'Electro Markt',
    'Phone Shop Plus',
    'Home & Living Store',
    'Sportswear Hub',
    'Jeans Corner',
  ],
  entertainment: [
    'App Store Purchase',
    'Game Store Online',
    'Music Download Shop',
    'Audiobook Store',
    'Kino Palast',
    'Digital Comics',
    'Video Game Credits',
    'eBook Store Lux',
    'Arcade Online',
    'Film Rental Online',
  ],
  health: [
    'Apotheke zum Löwen',
    'Pharmacie Centrale',
    'Farmacia del Sol',
    'City Pharmacy',
    'Drogerie Gesund',
    'Health Store Vital',
    'Chemist Corner',
    'Apotheke am Bahnhof',
    'Pharma Plus',
    'Medic Pharmacy',
  ],
};

/** The text model alone on merchant names it never saw (card payments, money out). */
export function evaluateUnseenMerchants(model: Categoriser): Accuracy {
  const entries = Object.entries(unseenMerchants) as [Category, readonly string[]][];
  const labels = entries.flatMap(([c, names]) => names.map(() => c));
  const predicted = entries.flatMap(([, names]) =>
    names.map((description) => model.predict({ description, channel: 'card', moneyIn: false }).category),
  );
  return accuracyOf(labels, predicted);
}

export interface HistoryEvaluation {
  readonly pipeline: Accuracy;
  readonly recurring: {
    precision: number;
    recall: number;
    truePositives: number;
    falsePositives: number;
    falseNegatives: number;
  };
  readonly forecast: {
    readonly accounts: number;
    readonly mase: { ours: Summary; seasonalNaive: Summary; naive: Summary };
  };
}

export interface Summary {
  readonly mean: number;
  readonly median: number;
}

function summary(values: readonly number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return {
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    median: s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2,
  };
}

/** Categorisation pipeline, recurring detection and forecast on generated histories. */
export function evaluateHistories(model: Categoriser, options: GenerationOptions): HistoryEvaluation {
  const truth = recurringTruth(options);
  const byAccount = new Map<string, Transaction[]>();
  for (const row of generateTransactions(options)) {
    const rows = byAccount.get(row.account) ?? [];
    rows.push(row);
    byAccount.set(row.account, rows);
  }
  const labels: Category[] = [];
  const predicted: Category[] = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const ours: number[] = [];
  const seasonal: number[] = [];
  const naive: number[] = [];
  const firstDay = utcDay(options.start);
  const asOfDay = firstDay + options.days - forecastHorizonDays;
  for (const rows of byAccount.values()) {
    const series = detectRecurring(rows);
    const inSeries = new Set(series.flatMap((s) => s.transactionIds));
    const subscriptions = subscriptionKeys(series);
    for (const row of rows) {
      const actual = !!recurringOf(truth, row);
      const found = inSeries.has(row.id);
      if (actual && found) tp++;
      else if (found) fp++;
      else if (actual) fn++;
      labels.push(trueCategory(row, truth));
      predicted.push(categorise(row, { model, subscriptions }).category);
    }
    const balances = dailyBalances(rows, firstDay, firstDay + options.days - 1).map(Number);
    const history = balances.slice(0, asOfDay - firstDay);
    const actual = balances.slice(asOfDay - firstDay);
    const forecast = forecastBalance(rows, { asOf: isoDate(asOfDay), balanceMinor: BigInt(history.at(-1) ?? 0) });
    ours.push(
      mase(
        actual,
        forecast.map((p) => Number(p.balanceMinor)),
        history,
      ),
    );
    seasonal.push(mase(actual, seasonalNaiveForecast(history, actual.length), history));
    naive.push(mase(actual, naiveForecast(history, actual.length), history));
  }
  return {
    pipeline: accuracyOf(labels, predicted),
    recurring: {
      precision: tp / (tp + fp),
      recall: tp / (tp + fn),
      truePositives: tp,
      falsePositives: fp,
      falseNegatives: fn,
    },
    forecast: {
      accounts: ours.length,
      mase: { ours: summary(ours), seasonalNaive: summary(seasonal), naive: summary(naive) },
    },
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;

/** The lines `./ng ml insights-evaluate` prints. */
export function describeInsights(
  text: ReturnType<typeof evaluateTextModel>,
  unseen: Accuracy,
  histories: HistoryEvaluation,
): string[] {
  const table = (a: Accuracy) =>
    [...a.perCategory].map(([c, v]) => `  ${c.padEnd(16)} ${pct(v.accuracy).padStart(7)}  (${v.examples})`);
  const { recurring: r, forecast: f } = histories;
  const m = (s: Summary) => `mean ${s.mean.toFixed(3)}, median ${s.median.toFixed(3)}`;
  return [
    `text model alone, varied texts never seen in training (${text.examples} texts, ${pct(text.unseenShare)} of the held-out set): accuracy ${pct(text.accuracy)}`,
    ...table(text),
    `text model alone, merchant names the generator never uses (${unseen.examples}): accuracy ${pct(unseen.accuracy)}`,
    ...table(unseen),
    `pipeline (subscription, MCC, text model) on the held-out rows (${histories.pipeline.examples}): accuracy ${pct(histories.pipeline.accuracy)}`,
    ...table(histories.pipeline),
    `recurring rows: precision ${r.precision.toFixed(4)}, recall ${r.recall.toFixed(4)} (${r.truePositives} found, ${r.falsePositives} wrongly, ${r.falseNegatives} missed)`,
    `30-day balance forecast, ${f.accounts} accounts, MASE (scale: in-sample seasonal naive m = 7):`,
    `  recurring + weekday profile: ${m(f.mase.ours)}`,
    `  seasonal naive (m = 7):      ${m(f.mase.seasonalNaive)}`,
    `  naive (last value):          ${m(f.mase.naive)}`,
  ];
}
