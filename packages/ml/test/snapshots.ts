/**
 * Hand-built feature snapshots for the rules and model tests, as the API builds them from its
 * ledger: an ordinary transfer, and the account-takeover payment that departs from it.
 */
import { type FeatureSnapshot, logMajor } from '../src/index.ts';

export const now = Date.parse('2026-03-02T03:00:00Z');
export const hourMs = 3_600_000;

/** An ordinary transfer to a payee paid before, from the customer's usual phone. */
export const ordinary: FeatureSnapshot = {
  timeMs: now,
  amountMinor: -4000,
  channel: 'transfer',
  device: { firstSeenMs: now - 900 * hourMs },
  history: {
    rows: 200,
    out: { count: 150, mean: logMajor(3000), m2: 150 },
    in: { count: 50, mean: logMajor(50_000), m2: 50 },
    maxOutMinor: 120_000,
  },
  out1h: { count: 0, sumMinor: 0 },
  out24h: { count: 2, sumMinor: 5000 },
  out7d: { count: 12, sumMinor: 40_000 },
  in24h: { count: 0, sumMinor: 0 },
  counterparty: {
    knownSinceMs: now - 2000 * hourMs,
    paidBefore: true,
    firstSeenAtBankMs: now - 3000 * hourMs,
    fanIn24h: 0,
    fanIn7d: 1,
    tinyCard24h: 0,
  },
  fanOut24h: 1,
  tinyCard10m: 0,
  smallCard10m: 0,
  tinyCard30d: 0,
  cashIn28d: { count: 0, sumMinor: 0 },
  inPayers7d: 1,
  lastCardMs: now - 20 * hourMs,
};

/** A payee nobody at the bank has dealt with. */
export const newPayee: FeatureSnapshot['counterparty'] = {
  ...ordinary.counterparty,
  knownSinceMs: null,
  paidBefore: false,
  firstSeenAtBankMs: null,
  fanIn7d: 0,
};

/** The textbook takeover: a device never seen, a new payee, far above the largest payment ever. */
export const takeover: FeatureSnapshot = {
  ...ordinary,
  amountMinor: -300_000,
  device: { firstSeenMs: null },
  counterparty: newPayee,
};
