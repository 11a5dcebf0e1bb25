import { Type } from 'typebox';
import {
  passkeyExtensionResultsMax,
  passkeyNameLengthMax,
  passkeyTransportLengthMax,
  passkeyTransportsMax,
  passkeyUserHandleLengthMax,
  webauthnCredentialIdLengthMax,
  webauthnFieldLengthMax,
} from '../platform/constants.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import { NullableTimestamp, printableTextPattern, StringEnum, Timestamp } from '../platform/schemas.ts';
import type { PasskeyAssertion } from './passkeys.ts';

/**
 * The WebAuthn JSON shapes (W3C WebAuthn Level 3 `toJSON()`, as @simplewebauthn/browser and the
 * platform passkey APIs produce them) and the passkey resources of the API. Binary fields are
 * base64url. Inside `response` and `clientExtensionResults` unknown members are tolerated:
 * browsers add fields there over time, and the verifier reads only what it knows.
 */
const base64Url = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_-]+$', ...(description ? { description } : {}) });

const credentialId = base64Url(webauthnCredentialIdLengthMax, 'The credential id, base64url');
const field = (description: string) => base64Url(webauthnFieldLengthMax, description);
const extensionResults = Type.Record(Type.String(), Type.Unknown(), { maxProperties: passkeyExtensionResultsMax });
const authenticatorAttachment = Type.Optional(StringEnum(['platform', 'cross-platform']));

/** A WebAuthn assertion (AuthenticationResponseJSON): the answer to sign-in or step-up options. */
export const PasskeyAssertionSchema = Type.Object(
  {
    id: credentialId,
    rawId: credentialId,
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: field('Client data the browser or app signed over'),
        authenticatorData: field('Authenticator data'),
        signature: field('The signature over authenticatorData and the client data hash'),
        userHandle: Type.Optional(Type.String({ maxLength: passkeyUserHandleLengthMax, pattern: '^[A-Za-z0-9_-]*$' })),
      },
      { additionalProperties: true },
    ),
    clientExtensionResults: extensionResults,
    authenticatorAttachment,
  },
  { additionalProperties: false, description: 'WebAuthn AuthenticationResponseJSON' },
);

/** A WebAuthn attestation (RegistrationResponseJSON): the answer to registration options. */
export const PasskeyAttestationSchema = Type.Object(
  {
    id: credentialId,
    rawId: credentialId,
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: field('Client data the browser or app signed over'),
        attestationObject: field('The CBOR attestation object'),
        transports: Type.Optional(
          Type.Array(Type.String({ maxLength: passkeyTransportLengthMax, pattern: '^[a-z-]+$' }), {
            maxItems: passkeyTransportsMax,
          }),
        ),
      },
      { additionalProperties: true },
    ),
    clientExtensionResults: extensionResults,
    authenticatorAttachment,
  },
  { additionalProperties: false, description: 'WebAuthn RegistrationResponseJSON' },
);

const credentialDescriptor = Type.Object(
  {
    id: Type.String(),
    type: Type.Literal('public-key'),
    transports: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

/** PublicKeyCredentialRequestOptionsJSON: pass to navigator.credentials.get({ publicKey }). */
export const PasskeyRequestOptionsSchema = Type.Object(
  {
    challenge: Type.String({ description: 'base64url' }),
    rpId: Type.String(),
    timeout: Type.Integer({ description: 'Milliseconds' }),
    userVerification: Type.Literal('required'),
    allowCredentials: Type.Array(credentialDescriptor, {
      description: 'Empty when any of your passkeys may answer (passwordless sign-in)',
    }),
  },
  { additionalProperties: false, description: 'WebAuthn PublicKeyCredentialRequestOptionsJSON' },
);

/** PublicKeyCredentialCreationOptionsJSON: pass to navigator.credentials.create({ publicKey }). */
export const PasskeyCreationOptionsSchema = Type.Object(
  {
    challenge: Type.String({ description: 'base64url' }),
    rp: Type.Object({ id: Type.String(), name: Type.String() }, { additionalProperties: false }),
    user: Type.Object(
      { id: Type.String(), name: Type.String(), displayName: Type.String() },
      { additionalProperties: false },
    ),
    pubKeyCredParams: Type.Array(
      Type.Object({ type: Type.Literal('public-key'), alg: Type.Integer() }, { additionalProperties: false }),
    ),
    timeout: Type.Optional(Type.Integer({ description: 'Milliseconds' })),
    attestation: Type.Optional(Type.String()),
    excludeCredentials: Type.Optional(
      Type.Array(
        Type.Object(
          { id: Type.String(), type: Type.String(), transports: Type.Optional(Type.Array(Type.String())) },
          { additionalProperties: false },
        ),
        { description: 'Passkeys you already have: the device will not create a second one for the same account' },
      ),
    ),
    authenticatorSelection: Type.Optional(
      Type.Object(
        {
          authenticatorAttachment: Type.Optional(Type.String()),
          residentKey: Type.Optional(Type.String()),
          requireResidentKey: Type.Optional(Type.Boolean()),
          userVerification: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    extensions: Type.Optional(
      Type.Object({ credProps: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
    ),
    hints: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false, description: 'WebAuthn PublicKeyCredentialCreationOptionsJSON' },
);

export const PasskeyName = Type.String({
  minLength: 1,
  maxLength: passkeyNameLengthMax,
  pattern: printableTextPattern,
  example: 'My phone',
});

/** A passkey as the customer sees it: never the public key or the raw credential id. */
export const PasskeySchema = Type.Object(
  {
    id: Type.String({ pattern: idSchemaPattern('passkey'), example: 'pky_01jf8x3m5n6p7q8r9s0t1v2w3x' }),
    name: Type.String(),
    createdAt: Timestamp,
    lastUsedAt: NullableTimestamp,
    backedUp: Type.Boolean({ description: 'Synced to the customer’s cloud keychain (a multi-device passkey)' }),
    deviceType: StringEnum(['singleDevice', 'multiDevice']),
    transports: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);

// ---- Step-up (identity/step-up.ts) -------------------------------------------------------------

/** The challenge a `step_up_required` problem carries; the client signs `publicKey` with a passkey. */
export const StepUpChallengeSchema = Type.Object(
  {
    challengeId: Type.String({ pattern: idSchemaPattern('stepUpChallenge') }),
    purpose: StringEnum(['payment', 'reveal_account', 'add_passkey']),
    expiresAt: Timestamp,
    publicKey: PasskeyRequestOptionsSchema,
  },
  { additionalProperties: false },
);

/** What a client resubmits after approving: the challenge id and the passkey's assertion. */
export const StepUpProofSchema = Type.Object(
  {
    challengeId: Type.String({ pattern: idSchemaPattern('stepUpChallenge') }),
    assertion: PasskeyAssertionSchema,
  },
  { additionalProperties: false },
);

/** The body of a call that may need an approval: empty the first time, the approval the second. */
export const StepUpBody = Type.Unsafe<{ stepUp?: { challengeId: string; assertion: PasskeyAssertion } } | null>({
  type: ['object', 'null'],
  properties: { stepUp: StepUpProofSchema },
  additionalProperties: false,
  description: 'Empty on the first call; `{ stepUp: { challengeId, assertion } }` after approving its challenge',
});
