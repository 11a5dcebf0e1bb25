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
/**
 * Readiness turns red when a database call has waited longer than this (READINESS_QUERY_WAIT_MAX_MS).
 * Twice the statement timeout: on PostgreSQL a query is cancelled before, so only a wedge (PGlite's
 * one connection held forever, a pool that never frees a client) trips it; a load balancer then
 * stops sending traffic to the process and its orchestrator can restart it.
 */
export const readinessQueryWaitMaxMsDefault = 2 * dbStatementTimeoutMs;
/** The largest bound READINESS_QUERY_WAIT_MAX_MS may set: a wedge stays unseen at most this long. */
export const readinessQueryWaitMaxMsLimit = 10 * 60 * 1000;
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
/** Live keys the in-process cache holds at most; past it a new key answers 503 (it never evicts). Each costs ~200 bytes. */
export const memoryCacheKeysMax = 100_000;
/** How often the in-process cache drops expired keys. Sooner costs a walk of every key more often. */
export const memoryCacheSweepIntervalMs = 60_000;

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
/**
 * How long a refresh answer is kept for a repeat of the same (now spent) refresh token, so an answer
 * lost on its way (page reloaded mid-refresh, a dropped mobile response) does not end the sign-in
 * (identity/refresh-retry.ts, ADR 0135). Longer widens the time a thief holding both the spent token
 * and the device key gets the same successor instead of tripping reuse detection at once; each
 * refresh holds one encrypted answer (about 2 KB) in the shared cache for this long.
 */
export const refreshRetryWindowMs = 60_000;
/** How long a hosted login page stays usable. Each open page holds one row in oauth_artefacts. */
export const loginInteractionTtlS = 10 * 60;
/**
 * How long admission may trust a customer's status read from PostgreSQL (shared cache). A change
 * through identity's setCustomerStatus or erasure overwrites it at once; this bounds staleness only
 * when that write is lost.
 */
export const customerStatusCachedMs = 30_000;
/**
 * How long admission trusts PostgreSQL's "this grant is not revoked" (shared cache). A revocation
 * overwrites it at once; this bounds staleness only when that cache write is lost.
 */
export const grantStateCachedMs = 30_000;
/** Failed sign-ins per account (normalized e-mail) within the window before the account is locked out. */
export const loginFailuresPerAccountMax = 5;
/** Failed sign-ins per client IP within the window before that IP is throttled. */
export const loginFailuresPerIpMax = 20;
/** Window over which failed sign-ins are counted. */
export const loginFailureWindowMs = 15 * 60 * 1000;
/** How long an account stays locked out after too many failed sign-ins. */
export const loginLockoutMs = 15 * 60 * 1000;

// ---- DPoP, sessions and devices (platform/dpop.ts, identity/sessions*.ts) ------------------------
/** How far a DPoP proof's iat may be from our clock. Every accepted jti is cached for twice this. */
export const dpopProofAgeMaxS = 60;
/** Longest DPoP proof JWT accepted (an RSA-4096 key in the header fits); parsing costs CPU per byte. */
export const dpopProofLengthMax = 4_096;
/** Longest DPoP proof jti accepted; each accepted one is a key in the shared cache for 2 minutes. */
export const dpopProofJtiLengthMax = 128;
/** Device public keys kept imported per process (one per app in use); each is a small key object. */
export const dpopKeysCachedMax = 10_000;
/** Sign-in sessions listed per page (GET /api/v1/sessions). */
export const sessionsPageLimitMax = 100;
/** Longest device name kept from a User-Agent header. */
export const deviceNameLengthMax = 100;

// ---- Passkeys and step-up (apps/api/src/identity/passkeys*.ts, step-up.ts) ----------------------
/** Active passkeys one customer may hold; each is a row and an entry in every allowCredentials list. */
export const passkeysPerCustomerMax = 20;
/** Longest passkey name a customer may choose. */
export const passkeyNameLengthMax = 64;
/** How long a passkey registration or sign-in challenge may be answered. Each lives in the cache. */
export const passkeyChallengeTtlMs = 5 * 60 * 1000;
/**
 * Step-up thresholds per currency when STEP_UP_THRESHOLD does not name one (payments/step-up-policy.ts):
 * about 500 EUR in each, rounded, in the currency's major unit with its own decimals.
 */
export const stepUpThresholdDefaults = {
  EUR: '500.00',
  USD: '500.00',
  GBP: '450.00',
  CHF: '500.00',
  SEK: '5500.00',
  NOK: '5500.00',
  DKK: '3700.00',
  PLN: '2200.00',
  CZK: '12500.00',
  JPY: '80000',
  KWD: '150.000',
} as const;

