/**
 * Every limit of packages/ml, named once, with what it costs.
 */

/** Longest line the reader accepts. A line of the format is ~350 bytes; readline buffers a whole line. */
export const maxLineLength = 4096;
/** Longest id (transaction, customer, account, counterparty, device, case). Ids are opaque, short. */
export const maxIdLength = 64;
/** Longest name or description, as in a SEPA remittance field (140). */
export const maxTextLength = 140;
/** Digits of |amountMinor|: 15 digits is ten trillion in major units, beyond any single booking. */
export const maxAmountDigits = 15;
/** Errors `validate` collects before it stops reading: enough to see a pattern, not a flood. */
export const maxReportedErrors = 10;

/** Customers a run may have: each agent holds a persona (~1 KB) in memory for the whole run. */
export const maxCustomers = 100_000;
/** Days a run may span: rows are generated and written day by day, so this bounds only run time. */
export const maxDays = 3660;
/** A fraud scenario needs room (structuring spreads over up to three weeks) inside the run. */
export const minDaysWithFraud = 28;
/** The largest seed: the PRNG state is 32 bits. */
export const maxSeed = 0xffff_ffff;

/**
 * The cash reporting threshold structuring stays under, in EUR major units (EU AMLD: 10,000 EUR);
 * other currencies use their rate to EUR.
 */
export const structuringThresholdEur = 10_000;

/** Bins of a drift reference: deciles, the usual choice for PSI; a reference holds ~11 numbers a feature. */
export const driftBins = 10;
/** Share counted for an empty bin in the PSI, so ln(actual / expected) stays finite (the usual 0.0001). */
export const driftEmptyShare = 0.0001;
/** Fewest live rows a drift check reads: with fewer, one odd day moves the PSI past any threshold. */
export const driftMinSample = 200;
/** PSI above which a model's population has shifted enough to raise an alert (the conventional 0.25). */
export const driftAlertPsi = 0.25;
