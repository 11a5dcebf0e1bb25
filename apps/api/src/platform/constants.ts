/**
 * Every limit the API enforces, in one place (TigerBeetle's constants.zig habit).
 * Each says what it costs when raised. Units are the last word of each name.
 */

/** Largest request body accepted. Raising it costs memory per in-flight request. */
export const bodyLimitBytes = 64 * 1024;
/** Deepest JSON nesting accepted in a body. Deep nesting costs stack in parsers and validators. */
export const jsonDepthMax = 16;
/** Largest page a list returns. Raising it costs query time and response size. */
export const pageLimitMax = 100;
/** Page size when the client gives none. */
export const pageLimitDefault = 25;
/** Longest Idempotency-Key accepted (Stripe allows 255). Stored per money-moving request. */
export const idempotencyKeyLengthMax = 255;
/** How long an idempotency key is remembered. Longer costs storage; shorter weakens retry safety. */
export const idempotencyRetentionMs = 24 * 60 * 60 * 1000;
/** Longest transfer reference text (SEPA remittance information is 140 characters). */
export const referenceLengthMax = 140;
/** Longest free-text search over transactions. */
export const searchTextLengthMax = 100;
/** Largest single amount in minor units the API accepts (10^15 minor units; well inside int64). */
export const amountMinorMax = 1_000_000_000_000_000n;
/** Longest a request may wait for a database connection before it is answered 503. */
export const dbConnectTimeoutMs = 2_000;
/** Longest a single SQL statement may run; past it the request is answered 503. */
export const dbStatementTimeoutMs = 5_000;
/** Connections per API process. Each PostgreSQL connection costs the server ~10 MB. */
export const dbPoolSizeMax = 20;
/** Longest a cache command may take before the request is answered 503. */
export const cacheCommandTimeoutMs = 1_000;
/** Longest graceful shutdown waits for in-flight requests before closing pools anyway. */
export const shutdownGraceMs = 10_000;
/** Longest a name may be (customer names, account nicknames). */
export const nameLengthMax = 100;
/** Longest an email address may be (RFC 5321 path limit). */
export const emailLengthMax = 254;
/** NIST SP 800-63B: at least 8 characters; we ask 12 for a bank. */
export const passwordLengthMin = 12;
/** NIST SP 800-63B: allow at least 64; longer costs hashing time, so cap it. */
export const passwordLengthMax = 128;
/** Accounts one customer may hold. */
export const accountsPerCustomerMax = 20;
/** Transfers grouped into one database transaction by the batcher (TigerBeetle uses 8,190). */
export const transferBatchSizeMax = 256;
/** Keys the in-process cache holds before it evicts the oldest. Each costs ~200 bytes. */
export const memoryCacheKeysMax = 100_000;

// ---- Identity and OAuth (apps/api/src/identity) ------------------------------------------------
/** Longest password field accepted before normalizing it; bounds NFKC and hashing work per request. */
export const passwordInputLengthMax = 1_024;
/** Shortest name, e-mail local part or name part that counts as a context word a password may not contain. */
export const passwordContextWordLengthMin = 3;
/** Argon2id memory per hash in KiB (OWASP: 19 MiB). Each concurrent hash holds this much memory. */
export const argon2MemoryKib = 19_456;
/** Argon2id passes (OWASP: 2 with 19 MiB). Each pass costs ~10 ms of one core. */
export const argon2Passes = 2;
/** Argon2id lanes. More lanes use more threads per hash. */
export const argon2Parallelism = 1;
/** Access token lifetime. Longer widens the window a stolen token works in; shorter costs more refreshes. */
export const accessTokenTtlS = 600;
/** Authorization code lifetime (FAPI 2.0 asks 60 s at most). */
export const authorizationCodeTtlS = 60;
/** Sign-in session lifetime; refresh tokens expire with it, so this is how long a sign-in lasts at most. */
export const loginSessionTtlS = 14 * 24 * 60 * 60;
/** Refresh token lifetime after its last rotation (also capped by the sign-in session). */
export const refreshTokenTtlS = 14 * 24 * 60 * 60;
/** How long a hosted login page stays usable. Each open page holds one row in oauth_artefacts. */
export const loginInteractionTtlS = 10 * 60;
/** Failed sign-ins per account (normalized e-mail) within the window before the account is locked out. */
export const loginFailuresPerAccountMax = 5;
/** Failed sign-ins per client IP within the window before that IP is throttled. */
export const loginFailuresPerIpMax = 20;
/** Window over which failed sign-ins are counted. */
export const loginFailureWindowMs = 15 * 60 * 1000;
/** How long an account stays locked out after too many failed sign-ins. */
export const loginLockoutMs = 15 * 60 * 1000;
/** Expired OAuth artefacts deleted per clean-up statement; bounds the statement's lock time. */
export const oidcPurgeBatchSize = 1_000;
/** Writes of OAuth artefacts between two opportunistic clean-ups of expired ones, per process. */
export const oidcPurgeEveryWrites = 200;
/**
 * Transfer batches one API process runs at once. Batches that share accounts queue on their row
 * locks anyway, so more overlap mostly makes batches smaller (bench at 40 customers: 1 in flight
 * beat 2 by ~7% and 4 by ~15%); more processes or pods still post in parallel.
 */
export const transferBatchesInFlightMax = 1;
/** Money movements waiting for a batch slot; past it requests are answered 503. Each holds a request open. */
export const transferQueueLengthMax = 10_000;
/** Transfers whose two accounts one query looks up together. Each adds two ids to the query's arrays. */
export const accountLookupBatchSizeMax = 256;
/** Account lookups for transfers one API process runs at once; more overlap hides round trips, fewer groups more. */
export const accountLookupsInFlightMax = 2;
/** Tries to draw an unused random IBAN account number before giving up. Collisions are ~1e-6 likely each. */
export const ibanDrawAttemptsMax = 5;
/** Longest back-office credit description and ledger entry description. */
export const descriptionLengthMax = 140;
/** Longest opaque pagination cursor accepted. */
export const cursorLengthMax = 200;
/** Verified access tokens remembered per process (each ~1 KB); a miss costs one ES256 check. */
export const verifiedTokensCachedMax = 20_000;
/** Distinct SQL texts prepared per connection; each costs the server a cached plan (~KBs). */
export const preparedStatementsMax = 1_000;