/** The rolling window of the cumulative step-up rule: unapproved payments to others within it add up. */
export const stepUpCumulativeWindowMs = 24 * 60 * 60 * 1000;

/** How long a step-up approval may be given and used (issue 4: 5 minutes). Each is a row until purged. */
export const stepUpChallengeTtlMs = 5 * 60 * 1000;
/**
 * Step-up challenges are deleted this long after they expired (until then a late answer is told
 * `step_up_expired`); the approval itself stays in the audit log. Every stepUpPurgeEveryIssues
 * challenges issued, one process deletes up to stepUpPurgeBatchSize of them, so the table stays
 * small however many approvals are asked for.
 */
export const stepUpChallengeRetentionMs = 60 * 60 * 1000;
export const stepUpPurgeEveryIssues = 200;
export const stepUpPurgeBatchSize = 1_000;
/**
 * How recent the sign-in behind an access token (its auth_time) must be to add a first passkey,
 * revoke a passkey or sign another device out: a stolen token older than this cannot change how
 * the account authenticates (ADR 0013). Five minutes, as the step-up approvals.
 */
export const recentSignInMaxAgeS = 5 * 60;
/**
 * Registration answers 409 email_taken, which tells whether an address is a customer's: after this
 * many such answers to one IP address within registrationEmailTakenWindowMs, every registration from
 * it answers 429 until the window ends, so the endpoint cannot be used to test lists of addresses.
 */
export const registrationEmailTakenPerIpMax = 10;
export const registrationEmailTakenWindowMs = 60 * 60 * 1000;
/** The same for one customer's e-mail changes (PATCH /customers/me), whatever network they come from. */
export const emailTakenPerCustomerMax = 5;
/** Longest WebAuthn field (base64url) accepted: clientDataJSON, authenticatorData, attestation, signature. */
export const webauthnFieldLengthMax = 16 * 1024;
/** Longest credential id accepted (WebAuthn caps credential ids at 1023 bytes; base64url is 4/3 of that). */
export const webauthnCredentialIdLengthMax = 1_400;
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

// ---- Payment security and HTTP hardening (payments/, platform/http-security.ts) ---------------
/** Largest request head (request line + headers) Node parses; beyond it the answer is 431. Each open request holds it. */
export const headerSizeMaxBytes = 16 * 1024;
/** HSTS max-age (2 years, the preload list's minimum is 1). Shorter lets a downgrade window reopen sooner. */
export const hstsMaxAgeS = 2 * 365 * 24 * 60 * 60;
/** How long a browser may cache a CORS preflight answer. Longer delays an allowlist change reaching browsers. */
export const corsPreflightMaxAgeS = 600;
/** Saved payees one customer may hold; each is a row, and the list is paged. */
export const payeesPerCustomerMax = 200;
/** Longest payee name a customer may give (SEPA allows 70 characters for a creditor name). */
export const payeeNameLengthMax = 70;
/** Pending audit records the sealer chains per transaction; bounds how long it holds the chain head's lock. */
export const auditSealBatchSizeMax = 1_000;
/** Pause between two runs of the audit sealer; a record is chained at most about this long after it commits. */
export const auditSealIntervalMs = 1_000;
/** Sealed audit records the verifier reads per query while walking the chain. */
export const auditVerifyPageSize = 1_000;
/** Details one audit record may carry; each is a flat key → string, number or boolean. */
export const auditDetailsMax = 20;
/** Longest string value in an audit record's details. */
export const auditDetailLengthMax = 200;
/**
 * Newest exported chain heads `./ng audit verify` reads (docs/adr/0055-signed-audit-chain-heads.md).
 * Each is one store read; since the chain is linked, one matching head anchors every record before it,
 * so older heads add findings only where the chain is already broken.
 */
export const auditHeadsVerifiedMax = 1_000;
/** Largest exported chain head document read back (they are ~600 bytes); anything bigger is refused as forged. */
export const auditHeadBytesMax = 4_096;
/** Longest an S3 request may take before it is abandoned (the export job retries on its next run). */
export const s3RequestTimeoutMs = 10_000;
/** Largest S3 answer read (a ListObjectsV2 page of 1,000 keys is ~300 KB). */
export const s3ResponseBytesMax = 2_000_000;

// ---- Personal data protection (apps/api/src/platform/crypto) -----------------------------------
/** Unwrapped customer data keys one process keeps in memory. Each costs ~100 bytes; a miss costs a KMS call. */
export const dataKeysCachedMax = 10_000;
/**
 * How long an unwrapped data key stays in memory. Longer saves KMS calls; it is also how long
 * another pod may still decrypt an erased customer's data from its cache.
 */
