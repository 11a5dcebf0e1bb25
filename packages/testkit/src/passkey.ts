import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

/**
 * A software FIDO2 authenticator for tests: what a phone's secure enclave and its WebAuthn client
 * do, in code. It answers registration options (navigator.credentials.create) with a `none`
 * attestation and assertion options (navigator.credentials.get) with an ES256 signature, exactly as
 * the W3C WebAuthn Level 3 JSON encodings (RegistrationResponseJSON, AuthenticationResponseJSON).
 *
 * Each credential has its own P-256 key, a signature counter and the user handle it was created
 * for, so discoverable (usernameless) sign-in works. Every ceremony can be bent for negative tests:
 * another origin or RP id, no user verification, a counter set back (a cloned key), another challenge.
 */

/** The parts of PublicKeyCredentialCreationOptionsJSON an authenticator reads. */
export interface CreationOptionsJson {
  readonly challenge: string;
  readonly rp: { readonly id?: string; readonly name: string };
  readonly user: { readonly id: string; readonly name: string; readonly displayName: string };
  readonly pubKeyCredParams: readonly { readonly alg: number; readonly type: string }[];
  readonly excludeCredentials?: readonly { readonly id: string }[];
}

/** The parts of PublicKeyCredentialRequestOptionsJSON an authenticator reads. */
export interface RequestOptionsJson {
  readonly challenge: string;
  readonly rpId?: string;
  readonly allowCredentials?: readonly { readonly id: string }[];
}

export interface RegistrationResponseJson {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; attestationObject: string; transports: string[] };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment: 'platform';
}

export interface AuthenticationResponseJson {
  id: string;
  rawId: string;
  type: 'public-key';
  response: { clientDataJSON: string; authenticatorData: string; signature: string; userHandle: string };
  clientExtensionResults: Record<string, unknown>;
  authenticatorAttachment: 'platform';
}

/** Ways to bend one ceremony, for tests of what the server must refuse. */
export interface CeremonyOverrides {
  /** The origin written into clientDataJSON (default: the authenticator's origin). */
  readonly origin?: string;
  /** The RP id hashed into authenticatorData (default: the options' RP id). */
  readonly rpId?: string;
  /** Clear the UV flag, as a device that did not check biometrics or PIN would. */
  readonly userVerified?: boolean;
  /** Sign this challenge instead of the options' one. */
  readonly challenge?: string;
  /** Use this credential (by id) even if the options do not list it. */
  readonly credentialId?: string;
  /** Report this counter instead of the next one (e.g. a cloned authenticator's stale counter). */
  readonly counter?: number;
  /** The clientDataJSON type (default webauthn.create / webauthn.get). */
  readonly type?: string;
}

export interface SoftwareAuthenticatorOptions {
  /** The caller's origin, as a browser or app reports it (e.g. http://localhost:3000). */
  readonly origin: string;
  /** Counter added per signature; 0 imitates synced passkeys, which do not count. Default 1. */
  readonly counterStep?: number;
  /** Sets the backup-eligible and backed-up flags (a synced, multi-device passkey). Default false. */
  readonly backedUp?: boolean;
}

interface StoredCredential {
  readonly id: Buffer;
  readonly rpId: string;
  readonly userHandle: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  counter: number;
}

// ---- Minimal CBOR (RFC 8949): the types a `none` attestation and a COSE key need -------------

type CborValue = number | string | Buffer | Map<CborValue, CborValue> | readonly CborValue[];

function cborHead(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length]);
  if (length < 0x100) return Buffer.from([(major << 5) | 24, length]);
  if (length < 0x10000) return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff]);
  const head = Buffer.alloc(5);
  head[0] = (major << 5) | 26;
  head.writeUInt32BE(length, 1);
  return head;
}

export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('CBOR: only integers are supported');
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([cborHead(2, value.length), value]);
  if (value instanceof Map) {
    const parts = [cborHead(5, value.size)];
    for (const [key, item] of value) parts.push(encodeCbor(key), encodeCbor(item));
    return Buffer.concat(parts);
  }
  return Buffer.concat([cborHead(4, value.length), ...value.map(encodeCbor)]);
}

// ---- The authenticator -------------------------------------------------------------------------

const flagUserPresent = 0x01;
const flagUserVerified = 0x04;
const flagBackupEligible = 0x08;
const flagBackedUp = 0x10;
const flagAttestedCredential = 0x40;
const coseAlgEs256 = -7;
/** AAGUID of "no particular model": software authenticators report all zeros. */
const aaguid = Buffer.alloc(16);

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

function coseKeyOf(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  return encodeCbor(
    new Map<CborValue, CborValue>([
      [1, 2], // kty: EC2
      [3, coseAlgEs256], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(String(jwk.x), 'base64url')],
      [-3, Buffer.from(String(jwk.y), 'base64url')],
    ]),
  );
}

