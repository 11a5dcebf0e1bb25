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
 * Everything the fraud features of a group of transfers need, in one statement: a row per transfer
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
const featureSql = `
SELECT q.i::int AS i, f.*
FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[])
  WITH ORDINALITY AS q(customer_id, at, iban, account_id, thumbprint, i)
CROSS JOIN LATERAL (
  WITH recent AS (
    SELECT entry_id, direction, amount_minor, counterparty_iban, created_at
    FROM account_transactions
    WHERE customer_id = q.customer_id AND created_at < q.at AND created_at >= q.at - interval '30 days' AND status <> 'voided'
    ORDER BY created_at DESC, id DESC
    LIMIT $6
  ), fan_in AS (
    SELECT customer_id, created_at FROM account_transactions
    WHERE counterparty_iban = q.iban AND direction = 'debit' AND created_at >= q.at - interval '7 days'
      AND created_at < q.at
    ORDER BY created_at DESC
    LIMIT $7
  ), settled AS (
    SELECT r.amount_minor, r.created_at, e.kind
    FROM recent r JOIN journal_entries e ON e.id = r.entry_id
    WHERE r.counterparty_iban IS NULL AND r.created_at >= q.at - interval '30 days'
      AND ((e.kind = 'deposit' AND r.direction = 'credit') OR (e.kind = 'purchase' AND r.direction = 'debit'))
  )
  SELECT
    coalesce(p.out_count + p.in_count, 0)::int AS rows,
    coalesce(p.out_count, 0)::int AS out_count, coalesce(p.out_mean, 0) AS out_mean, coalesce(p.out_m2, 0) AS out_m2,
    coalesce(p.in_count, 0)::int AS in_count, coalesce(p.in_mean, 0) AS in_mean, coalesce(p.in_m2, 0) AS in_m2,
    coalesce(p.max_out_minor, 0)::text AS max_out_minor,
    h.out1h_count, h.out1h_sum, h.out24h_count, h.out24h_sum, h.out7d_count, h.out7d_sum,
    h.in24h_count, h.in24h_sum, h.fan_out_24h, h.in_payers_7d,
    c.cash_in_28d_count, c.cash_in_28d_sum, c.tiny_card_10m, c.small_card_10m, c.tiny_card_30d, c.last_card_at,
    (SELECT created_at FROM account_transactions
      WHERE customer_id = q.customer_id AND counterparty_iban = q.iban AND created_at < q.at
      ORDER BY created_at LIMIT 1) AS known_since,
    EXISTS (SELECT 1 FROM account_transactions
      WHERE customer_id = q.customer_id AND counterparty_iban = q.iban AND direction = 'debit' AND created_at < q.at) AS paid_before,
    LEAST(
      (SELECT min(created_at) FROM account_transactions WHERE counterparty_iban = q.iban AND created_at < q.at),
      (SELECT min(created_at) FROM account_transactions WHERE account_id = q.account_id AND created_at < q.at)
    ) AS first_seen_at_bank,
    (SELECT count(DISTINCT customer_id)::int FROM fan_in
      WHERE created_at >= q.at - interval '24 hours') AS fan_in_24h,
    (SELECT count(DISTINCT customer_id)::int FROM fan_in) AS fan_in_7d,
    (SELECT first_seen_at FROM customer_devices WHERE customer_id = q.customer_id AND key_thumbprint = q.thumbprint) AS device_first_seen
  FROM (
    SELECT
      count(*) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '1 hour')::int AS out1h_count,
      coalesce(sum(amount_minor) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '1 hour'), 0)::text AS out1h_sum,
      count(*) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '24 hours')::int AS out24h_count,
      coalesce(sum(amount_minor) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '24 hours'), 0)::text AS out24h_sum,
      count(*) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '7 days')::int AS out7d_count,
      coalesce(sum(amount_minor) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '7 days'), 0)::text AS out7d_sum,
      count(*) FILTER (WHERE direction = 'credit' AND created_at >= q.at - interval '24 hours')::int AS in24h_count,
      coalesce(sum(amount_minor) FILTER (WHERE direction = 'credit' AND created_at >= q.at - interval '24 hours'), 0)::text AS in24h_sum,
      count(DISTINCT counterparty_iban) FILTER (WHERE direction = 'debit' AND created_at >= q.at - interval '24 hours')::int AS fan_out_24h,
      count(DISTINCT counterparty_iban) FILTER (WHERE direction = 'credit' AND created_at >= q.at - interval '7 days')::int AS in_payers_7d
    FROM recent
  ) h, (
    SELECT
      count(*) FILTER (WHERE kind = 'deposit' AND created_at >= q.at - interval '28 days')::int AS cash_in_28d_count,
      coalesce(sum(amount_minor) FILTER (WHERE kind = 'deposit' AND created_at >= q.at - interval '28 days'), 0)::text AS cash_in_28d_sum,
      count(*) FILTER (WHERE kind = 'purchase' AND amount_minor < $8 AND created_at >= q.at - interval '10 minutes')::int AS tiny_card_10m,
      count(*) FILTER (WHERE kind = 'purchase' AND amount_minor < $9 AND created_at >= q.at - interval '10 minutes')::int AS small_card_10m,
      count(*) FILTER (WHERE kind = 'purchase' AND amount_minor < $8)::int AS tiny_card_30d,
      max(created_at) FILTER (WHERE kind = 'purchase') AS last_card_at
    FROM settled
  ) c
  LEFT JOIN risk_profiles p ON p.customer_id = q.customer_id
) f`;

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