export const dataKeyCacheTtlMs = 60_000;
/**
 * Decrypted fields memoised per cached data key (holders' names on the payment and history paths),
 * dropped with the key (expiry, eviction, erasure). Each costs ~200 bytes; a miss costs one AES-GCM decrypt.
 */
export const decryptedFieldsPerKeyMax = 8;
/** Bytes of the HMAC-SHA256 blind index kept (128 bits: collisions negligible, so it can be unique). */
export const blindIndexBytes = 16;
/** Longest plaintext personal-data field encrypted (addresses are the longest). */
export const personalFieldLengthMax = 2_000;
/** Customer rows encrypted per backfill transaction at start-up; bounds its lock time. */
export const personalDataBackfillBatchSize = 200;
/** Data keys re-wrapped per transaction by `./ng rotate-keys`; bounds lock time and lost work on a crash. */
export const keyRotationBatchSize = 100;
/** Longest a KMS call may take before the request is answered 503. */
export const kmsRequestTimeoutMs = 3_000;
/** Longest postal address line, postcode and city accepted. */
export const addressLineLengthMax = 100;
/** Longest phone number accepted (E.164: 15 digits plus "+"). */
export const phoneLengthMax = 16;

// ---- KYC and transfer limits (apps/api/src/compliance) -----------------------------------------
/** Longest identity document number accepted (passport numbers are 9; some national ids ~20). */
export const kycDocumentNumberLengthMax = 40;
/** Youngest a customer may be to be verified (years, on the day of submission). */
export const kycMinimumAgeYears = 18;
/**
 * Limits of payments to other customers by KYC tier, in euro (major units): per transfer, and per
 * UTC day summed over the day's payments. Payments between a customer's own accounts are not limited.
 */
export const transferLimitsByTierEur = {
  1: { perTransfer: 1_000, daily: 2_000 },
  2: { perTransfer: 10_000, daily: 25_000 },
  3: { perTransfer: 100_000, daily: 250_000 },
} as const;
/**
 * The tiers' euro figures in each currency, as a percentage of the figure (round nominal factors,
 * not exchange rates, so a limit does not move with the markets). A test keeps every currency listed.
 */
export const transferLimitCurrencyPercents = {
  EUR: 100,
  USD: 100,
  GBP: 100,
  CHF: 100,
  SEK: 1_000,
  NOK: 1_000,
  DKK: 1_000,
  PLN: 500,
  CZK: 2_500,
  JPY: 15_000,
  KWD: 30,
} as const;
/** Longest reason an operator gives for a limit override. */
export const limitOverrideReasonLengthMax = 140;
/**
 * Longest reason an operator gives for locking, unlocking or closing a customer: it is stored in the
 * approval request and the audit record (within auditDetailLengthMax), read by the next operator.
 */
export const customerStatusReasonLengthMax = 140;
/** How long a four-eyes approval request waits for a second operator before it expires. */
export const approvalTtlMs = 24 * 60 * 60 * 1000;
/**
 * How long an approver's claim on a request holds while its action executes (ADR 0070). Longer than
 * an execution can take (a few statements, each bounded by the statement timeout); if the approver's
 * process dies, the request can be approved again after it, so this is how long it stays stuck.
 */
export const approvalClaimLeaseMs = 2 * 60 * 1000;
/** Longest reason an approver may give for rejecting a request. */
export const approvalReasonLengthMax = 500;
/** Longest operator name (a staff label, e.g. "Alice, payments desk"). */
export const operatorNameLengthMax = 100;
/** Statement lines one synchronous GDPR export carries; past it the export says truncated (an async job would lift it). */
export const gdprExportTransactionsMax = 50_000;

// ---- Limits that were literals at their use (issue 12: every limit from this file) ---------------

