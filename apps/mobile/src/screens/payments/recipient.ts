/**
 * Who a payment goes to. The transfer API takes an own account's id or an IBAN, and never shows a
 * saved payee's IBAN in full (it is stored encrypted, lists show it masked). Paying a saved payee
 * therefore asks for the IBAN again and checks it against the payee's mask, so a typo cannot send
 * the money to someone else under the payee's name.
 */

/** "DE** **** **** **** **67 89" against "DE12 5001 0517 0123 4567 89": same length, same visible characters. */
export function ibanMatchesMask(iban: string, maskedIban: string): boolean {
  const typed = iban.replace(/\s/g, '').toUpperCase();
  const mask = maskedIban.replace(/\s/g, '').toUpperCase();
  if (typed.length === 0 || typed.length !== mask.length) return false;
  return [...mask].every((char, i) => char === '*' || char === typed[i]);
}

/** The form's value for the recipient choice: `account:acc_…` or `payee:pye_…`. */
export type RecipientValue = `account:${string}` | `payee:${string}`;

export function parseRecipient(value: string): { kind: 'account' | 'payee'; id: string } | undefined {
  const [kind, id] = value.split(':');
  if ((kind === 'account' || kind === 'payee') && id) return { kind, id };
  return undefined;
}
