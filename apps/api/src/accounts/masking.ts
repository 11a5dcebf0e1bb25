/**
 * Counterparty names are shown masked, so a payee's full name never reaches another customer:
 * each word keeps its first letter ("John Doe" → "J*** D**").
 */
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