/** Longest decimal amount text accepted (transfers, credits, limit overrides); the parser refuses past 10^15 anyway. */
export const amountTextLengthMax = 40;
/** Longest IBAN as typed (34 characters at most, plus grouping spaces). */
export const ibanInputLengthMax = 50;
/** How long an idle database connection stays open. Longer holds server memory; shorter costs reconnects. */
export const dbIdleTimeoutMs = 30_000;
/** Longest a Redis connection attempt may take before it is retried. */
export const cacheConnectTimeoutMs = 2_000;
/** Longest pause between Redis reconnect attempts (they back off 100 ms at a time up to it). */
export const cacheReconnectDelayMaxMs = 1_000;
/** At most one "cache connection failed" warning per this interval while Redis is away. */
export const cacheFailureWarnIntervalMs = 10_000;
/** The rate limit's fixed window; `RATE_LIMIT_PER_MINUTE` counts requests in it. */
export const rateLimitWindowMs = 60_000;
/** How long a DPoP nonce stays current; the previous one is accepted too, so a nonce lives up to twice this. */
export const dpopNonceStepS = 60;
/** Smallest RSA modulus a DPoP key may have (NIST SP 800-57: 2048 bits until 2030). */
export const dpopRsaModulusBitsMin = 2048;
/** Pause before a died API worker process is started again (cluster mode), so a crash loop does not spin. */
export const workerRestartDelayMs = 1_000;
/** Attempts per AWS KMS call, the first included; more would hold the request past its deadline. */
export const kmsAttemptsMax = 2;
/** Session-revocation passes an erasure makes while sign-ins race it. */
export const gdprSessionSweepsMax = 20;
/** Longest path parameter the router accepts (ids are 30 characters; this leaves room, not abuse). */
export const pathParamLengthMax = 200;
/** Longest X-Request-Id a client may send (shorter than 8 or longer is replaced by our own). */
export const requestIdLengthMax = 64;
/** Largest audit page one back-office query returns, and its default. */
export const auditPageLimitMax = 100;
export const auditPageLimitDefault = 50;
/** Longest WebAuthn user handle (64 bytes, base64url) and transport name, and most transports listed. */
export const passkeyUserHandleLengthMax = 128;
export const passkeyTransportLengthMax = 32;
export const passkeyTransportsMax = 8;
/** Most client extension results a passkey response may carry. */
export const passkeyExtensionResultsMax = 16;
/** Longest audit subject kind and id a back-office audit query may filter on. */
export const auditSubjectKindLengthMax = 40;
export const auditSubjectIdLengthMax = 100;
/** Longest sign-in interaction uid in a login page URL (the authorization server issues shorter ones). */
export const loginInteractionUidLengthMax = 64;
/** Clock skew allowed when checking an access token's `exp`, `nbf` and `iat` (between our own hosts). */
export const tokenClockToleranceS = 5;
/**
 * Most files the served web app build may hold (platform/web-app.ts reads them all at start-up).
 * An Expo web export has a few dozen; raising it costs start-up time and memory.
 */
export const webAppFilesMax = 2_000;
/** Largest total size of the web app build held in memory (plus its gzip copies); costs memory per process. */
export const webAppBytesMax = 64 * 1024 * 1024;
/** How long browsers keep the hashed (content-addressed) files of the web build: a year, as immutable. */
export const webAppImmutableMaxAgeS = 365 * 24 * 60 * 60;
/** How long the association files may be cached (Apple's and Google's fetchers re-read them). */
export const appAssociationMaxAgeS = 60 * 60;

/**
 * Fraud scoring (risk/, docs/adr/0130, 0133). The all-time amount statistics come from the
 * customer's risk_profiles row; the windows (1 h to 30 days) read at most this many of the
 * customer's lines of the last 30 days: one index range scan, a few dozen rows for an ordinary
 * customer. A customer with more lines than this in 30 days is scored on the latest 1,000, which
 * already reads as heavy use.
 */
export const riskHistoryRowsMax = 1_000;
/** The payee's payers in the last 7 days are counted over at most this many of its rows (a utility's IBAN gets thousands). */
export const riskFanInRowsMax = 1_000;
/** The explicit rules' score at which a transfer is declined: takeover_pattern (0.9) alone reaches it. */
export const riskRulesDeclineScoreMin = 0.9;
/** The rules' score at which a transfer needs a passkey approval: two medium rules together (e.g. 0.3 and 0.4 give 0.58). */
export const riskRulesStepUpScoreMin = 0.5;
/** Reasons kept per decision: the model's strongest contributions, each a short sentence. */
export const riskReasonsMax = 3;
/** Decisions stored per INSERT (risk/decisions-repository.ts), and such INSERTs at once. */
export const riskDecisionBatchSizeMax = 256;
export const riskDecisionsInFlightMax = 2;
/**
 * Transfers whose fraud features one statement reads (risk/features-repository.ts), and such reads
 * at once: a group of 64 costs PostgreSQL about a third of 64 single reads (docs/adr/0134), and four
 * groups keep checks flowing while one waits on a slow customer's history.
 */
export const riskFeatureBatchSizeMax = 64;
export const riskFeatureReadsInFlightMax = 4;
/** The largest model artifact read at start (the committed one is about 15 kB). */
export const fraudModelBytesMax = 4 * 1024 * 1024;
/** Reviewed decisions read per query by the labels export (`./ng backoffice fraud-labels`). */
export const fraudLabelsBatchSize = 1_000;
