import type { AccountsService } from '../accounts/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { CustomerProfile, IdentityService, PasskeyService, SessionsService } from '../identity/index.ts';
import { gdprExportTransactionsMax, pageLimitMax, payeesPerCustomerMax } from '../platform/constants.ts';
import { type Cursor, decodeCursor } from '../platform/cursors.ts';
import type { Queryable } from '../platform/database.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { maskIban } from '../platform/masking.ts';
import { toApiMoney } from '../platform/money.ts';
import { customerHasOpenAccounts, customerNotFound } from '../platform/problems.ts';

/**
 * GDPR rights over a customer's personal data (docs/adr/0032-erasure-by-crypto-shredding.md):
 *
 * - Export (Art. 15 and 20): everything the bank holds about the customer, as JSON, composed from
 *   each module's service: profile, accounts, transactions, and the sections other modules add
 *   (passkeys, KYC, payees, sessions), each a function of the customer id.
 * - Erasure (Art. 17) by crypto-shredding: the customer's data key is destroyed, so every field
 *   encrypted under it, in every module and every backup, becomes unreadable at once. A back-office
 *   action (a bank must first check retention duties: AML keeps KYC records for years after the
 *   relationship ends), refused while the customer holds an account that is not closed, so no money
 *   is left without an owner. Ledger rows stay for the retention period, detached from the person:
 *   they name an opaque customer id whose personal data no longer decrypts.
 */
export type ExportSection = (customerId: string) => Promise<unknown>;

export interface PersonalDataExport {
  readonly format: 'nextgen-personal-data-export/1';
  readonly exportedAt: string;
  readonly customer: CustomerProfile;
  readonly accounts: object[];
  readonly transactions: object[];
  /** True when the history was longer than gdprExportTransactionsMax lines (support sends the rest). */
  readonly transactionsTruncated: boolean;
  readonly [section: string]: unknown;
}

export interface ErasureOutcome {
  readonly customerId: string;
  readonly erased: true;
  /** False when the customer had been erased before (erasure is idempotent). */
  readonly erasedNow: boolean;
}

type Accounts = Pick<AccountsService, 'listAccounts' | 'listTransactions'>;
type Sessions = Pick<SessionsService, 'endAllSessions'>;
type TransactionRow = Awaited<ReturnType<Accounts['listTransactions']>>['rows'][number];

/** A statement line as the customer sees it; the counterparty is another person, so masked as in the app. */
const exportedLine = (row: TransactionRow) => ({
  id: row.id,
  accountId: row.account_id,
  direction: row.direction,
  amount: toApiMoney(row.amount_minor, row.currency),
  status: row.status,
  // Why a line is pending or voided (held for review, rejected…), as the history shows it.
  statusReason: row.status_reason,
  description: row.description,
  counterpartyMaskedIban: row.counterparty_iban === null ? null : maskIban(row.counterparty_iban),
  category: row.category,
  createdAt: row.created_at.toISOString(),
  postedAt: row.posted_at?.toISOString() ?? null,
});

