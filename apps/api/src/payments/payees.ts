import type { AccountsService } from '../accounts/index.ts';
import type { AuditService } from '../audit/index.ts';
import type { KycService } from '../compliance/index.ts';
import { payeesPerCustomerMax } from '../platform/constants.ts';
import type { PersonalDataVault } from '../platform/crypto/index.ts';
import { type Cursor, encodeCursor } from '../platform/cursors.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { maskIban } from '../platform/masking.ts';
import { type ConfirmationResult, confirmPayeeName } from './confirmation-of-payee.ts';
import * as repo from './repository.ts';

/**
 * Payees (beneficiaries) a customer saves to pay again. Their name and IBAN are encrypted under the
 * customer's data key; answers show the IBAN masked. Saving one runs confirmation of payee when the
 * IBAN is an account in this bank. Saving does not make a payee trusted: the first payment to it
 * still needs the customer's passkey approval (payments/step-up-policy.ts).
 */
export interface PayeeView {
  id: string;
  name: string;
  maskedIban: string;
  reference: string;
  confirmation: ConfirmationResult;
  createdAt: string;
}

export interface PayeeInput {
  readonly name: string;
  /** Validated and normalised (no spaces, upper case). */
  readonly iban: string;
  readonly reference: string;
}

/** Someone else's payee answers exactly like an unknown or deleted one. */
export const payeeNotFound = () =>
  notFound('payee_not_found', 'No payee with this id among your payees. List yours with GET /api/v1/payees.');

/** The blind index is per customer, so equal IBANs saved by two customers do not link them. */
const ibanIndexInput = (customerId: string, iban: string) => `${customerId}|${iban}`;

export function createPayeesService(
  deps: Pick<AppDependencies, 'db'>,
  modules: {
    vault: PersonalDataVault;
    /** The holder's verified legal name (ADR 0077): never the self-service profile name. */
    kyc: Pick<KycService, 'verifiedName'>;
    accounts: Pick<AccountsService, 'findAccounts'>;
    audit: Pick<AuditService, 'record'>;
  },
) {
  const { db } = deps;
  const { vault, kyc, accounts, audit } = modules;

  /**
   * Confirmation of payee: only for an open account in this bank whose holder is verified, against
   * the verified legal name (ADR 0077): a profile name is self-service and proves nothing.
   */
  async function confirm(name: string, iban: string): Promise<{ result: ConfirmationResult; suggestedName?: string }> {
    const [account] = await accounts.findAccounts([], [iban]);
    if (!account || account.status === 'closed') return { result: 'not_checked' };
    const holderName = await kyc.verifiedName(account.customerId);
    if (holderName === undefined) return { result: 'not_checked' };
    const result = confirmPayeeName(name, holderName);
    // The scheme's one disclosure: a close match suggests the name (docs/adr/0025).
    return result === 'close_match' ? { result, suggestedName: holderName } : { result };
  }

  async function view(row: repo.PayeeRow): Promise<PayeeView> {
    return {
      id: row.id,
      name: await vault.decrypt(row.customer_id, 'payee.name', row.name_ciphertext),
      maskedIban: row.masked_iban,
      reference: row.reference,
      confirmation: row.confirmation,
      createdAt: row.created_at.toISOString(),
    };
  }

  return {
    async createPayee(customerId: string, input: PayeeInput) {
      const confirmation = await confirm(input.name, input.iban);
      const [nameCiphertext, ibanCiphertext, ibanIndex] = await Promise.all([
        vault.encrypt(customerId, 'payee.name', input.name),
        vault.encrypt(customerId, 'payee.iban', input.iban),
        vault.blindIndex('payee.iban', ibanIndexInput(customerId, input.iban)),
      ]);
      const row = await db.transaction(async (tx) => {
        if ((await repo.lockCustomerPayees(tx, customerId)) >= payeesPerCustomerMax) {
          throw conflict(
            'payee_limit_reached',
            `You already saved ${payeesPerCustomerMax} payees, the most we keep. Delete one you no longer pay first.`,
          );
        }
        const id = newId('payee');
        const inserted = await repo.insertPayee(tx, {
          id,
          customerId,
          nameCiphertext,
          ibanCiphertext,
          ibanIndex,
          maskedIban: maskIban(input.iban),
          reference: input.reference,
          confirmation: confirmation.result,
        });
        if (!inserted)
          throw conflict('payee_exists', 'You already saved a payee with this IBAN. Find it with GET /api/v1/payees.', {
            errors: [{ pointer: '/body/iban', detail: 'is already one of your payees' }],
          });
        await audit.record(tx, {
          action: 'payee.created',
          actor: { kind: 'customer', id: customerId },
          subject: { kind: 'payee', id },
          details: { confirmation: confirmation.result },
        });
        return inserted;
      });
      return {
        ...(await view(row)),
        ...(confirmation.suggestedName ? { suggestedName: confirmation.suggestedName } : {}),
      };
    },

    async listPayees(customerId: string, page: { limit: number; after: Cursor | undefined }) {
      const rows = await repo.listPayees(db, customerId, page);
      const last = rows.at(-1);
      return {
        data: await Promise.all(rows.map(view)),
        nextCursor:
          rows.length === page.limit && last ? encodeCursor({ createdAt: last.cursor_at, id: last.id }) : null,
      };
    },

    /**
     * The full IBAN saved for one of the customer's payees, for paying it by id (POST /transfers with
     * `to: { payeeId }`); undefined when they have no such payee. Never answered to the client.
     */
    async payeeIban(customerId: string, payeeId: string): Promise<string | undefined> {
      const ciphertext = await repo.findPayeeIbanCiphertext(db, customerId, payeeId);
      return ciphertext === undefined ? undefined : vault.decrypt(customerId, 'payee.iban', ciphertext);
    },

    async deletePayee(customerId: string, payeeId: string): Promise<void> {
      await db.transaction(async (tx) => {
        if (!(await repo.deletePayee(tx, customerId, payeeId))) throw payeeNotFound();
        await audit.record(tx, {
          action: 'payee.deleted',
          actor: { kind: 'customer', id: customerId },
          subject: { kind: 'payee', id: payeeId },
        });
      });
    },
  };
}

export type PayeesService = ReturnType<typeof createPayeesService>;
