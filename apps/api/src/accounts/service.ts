import type { LedgerAccount, LedgerService } from '../ledger/index.ts';
import { accountsPerCustomerMax, ibanDrawAttemptsMax } from '../platform/constants.ts';
import { type Cursor, encodeCursor } from '../platform/cursors.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { assert, conflict } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { maskIban } from '../platform/masking.ts';
import type { Currency } from '../platform/money.ts';
import { accountClosed, accountNotFound, customerInactive } from '../platform/problems.ts';
import { type HistoryFilters, type HistoryRow, queryHistory } from './history.ts';
import { createIbanIssuer } from './iban.ts';
import * as repo from './repository.ts';
import { apiMoney } from './schemas.ts';

/**
 * Accounts: a customer's checking and savings accounts, each backed by one ledger account. The
 * customer-facing status lives here; the ledger keeps the copy it enforces under lock.
 */
export interface AccountView {
  id: string;
  type: repo.AccountType;
  name: string;
  currency: Currency;
  iban: string;
  maskedIban: string;
  status: repo.AccountStatus;
  balance: { amount: string; currency: Currency };
  availableBalance: { amount: string; currency: Currency };
  overdraftLimit: { amount: string; currency: Currency };
  createdAt: string;
}

/** Categories of history lines, one per line in the same order. */
export type HistoryCategories = (customerId: string, lines: readonly HistoryRow[]) => Promise<readonly string[]>;

/** What other modules need to move money to or from an account. */
export interface AccountRef {
  readonly id: string;
  readonly customerId: string;
  readonly ledgerAccountId: string;
  readonly currency: Currency;
  readonly status: repo.AccountStatus;
  readonly iban: string;
  readonly holderName: string;
}

const toRef = (row: repo.AccountRow, holderName: string): AccountRef => ({
  id: row.id,
  customerId: row.customer_id,
  ledgerAccountId: row.ledger_account_id,
  currency: row.currency,
  status: row.status,
  iban: row.iban,
  holderName,
});

function toView(row: repo.AccountRow, ledger: LedgerAccount | undefined): AccountView {
  assert(ledger, `account ${row.id} has its ledger account`);
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    currency: row.currency,
    iban: row.iban,
    maskedIban: maskIban(row.iban),
    status: row.status,
    balance: apiMoney(ledger.balanceMinor, row.currency),
    availableBalance: apiMoney(ledger.availableMinor, row.currency),
    overdraftLimit: apiMoney(
      ledger.floorMinor !== null && ledger.floorMinor < 0n ? -ledger.floorMinor : 0n,
      row.currency,
    ),
    createdAt: row.created_at.toISOString(),
  };
}

