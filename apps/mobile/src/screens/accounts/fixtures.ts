/** Accounts and transactions as the API sends them, for the accounts screens' tests. */
import type { Account } from '../../queries/accounts';
import type { Transaction } from '../../queries/transactions';

export const checkingId = 'acc_01kfz3m2q8d7v6c5b4n3m2k1j0';
export const savingsId = 'acc_01kfz3m2q8d7v6c5b4n3m2k1j1';

export function account(overrides: Partial<Account> = {}): Account {
  return {
    id: checkingId,
    type: 'checking',
    name: 'Checking',
    currency: 'EUR',
    maskedIban: 'DE** **** **** **** **30 00',
    status: 'open',
    balance: { amount: '1250.00', currency: 'EUR' },
    availableBalance: { amount: '1220.00', currency: 'EUR' },
    overdraftLimit: { amount: '0.00', currency: 'EUR' },
    createdAt: '2026-11-26T09:12:44.201Z',
    ...overrides,
  };
}

export function transaction(n: number, overrides: Partial<Transaction> = {}): Transaction {
  return {
    id: `txn_01kfz3p7w3a1b2c3d4e5f6g7${String(n).padStart(2, '0')}`,
    accountId: checkingId,
    direction: 'debit',
    amount: { amount: '45.50', currency: 'EUR' },
    balanceAfter: { amount: '1204.50', currency: 'EUR' },
    status: 'posted',
    statusReason: null,
    description: `Payment ${n}`,
    counterparty: { name: 'B** J****', maskedIban: 'DE** **** **** **** **67 89' },
    category: null,
    createdAt: '2026-11-26T09:15:02.417Z',
    postedAt: '2026-11-26T09:15:02.417Z',
    ...overrides,
  };
}

export const page = (data: Transaction[], nextCursor: string | null = null) => ({ body: { data, nextCursor } });

/** The display form of an amount in en-GB, spaces normalised. */
export const plain = (s: string | undefined | null) => s?.replace(/[\u00a0\u202f]/g, ' ');
