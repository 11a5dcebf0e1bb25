import { createHmac } from 'node:crypto';
import type { Cache } from '../platform/cache.ts';
import {
  loginFailuresPerAccountMax,
  loginFailuresPerIpMax,
  loginFailureWindowMs,
  loginLockoutMs,
} from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';

/**
 * Brute-force protection for sign-in, in the shared cache so every pod sees the same counts.
 *
 * - Per account (the normalized e-mail, whether or not an account has it, so a lockout says nothing
 *   about existence): attempts are counted *before* the password is checked, so a burst of parallel
 *   guesses cannot overtake the counter; a successful sign-in clears it. After
 *   loginFailuresPerAccountMax failed attempts in the window the e-mail is locked out for loginLockoutMs.
 * - Per client IP: failures are counted; past loginFailuresPerIpMax in the window the IP is paused
 *   until the window ends. Successes do not count, so many people behind one NAT can still sign in.
 *
 * Attempt and failure counters live in the cache; the lockouts and pauses they lead to live in
 * PostgreSQL (table login_lockouts, ADR 0065), so no cache loss (eviction, a flushed or restarted
 * Redis) lets a locked-out account accept its password again. Keys hold an HMAC of the e-mail or
 * IP, never the value itself.
 */
export type ThrottleVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterS: number };

export interface LoginThrottle {
  /** Called before checking a password; counts the attempt against the account. */
  admit(emailNormalized: string, ip: string): Promise<ThrottleVerdict>;
  recordFailure(emailNormalized: string, ip: string): Promise<void>;
  recordSuccess(emailNormalized: string): Promise<void>;
}

const secondsUntil = (untilMs: number) => Math.max(1, Math.ceil((untilMs - Date.now()) / 1000));

export function createLoginThrottle(cache: Cache, db: Queryable, keySecret: string): LoginThrottle {
  const hmac = (value: string) => createHmac('sha256', keySecret).update(value).digest('base64url');
  const accountKey = (email: string) => hmac(email);
  const keys = (email: string, ip: string) => {
    const account = accountKey(email);
    return {
      accountAttempts: `login:attempts:${account}`,
      accountLock: `account:${account}`,
      ipFailures: `login:ip-failures:${ip}`,
      ipPause: `ip:${hmac(ip)}`,
    };
  };

  /** The latest moment any of these lockouts ends, when one is in force. */
  async function blockedUntilMs(subjectKeys: readonly string[]): Promise<number | undefined> {
    const { rows } = await db.query<{ until_ms: number | null }>(
      `SELECT (extract(epoch FROM max(locked_until)) * 1000)::float8 AS until_ms FROM login_lockouts
       WHERE subject_key = ANY($1::text[]) AND locked_until > now()`,
      [subjectKeys],
    );
    const until = rows[0]?.until_ms;
    return typeof until === 'number' && until > Date.now() ? until : undefined;
  }

  async function lock(subjectKey: string, forMs: number): Promise<number> {
    const untilMs = Date.now() + forMs;
    await db.query(
      `INSERT INTO login_lockouts (subject_key, locked_until) VALUES ($1, to_timestamp($2::float8 / 1000))
       ON CONFLICT (subject_key) DO UPDATE SET locked_until = GREATEST(login_lockouts.locked_until, EXCLUDED.locked_until)`,
      [subjectKey, untilMs],
    );
    // Housekeeping in passing: lockouts that ended go, a bounded batch at a time.
    await db.query(
      `DELETE FROM login_lockouts WHERE subject_key IN (
         SELECT subject_key FROM login_lockouts WHERE locked_until < now() LIMIT 100)`,
    );
    return untilMs;
  }

  return {
    async admit(email, ip) {
      const k = keys(email, ip);
      const until = await blockedUntilMs([k.ipPause, k.accountLock]);
      if (until !== undefined) return { allowed: false, retryAfterS: secondsUntil(until) };
      const { count } = await cache.increment(k.accountAttempts, loginFailureWindowMs);
      if (count > loginFailuresPerAccountMax) {
        return { allowed: false, retryAfterS: secondsUntil(await lock(k.accountLock, loginLockoutMs)) };
      }
      return { allowed: true };
    },

    async recordFailure(email, ip) {
      const k = keys(email, ip);
      const [{ count: attempts }, { count: ipFailures, resetMs }] = await Promise.all([
        // admit() counted this attempt already; read the count back without adding to it.
        cache.get(k.accountAttempts).then((value) => ({ count: Number(value ?? 0) })),
        cache.increment(k.ipFailures, loginFailureWindowMs),
      ]);
      if (attempts >= loginFailuresPerAccountMax) await lock(k.accountLock, loginLockoutMs);
      if (ipFailures >= loginFailuresPerIpMax) await lock(k.ipPause, resetMs);
    },

    async recordSuccess(email) {
      await cache.delete(`login:attempts:${accountKey(email)}`);
    },
  };
}
