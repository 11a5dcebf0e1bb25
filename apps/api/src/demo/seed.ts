import type { FastifyBaseLogger } from 'fastify';
import type { Services } from '../app.ts';
import { DomainError } from '../platform/errors.ts';
import { type DemoEvent, demoCustomers, demoPassword, planDemoHistory } from './plan.ts';

/**
 * Loads the demo customers and their six months of history through the same services the API
 * uses, back-dated to when each event happened. Runs once: when the first demo customer's e-mail is
 * already registered, it does nothing.
 */
interface DemoAccounts {
  readonly customerId: string;
  readonly checkingId: string;
  readonly checkingIban: string;
  readonly savingsId: string;
}

export type SeedOutcome = { readonly seeded: false } | { readonly seeded: true; readonly events: number };

async function openDemoCustomer(services: Services, key: string, openedAt: Date): Promise<DemoAccounts | undefined> {
  const customer = demoCustomers.find((c) => c.key === key);
  if (!customer) throw new Error(`no demo customer ${key}`);
  let customerId: string;
  try {
    ({ id: customerId } = await services.identity.registerCustomer({
      name: customer.name,
      email: customer.email,
      password: demoPassword,
    }));
  } catch (error) {
    if (error instanceof DomainError && error.code === 'email_taken') return undefined;
    throw error;
  }
  // Verified like any customer: an identity document submitted, then an operator's decision (tier 2).
  const { submissionId } = await services.kyc.submit(customerId, {
    legalName: customer.name,
    documentType: 'passport',
    documentNumber: `C0DEMO${customer.key.toUpperCase().slice(0, 3)}`,
    issuingCountry: 'DE',
    expiresOn: '2036-06-30',
    dateOfBirth: '1990-04-12',
    nationality: 'DE',
  });
  await services.kyc.verify(customerId, { tier: 2, operator: 'demo-seed', submissionId: submissionId ?? '' });
  const checking = await services.accounts.openAccount(customerId, {
    type: 'checking',
    currency: 'EUR',
    name: 'Everyday',
    createdAt: openedAt,
  });
  const savings = await services.accounts.openAccount(customerId, {
    type: 'savings',
    currency: 'EUR',
    name: 'Savings',
    createdAt: openedAt,
  });
  return { customerId, checkingId: checking.id, checkingIban: checking.iban, savingsId: savings.id };
}

async function applyEvent(services: Services, accounts: ReadonlyMap<string, DemoAccounts>, event: DemoEvent) {
  const own = accounts.get(event.customer);
  if (!own) throw new Error(`demo event for unknown customer ${event.customer}`);
  const money = { amountMinor: event.amountMinor, currency: 'EUR' as const, at: event.at };
  switch (event.kind) {
    case 'opening_deposit':
    case 'salary':
    case 'credit':
      await services.payments.creditAccount({ ...money, accountId: own.checkingId, description: event.description });
      return;
    case 'card_purchase':
    case 'bill':
      try {
        await services.payments.cardPurchase({ ...money, accountId: own.checkingId, description: event.description });
      } catch (error) {
        // Declined at the terminal, as a real card would be: the plan does not know what the
        // fraud checks held back (a hold reserves the money of a demo transfer), so a purchase the
        // available balance cannot cover is left out of the history instead of failing the seed.
        if (!(error instanceof DomainError && error.code === 'insufficient_funds')) throw error;
      }
      return;
    case 'savings_transfer':
      await services.payments.postTransfer(own.customerId, {
        ...money,
        fromAccountId: own.checkingId,
        to: { accountId: own.savingsId },
        reference: event.description,
      });
      return;
    case 'p2p_transfer': {
      const payee = accounts.get(event.toCustomer ?? '');
      if (!payee) throw new Error(`demo transfer to unknown customer ${event.toCustomer}`);
      await services.payments.postTransfer(own.customerId, {
        ...money,
        fromAccountId: own.checkingId,
        to: { iban: payee.checkingIban },
        reference: event.description,
      });
      return;
    }
  }
}

export async function seedDemoData(services: Services, now = new Date()): Promise<SeedOutcome> {
  const events = planDemoHistory(now);
  const openedAt = new Date((events[0]?.at.getTime() ?? now.getTime()) - 60 * 60 * 1000);
  const accounts = new Map<string, DemoAccounts>();
  for (const customer of demoCustomers) {
    const opened = await openDemoCustomer(services, customer.key, openedAt);
    // The first customer already registered means an earlier start seeded this database.
    if (!opened) return { seeded: false };
    accounts.set(customer.key, opened);
  }
  for (const event of events) await applyEvent(services, accounts, event);
  return { seeded: true, events: events.length };
}

/** First start of an embedded (or explicitly configured) platform: load the demo bank. */
export async function seedIfEmpty(services: Services, log: FastifyBaseLogger): Promise<void> {
  const started = performance.now();
  const outcome = await seedDemoData(services);
  if (outcome.seeded) {
    log.info(
      { events: outcome.events, elapsedMs: Math.round(performance.now() - started) },
      `demo data loaded: sign in as ${demoCustomers.map((c) => c.email).join(', ')} with the password in README`,
    );
  }
}
