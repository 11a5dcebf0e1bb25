import type { AuditService } from '../audit/index.ts';
import { transferLimitCurrencyPercents, transferLimitsByTierEur } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { assert, DomainError, unprocessable } from '../platform/errors.ts';
import { type Currency, currencies, currencyExponents, formatAmount, toApiMoney } from '../platform/money.ts';
import { customerNotFound } from '../platform/problems.ts';
import {
  deleteOverride,
  findStanding,
  type OverrideRow,
  type ReservationItem,
  type ReservationResult,
  releaseReserved,
  upsertOverride,
} from './limits-repository.ts';

/**
 * Transfer limits by KYC tier, and the gate every payment passes before it is posted
 * (docs/adr/0033, 0060): the customer must be KYC-verified, and a payment to another customer must
 * fit the per-transfer limit and what is left of the day's limit. The day's total is reserved
 * inside payments_post, in the same statement that posts the batch (postingCheck builds the item
 * and the refusal), so concurrent payments never pass the limit together and a reservation exists
 * exactly when its payment posted.
 */
export type KycTier = keyof typeof transferLimitsByTierEur;
export const kycTiers = Object.keys(transferLimitsByTierEur).map(Number) as KycTier[];

export const isKycTier = (value: number): value is KycTier => (kycTiers as number[]).includes(value);

export interface TierLimits {
  readonly perTransferMaxMinor: bigint;
  readonly dailyMaxMinor: bigint;
}

/** A tier's limits in `currency`'s minor units (platform/constants.ts: euro figures × a round factor). */
export function tierLimits(tier: KycTier, currency: Currency): TierLimits {
  const eur = transferLimitsByTierEur[tier];
  const scale = (major: number) =>
    (BigInt(major) * BigInt(transferLimitCurrencyPercents[currency]) * 10n ** BigInt(currencyExponents[currency])) /
    100n;
  return { perTransferMaxMinor: scale(eur.perTransfer), dailyMaxMinor: scale(eur.daily) };
}

/** Every tier's limits as limits_reserve reads them: decimal strings by tier, then currency. */
const tiersJson = Object.fromEntries(
  kycTiers.map((tier) => [
    String(tier),
    Object.fromEntries(
      currencies.map((currency) => {
        const limits = tierLimits(tier, currency);
        return [
          currency,
          {
            perTransferMaxMinor: limits.perTransferMaxMinor.toString(),
            dailyMaxMinor: limits.dailyMaxMinor.toString(),
          },
        ];
      }),
    ),
  ]),
);

/** A payment about to be posted, as the limits see it. */
export interface OutgoingPayment {
  readonly customerId: string;
  readonly currency: Currency;
  readonly amountMinor: bigint;
  /** Between the customer's own accounts: KYC applies, limits do not. */
  readonly toOwnAccount: boolean;
  /** The payment's date (back-dated demo data); now when absent. Days are UTC days. */
  readonly at?: Date;
}

export const utcDay = (at: Date) => at.toISOString().slice(0, 10);

const kycRequired = (status: 'none' | 'pending' | 'rejected') =>
  new DomainError(
    403,
    'kyc_required',
    'Identity verification required',
    {
      none: 'Finish identity verification before moving money: submit your identity document with PUT /api/v1/me/kyc.',
      pending:
        'Your identity verification is still being reviewed. You can move money as soon as it is verified; check GET /api/v1/me/kyc.',
      rejected:
        'Your identity verification was not accepted, so you cannot move money yet. See GET /api/v1/me/kyc for the reason and submit again.',
    }[status],
    { extensions: { kycStatus: status } },
  );

function limitExceeded(result: Extract<ReservationResult, { code: 'limit_exceeded' }>, currency: Currency) {
  const limit = formatAmount(BigInt(result.limitMinor), currency);
  const remaining = formatAmount(BigInt(result.remainingMinor), currency);
  const detail =
    result.limit === 'per_transfer'
      ? `This payment is over your limit of ${limit} ${currency} per transfer. Send at most that much per transfer; you can still send ${remaining} ${currency} today.`
      : `This payment would pass your daily limit of ${limit} ${currency}: you can still send ${remaining} ${currency} today (UTC). Send less, or wait until tomorrow.`;
  return unprocessable('limit_exceeded', detail, {
    errors: [{ pointer: '/body/amount/amount', detail: `exceeds the ${result.limit.replace('_', '-')} limit` }],
    extensions: {
      limit: result.limit,
      limitAmount: toApiMoney(BigInt(result.limitMinor), currency),
      remainingToday: toApiMoney(BigInt(result.remainingMinor), currency),
    },
  });
}

export interface LimitOverrideInput {
  readonly customerId: string;
  readonly currency: Currency;
  readonly perTransferMaxMinor: bigint;
  readonly dailyMaxMinor: bigint;
  readonly reason: string;
  /** The operator (client id) who set it; H6's four-eyes approval wraps the back-office action. */
  readonly operator: string;
}

/** Throws 422 limit_override_inconsistent unless the override can hold (checked when requested and when set). */
function checkOverride(input: Pick<LimitOverrideInput, 'perTransferMaxMinor' | 'dailyMaxMinor'>): void {
  if (input.perTransferMaxMinor > input.dailyMaxMinor)
    throw unprocessable(
      'limit_override_inconsistent',
      'The per-transfer maximum cannot be larger than the daily maximum. Lower it or raise the daily maximum.',
      { errors: [{ pointer: '/body/perTransferMaximum', detail: 'exceeds the daily maximum' }] },
    );
}