export function createAccountsService(
  deps: Pick<AppDependencies, 'db' | 'config'>,
  modules: {
    ledger: LedgerService;
    /** Holders' names are personal data, encrypted by the identity module: it decrypts them. */
    holderNames: (customerIds: readonly string[]) => Promise<ReadonlyMap<string, string>>;
    /**
     * The same names carried in the party lookup's one query: identity's column (SQL) and its
     * decryption of what that column returned.
     */
    holders: {
      readonly nameCiphertextSql: string;
      namesOf(
        rows: readonly { customerId: string; nameCiphertext: string | null }[],
      ): Promise<ReadonlyMap<string, string>>;
    };
    /**
     * The spending category of each history line, in order (the insights module's categoriser,
     * handed in by app.ts so this module does not import it). Absent: the stored column is shown.
     */
    categories?: HistoryCategories;
  },
) {
  const { db, config } = deps;
  const { ledger, holderNames, holders, categories } = modules;
  const refsOf = async (rows: readonly repo.AccountRow[]): Promise<AccountRef[]> => {
    const names = rows.length === 0 ? new Map<string, string>() : await holderNames(rows.map((r) => r.customer_id));
    return rows.map((row) => toRef(row, names.get(row.customer_id) ?? ''));
  };
  // Fails at start-up with the setting's name when the bank's IBAN country or code is unusable.
  const issueIban = createIbanIssuer(config.ibanCountry, config.ibanBankCode);

  const view = async (row: repo.AccountRow) =>
    toView(row, (await ledger.getAccounts([row.ledger_account_id])).get(row.ledger_account_id));

  async function ownAccountForUpdate(
    tx: Parameters<typeof repo.findAccount>[0],
    customerId: string | undefined,
    accountId: string,
  ) {
    const row = await repo.findAccount(tx, accountId, { customerId, forUpdate: true });
    if (!row) throw accountNotFound();
    return row;
  }

  /** Freezes or unfreezes in one transaction with the ledger's copy; `by` says who asks. */
  async function changeFreeze(
    customerId: string | undefined,
    accountId: string,
    freeze: boolean,
    by: 'customer' | 'bank',
  ) {
    const row = await db.transaction(async (tx) => {
      const account = await ownAccountForUpdate(tx, customerId, accountId);
      if (account.status === 'closed') throw accountClosed();
      if (!freeze && account.frozen_by === 'bank' && by === 'customer') {
        throw conflict(
          'account_frozen_by_bank',
          'The bank has frozen this account. Contact support to lift the freeze.',
        );
      }
      // A bank freeze overrides a customer's; a customer freeze never downgrades a bank's.
      const frozenBy = freeze ? (account.frozen_by === 'bank' ? 'bank' : by) : null;
      await ledger.setStatus(tx, account.ledger_account_id, freeze ? 'frozen' : 'open');
      await repo.setAccountStatus(tx, account.id, freeze ? 'frozen' : 'open', frozenBy);
      return repo.findAccount(tx, account.id);
    });
    assert(row, 'the account still exists');
    return view(row);
  }

  return {
    async openAccount(
      customerId: string,
      input: { type: repo.AccountType; currency: Currency; name?: string; createdAt?: Date },
    ): Promise<AccountView> {
      const customer = await repo.findCustomer(db, customerId);
      if (!customer || customer.status === 'closed' || customer.status === 'erased') {
        throw customerInactive();
      }
      const accountId = newId('account');
      await db.transaction(async (tx) => {
        if ((await repo.lockCustomerAccounts(tx, customerId)) >= accountsPerCustomerMax) {
          throw conflict(
            'account_limit_reached',
            `You already hold ${accountsPerCustomerMax} accounts, the most we allow. Close one you no longer use first.`,
          );
        }
        const ledgerAccountId = await ledger.openAccount(tx, { currency: input.currency, kind: 'customer' });
        const name = input.name ?? (input.type === 'checking' ? 'Checking' : 'Savings');
        for (let attempt = 1; ; attempt += 1) {
          const account = { ...input, id: accountId, customerId, ledgerAccountId, name, iban: issueIban() };
          if (await repo.insertAccount(tx, account)) return;
          // Random account numbers collide rarely; a few fresh draws make failure practically impossible.
          assert(attempt < ibanDrawAttemptsMax, 'an unused IBAN was drawn');
        }
      });
      const row = await repo.findAccount(db, accountId);
      assert(row, 'the new account exists');
      return view(row);
    },

    /** How many of the customer's accounts are not closed (closing the customer needs none, ADR 0105). */
    openAccountCount: (customerId: string) => repo.countOpenAccounts(db, customerId),

    async listAccounts(customerId: string, page: { limit: number; after: Cursor | undefined }) {
      const rows = await repo.listAccounts(db, customerId, page);
      const balances = await ledger.getAccounts(rows.map((r) => r.ledger_account_id));
      const last = rows.at(-1);
      return {
        data: rows.map((row) => toView(row, balances.get(row.ledger_account_id))),
        nextCursor:
          rows.length === page.limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null,
      };
    },

    async getAccount(customerId: string, accountId: string): Promise<AccountView> {
      const row = await repo.findAccount(db, accountId, { customerId });
      if (!row) throw accountNotFound();
      return view(row);
    },

    freeze: (customerId: string, accountId: string) => changeFreeze(customerId, accountId, true, 'customer'),
    unfreeze: (customerId: string, accountId: string) => changeFreeze(customerId, accountId, false, 'customer'),
    freezeByBank: (accountId: string) => changeFreeze(undefined, accountId, true, 'bank'),
    unfreezeByBank: (accountId: string) => changeFreeze(undefined, accountId, false, 'bank'),

    async close(customerId: string, accountId: string): Promise<AccountView> {
      const row = await db.transaction(async (tx) => {
        const account = await ownAccountForUpdate(tx, customerId, accountId);
        if (account.frozen_by === 'bank') {
          throw conflict('account_frozen_by_bank', 'The bank has frozen this account. Contact support to close it.');
        }
        const outcome = await ledger.close(tx, account.ledger_account_id);
        if (outcome === 'already_closed') throw accountClosed();
        if (outcome === 'not_empty') {
          throw conflict(
            'account_balance_not_zero',
            'Only an account with a zero balance and no pending payments can be closed. Move the money out first.',
          );
        }
        await repo.setAccountStatus(tx, account.id, 'closed', null);
        return repo.findAccount(tx, account.id);
      });
      assert(row, 'the account still exists');
      return view(row);
    },

    /** The caller's own account, or undefined (another customer's account is not theirs to see). */
    async findOwnAccount(customerId: string, accountId: string): Promise<AccountRef | undefined> {
      const row = await repo.findAccount(db, accountId, { customerId });
      return row && (await refsOf([row]))[0];
    },

    /** Any account in this bank, by id (back office) — never exposed to customers. */
    async findAccount(accountId: string): Promise<AccountRef | undefined> {
      const row = await repo.findAccount(db, accountId);
      return row && (await refsOf([row]))[0];
    },

    /** Accounts by id and by IBAN, in one query (the two sides of concurrent transfers). */
    async findAccounts(accountIds: readonly string[], ibans: readonly string[]): Promise<AccountRef[]> {
      const rows = await repo.findAccountsByIdOrIban(db, holders.nameCiphertextSql, accountIds, ibans);
      if (rows.length === 0) return [];
      const names = await holders.namesOf(
        rows.map((row) => ({ customerId: row.customer_id, nameCiphertext: row.holder_name_ciphertext })),
      );
      return rows.map((row) => toRef(row, names.get(row.customer_id) ?? ''));
    },

    async listTransactions(customerId: string, filters: HistoryFilters) {
      if (filters.accountId && !(await repo.findAccount(db, filters.accountId, { customerId })))
        throw accountNotFound();
      const read = await queryHistory(db, customerId, filters);
      const filled = categories ? await categories(customerId, read) : undefined;
      const rows = filled ? read.map((row, i) => ({ ...row, category: filled[i] ?? row.category })) : read;
      const last = rows.at(-1);
      return {
        rows,
        nextCursor:
          rows.length === filters.limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null,
      };
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
