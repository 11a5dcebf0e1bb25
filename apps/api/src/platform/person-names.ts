/**
 * One way to compare people's names, shared by confirmation of payee (payments) and the KYC check of
 * a document's legal name against the customer's profile (compliance): lower case, accents off,
 * punctuation to spaces, titles dropped, word order ignored.
 */

/** Titles people add or leave out; they never make a name differ. */
const titles = new Set(['mr', 'mrs', 'ms', 'miss', 'mx', 'dr', 'prof', 'sir', 'dame']);

/** "Dr. José  O'Neil" → ["jose", "o", "neil"]. */
export function nameTokens(name: string): string[] {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter((token) => token.length > 0 && !titles.has(token));
}

/** The same words in any order ("Lovelace, Ada" is "Dr Ada Lovelace"); a blank name matches nothing. */
export function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length > 0 && a.length === b.length && [...a].sort().join(' ') === [...b].sort().join(' ');
}

/** Whether two names are the same person's name as written, after normalisation. */
export const samePersonName = (a: string, b: string): boolean => sameTokens(nameTokens(a), nameTokens(b));
