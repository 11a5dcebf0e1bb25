import { errorTextLengthMax } from './constants.ts';

/**
 * The text kept about a failure (dead letters, job leases, logs): the error's class, its code and
 * its message, with e-mail addresses, IBANs and long digit runs masked, since a message can quote
 * a value (PostgreSQL's "Key (email)=(…)" is in `detail`, which is never kept). No stack, no cause.
 */
export function describeError(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const rawCode = (error as { code?: unknown } | undefined)?.code;
  const code = typeof rawCode === 'string' || typeof rawCode === 'number' ? ` [${rawCode}]` : '';
  const message = error instanceof Error ? error.message : String(error);
  return maskPersonalData(`${name}${code}: ${message}`).slice(0, errorTextLengthMax);
}

export function maskPersonalData(text: string): string {
  return text
    .replace(/[^\s@"'()<>,;:]+@[^\s@"'()<>,;:]+/g, '<email>')
    .replace(/\b[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}\b/g, '<iban>')
    .replace(/[0-9]{6,}/g, '<digits>');
}
