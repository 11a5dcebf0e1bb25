import { randomBytes } from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { argon2MemoryKib, argon2Parallelism, argon2Passes } from '../platform/constants.ts';
import { normalizePassword } from './password-policy.ts';

/**
 * Passwords are stored as argon2id hashes with OWASP's parameters (19 MiB, 2 passes, 1 lane) in
 * PHC string form, so the parameters travel with each hash and can be raised later. Hashing runs
 * on libuv's thread pool, which also bounds how many hashes (and 19 MiB buffers) run at once.
 */
// Algorithm is a const enum in the package's typings, which erasable TypeScript cannot import.
const argon2id = 2 as Algorithm;
const options = {
  algorithm: argon2id,
  memoryCost: argon2MemoryKib,
  timeCost: argon2Passes,
  parallelism: argon2Parallelism,
};

export function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), options);
}

/** Counts argon2 verifications in this process; exposed so tests can see the work a sign-in did. */
export const passwordVerifications = { count: 0 };

export function passwordMatches(passwordHash: string, password: string): Promise<boolean> {
  passwordVerifications.count += 1;
  return verify(passwordHash, normalizePassword(password));
}

let dummyHash: Promise<string> | undefined;

/**
 * A hash of a random secret, verified when a sign-in names an unknown e-mail so that the answer
 * takes as long as for a known one and timing does not reveal which e-mails have accounts.
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hash(randomBytes(32).toString('base64url'), options);
  return dummyHash;
}