function clientData(type: string, challenge: string, origin: string): Buffer {
  return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
}

export function createSoftwareAuthenticator(options: SoftwareAuthenticatorOptions) {
  const credentials: StoredCredential[] = [];
  const counterStep = options.counterStep ?? 1;
  const backupFlags = options.backedUp ? flagBackupEligible | flagBackedUp : 0;

  function flagsFor(overrides: CeremonyOverrides, extra: number): number {
    const verified = overrides.userVerified ?? true;
    return flagUserPresent | (verified ? flagUserVerified : 0) | backupFlags | extra;
  }

  function authenticatorData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const counterBytes = Buffer.alloc(4);
    counterBytes.writeUInt32BE(counter, 0);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counterBytes, ...(attested ? [attested] : [])]);
  }

  /** navigator.credentials.create(): a new P-256 credential for the options' RP and user. */
  function createCredential(
    creation: CreationOptionsJson,
    overrides: CeremonyOverrides = {},
  ): RegistrationResponseJson {
    if (!creation.pubKeyCredParams.some((p) => p.alg === coseAlgEs256)) throw new Error('the RP does not accept ES256');
    const rpId = creation.rp.id ?? new URL(options.origin).hostname;
    const excluded = new Set((creation.excludeCredentials ?? []).map((c) => c.id));
    if (credentials.some((c) => c.rpId === rpId && excluded.has(c.id.toString('base64url')))) {
      throw new Error('InvalidStateError: this authenticator already holds a credential for this account');
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(32);
    const credential: StoredCredential = { id, rpId, userHandle: creation.user.id, privateKey, publicKey, counter: 0 };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length, 0);
    const attested = Buffer.concat([aaguid, idLength, id, coseKeyOf(publicKey)]);
    const authData = authenticatorData(
      overrides.rpId ?? rpId,
      flagsFor(overrides, flagAttestedCredential),
      overrides.counter ?? credential.counter,
      attested,
    );
    const attestationObject = encodeCbor(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    credentials.push(credential);
    const type = overrides.type ?? 'webauthn.create';
    return {
      id: id.toString('base64url'),
      rawId: id.toString('base64url'),
      type: 'public-key',
      response: {
        clientDataJSON: clientData(
          type,
          overrides.challenge ?? creation.challenge,
          overrides.origin ?? options.origin,
        ).toString('base64url'),
        attestationObject: attestationObject.toString('base64url'),
        transports: ['internal', 'hybrid'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  function pickCredential(request: RequestOptionsJson, rpId: string, overrides: CeremonyOverrides): StoredCredential {
    const wanted = overrides.credentialId;
    if (wanted) {
      const found = credentials.find((c) => c.id.toString('base64url') === wanted);
      if (!found) throw new Error('NotAllowedError: no such credential on this authenticator');
      return found;
    }
    const allowed = new Set((request.allowCredentials ?? []).map((c) => c.id));
    // An empty allow list asks for a discoverable credential: the newest one for the RP answers.
    const candidates = credentials.filter(
      (c) => c.rpId === rpId && (allowed.size === 0 || allowed.has(c.id.toString('base64url'))),
    );
    const chosen = candidates.at(-1);
    if (!chosen) throw new Error('NotAllowedError: no credential for this request on this authenticator');
    return chosen;
  }

  /** navigator.credentials.get(): signs authenticatorData || SHA-256(clientDataJSON) with ES256. */
  function getAssertion(request: RequestOptionsJson, overrides: CeremonyOverrides = {}): AuthenticationResponseJson {
    const rpId = request.rpId ?? new URL(options.origin).hostname;
    const credential = pickCredential(request, rpId, overrides);
    credential.counter += counterStep;
    const authData = authenticatorData(
      overrides.rpId ?? rpId,
      flagsFor(overrides, 0),
      overrides.counter ?? credential.counter,
    );
    const type = overrides.type ?? 'webauthn.get';
    const data = clientData(type, overrides.challenge ?? request.challenge, overrides.origin ?? options.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(data)]), credential.privateKey);
    return {
      id: credential.id.toString('base64url'),
      rawId: credential.id.toString('base64url'),
      type: 'public-key',
      response: {
        clientDataJSON: data.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  return {
    createCredential,
    getAssertion,
    /** The credential ids this authenticator holds, oldest first (base64url). */
    credentialIds: () => credentials.map((c) => c.id.toString('base64url')),
    /** Sets a credential's counter, e.g. back to an earlier value to imitate a cloned key. */
    setCounter(credentialId: string, counter: number) {
      const credential = credentials.find((c) => c.id.toString('base64url') === credentialId);
      if (!credential) throw new Error('no such credential');
      credential.counter = counter;
    },
  };
}

export type SoftwareAuthenticator = ReturnType<typeof createSoftwareAuthenticator>;
