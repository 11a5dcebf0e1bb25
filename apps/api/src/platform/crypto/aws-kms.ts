import {
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { kmsAttemptsMax, kmsRequestTimeoutMs } from '../constants.ts';
import { assert, DependencyUnavailable } from '../errors.ts';
import type { KeyContext, KeyManagement, WrappedDataKey } from './key-management.ts';

/**
 * AWS KMS adapter (production). The KEK is a KMS key that never leaves KMS: GenerateDataKey returns
 * a data key in clear and wrapped, Decrypt unwraps, ReEncrypt moves a wrapped key to the current
 * KMS key inside KMS. The context is KMS's encryption context, so CloudTrail logs which customer
 * each unwrap was for. Credentials come from the standard AWS chain (IRSA on EKS); tests pass them.
 * Throttling, 5xx and network failures are answered 503 (safe to retry); anything else (access
 * denied, a corrupt ciphertext) is an operating error that must page someone, so it is rethrown.
 */
export interface AwsKmsSettings {
  readonly keyId: string;
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

const retryableNames = new Set(['ThrottlingException', 'KMSInternalException', 'DependencyTimeoutException']);

function translate(error: unknown): unknown {
  const fault = (error as { $fault?: string }).$fault;
  const name = (error as { name?: string }).name ?? '';
  const networkCode = (error as { code?: string }).code;
  if (
    fault === 'server' ||
    retryableNames.has(name) ||
    name === 'TimeoutError' ||
    /^E[A-Z]+$/.test(networkCode ?? '')
  ) {
    return new DependencyUnavailable('kms', error);
  }
  return error;
}

/**
 * A KMS client with the platform's deadlines: at most kmsAttemptsMax attempts of kmsRequestTimeoutMs
 * each, so a slow KMS answers 503 in bounded time. Shared by data-key wrapping and audit-head signing.
 */
export function createKmsClient(settings: Omit<AwsKmsSettings, 'keyId'>): KMSClient {
  return new KMSClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: kmsAttemptsMax,
    requestHandler: { requestTimeout: kmsRequestTimeoutMs, connectionTimeout: kmsRequestTimeoutMs },
  });
}

export function createAwsKeyManagement(settings: AwsKmsSettings): KeyManagement {
  const client = createKmsClient(settings);
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw translate(error);
    }
  };
  let currentArn: Promise<string> | undefined;

  return {
    provider: 'aws',
    async generateDataKey(context) {
      const out = await call(() =>
        client.send(
          new GenerateDataKeyCommand({ KeyId: settings.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }),
        ),
      );
      assert(out.Plaintext && out.CiphertextBlob && out.KeyId, 'KMS GenerateDataKey returns key, blob and key id');
      return {
        plaintextKey: Buffer.from(out.Plaintext),
        wrappedKey: Buffer.from(out.CiphertextBlob),
        kekId: out.KeyId,
      };
    },
    async unwrapDataKey(key: WrappedDataKey, context: KeyContext) {
      const out = await call(() =>
        client.send(
          new DecryptCommand({ CiphertextBlob: key.wrappedKey, KeyId: key.kekId, EncryptionContext: { ...context } }),
        ),
      );
      assert(out.Plaintext, 'KMS Decrypt returns the plaintext');
      return Buffer.from(out.Plaintext);
    },
    async rewrapDataKey(key, context) {
      const out = await call(() =>
        client.send(
          new ReEncryptCommand({
            CiphertextBlob: key.wrappedKey,
            SourceKeyId: key.kekId,
            SourceEncryptionContext: { ...context },
            DestinationKeyId: settings.keyId,
            DestinationEncryptionContext: { ...context },
          }),
        ),
      );
      assert(out.CiphertextBlob && out.KeyId, 'KMS ReEncrypt returns blob and key id');
      return { wrappedKey: Buffer.from(out.CiphertextBlob), kekId: out.KeyId };
    },
    // KMS_KEY_ID may be an alias; wrapped keys record the key ARN, so compare ARNs.
    currentKekId() {
      currentArn ??= call(() => client.send(new DescribeKeyCommand({ KeyId: settings.keyId }))).then((out) => {
        assert(out.KeyMetadata?.Arn, 'KMS DescribeKey returns the key ARN');
        return out.KeyMetadata.Arn;
      });
      currentArn.catch(() => {
        currentArn = undefined;
      });
      return currentArn;
    },
  };
}
