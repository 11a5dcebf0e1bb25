import { createHmac } from 'node:crypto';
import type { Cache } from '../platform/cache.ts';
import {
  loginFailuresPerAccountMax,
  loginFailuresPerIpMax,
  loginFailureWindowMs,
  loginLockoutMs,
} from '../platform/constants.ts';

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
 * Cache keys hold an HMAC of the e-mail, never the e-mail itself.
 */
export type ThrottleVerdict = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterS: number };

export interface LoginThrottle {
  /** Called before checking a password; counts the attempt against the account. */
  admit(emailNormalized: string, ip: string): Promise<ThrottleVerdict>;
  recordFailure(emailNormalized: string, ip: string): Promise<void>;
  recordSuccess(emailNormalized: string): Promise<void>;
}

const secondsUntil = (untilMs: number) => Math.max(1, Math.ceil((untilMs - Date.now()) / 1000));

export function createLoginThrottle(cache: Cache, keySecret: string): LoginThrottle {
  const accountKey = (email: string) => createHmac('sha256', keySecret).update(email).digest('base64url');
  const keys = (email: string, ip: string) => {
    const account = accountKey(email);
    return {
      accountAttempts: `login:attempts:${account}`,
      accountLock: `login:lock:${account}`,
      ipFailures: `login:ip-failures:${ip}`,
      ipPause: `login:ip-pause:${ip}`,
    };
  };

  async function blockedUntilMs(key: string): Promise<number | undefined> {
    const until = Number(await cache.get(key));
    return until > Date.now() ? until : undefined;
  }

  async function lock(key: string, forMs: number): Promise<number> {
    const untilMs = Date.now() + forMs;
    await cache.set(key, String(untilMs), forMs);
    return untilMs;
  }

  return {
    async admit(email, ip) {
      const k = keys(email, ip);
      const [ipPausedUntil, accountLockedUntil] = await Promise.all([
        blockedUntilMs(k.ipPause),
        blockedUntilMs(k.accountLock),
      ]);
      const until = Math.max(ipPausedUntil ?? 0, accountLockedUntil ?? 0);
      if (until > 0) return { allowed: false, retryAfterS: secondsUntil(until) };
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
