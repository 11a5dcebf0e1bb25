import { nameTokens, sameTokens } from '../platform/person-names.ts';

export { nameTokens };

/**
 * Confirmation of payee (as the UK's Pay.UK scheme does it; docs/adr/0025): when a customer names
 * a payee whose IBAN is an account in this bank, compare the name they typed with the holder's name
 * and answer match, close match or no match, so a mistyped or misdirected payment is caught before
 * money moves. Pure: the caller finds the holder's verified legal name (compliance/kyc.ts, ADR 0077).
 *
 * What the answer reveals: a match says only "yes"; a close match suggests the holder's name (the
 * customer nearly had it, and the suggestion lets them correct a typo, as the UK scheme does); no match
 * reveals nothing. A guess has to be close already to learn anything.
 */
export type ConfirmationResult = 'match' | 'close_match' | 'no_match' | 'not_checked';

/** Edit distance (Levenshtein), bounded by the short names it is used on. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Close: one typo per five letters of the whole name ("Jane Dow" for "Jane Doe"), or the same
 * surname with the given names as initials ("J Doe", "J. A. Doe" for "Jane Anne Doe").
 */
function isClose(given: readonly string[], holder: readonly string[]): boolean {
  const a = given.join(' ');
  const b = holder.join(' ');
  if (editDistance(a, b) <= Math.max(1, Math.floor(Math.min(a.length, b.length) / 5))) return true;
  const givenSurname = given.at(-1);
  if (given.length < 2 || givenSurname !== holder.at(-1)) return false;
  const givenFirst = given.slice(0, -1);
  const holderFirst = holder.slice(0, -1);
  return givenFirst.every((token, i) => {
    const other = holderFirst[i];
    return other !== undefined && (token === other || (token.length === 1 && other.startsWith(token)));
  });
}

/** Compares the name a customer typed with the account holder's. */
export function confirmPayeeName(given: string, holder: string): 'match' | 'close_match' | 'no_match' {
  const a = nameTokens(given);
  const b = nameTokens(holder);
  if (a.length === 0 || b.length === 0) return 'no_match';
  if (sameTokens(a, b)) return 'match';
  return isClose(a, b) ? 'close_match' : 'no_match';
}
