import type { Queryable } from '../platform/database.ts';
import { newId } from '../platform/ids.ts';
import { insertOutboxEvent } from '../platform/outbox.ts';

/** The KYC module's SQL: kyc_profiles (migration 0044) and its outbox events. */
export type KycStatus = 'pending' | 'verified' | 'rejected';
export type DocumentType = 'passport' | 'national_id' | 'driving_licence' | 'residence_permit';
export type RejectionReason =
  | 'document_expired'
  | 'document_unreadable'
  | 'details_mismatch'
  | 'underage'
  | 'not_eligible';
export type ScreeningOutcomeColumn = 'clear' | 'potential_match' | 'match';

export interface KycProfileRow {
  customer_id: string;
  /** The submission the profile holds now (kys_…): a decision names the one the operator reviewed. */
  submission_id: string;
  status: KycStatus;
  tier: number | null;
  document_type: DocumentType | null;
  document_ciphertext: string | null;
  rejection_reason: RejectionReason | null;
  screening_outcome: ScreeningOutcomeColumn | null;
  screening_reason: string | null;
  screened_at: Date | null;
  submitted_at: Date | null;
  decided_at: Date | null;
  decided_by: string | null;
}

const columns = `customer_id, submission_id, status, tier, document_type, document_ciphertext, rejection_reason, screening_outcome,
  screening_reason, screened_at, submitted_at, decided_at, decided_by`;

export async function findProfile(db: Queryable, customerId: string): Promise<KycProfileRow | undefined> {
  const { rows } = await db.query<KycProfileRow>(`SELECT ${columns} FROM kyc_profiles WHERE customer_id = $1`, [
    customerId,
  ]);
  return rows[0];
}

/**
 * Stores a submission as pending, unless the profile is verified or finally rejected meanwhile
 * (`resubmittable` is checked in the same statement, so a decision racing it wins). Undefined when refused.
 */
export async function upsertSubmission(
  db: Queryable,
  submission: {
    customerId: string;
    submissionId: string;
    documentType: DocumentType;
    documentCiphertext: string;
    screening: { outcome: ScreeningOutcomeColumn; reason: string };
  },
): Promise<KycProfileRow | undefined> {
  const { rows } = await db.query<KycProfileRow>(
    `INSERT INTO kyc_profiles AS p (customer_id, submission_id, status, document_type, document_ciphertext,
       screening_outcome, screening_reason, screened_at, submitted_at)
     VALUES ($1, $6, 'pending', $2, $3, $4, $5, now(), now())
     ON CONFLICT (customer_id) DO UPDATE SET submission_id = excluded.submission_id, status = 'pending', tier = NULL,
       rejection_reason = NULL,
       document_type = excluded.document_type, document_ciphertext = excluded.document_ciphertext,
       screening_outcome = excluded.screening_outcome, screening_reason = excluded.screening_reason,
       screened_at = excluded.screened_at, submitted_at = excluded.submitted_at, decided_at = NULL, decided_by = NULL,
       updated_at = now()
     WHERE p.status = 'pending' OR (p.status = 'rejected' AND p.rejection_reason <> 'not_eligible')
     RETURNING ${columns}`,
    [
      submission.customerId,
      submission.documentType,
      submission.documentCiphertext,
      submission.screening.outcome,
      submission.screening.reason,
      submission.submissionId,
    ],
  );
  return rows[0];
}

/** Records a screening outcome found at a decision, whether or not the decision goes through. */
export async function recordScreening(
  db: Queryable,
  customerId: string,
  screening: { outcome: ScreeningOutcomeColumn; reason: string },
): Promise<void> {
  await db.query(
    `UPDATE kyc_profiles SET screening_outcome = $2, screening_reason = $3, screened_at = now(), updated_at = now()
     WHERE customer_id = $1`,
    [customerId, screening.outcome, screening.reason],
  );
}

/**
 * Decides a profile that is in one of `from` states and still holds `submissionId` (what the
 * operator saw): undefined when another decision or a resubmission got there first.
 */
export async function decide(
  db: Queryable,
  decision: {
    customerId: string;
    submissionId: string;
    from: readonly KycStatus[];
    status: 'verified' | 'rejected';
    tier: number | null;
    rejectionReason: RejectionReason | null;
    decidedBy: string;
  },
): Promise<KycProfileRow | undefined> {
  const { rows } = await db.query<KycProfileRow>(
    `UPDATE kyc_profiles SET status = $2, tier = $3, rejection_reason = $4, decided_at = now(), decided_by = $5,
       updated_at = now()
     WHERE customer_id = $1 AND status = ANY($6::text[]) AND submission_id = $7
     RETURNING ${columns}`,
    [
      decision.customerId,
      decision.status,
      decision.tier,
      decision.rejectionReason,
      decision.decidedBy,
      decision.from,
      decision.submissionId,
    ],
  );
  return rows[0];
}

/** An outbox event about a customer's KYC: ids, states and codes only, never personal data. */
export async function insertKycEvent(
  db: Queryable,
  topic: 'customer.kyc_submitted' | 'customer.kyc_verified' | 'customer.kyc_rejected',
  payload: Record<string, string | number>,
): Promise<void> {
  await insertOutboxEvent(db, { id: newId('outboxEvent'), topic, aggregateId: payload.customerId as string, payload });
}
