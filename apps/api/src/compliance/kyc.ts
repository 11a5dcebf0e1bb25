import type { AuditService } from '../audit/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { kycMinimumAgeYears } from '../platform/constants.ts';
import type { PersonalDataVault } from '../platform/crypto/vault.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { conflict, notFound, unprocessable } from '../platform/errors.ts';
import { newId } from '../platform/ids.ts';
import { maskName } from '../platform/masking.ts';
import { samePersonName } from '../platform/person-names.ts';
import { kycChanged } from '../platform/problems.ts';
import {
  type DocumentType,
  decide,
  findProfile,
  insertKycEvent,
  type KycProfileRow,
  type RejectionReason,
  recordScreening,
  upsertSubmission,
} from './kyc-repository.ts';
import { type KycTier, utcDay } from './limits.ts';
import { type Screening, type ScreeningSubject, unscreened } from './screening.ts';

/**
 * KYC onboarding (docs/adr/0034): a customer submits their identity document (pending); a
 * back-office operator verifies them with a tier, or rejects them with a reason code. Only a
 * verified customer moves money (compliance/limits.ts), within their tier's limits. The document's
 * details are envelope-encrypted under the customer's data key (platform/crypto) as one field, and
 * shown masked. Every step writes an outbox event carrying ids and codes only.
 */
export interface KycSubmission {
  readonly legalName: string;
  readonly documentType: DocumentType;
  readonly documentNumber: string;
  /** ISO 3166-1 alpha-2. */
  readonly issuingCountry: string;
  /** YYYY-MM-DD. */
  readonly expiresOn: string;
  /** YYYY-MM-DD. */
  readonly dateOfBirth: string;
  /** ISO 3166-1 alpha-2. */
  readonly nationality: string;
}

type DocumentDetails = Omit<KycSubmission, 'documentType'>;

/** The vault field the document details are encrypted under (its AAD: a ciphertext cannot move fields). */
const documentField = 'kyc.identity_document';

const documentPointer = (field: string) => `/body/${field}`;

/** Submission rules a schema cannot say: the document is still valid, the customer is an adult. */
function checkSubmission(submission: KycSubmission, today: string): void {
  if (submission.expiresOn <= today)
    throw unprocessable(
      'document_expired',
      'This identity document has expired. Submit a document that is still valid.',
      { errors: [{ pointer: documentPointer('expiresOn'), detail: 'must be after today' }] },
    );
  // YYYY-MM-DD strings compare as dates; the birthday's year moved on is the day they come of age.
  const birthYear = Number(submission.dateOfBirth.slice(0, 4));
  const comesOfAge = `${String(birthYear + kycMinimumAgeYears).padStart(4, '0')}${submission.dateOfBirth.slice(4)}`;
  if (comesOfAge > today)
    throw unprocessable(
      'underage',
      `You must be at least ${kycMinimumAgeYears} years old to bank with us. Check the date of birth you entered.`,
      {
        errors: [
          { pointer: documentPointer('dateOfBirth'), detail: `must be at least ${kycMinimumAgeYears} years ago` },
        ],
      },
    );
}

/** Last four characters shown, the rest starred (at least four stars, so the length does not show). */
const maskDocumentNumber = (value: string) => `****${value.slice(-4)}`;

function maskedDocument(type: DocumentType | null, details: DocumentDetails | undefined) {
  if (!type || !details) return null;
  return {
    type,
    legalName: maskName(details.legalName),
    number: maskDocumentNumber(details.documentNumber),
    issuingCountry: details.issuingCountry,
    nationality: details.nationality,
    expiresOn: details.expiresOn,
    // The year is enough to recognise it; the full date is personal data the screen does not need.
    dateOfBirth: `${details.dateOfBirth.slice(0, 4)}-**-**`,
  };
}

const subjectOf = (customerId: string, details: DocumentDetails): ScreeningSubject => ({
  customerId,
  legalName: details.legalName,
  dateOfBirth: details.dateOfBirth,
  nationality: details.nationality,
  documentIssuingCountry: details.issuingCountry,
});

const noProfile = () => notFound('kyc_profile_not_found', 'This customer has not submitted identity verification yet.');

/** The customer replaced their document after the operator (or the requester of an approval) looked at it. */
const submissionReplaced = () =>
  conflict(
    'kyc_submission_replaced',
    'The customer replaced their identity document since you reviewed it. Review the current submission and decide again.',
  );

const nameMismatch = () =>
  conflict(
    'kyc_name_mismatch',
    "The legal name on the document does not match the customer's profile name. Reject the verification with reason details_mismatch, or ask the customer to correct their name and submit again.",
  );

