/**
 * Who a payment goes to: one of the customer's own accounts or a saved payee, both sent by id (the
 * transfer API takes `{ accountId }` or `{ payeeId }`, and pays a payee at the IBAN saved with it).
 */

/** The form's value for the recipient choice: `account:acc_…` or `payee:pye_…`. */
export type RecipientValue = `account:${string}` | `payee:${string}`;

export function parseRecipient(value: string): { kind: 'account' | 'payee'; id: string } | undefined {
  const [kind, id] = value.split(':');
  if ((kind === 'account' || kind === 'payee') && id) return { kind, id };
  return undefined;
}
