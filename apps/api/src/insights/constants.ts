/**
 * The insights module's limits, each named once with what it costs (the modelling constants are
 * packages/ml/src/insights/constants.ts). Kept beside the module rather than in platform/constants.ts
 * because nothing else reads them; the worker's job sizes are here too, since the worker runs this code.
 */

export const insightTypes = [
  'budget_warning',
  'budget_exceeded',
  'unusual_spending',
  'subscription_found',
  'upcoming_bill',
  'savings_suggestion',
  'low_balance_forecast',
] as const;
export type InsightType = (typeof insightTypes)[number];

/**
 * Months of history a read or a worker run looks at: the 12 full months unusual spending and
 * yearly subscriptions need, and the current one.
 */
export const historyMonths = 13;
/**
 * Most lines of one customer read for a picture (spending, budgets, recurring, a worker run):
 * about 50 a day for 13 months; at ~300 bytes a line some 6 MB of memory at worst. Beyond it the
 * oldest lines are left out (the newest are always read).
 */
export const historyLinesMax = 20_000;
/**
 * Most lines of one merchant (account, counterparty, channel, direction) that recurring detection
 * reads: packages/ml's amount bands cost about n² per band, 1.9 s for 8 merchants of 1,250 lines.
 * A weekly series over 13 months is ~57 lines and may share its merchant with half as many
 * others, so a merchant with more than 200 lines in the window holds no series the detector
 * would accept; its lines are categorised, just not searched for a rhythm.
 */
export const recurringMerchantLinesMax = 200;
/** Months in the spending trend chart, the selected month included. */
export const spendingTrendMonths = 6;
/** A category within ±5 % of last month is 'flat'. */
export const trendFlatPercent = 5n;

/** Past months with spending in a category before its month can be unusual (a new category is not). */
export const unusualActiveMonthsMin = 3;
/** Budgets a customer may keep: one per category and currency is far below it. */
export const budgetsPerCustomerMax = 100;
/** Days GET /upcoming-bills looks ahead by default and at most. */
export const upcomingBillsDaysDefault = 30;
export const upcomingBillsDaysMax = 90;
/** Days ahead an upcoming bill becomes an insight. */
export const upcomingBillInsightDays = 7;
/** A forecast end-of-day balance below this (minor units) raises low_balance_forecast. */
export const lowBalanceThresholdMinor = 0n;
/** Bytes of the categoriser artifact the API and worker accept (it is ~200 KB). */
export const categoriserBytesMax = 8 * 1024 * 1024;

/** Customers one run of the insights queue job processes: each is one transaction of ~10-50 ms. */
export const insightQueueBatchMax = 50;
/** How long a claimed queue row is left to its worker before another may take it (a crashed run). */
export const insightClaimMs = 5 * 60_000;
/** Failed attempts after which a customer stays in the queue untouched until new activity re-enqueues them. */
export const insightAttemptsMax = 5;
/** Customers the nightly sweep enqueues per step, and steps per run: 10 × 1,000 ids per minute-long run. */
export const insightSweepBatchSize = 1_000;
export const insightSweepBatchesPerRun = 10;
/** A sweep pass starts at most this often (the "nightly" pass). */
export const insightSweepPeriodMs = 24 * 60 * 60_000;
/** Insights written per customer per run at most (a customer with hundreds of series). */
export const insightsPerRunMax = 200;
/** Corrections a customer may keep (one per merchant): the map is read whole for every history page. */
export const correctionsPerCustomerMax = 5_000;
/**
 * Corrections the training-labels export (`./ng backoffice category-labels`) reads per query: one
 * keyset batch of ~1,000 rows of ~300 bytes, so an export of any size runs in constant memory.
 */
export const categoryLabelsBatchSize = 1_000;
/**
 * Fewest customers who must have corrected a card merchant's text before any of their corrections
 * of it is exported as a training label (docs/ml/category-labels.md, "Privacy"). A shop's text is
 * corrected by many; a payment-facilitator descriptor naming a private seller (`SUMUP *JANE DOE`)
 * by the few who paid them. Raising it loses the labels of smaller merchants; each customer's own
 * correction keeps working for them either way.
 */
export const categoryLabelCustomersMin = 5;
/** Insights a GDPR export lists, newest first (a few a month per customer: years of them). */
export const gdprInsightsMax = 1_000;
/**
 * Days an insight is kept. Every type but subscription_found is about a month or a day that is over
 * within weeks, so the worker can never write it again once it is gone; a found subscription is
 * kept while the customer has it (deleting it would announce it again).
 */
export const insightRetentionDays = 365;
/** Insights deleted per step of the purge (one index range each), and steps per run. */
export const insightPurgeBatchSize = 1_000;
export const insightPurgeBatchesPerRun = 20;