export function createGdprService(
  deps: Pick<AppDependencies, 'db'>,
  modules: {
    identity: Pick<IdentityService, 'findCustomerById' | 'erasePersonalData' | 'isErased'>;
    accounts: Accounts;
    audit: Pick<AuditService, 'record'>;
    /** Erasure signs the customer out of every device. */
    sessions?: Sessions;
    /** Further sections by name, from modules that hold personal data (passkeys, kyc, payees, sessions). */
    sections?: Readonly<Record<string, ExportSection>>;
    /** What other modules delete on erasure, in its transaction (insights: budgets, corrections, insights). */
    erasers?: readonly ((tx: Queryable, customerId: string) => Promise<void>)[];
  },
) {
  const { db } = deps;
  const { identity, accounts, audit } = modules;

  async function allTransactions(customerId: string) {
    const lines: ReturnType<typeof exportedLine>[] = [];
    let after: Parameters<Accounts['listTransactions']>[1]['after'];
    for (;;) {
      const page = await accounts.listTransactions(customerId, { limit: pageLimitMax, after });
      lines.push(...page.rows.map(exportedLine));
      if (page.nextCursor === null || lines.length >= gdprExportTransactionsMax) {
        return { lines: lines.slice(0, gdprExportTransactionsMax), truncated: page.nextCursor !== null };
      }
      const last = page.rows.at(-1);
      if (!last) return { lines, truncated: false };
      after = { createdAt: last.cursor_at, id: last.id };
    }
  }

  /** Everything about the customer; undefined when there is no such (unerased) customer. */
  async function exportPersonalData(customerId: string): Promise<PersonalDataExport | undefined> {
    const customer = await identity.findCustomerById(customerId);
    if (!customer) return undefined;
    // One part after another: an export is rare, and this holds one pooled connection, not six.
    const accountPage = await accounts.listAccounts(customerId, { limit: pageLimitMax, after: undefined });
    const history = await allTransactions(customerId);
    const sections: [string, unknown][] = [];
    for (const [name, section] of Object.entries(modules.sections ?? {}))
      sections.push([name, await section(customerId)]);
    await db.transaction((tx) =>
      audit.record(tx, {
        action: 'customer.data_exported',
        actor: { kind: 'customer', id: customerId },
        subject: { kind: 'customer', id: customerId },
        details: { transactions: history.lines.length, truncated: history.truncated },
      }),
    );
    return {
      format: 'nextgen-personal-data-export/1',
      exportedAt: new Date().toISOString(),
      customer,
      accounts: accountPage.data,
      transactions: history.lines,
      transactionsTruncated: history.truncated,
      ...Object.fromEntries(sections),
    };
  }

  /**
   * Whether the customer may be erased now: throws 404 customer_not_found or 409
   * customer_has_open_accounts; 'erased' when they were erased before. The back office asks this
   * when an erasure is requested, and eraseCustomer asks again when it executes (four-eyes).
   */
  async function checkErasable(
    customerId: string,
  ): Promise<{ state: 'erased' } | { state: 'erasable'; accounts: number }> {
    if (await identity.isErased(customerId)) return { state: 'erased' };
    if (!(await identity.findCustomerById(customerId))) throw customerNotFound('operator');
    const { data } = await accounts.listAccounts(customerId, { limit: pageLimitMax, after: undefined });
    const open = data.filter((account) => account.status !== 'closed');
    if (open.length > 0) throw customerHasOpenAccounts(open.length);
    return { state: 'erasable', accounts: data.length };
  }

  /**
   * Crypto-shredding erasure; see the header for the rules. `operatorId` requested it and
   * `approvedBy` is the second operator who approved it (absent for the automation client and the CLI).
   */
  async function eraseCustomer(input: {
    customerId: string;
    operatorId: string;
    approvedBy?: string;
  }): Promise<ErasureOutcome> {
    const { customerId, operatorId } = input;
    const erasable = await checkErasable(customerId);
    if (erasable.state === 'erased') {
      await endAllSessions(customerId, operatorId); // a retry finishes what an interrupted erasure left
      return { customerId, erased: true, erasedNow: false };
    }
    const erasedNow = await db.transaction(async (tx) => {
      const erased = await identity.erasePersonalData(tx, customerId);
      if (erased) {
        for (const erase of modules.erasers ?? []) await erase(tx, customerId);
        await audit.record(tx, {
          action: 'customer.erased',
          actor: { kind: 'operator', id: operatorId },
          subject: { kind: 'customer', id: customerId },
          details: {
            method: 'crypto_shredding',
            accountsKept: erasable.accounts,
            ...(input.approvedBy ? { approvedBy: input.approvedBy } : {}),
          },
        });
      }
      return erased;
    });
    // After the commit: sign-in and refresh already refuse an erased customer; this ends open sessions too.
    await endAllSessions(customerId, operatorId);
    return { customerId, erased: true, erasedNow };
  }

  async function endAllSessions(customerId: string, operatorId: string): Promise<void> {
    await modules.sessions?.endAllSessions(customerId, { kind: 'operator', id: operatorId });
  }

  return { exportPersonalData, checkErasable, eraseCustomer };
}

export type GdprService = ReturnType<typeof createGdprService>;

/** The export sections other modules hold: passkey metadata, KYC details, payees, sessions. */
export function personalDataSections(modules: {
  passkeys: Pick<PasskeyService, 'listPasskeys'>;
  kyc: { customerView(customerId: string): Promise<unknown> };
  payees: {
    listPayees(
      customerId: string,
      page: { limit: number; after: Cursor | undefined },
    ): Promise<{ data: unknown[]; nextCursor: string | null }>;
  };
  sessions: Pick<SessionsService, 'listSessions'>;
}): Record<string, ExportSection> {
  return {
    passkeys: (customerId) => modules.passkeys.listPasskeys(customerId),
    kyc: (customerId) => modules.kyc.customerView(customerId),
    payees: async (customerId) => {
      const payees: unknown[] = [];
      let after: Cursor | undefined;
      // Bounded: a customer holds at most payeesPerCustomerMax payees.
      for (let pages = 0; pages * pageLimitMax < payeesPerCustomerMax; pages += 1) {
        const page = await modules.payees.listPayees(customerId, { limit: pageLimitMax, after });
        payees.push(...page.data);
        if (page.nextCursor === null) break;
        after = decodeCursor(page.nextCursor);
      }
      return payees;
    },
    sessions: async (customerId) =>
      (
        await modules.sessions.listSessions(customerId, {
          limit: pageLimitMax,
          cursor: undefined,
          currentGrantId: undefined,
        })
      ).data,
  };
}
