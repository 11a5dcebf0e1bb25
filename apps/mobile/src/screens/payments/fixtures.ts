/** API answers the payments tests share, shaped as the OpenAPI document's schemas. */
import type { Account } from '../../queries/accounts';
import type { Payee } from '../../queries/payees';
import type { Transfer } from '../../queries/transfers';
import { account } from '../accounts/fixtures';

export const checking: Account = account();

export const savings: Account = {
  ...checking,
  id: 'acc_01kfz3m2q8d7v6c5b4n3m2k1j1',
  type: 'savings',
  name: 'Rainy day',
  maskedIban: 'DE** **** **** **** **41 00',
};

export const janeIban = 'DE12 5001 0517 0123 4567 89';

export const jane: Payee = {
  id: 'pye_01kfz3t4u5v6w7x8y9z0a1b2c3',
  name: 'Jane Doe',
  maskedIban: 'DE** **** **** **** **67 89',
  reference: '',
  confirmation: 'match',
  createdAt: '2026-11-26T09:16:40.112Z',
};

export const closeJane: Payee = {
  ...jane,
  id: 'pye_01kfz3t4u5v6w7x8y9z0a1b2c4',
  name: 'Jane Do',
  confirmation: 'close_match',
};
export const stranger: Payee = {
  ...jane,
  id: 'pye_01kfz3t4u5v6w7x8y9z0a1b2c5',
  name: 'Tax Office',
  confirmation: 'no_match',
};

export const posted: Transfer = {
  id: 'trf_01kfz3p7w2x9y8z7a6b5c4d3e2',
  status: 'posted',
  fromAccountId: checking.id,
  toAccountId: null,
  amount: { amount: '45.50', currency: 'EUR' },
  reference: 'Concert tickets',
  counterparty: { name: 'J*** D**', maskedIban: jane.maskedIban },
  createdAt: '2026-11-26T09:15:02.417Z',
  postedAt: '2026-11-26T09:15:02.417Z',
};

export const challenge = {
  challengeId: 'sup_01kfz3r1b2c3d4e5f6g7h8j9k0',
  purpose: 'payment',
  expiresAt: '2026-11-26T09:20:02.417Z',
  publicKey: { challenge: 'q1Vd', rpId: 'bank.test', userVerification: 'required', allowCredentials: [] },
};

export const assertion = {
  id: 'cred',
  rawId: 'cred',
  type: 'public-key',
  response: { clientDataJSON: 'cd', authenticatorData: 'ad', signature: 'sig' },
  clientExtensionResults: {},
};

export const page = <T>(data: readonly T[]) => ({ body: { data, nextCursor: null } });

/** A payment the fraud checks held for review (202): reserved, not sent. */
export const held: Transfer = {
  ...posted,
  id: 'trf_01kfz3p7w2x9y8z7a6b5c4d3e3',
  status: 'held',
  postedAt: null,
  review: {
    status: 'pending',
    reason: 'new_payee',
    message:
      'You have not paid this account before. To protect you, we are checking this payment before it leaves your account: the money is reserved, not sent.',
  },
};

/** The same payment after an analyst rejected it. */
export const rejected: Transfer = {
  ...held,
  status: 'rejected',
  review: {
    status: 'rejected',
    reason: 'new_payee',
    message:
      'You have not paid this account before. We did not send this payment after checking it, and the reserved money is available again.',
  },
};