export function createLimitsService(
  deps: Pick<AppDependencies, 'db'>,
  modules: { audit: Pick<AuditService, 'record'> },
) {
  const { db } = deps;
  const { audit } = modules;

  /** Today's limits, use and override of one currency, as the API shows them. */
  function currencyView(
    standing: Awaited<ReturnType<typeof findStanding>>,
    currency: Currency,
    override: OverrideRow | undefined,
  ) {
    const tier = standing.status === 'verified' ? (standing.tier as KycTier) : null;
    const limits = override
      ? { perTransferMaxMinor: override.per_transfer_max_minor, dailyMaxMinor: override.daily_max_minor }
      : tier
        ? tierLimits(tier, currency)
        : { perTransferMaxMinor: 0n, dailyMaxMinor: 0n };
    const used = standing.usedToday.get(currency) ?? 0n;
    const remaining = limits.dailyMaxMinor > used ? limits.dailyMaxMinor - used : 0n;
    return {
      currency,
      perTransfer: toApiMoney(limits.perTransferMaxMinor, currency),
      daily: toApiMoney(limits.dailyMaxMinor, currency),
      usedToday: toApiMoney(used, currency),
      remainingToday: toApiMoney(remaining, currency),
      source: override ? ('override' as const) : ('tier' as const),
    };
  }

  async function limitsOf(customerId: string, now = new Date()) {
    const standing = await findStanding(db, customerId, utcDay(now));
    return {
      kycStatus: (standing.status ?? 'none') as 'none' | 'pending' | 'verified' | 'rejected',
      tier: standing.status === 'verified' ? standing.tier : null,
      day: utcDay(now),
      limits: currencies.map((currency) =>
        currencyView(
          standing,
          currency,
          standing.overrides.find((o) => o.currency === currency),
        ),
      ),
    };
  }

  return {
    /**
     * The gate before posting, run inside payments_post (migration 0061, docs/adr/0060): the item
     * the statement reserves, and the refusal (403 kyc_required or 422 limit_exceeded) to answer
     * when limits_reserve refuses it. `tiers` is limits_reserve's tiers parameter.
     */
    postingCheck(payment: OutgoingPayment) {
      const item: ReservationItem = {
        customerId: payment.customerId,
        currency: payment.currency,
        amountMinor: payment.amountMinor.toString(),
        day: utcDay(payment.at ?? new Date()),
        counted: !payment.toOwnAccount,
      };
      const refusal = (result: ReservationResult): DomainError => {
        assert(!result.ok, 'only a refused reservation has a refusal');
        return result.code === 'kyc_required' ? kycRequired(result.status) : limitExceeded(result, payment.currency);
      };
      return { item, refusal };
    },

    tiers: tiersJson,

    /**
     * Gives back what a payment reserved of its day's limit when it will never be sent (a held
     * transfer an analyst rejected, docs/adr/0131), in the caller's transaction. Own-account
     * payments reserved nothing; a day's total never goes below zero.
     */
    async releaseReservation(tx: Queryable, payment: OutgoingPayment & { readonly at: Date }): Promise<void> {
      if (payment.toOwnAccount) return;
      await releaseReserved(tx, payment.customerId, payment.currency, utcDay(payment.at), payment.amountMinor);
    },

    limitsOf,

    /**
     * Replaces the tier's limits for one customer and currency (raising or lowering them). A
     * sensitive back-office action: the caller (back office) puts it behind a second operator's approval.
     */
    async setLimitOverride(input: LimitOverrideInput) {
      checkOverride(input);
      try {
        await db.transaction(async (tx) => {
          await upsertOverride(tx, { ...input, setBy: input.operator });
          // The reason is free text an operator typed: it stays on the override row, not in the audit log.
          await audit.record(tx, {
            action: 'limits.override_set',
            actor: { kind: 'operator', id: input.operator },
            subject: { kind: 'customer', id: input.customerId },
            details: {
              currency: input.currency,
              perTransferMaxMinor: input.perTransferMaxMinor.toString(),
              dailyMaxMinor: input.dailyMaxMinor.toString(),
            },
          });
        });
      } catch (error) {
        if ((error as { code?: unknown }).code === '23503') throw customerNotFound('operator');
        throw error;
      }
      return limitsOf(input.customerId);
    },

    checkOverride,

    /**
     * Whether removing the override in `currency` raises the customer's limits (it held them below
     * their tier), which needs a second operator; undefined when there is no override.
     */
    async overrideRemovalRaisesLimits(customerId: string, currency: Currency): Promise<boolean | undefined> {
      const standing = await findStanding(db, customerId, utcDay(new Date()));
      const override = standing.overrides.find((o) => o.currency === currency);
      if (!override) return undefined;
      if (standing.status !== 'verified' || !isKycTier(Number(standing.tier))) return false;
      const tier = tierLimits(standing.tier as KycTier, currency);
      return (
        override.per_transfer_max_minor < tier.perTransferMaxMinor || override.daily_max_minor < tier.dailyMaxMinor
      );
    },

    /** Back to the tier's limits for this currency; false when there was no override. */
    async removeLimitOverride(customerId: string, currency: Currency, operator: string) {
      return db.transaction(async (tx) => {
        const removed = await deleteOverride(tx, customerId, currency);
        if (removed)
          await audit.record(tx, {
            action: 'limits.override_removed',
            actor: { kind: 'operator', id: operator },
            subject: { kind: 'customer', id: customerId },
            details: { currency },
          });
        return removed;
      });
    },
  };
}

export type LimitsService = ReturnType<typeof createLimitsService>;
