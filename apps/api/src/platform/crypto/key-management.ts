/**
 * The key-management interface: the only code that sees a key-encryption key (KEK). Data keys are
 * generated here, leave wrapped (encrypted under the KEK) for storage, and come back unwrapped only
 * into the vault's short-lived memory cache. Two implementations: a local key file (development,
 * tests) and AWS KMS (production). The `context` is bound into every wrap (AWS "encryption
 * context", AES-GCM additional data locally), so a wrapped key copied to another customer's row
 * does not unwrap.
 */
export type KeyContext = Readonly<Record<string, string>>;

export interface WrappedDataKey {
  /** The data key encrypted under a KEK; opaque bytes. */
  readonly wrappedKey: Buffer;
  /** Which KEK wrapped it: `local/v<N>` or an AWS KMS key ARN. */
  readonly kekId: string;
}

export interface KeyManagement {
  readonly provider: 'local' | 'aws';
  /** A fresh random 256-bit data key, in clear (for immediate use) and wrapped (for storage). */
  generateDataKey(context: KeyContext): Promise<WrappedDataKey & { readonly plaintextKey: Buffer }>;
  unwrapDataKey(key: WrappedDataKey, context: KeyContext): Promise<Buffer>;
  /** Wraps the same data key under the current KEK (AWS: ReEncrypt, the key never leaves KMS in clear). */
  rewrapDataKey(key: WrappedDataKey, context: KeyContext): Promise<WrappedDataKey>;
  /** The KEK that wraps new keys; keys wrapped under any other need re-wrapping by `rotate-keys`. */
  currentKekId(): Promise<string>;
  /** Local only: creates a new KEK version and makes it current (AWS rotates key material itself). */
  createKekVersion?(): Promise<string>;
}

/** Canonical bytes of a context (sorted keys), for the local implementation's additional data. */
export function canonicalContext(context: KeyContext): string {
  return JSON.stringify(
    Object.keys(context)
      .sort()
      .map((name) => [name, context[name]]),
  );
}
