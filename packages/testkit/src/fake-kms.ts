import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
  sign,
  timingSafeEqual,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeHttpService } from './fake-http.ts';

/**
 * A fake AWS KMS for tests: an HTTP server speaking KMS's JSON 1.1 protocol (`X-Amz-Target:
 * TrentService.<Operation>`, `application/x-amz-json-1.1`, blobs as base64) for GenerateDataKey,
 * Encrypt, Decrypt, ReEncrypt and DescribeKey. Every request must carry a valid AWS Signature V4
 * for the fake's one access key, checked the way KMS does (canonical request, string to sign,
 * derived signing key); an unsigned or wrongly signed request is refused as KMS refuses it.
 *
 * Ciphertext blobs name their key and are AES-256-GCM under that key's material with the encryption
 * context as additional data, so a blob decrypts only with the same context, like real KMS.
 * `calls` records each operation, so tests can count KMS round trips.
 *
 * Asymmetric signing keys (createSigningKey: ECC_NIST_P256, SIGN_VERIFY) answer Sign
 * (ECDSA_SHA_256, RAW messages, DER signatures) and GetPublicKey (DER SubjectPublicKeyInfo).
 */
export interface FakeKms {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Creates a key (optionally under an alias); answers its ARN. */
  createKey(alias?: string): string;
  /** Creates an ECC_NIST_P256 SIGN_VERIFY key (optionally under an alias); answers its ARN. */
  createSigningKey(alias?: string): string;
  /** Points an existing alias at another key, as UpdateAlias does. */
  updateAlias(alias: string, arn: string): void;
  /** Operations received, in order, e.g. ['GenerateDataKey', 'Decrypt']. */
  readonly calls: string[];
  /** Requests refused for their signature. */
  readonly refusedSignatures: number;
  /** The next `count` requests answer 500 KMSInternalException (an outage). */
  failNext(count: number): void;
  close(): Promise<void>;
}

interface FakeKey {
  readonly arn: string;
  readonly keyId: string;
  readonly material: Buffer;
  /** The private key of an ECC_NIST_P256 signing key. */
  readonly signing?: KeyObject;
}

class KmsError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.type = type;
    this.status = status;
  }
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const contextBytes = (context: unknown) =>
  Buffer.from(
    JSON.stringify(Object.entries((context ?? {}) as Record<string, string>).sort(([a], [b]) => a.localeCompare(b))),
  );