export function createKycService(
  deps: Pick<AppDependencies, 'db'>,
  modules: {
    vault: Pick<PersonalDataVault, 'encrypt' | 'decryptUnlessErased'>;
    audit: Pick<AuditService, 'record'>;
    /** The profile name the document's legal name is checked against. */
    identity: Pick<IdentityService, 'findCustomerById'>;
    screening?: Screening;
  },
) {
  const { db } = deps;
  const { vault, audit, identity } = modules;
  const screening = modules.screening ?? unscreened;

  async function detailsOf(row: KycProfileRow): Promise<DocumentDetails | undefined> {
    if (!row.document_ciphertext) return undefined;
    const plaintext = await vault.decryptUnlessErased(row.customer_id, documentField, row.document_ciphertext);
    return plaintext === undefined ? undefined : (JSON.parse(plaintext) as DocumentDetails);
  }

  /** What the customer sees: their status and the document masked; never the screening outcome. */
  async function customerView(row: KycProfileRow | undefined) {
    if (!row)
      return {
        submissionId: null,
        status: 'none' as const,
        tier: null,
        rejectionReason: null,
        submittedAt: null,
        decidedAt: null,
        document: null,
      };
    return {
      submissionId: row.submission_id as string | null,
      status: row.status,
      tier: row.tier,
      rejectionReason: row.rejection_reason,
      submittedAt: row.submitted_at?.toISOString() ?? null,
      decidedAt: row.decided_at?.toISOString() ?? null,
      document: maskedDocument(row.document_type, await detailsOf(row)),
    };
  }

  /**
   * Writes a verification or rejection with its outbox event and audit record in one transaction;
   * 409 kyc_changed when the profile left the expected status meanwhile (a concurrent decision).
   */
  async function commitDecision(
    decision: Omit<Parameters<typeof decide>[1], 'decidedBy'>,
    operator: string,
    effects: {
      topic: 'customer.kyc_verified' | 'customer.kyc_rejected';
      payload: Record<string, string | number>;
      action: 'kyc.verified' | 'kyc.rejected';
      details: Record<string, string | number | boolean>;
    },
  ): Promise<KycProfileRow> {
    const decided = await db.transaction(async (tx) => {
      const updated = await decide(tx, { ...decision, decidedBy: operator });
      if (updated) {
        await insertKycEvent(tx, effects.topic, effects.payload);
        await audit.record(tx, {
          action: effects.action,
          actor: { kind: 'operator', id: operator },
          subject: { kind: 'customer', id: decision.customerId },
          details: effects.details,
        });
      }
      return updated;
    });
    if (!decided) {
      const now = await findProfile(db, decision.customerId);
      if (now && now.submission_id !== decision.submissionId) throw submissionReplaced();
      throw kycChanged('deciding');
    }
    return decided;
  }

  /**
   * Whether the document's legal name is the profile's name (platform/person-names: case, accents,
   * titles and word order aside); null without a document (grandfathered) or after erasure.
   */
  async function legalNameMatchesProfile(row: KycProfileRow): Promise<boolean | null> {
    const details = await detailsOf(row);
    if (!details) return null;
    const profile = await identity.findCustomerById(row.customer_id);
    return profile ? samePersonName(details.legalName, profile.name) : null;
  }

  /** What the reviewing operator sees: the customer's view plus the screening outcome and who decided. */
  async function reviewView(row: KycProfileRow) {
    return {
      customerId: row.customer_id,
      ...(await customerView(row)),
      legalNameMatchesProfile: await legalNameMatchesProfile(row),
      decidedBy: row.decided_by,
      screening: row.screening_outcome
        ? {
            outcome: row.screening_outcome,
            reason: row.screening_reason ?? '',
            screenedAt: row.screened_at?.toISOString() ?? null,
          }
        : null,
    };
  }

  /**
   * The profile as the operator reviewed it, ready for a decision: 404 without one, 409
   * kyc_submission_replaced when the customer submitted another document since.
   */
  async function reviewedProfile(customerId: string, submissionId: string): Promise<KycProfileRow> {
    const row = await findProfile(db, customerId);
    if (!row) throw noProfile();
    if (row.submission_id !== submissionId) throw submissionReplaced();
    return row;
  }

  /** Refuses a verification the profile does not allow: rejected, or a legal name that is not the profile's. */
  async function checkVerifiable(row: KycProfileRow): Promise<void> {
    if (row.status === 'rejected')
      throw conflict('kyc_not_pending', 'This verification was rejected; the customer must submit again first.');
    if ((await legalNameMatchesProfile(row)) === false) throw nameMismatch();
  }

  /** Screens the profile's subject again at a decision, and records what it found. */
  async function screenAtDecision(row: KycProfileRow) {
    const details = await detailsOf(row);
    if (!details) return undefined;
    const result = await screening.screen(subjectOf(row.customer_id, details), 'decision');
    await recordScreening(db, row.customer_id, result);
    return result;
  }

  return {
    customerView: async (customerId: string) => customerView(await findProfile(db, customerId)),

    /**
     * The name a verification stands behind, for confirmation of payee (payments/payees.ts) and the
     * name-change rule (identity's PATCH /customers/me): the legal name on the verified document; for
     * a customer verified without one (grandfathered), the profile name, which no longer changes
     * freely once verified. Undefined when not verified, or erased.
     */
    async verifiedName(customerId: string): Promise<string | undefined> {
      const row = await findProfile(db, customerId);
      if (row?.status !== 'verified') return undefined;
      if (row.document_ciphertext) return (await detailsOf(row))?.legalName;
      return (await identity.findCustomerById(customerId))?.name;
    },

    /** PUT /api/v1/me/kyc: stores the document (encrypted), screens it, and queues it for review. */
    async submit(customerId: string, submission: KycSubmission, now = new Date()) {
      checkSubmission(submission, utcDay(now));
      const { documentType, ...details } = submission;
      const ciphertext = await vault.encrypt(customerId, documentField, JSON.stringify(details));
      const screened = await screening.screen(subjectOf(customerId, details), 'submission');
      const submissionId = newId('kycSubmission');
      const row = await db.transaction(async (tx) => {
        const stored = await upsertSubmission(tx, {
          customerId,
          submissionId,
          documentType,
          documentCiphertext: ciphertext,
          screening: screened,
        });
        if (stored) {
          await insertKycEvent(tx, 'customer.kyc_submitted', { customerId, submissionId });
          await audit.record(tx, {
            action: 'kyc.submitted',
            actor: { kind: 'customer', id: customerId },
            subject: { kind: 'customer', id: customerId },
            details: { submissionId, documentType, screening: screened.outcome },
          });
        }
        return stored;
      });
      if (!row) {
        const current = await findProfile(db, customerId);
        throw current?.status === 'verified'
          ? conflict('kyc_already_verified', 'Your identity is already verified; there is nothing to submit.')
          : conflict(
              'kyc_not_resubmittable',
              'We cannot accept a new identity verification for you. Contact support for help.',
            );
      }
      return customerView(row);
    },

    /**
     * GDPR export (compliance/gdpr*): the customer's KYC record with the document in full, decrypted;
     * null when they never submitted. The screening outcome is left out (no tipping-off, AML rules).
     */
    async exportPersonalData(customerId: string) {
      const row = await findProfile(db, customerId);
      if (!row) return null;
      const { document: _masked, ...view } = await customerView(row);
      const details = await detailsOf(row);
      return { ...view, document: details && row.document_type ? { type: row.document_type, ...details } : null };
    },

    /** Back office: one profile with its screening outcome. */
    async review(customerId: string) {
      const row = await findProfile(db, customerId);
      if (!row) throw noProfile();
      return reviewView(row);
    },

    /**
     * Back office, before a four-eyes request: the checks verify makes (short of screening), so an
     * approval is never asked for a submission that is gone or a name that does not match.
     */
    async checkVerifiable(customerId: string, submissionId: string) {
      await checkVerifiable(await reviewedProfile(customerId, submissionId));
    },

    /**
     * Back office: verifies a pending customer with a tier (or moves a verified one to another tier),
     * deciding the submission the operator reviewed (`submissionId`; 409 kyc_submission_replaced when
     * the customer replaced it since). The document's legal name must be the profile's name (409
     * kyc_name_mismatch). Screening runs again first; a `match` refuses it (409 screening_match).
     */
    async verify(customerId: string, input: { tier: KycTier; operator: string; submissionId: string }) {
      const row = await reviewedProfile(customerId, input.submissionId);
      await checkVerifiable(row);
      const screened = await screenAtDecision(row);
      if (screened?.outcome === 'match')
        throw conflict(
          'screening_match',
          'Screening found a match for this customer, so they cannot be verified. Review the match and reject the verification.',
        );
      const decided = await commitDecision(
        {
          customerId,
          submissionId: row.submission_id,
          from: [row.status],
          status: 'verified',
          tier: input.tier,
          rejectionReason: null,
        },
        input.operator,
        {
          topic: 'customer.kyc_verified',
          payload: { customerId, tier: input.tier },
          action: 'kyc.verified',
          details: {
            submissionId: row.submission_id,
            tier: input.tier,
            from: row.status,
            screening: screened?.outcome ?? 'no_document',
          },
        },
      );
      return reviewView(decided);
    },

    /** Back office: rejects the pending submission the operator reviewed, with a reason code the customer sees. */
    async reject(customerId: string, input: { reason: RejectionReason; operator: string; submissionId: string }) {
      const row = await reviewedProfile(customerId, input.submissionId);
      if (row.status !== 'pending')
        throw conflict(
          'kyc_not_pending',
          `This verification is ${row.status}, not pending; only pending ones are rejected.`,
        );
      await screenAtDecision(row);
      const decided = await commitDecision(
        {
          customerId,
          submissionId: row.submission_id,
          from: ['pending'],
          status: 'rejected',
          tier: null,
          rejectionReason: input.reason,
        },
        input.operator,
        {
          topic: 'customer.kyc_rejected',
          payload: { customerId, reason: input.reason },
          action: 'kyc.rejected',
          details: { submissionId: row.submission_id, reason: input.reason },
        },
      );
      return reviewView(decided);
    },
  };
}

export type KycService = ReturnType<typeof createKycService>;
