/**
 * What a customer is shown of another person: masked names and IBANs, so a payee's full name or
 * account number never reaches another customer.
 */

/** Each word keeps its first letter ("John Doe" → "J*** D**"). */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/)
    .map((word) => {
      const [first = '', ...rest] = [...word];
      return `${first}${'*'.repeat(rest.length)}`;
    })
    .join(' ');
}

/** Shows the country and the last four characters only: "DE** **** **** **** **30 00". */
export function maskIban(iban: string): string {
  const masked = `${iban.slice(0, 2)}${'*'.repeat(Math.max(0, iban.length - 6))}${iban.slice(-4)}`;
  return masked.replace(/(.{4})(?=.)/g, '$1 ');
}
