/**
 * What the generator knows and the rows do not say: which counterparties of each account are paid
 * (or pay) on a schedule. Rebuilt from the seed alone — the personas are drawn before any day is
 * lived, from streams of their own — so asking for it changes no generated row: the same seed and
 * options still give the same bytes.
 *
 * A row is recurring exactly when its account's series list holds its counterparty with its
 * channel: the salary (transfer in from the employer), the rent (standing order to the landlord),
 * the bills (direct debits) and the subscriptions (card). A one-off transfer to the landlord, which
 * `toPayee` may pick among known payees, has the channel `transfer` and is not recurring.
 */
import type { Channel } from '../interchange/format.ts';
import { buildAgents, buildWorld } from './agents.ts';
import type { GenerationOptions } from './generator.ts';

export type RecurringKind = 'salary' | 'rent' | 'bill' | 'subscription';

export interface RecurringTruth {
  readonly counterparty: string;
  readonly channel: Channel;
  readonly kind: RecurringKind;
  /** Signed: negative is money out, as in the rows. */
  readonly amountMinor: number;
  /** The day of the month it is due (a salary moves back to Friday on weekends). */
  readonly dayOfMonth: number;
}

/** Per account id, its scheduled payments; every account pays a salary in and rent out monthly. */
export function recurringTruth(
  options: Pick<GenerationOptions, 'seed' | 'customers' | 'days'>,
): Map<string, RecurringTruth[]> {
  const agents = buildAgents(options.seed, options.customers, options.days, buildWorld(options.seed));
  const truth = new Map<string, RecurringTruth[]>();
  for (const agent of agents) {
    const series: RecurringTruth[] = [
      {
        counterparty: agent.employer.id,
        channel: 'transfer',
        kind: 'salary',
        amountMinor: agent.incomeMinor,
        dayOfMonth: agent.payday,
      },
      {
        counterparty: agent.landlord.id,
        channel: 'standing_order',
        kind: 'rent',
        amountMinor: -agent.rentMinor,
        dayOfMonth: agent.rentDay,
      },
      ...agent.recurring.map((p) => ({
        counterparty: p.payee.id,
        channel: p.channel,
        kind: p.channel === 'card' ? ('subscription' as const) : ('bill' as const),
        amountMinor: -p.amountMinor,
        dayOfMonth: p.dayOfMonth,
      })),
    ];
    truth.set(agent.accountId, series);
  }
  return truth;
}

/** The scheduled series a row belongs to, or undefined. */
export function recurringOf(
  truth: ReadonlyMap<string, readonly RecurringTruth[]>,
  row: { account: string; counterparty: string; channel: Channel },
): RecurringTruth | undefined {
  return truth.get(row.account)?.find((s) => s.counterparty === row.counterparty && s.channel === row.channel);
}
