/**
 * The limits of the fraud feature state (docs/ml/features.md), each with what it costs. They live
 * here beside the feature code rather than in ../constants.ts only because this slice owns no other
 * file; they move there when the lead merges.
 */

export const minuteMs = 60_000;
export const hourMs = 60 * minuteMs;
export const dayMs = 24 * hourMs;

/** The velocity windows. A prior row counts when it is strictly less than the window before the row. */
export const burstWindowMs = 10 * minuteMs;
export const shortWindowMs = hourMs;
export const dayWindowMs = dayMs;
export const weekWindowMs = 7 * dayMs;
/** Cash paid in over four weeks: structuring spreads its deposits over two to three weeks. */
export const cashInWindowMs = 28 * dayMs;
/** A customer's habit of tiny card payments (or its absence), over a month. */
export const tinyCardHabitWindowMs = 30 * dayMs;
/**
 * The gap since the previous card payment is capped here (and "no card payment before" reads as the
 * cap): past a month the gap says nothing more, and a snapshot builder need look back no further.
 */
export const cardGapCapMs = 30 * dayMs;

/** A card payment out below this many minor units (1.00) counts toward the tiny-payment burst. */
export const tinyCardAmountMinor = 100;
/** A card payment out below this (2.00) is a small one: card-test probes go up to 1.99. */
export const smallCardAmountMinor = 200;

/**
 * Outgoing rows of one customer kept for the 1 h / 24 h / 7 d counts and sums: 16 bytes each, 16 KB a
 * customer at most. Above it the oldest are dropped, so the counts saturate near 1,024 a week (a
 * retail customer books about 50).
 */
export const maxOutgoingPerCustomer = 1024;
/** Money-in rows of one customer kept for 24 h: 16 bytes each. */
export const maxIncomingPerCustomer = 256;
/** Tiny card payments of one customer kept for 30 days (16 bytes each): the 10-minute burst and the month's habit saturate here. */
export const maxTinyCardPerCustomer = 256;
/** Small card payments (under 2.00) of one customer kept for 10 minutes: the count saturates here. */
export const maxSmallCardPerCustomer = 64;
/** Cash deposits of one customer kept for 28 days (16 bytes each): a market trader banks about one a day. */
export const maxCashInPerCustomer = 128;
/** Distinct accounts that paid a customer in the last 7 days (~80 bytes each): a mule's are a handful. */
export const maxPayersInPerCustomer = 256;
/**
 * Tiny card payments at one counterparty (a merchant) by anyone, kept for 24 h (16 bytes each): a
 * shop under a card-testing attack saturates here, which is plenty to tell.
 */
export const maxTinyCardPerCounterparty = 1024;
/** Distinct payees a customer paid in the last 24 h, kept for fan-out: ~80 bytes each. */
export const maxFanOutPerCustomer = 256;
/**
 * Counterparties a customer has dealt with, remembered for "new payee" (~80 bytes each, 160 KB a
 * customer at most); the least recently used is forgotten first, and would look new again.
 */
export const maxKnownCounterpartiesPerCustomer = 2048;
/** Devices remembered per customer (a phone or two; a takeover adds one). */
export const maxDevicesPerCustomer = 16;
/**
 * Distinct payers of one counterparty kept per fan-in window (~80 bytes each): a supermarket's fan-in
 * saturates here, which is fine, a mule's is a handful.
 */
export const maxFanInPerCounterparty = 1024;

/**
 * Customers whose state is held (least recently active dropped first). A customer's state is a few
 * KB typically, at most ~200 KB.
 */
export const maxTrackedCustomers = 1_000_000;
/**
 * Counterparties whose first sighting and fan-in are held (least recently seen dropped first, then
 * it looks new again): ~150 bytes each without fan-in entries.
 */
export const maxTrackedCounterparties = 2_000_000;

/** Floor of the standard deviation of a customer's log amounts: a customer who always pays 9.99
 * would otherwise make 10.49 a huge outlier. 0.25 in natural log is a factor of about 1.3. */
export const minAmountSpreadLog = 0.25;
/** |z| is clipped here: beyond it the amount is simply "far out of line". */
export const maxAbsZ = 10;