/** Recomputes the request's SigV4 signature (AWS docs, "Create a signed AWS API request"). */
function verifySignature(request: IncomingMessage, body: Buffer, secretAccessKey: string, accessKeyId: string) {
  const authorization = String(request.headers.authorization ?? '');
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) throw new KmsError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const [, keyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  if (keyId !== accessKeyId)
    throw new KmsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date ?? '-')) throw new KmsError('InvalidSignatureException', 'Date mismatch');
  const headerNames = (signedHeaders ?? '').split(';');
  if (!headerNames.includes('host') || !headerNames.includes('x-amz-date')) {
    throw new KmsError('InvalidSignatureException', 'host and x-amz-date must be signed');
  }
  const canonicalHeaders = headerNames
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const [path, query = ''] = (request.url ?? '/').split('?');
  const canonicalRequest = [request.method, path, query, canonicalHeaders, signedHeaders, sha256Hex(body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${secretAccessKey}`, date ?? ''), region ?? ''), service ?? ''),
    'aws4_request',
  );
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature ?? '', 'hex'))) {
    throw new KmsError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
}

export async function startFakeKms(options: { region?: string } = {}): Promise<FakeKms> {
  const region = options.region ?? 'eu-central-1';
  const credentials = { accessKeyId: 'AKIAFAKEKMS0000TEST', secretAccessKey: randomBytes(30).toString('base64') };
  const keys = new Map<string, FakeKey>();
  const aliases = new Map<string, string>();
  const calls: string[] = [];
  let refusedSignatures = 0;
  let failures = 0;

  const findKey = (id: unknown): FakeKey => {
    const name = String(id ?? '');
    const arn = aliases.get(name) ?? name;
    const key = keys.get(arn) ?? [...keys.values()].find((k) => k.keyId === name);
    if (!key) throw new KmsError('NotFoundException', `Key '${name}' does not exist`);
    return key;
  };

  /** Blob: arn length (2) | arn | iv (12) | ciphertext | tag (16). */
  const seal = (key: FakeKey, plaintext: Buffer, context: unknown) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv);
    cipher.setAAD(contextBytes(context));
    const arn = Buffer.from(key.arn);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(arn.length);
    return Buffer.concat([length, arn, iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  };
  const open = (blobBase64: unknown, context: unknown, expectedKeyId: unknown) => {
    try {
      const blob = Buffer.from(String(blobBase64), 'base64');
      const arnLength = blob.readUInt16BE(0);
      const key = findKey(blob.subarray(2, 2 + arnLength).toString());
      if (expectedKeyId !== undefined && findKey(expectedKeyId).arn !== key.arn) {
        throw new KmsError(
          'IncorrectKeyException',
          'The key ID in the request does not identify the key that encrypted the ciphertext.',
        );
      }
      const rest = blob.subarray(2 + arnLength);
      const decipher = createDecipheriv('aes-256-gcm', key.material, rest.subarray(0, 12));
      decipher.setAAD(contextBytes(context));
      decipher.setAuthTag(rest.subarray(-16));
      return { key, plaintext: Buffer.concat([decipher.update(rest.subarray(12, -16)), decipher.final()]) };
    } catch (error) {
      if (error instanceof KmsError) throw error;
      throw new KmsError('InvalidCiphertextException', '');
    }
  };

  const operations: Record<string, (input: Record<string, unknown>) => Record<string, unknown>> = {
    GenerateDataKey(input) {
      const key = findKey(input.KeyId);
      if (input.KeySpec !== 'AES_256' && input.NumberOfBytes !== 32)
        throw new KmsError('ValidationException', 'KeySpec');
      const plaintext = randomBytes(32);
      const blob = seal(key, plaintext, input.EncryptionContext);
      return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), CiphertextBlob: blob.toString('base64') };
    },
    Encrypt(input) {
      const key = findKey(input.KeyId);
      const blob = seal(key, Buffer.from(String(input.Plaintext), 'base64'), input.EncryptionContext);
      return { KeyId: key.arn, CiphertextBlob: blob.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    Decrypt(input) {
      const { key, plaintext } = open(input.CiphertextBlob, input.EncryptionContext, input.KeyId);
      return { KeyId: key.arn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
    },
    ReEncrypt(input) {
      const { key: source, plaintext } = open(input.CiphertextBlob, input.SourceEncryptionContext, input.SourceKeyId);
      const destination = findKey(input.DestinationKeyId);
      const blob = seal(destination, plaintext, input.DestinationEncryptionContext);
      return { SourceKeyId: source.arn, KeyId: destination.arn, CiphertextBlob: blob.toString('base64') };
    },
    Sign(input) {
      const key = findKey(input.KeyId);
      if (!key.signing) throw new KmsError('InvalidKeyUsageException', 'The key is not a SIGN_VERIFY key');
      if (input.SigningAlgorithm !== 'ECDSA_SHA_256' || input.MessageType !== 'RAW') {
        throw new KmsError('ValidationException', 'this fake signs RAW messages with ECDSA_SHA_256 only');
      }
      const signature = sign('sha256', Buffer.from(String(input.Message), 'base64'), key.signing);
      return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: 'ECDSA_SHA_256' };
    },
    GetPublicKey(input) {
      const key = findKey(input.KeyId);
      if (!key.signing) throw new KmsError('UnsupportedOperationException', 'The key is symmetric');
      const der = createPublicKey(key.signing).export({ format: 'der', type: 'spki' });
      return {
        KeyId: key.arn,
        PublicKey: der.toString('base64'),
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
      };
    },
    DescribeKey(input) {
      const key = findKey(input.KeyId);
      return {
        KeyMetadata: {
          KeyId: key.keyId,
          Arn: key.arn,
          Enabled: true,
          KeyState: 'Enabled',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          CreationDate: 1_700_000_000,
        },
      };
    },
  };

  function handle(request: IncomingMessage, body: Buffer, response: ServerResponse) {
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(payload));
    };
    try {
      try {
        verifySignature(request, body, credentials.secretAccessKey, credentials.accessKeyId);
      } catch (error) {
        refusedSignatures += 1;
        throw error;
      }
      const target = /^TrentService\.(\w+)$/.exec(String(request.headers['x-amz-target'] ?? ''))?.[1] ?? '';
      const operation = operations[target];
      if (!operation) throw new KmsError('UnknownOperationException', `unknown target ${target}`);
      calls.push(target);
      if (failures > 0) {
        failures -= 1;
        throw new KmsError('KMSInternalException', 'simulated outage', 500);
      }
      send(200, operation(JSON.parse(body.toString() || '{}') as Record<string, unknown>));
    } catch (error) {
      const kmsError = error instanceof KmsError ? error : new KmsError('KMSInternalException', String(error), 500);
      send(kmsError.status, { __type: kmsError.type, message: kmsError.message });
    }
  }

  const service = await fakeHttpService(handle);
  return {
    endpoint: service.endpoint,
    region,
    credentials,
    createKey(alias) {
      const keyId = randomUUID();
      const arn = `arn:aws:kms:${region}:111122223333:key/${keyId}`;
      keys.set(arn, { arn, keyId, material: randomBytes(32) });
      if (alias) aliases.set(alias, arn);
      return arn;
    },
    createSigningKey(alias) {
      const keyId = randomUUID();
      const arn = `arn:aws:kms:${region}:111122223333:key/${keyId}`;
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      keys.set(arn, { arn, keyId, material: randomBytes(32), signing: privateKey });
      if (alias) aliases.set(alias, arn);
      return arn;
    },
    updateAlias(alias, arn) {
      aliases.set(alias, arn);
    },
    calls,
    get refusedSignatures() {
      return refusedSignatures;
    },
    failNext(count) {
      failures = count;
    },
    close: () => service.close(),
  };
}
