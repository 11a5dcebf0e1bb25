import type { Queryable } from '../platform/database.ts';

/** The limits' SQL (migration 0045): overrides, the daily totals and their reservation function. */

/** One payment to check (and, when `counted`, to add to the customer's day), as limits_reserve reads it. */
export interface ReservationItem {
  readonly customerId: string;
  readonly currency: string;
  /** Decimal string: a JSON number could round it. */
  readonly amountMinor: string;
  /** The payment's UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly counted: boolean;
}

export type ReservationResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: 'kyc_required'; readonly status: 'none' | 'pending' | 'rejected' }
  | {
      readonly ok: false;
      readonly code: 'limit_exceeded';
      readonly limit: 'per_transfer' | 'daily';
      readonly limitMinor: string;
      readonly remainingMinor: string;
    };

export interface OverrideRow {
  currency: string;
  per_transfer_max_minor: bigint;
  daily_max_minor: bigint;
  reason: string;
  set_by: string;
  set_at: Date;
}

export async function upsertOverride(
  db: Queryable,
  override: {
    customerId: string;
    currency: string;
    perTransferMaxMinor: bigint;
    dailyMaxMinor: bigint;
    reason: string;
    setBy: string;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO transfer_limit_overrides (customer_id, currency, per_transfer_max_minor, daily_max_minor, reason, set_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (customer_id, currency) DO UPDATE SET per_transfer_max_minor = excluded.per_transfer_max_minor,
       daily_max_minor = excluded.daily_max_minor, reason = excluded.reason, set_by = excluded.set_by, set_at = now()`,
    [
      override.customerId,
      override.currency,
      override.perTransferMaxMinor,
      override.dailyMaxMinor,
      override.reason,
      override.setBy,
    ],
  );
}

export async function deleteOverride(db: Queryable, customerId: string, currency: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM transfer_limit_overrides WHERE customer_id = $1 AND currency = $2', [
    customerId,
    currency,
  ]);
  return rowCount === 1;
}

export interface LimitStanding {
  readonly status: string | null;
  readonly tier: number | null;
  readonly overrides: OverrideRow[];
  /** Reserved today, by currency. */
  readonly usedToday: Map<string, bigint>;
}

/** A customer's KYC standing, overrides and today's totals, for the limits view. */
export async function findStanding(db: Queryable, customerId: string, day: string): Promise<LimitStanding> {
  const [profile, overrides, totals] = await Promise.all([
    db.query<{ status: string; tier: number | null }>('SELECT status, tier FROM kyc_profiles WHERE customer_id = $1', [
      customerId,
    ]),
    db.query<OverrideRow>(
      `SELECT currency, per_transfer_max_minor, daily_max_minor, reason, set_by, set_at
       FROM transfer_limit_overrides WHERE customer_id = $1`,
      [customerId],
    ),
    db.query<{ currency: string; reserved_minor: bigint }>(
      'SELECT currency, reserved_minor FROM outgoing_daily_totals WHERE customer_id = $1 AND day = $2::date',
      [customerId, day],
    ),
  ]);
  return {
    status: profile.rows[0]?.status ?? null,
    tier: profile.rows[0]?.tier ?? null,
    overrides: overrides.rows,
    usedToday: new Map(totals.rows.map((r) => [r.currency, r.reserved_minor])),
  };
}

/** Lowers a day's reserved total by a payment that will never be sent (never below zero). */
export async function releaseReserved(
  db: Queryable,
  customerId: string,
  currency: string,
  day: string,
  amountMinor: bigint,
): Promise<void> {
  await db.query(
    `UPDATE outgoing_daily_totals SET reserved_minor = greatest(reserved_minor - $4::bigint, 0)
     WHERE customer_id = $1 AND currency = $2 AND day = $3::date`,
    [customerId, currency, day, amountMinor.toString()],
  );
}
