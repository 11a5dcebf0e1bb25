/**
 * Keyset cursors of newest-first lists (history, payees, the GDPR export): opaque to the client,
 * checked on the way back in so a forged or truncated one is a 400, never a 500.
 */
import { invalidCursor } from './problems.ts';

/** A position in a newest-first list: the last row's creation time (microseconds, UTC) and id. */
export interface Cursor {
  readonly createdAt: string;
  readonly id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`).toString('base64url');
}

const cursorPattern = /^((?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})\|([a-z]{3}_[0-9a-hjkmnp-tv-z]{26})$/;

/** Decodes a cursor this API issued; anything else is a 400 the client can act on. */
export function decodeCursor(text: string): Cursor {
  const match = cursorPattern.exec(Buffer.from(text, 'base64url').toString('utf8'));
  const [, seconds, micros, id] = match ?? [];
  // Date.parse first: an impossible date (month 13) is NaN, and toISOString on it would throw (a 500).
  const time = seconds === undefined ? Number.NaN : Date.parse(`${seconds}Z`);
  const roundTrips = !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === seconds;
  if (!seconds || !micros || !id || !roundTrips) {
    throw invalidCursor();
  }
  return { createdAt: `${seconds}.${micros}`, id };
}
