import { validateIban } from '../accounts/index.ts';
import { badRequest } from '../platform/errors.ts';

/** A client's IBAN, normalised, or a 400 saying what is wrong with it at `pointer`. */
export function parseIban(text: string, pointer: string): string {
  const result = validateIban(text);
  if (result.ok) return result.iban;
  const why = {
    charset: 'has characters an IBAN cannot have',
    country: 'has a country code we cannot pay to',
    length: 'has the wrong length for its country',
    checksum: 'has wrong check digits (a typo?)',
  }[result.problem];
  throw badRequest('invalid_iban', `The payee IBAN ${why}. Check it with the payee.`, {
    errors: [{ pointer, detail: why }],
  });
}
