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
