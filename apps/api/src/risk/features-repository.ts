import { type FeatureSnapshot, smallCardAmountMinor, tinyCardAmountMinor } from '@nextgen/ml';
import { createBatcher } from '../platform/batcher.ts';
import {
  riskFanInRowsMax,
  riskFeatureBatchSizeMax,
  riskFeatureReadsInFlightMax,
  riskHistoryRowsMax,
  transferQueueLengthMax,
} from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import { paymentsBusy } from '../platform/errors.ts';
import type { TransferCommand } from './contract.ts';

/**
 * Everything the fraud features of a group of transfers need, in one call of risk_feature_rows
 * (migration 0100, which holds the query: a PL/pgSQL function plans it once per connection instead
 * of at every execution, docs/adr/0137): a row per transfer
 * (`i`, its place in the arrays), each computed from the ledger strictly before its own time.
 * Concurrent checks share it (createSnapshotReader), as their decisions share one INSERT: one round
 * trip and one executor start for the group instead of one each (docs/adr/0134). Bounded per
 * transfer: the all-time amount statistics are one row of risk_profiles, kept up to date as lines
 * post (migration 0094, ADR 0133); the windows read the customer's lines of the last 30 days, at most
 * riskHistoryRowsMax of them (one range scan of account_transactions_customer);
 * the per-IBAN lookups are index range scans (migration 0091) cut by time windows and LIMITs.
 * Amounts are log1p(minor / 100) as featureVector's logMajor; m2 is Welford's (var_pop × count).
 * Cash in and card payments are the history's rows without a counterparty IBAN in the last 30 days
 * whose journal entry is a 'deposit' (money in from settlement) or a 'purchase' (out to card
 * clearing): at most riskHistoryRowsMax primary-key lookups of journal_entries, usually a few dozen.
 */
const featureSql = `SELECT * FROM risk_feature_rows($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[],
  $6::int, $7::int, $8::bigint, $9::bigint)`;

interface FeatureRow {
  i: number;
  rows: number;
  out_count: number;
  out_mean: number;
  out_m2: number;
  in_count: number;
  in_mean: number;
  in_m2: number;
  max_out_minor: string;
  out1h_count: number;
  out1h_sum: string;
  out24h_count: number;
  out24h_sum: string;
  out7d_count: number;
  out7d_sum: string;
  in24h_count: number;
  in24h_sum: string;
  fan_out_24h: number;
  in_payers_7d: number;
  cash_in_28d_count: number;
  cash_in_28d_sum: string;
  tiny_card_10m: number;
  small_card_10m: number;
  tiny_card_30d: number;
  last_card_at: Date | null;
  known_since: Date | null;
  paid_before: boolean;
  first_seen_at_bank: Date | null;
  fan_in_24h: number;
  fan_in_7d: number;
  device_first_seen: Date | null;
}

const ms = (at: Date | null) => (at === null ? null : at.getTime());

async function readSnapshots(db: Queryable, commands: readonly TransferCommand[]): Promise<FeatureSnapshot[]> {
  const { rows } = await db.query<FeatureRow>(featureSql, [
    commands.map((c) => c.customerId),
    commands.map((c) => c.at.toISOString()),
    commands.map((c) => c.toIban),
    commands.map((c) => c.toAccountId),
    commands.map((c) => c.deviceKeyThumbprint ?? null),
    riskHistoryRowsMax,
    riskFanInRowsMax,
    tinyCardAmountMinor,
    smallCardAmountMinor,
  ]);
  const byPlace = new Map(rows.map((r) => [r.i, r]));
  return commands.map((command, index) => {
    const r = byPlace.get(index + 1);
    if (!r) throw new Error('the fraud feature query returned no row for a transfer');
    return snapshotOf(command, r);
  });
}

/**
 * Reads transfers' FeatureSnapshots (from the ledger strictly before each `command.at`, and the
 * customer's devices) in groups: a check arriving while riskFeatureReadsInFlightMax groups run
 * waits for the next, which takes up to riskFeatureBatchSizeMax (platform/batcher.ts).
 */
export function createSnapshotReader(db: Queryable): (command: TransferCommand) => Promise<FeatureSnapshot> {
  const batcher = createBatcher<TransferCommand, FeatureSnapshot>({
    run: (commands) => readSnapshots(db, commands),
    batchSizeMax: riskFeatureBatchSizeMax,
    inFlightMax: riskFeatureReadsInFlightMax,
    queueLengthMax: transferQueueLengthMax,
    overloaded: paymentsBusy,
  });
  return (command) => batcher.submit(command);
}

function snapshotOf(command: TransferCommand, r: FeatureRow): FeatureSnapshot {
  // Sums are bigint in SQL; as JS numbers they are exact up to 2^53 minor units, far above any balance.
  return {
    timeMs: command.at.getTime(),
    amountMinor: -Number(command.amountMinor),
    channel: 'transfer',
    device: command.deviceKeyThumbprint === undefined ? null : { firstSeenMs: ms(r.device_first_seen) },
    history: {
      rows: r.rows,
      out: { count: r.out_count, mean: Number(r.out_mean), m2: Number(r.out_m2) },
      in: { count: r.in_count, mean: Number(r.in_mean), m2: Number(r.in_m2) },
      maxOutMinor: Number(r.max_out_minor),
    },
    out1h: { count: r.out1h_count, sumMinor: Number(r.out1h_sum) },
    out24h: { count: r.out24h_count, sumMinor: Number(r.out24h_sum) },
    out7d: { count: r.out7d_count, sumMinor: Number(r.out7d_sum) },
    in24h: { count: r.in24h_count, sumMinor: Number(r.in24h_sum) },
    counterparty: {
      knownSinceMs: ms(r.known_since),
      paidBefore: r.paid_before,
      firstSeenAtBankMs: ms(r.first_seen_at_bank),
      fanIn24h: r.fan_in_24h,
      fanIn7d: r.fan_in_7d,
      // Transfers pay IBANs, card purchases carry none: who paid this payee by card is not in the
      // ledger, so 0, as for a payee nobody tried cards at (training/serving skew, ADR 0130).
      tinyCard24h: 0,
    },
    fanOut24h: r.fan_out_24h,
    tinyCard10m: r.tiny_card_10m,
    smallCard10m: r.small_card_10m,
    tinyCard30d: r.tiny_card_30d,
    // Every deposit, as the ledger cannot tell cash from other money paid in through settlement (ADR 0130).
    cashIn28d: { count: r.cash_in_28d_count, sumMinor: Number(r.cash_in_28d_sum) },
    inPayers7d: r.in_payers_7d,
    // Only the last 30 days are looked at: an older card payment gives the feature of none (cardGapCapMs).
    lastCardMs: ms(r.last_card_at),
  };
}
