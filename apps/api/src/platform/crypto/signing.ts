import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetPublicKeyCommand, KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { assert } from '../errors.ts';
import { createKmsClient } from './aws-kms.ts';

/**
 * Signing keys for statements the bank publishes about itself (today: the audit chain heads of
 * docs/adr/0055-signed-audit-chain-heads.md). ES256 only: ECDSA over P-256 with SHA-256, the
 * signature DER-encoded, as AWS KMS returns it and `openssl dgst -sha256 -verify` reads it.
 *
 * Two implementations, the pattern of the data-key KMS (key-management.ts): AWS KMS in production
 * (an asymmetric ECC_NIST_P256 SIGN_VERIFY key; the private key never leaves KMS) and a local key
 * file for development. Verification never trusts a key id it is handed: a signature checks only
 * against the one key this deployment signs with, so a head signed with an attacker's own key
 * (and naming it) is refused.
 */
export interface Signature {
  readonly algorithm: 'ES256';
  /** `local/<thumbprint>` or the AWS KMS key ARN. */
  readonly keyId: string;
  readonly signature: Buffer;
}

export interface SigningKey {
  readonly provider: 'local' | 'aws';
  /** The id recorded with each signature, known before signing so it can be part of the signed bytes. */
  keyId(): Promise<string>;
  sign(message: Buffer): Promise<Signature>;
  /** True only for a valid signature over `message` by this deployment's key under its own id. */
  verify(message: Buffer, signature: Signature): Promise<boolean>;
  /** The public key (PEM, SubjectPublicKeyInfo), for auditors who check signatures without this code. */
  publicKeyPem(): Promise<string>;
}

interface LocalKeyFile {
  readonly format: 'nextgen-signing-key/1';
  readonly privateJwk: Record<string, unknown>;
}

const derVerify = (publicKey: KeyObject, message: Buffer, signature: Buffer) =>
  verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, signature);

const thumbprintOf = (publicKey: KeyObject) =>
  createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url')
    .slice(0, 16);

/** A P-256 private key from 32 bytes (ECDH computes the public point node needs in a JWK). */
function p256FromScalar(scalar: Buffer): KeyObject {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalar);
  const point = ecdh.getPublicKey();
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: scalar.toString('base64url'),
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33, 65).toString('base64url'),
    },
    format: 'jwk',
  });
}

/** A fixed key from a public string, for NG_ENV=test only: test processes agree on it; it protects nothing. */
const publicTestKey = () => p256FromScalar(createHash('sha256').update('nextgen public test signing key').digest());

async function loadOrCreateKeyFile(file: string): Promise<KeyObject> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as LocalKeyFile;
    if (parsed.format !== 'nextgen-signing-key/1') throw new Error(`${file} is not a NextGen signing key file`);
    return createPrivateKey({ key: parsed.privateJwk as never, format: 'jwk' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const created = p256FromScalar(randomScalar());
  const content: LocalKeyFile = { format: 'nextgen-signing-key/1', privateJwk: created.export({ format: 'jwk' }) };
  await mkdir(path.dirname(file), { recursive: true });
  // Through a temporary file and a rename, so a crash never leaves half a key file.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content, null, 2), { mode: 0o600 });
  await rename(temporary, file);
  return created;
}

function randomScalar(): Buffer {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return ecdh.getPrivateKey();
}

/** `file` undefined means the public test key (only ever passed under NG_ENV=test). */
export function createLocalSigningKey(file: string | undefined): SigningKey {
  let loaded: Promise<{ privateKey: KeyObject; publicKey: KeyObject; keyId: string }> | undefined;
  const key = () => {
    loaded ??= (file ? loadOrCreateKeyFile(file) : Promise.resolve(publicTestKey())).then((privateKey) => {
      const publicKey = createPublicKey(privateKey);
      return { privateKey, publicKey, keyId: `local/${thumbprintOf(publicKey)}` };
    });
    return loaded;
  };
  return {
    provider: 'local',
    keyId: async () => (await key()).keyId,
    async sign(message) {
      const { privateKey, keyId } = await key();
      return { algorithm: 'ES256', keyId, signature: sign('sha256', message, { key: privateKey, dsaEncoding: 'der' }) };
    },
    async verify(message, signature) {
      const { publicKey, keyId } = await key();
      return signature.algorithm === 'ES256' && signature.keyId === keyId && safeVerify(publicKey, message, signature);
    },
    publicKeyPem: async () => String((await key()).publicKey.export({ format: 'pem', type: 'spki' })),
  };
}

/** A malformed signature is a failed check, not a crash. */
function safeVerify(publicKey: KeyObject, message: Buffer, signature: Signature): boolean {
  try {
    return derVerify(publicKey, message, signature.signature);
  } catch {
    return false;
  }
}

export interface AwsSigningSettings {
  /** An asymmetric ECC_NIST_P256 SIGN_VERIFY key: id, ARN or alias. */
  readonly keyId: string;
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * AWS KMS signing (production): Sign with ECDSA_SHA_256 over the raw message; the public key is
 * fetched once (GetPublicKey) and signatures are checked locally, so verifying thousands of heads
 * costs one KMS call. The recorded key id is the key's ARN, whatever alias configured it.
 */
export function createAwsSigningKey(settings: AwsSigningSettings): SigningKey {
  const client = createKmsClient(settings);
  let described: Promise<{ arn: string; publicKey: KeyObject }> | undefined;
  const describe = () => {
    described ??= client.send(new GetPublicKeyCommand({ KeyId: settings.keyId })).then((out) => {
      assert(out.KeyId && out.PublicKey, 'KMS GetPublicKey returns the key ARN and public key');
      if (out.KeySpec !== 'ECC_NIST_P256' || out.KeyUsage !== 'SIGN_VERIFY') {
        throw new Error(`KMS key ${settings.keyId} must be an ECC_NIST_P256 SIGN_VERIFY key, it is ${out.KeySpec}`);
      }
      return {
        arn: out.KeyId,
        publicKey: createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' }),
      };
    });
    described.catch(() => {
      described = undefined;
    });
    return described;
  };
  return {
    provider: 'aws',
    keyId: async () => (await describe()).arn,
    async sign(message) {
      const { arn } = await describe();
      const out = await client.send(
        new SignCommand({ KeyId: arn, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
      );
      assert(out.Signature && out.KeyId === arn, 'KMS Sign returns a signature by the key it was asked for');
      return { algorithm: 'ES256', keyId: arn, signature: Buffer.from(out.Signature) };
    },
    async verify(message, signature) {
      const { arn, publicKey } = await describe();
      return signature.algorithm === 'ES256' && signature.keyId === arn && safeVerify(publicKey, message, signature);
    },
    publicKeyPem: async () => String((await describe()).publicKey.export({ format: 'pem', type: 'spki' })),
  };
}

/**
 * The AWS credentials of the standard chain (environment, IRSA web identity on EKS, instance
 * role), resolved by the KMS client the project already depends on, for requests this code signs
 * itself (platform/s3.ts).
 */
export function awsDefaultCredentials(
  region: string,
): () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string | undefined }> {
  const client = new KMSClient({ region });
  return async () => {
    const resolved = await client.config.credentials();
    return {
      accessKeyId: resolved.accessKeyId,
      secretAccessKey: resolved.secretAccessKey,
      sessionToken: resolved.sessionToken,
    };
  };
}
