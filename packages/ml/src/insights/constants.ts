/**
 * Every limit and tuning constant of the insights code, named once, with what it costs.
 */

/** Hash buckets of the categoriser's text features: 1,024 × 32 first-layer weights (~170 KB of artifact). */
export const textHashBuckets = 1024;
/** Character n-gram lengths hashed from each word (with its boundaries): robust to prefixes, truncation, typos. */
export const textNgramLengths: readonly number[] = [3, 4];
/** Characters of a description the features read: a SEPA remittance field is 140. */
export const maxDescriptionLength = 140;

/** Rows per category the categoriser trains on (stratified, so a rare category is not drowned out). */
export const trainingRowsPerCategory = 1500;

/** Fewest occurrences before a series is called recurring, per frequency: two points make no rhythm. */
export const minOccurrences = { weekly: 4, monthly: 3, quarterly: 3, yearly: 2 } as const;
/**
 * Intervals (days) each frequency accepts between two consecutive payments: salaries moved back
 * to Friday make a month 27–34 days, card billing runs drift by a day or two.
 */
export const intervalDays = {
  weekly: { min: 6, max: 8, nominal: 7 },
  monthly: { min: 26, max: 35, nominal: 30.44 },
  quarterly: { min: 83, max: 99, nominal: 91.31 },
  yearly: { min: 355, max: 376, nominal: 365.25 },
} as const;
/**
 * Days a monthly, quarterly or yearly payment may stray from its due date (after the Friday rule):
 * standing orders and debits keep their day, card renewals drift by a day; a shop visited now and
 * then does not keep a calendar.
 */
export const scheduleToleranceDays = 2;
/** Days a payment may come after its expected date before it counts as missed. */
export const graceDays = { weekly: 2, monthly: 4, quarterly: 7, yearly: 10 } as const;
/** Missed expected payments after which a series is inactive (the issue: two). */
export const missedToInactive = 2;
/**
 * How far an amount may stray from the series' median and still belong to it: 15 %, so a utility
 * bill's seasonal drift fits but two different purchases at one shop rarely do.
 */
export const amountTolerance = 0.15;
/** Gaps of twice the interval (one payment skipped, then resumed) a series may hold. */
export const maxSkippedIntervals = 1;
/** Rows of one account the recurring detector and the forecast read: about ten years of a busy account. */
export const maxHistoryRows = 50_000;

/**
 * Most days the as-of date of a recurring analysis may lie after the account's last row (ten
 * years): projecting a weekly schedule that far is some 520 steps.
 */
export const maxAsOfGapDays = 3660;
/** Most days an upcoming-bills window or a forecast may span: a year, a few hundred list items at most. */
export const maxWindowDays = 366;
/** Days the balance forecast looks ahead (the issue: 30). */
export const forecastHorizonDays = 30;
/** Weeks of history the weekday spending profile averages over: long enough to smooth, short enough to follow a change. */
export const profileWeeks = 8;
/** Season of the naive baseline and of the MASE scale: a week. */
export const maseSeasonDays = 7;

/** Months of a category's history before its spend can be called unusual. */
export const minHistoryMonths = 3;
/** Robust z-score (0.6745 · (x − median) / MAD, Iglewicz & Hoaglin) above which spend is unusual. */
export const unusualRobustZ = 3.5;
/** Share of a budget at which the customer is warned, and at which it is exceeded. */
export const budgetWarnPercent = 80n;
export const budgetExceededPercent = 100n;
/** Share of a monthly surplus suggested for savings (the rest stays as a buffer). */
export const surplusSavingsPercent = 50n;
