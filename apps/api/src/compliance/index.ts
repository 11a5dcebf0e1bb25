/**
 * Compliance: KYC onboarding and screening, the limits every outgoing payment reserves against
 * (ADR 0086), GDPR export and erasure; their customer routes and back-office routes. Other modules
 * use the services' functions.
 */

export { complianceApprovalExecutors } from './approval-executors.ts';
export {
  createGdprService,
  type ErasureOutcome,
  type ExportSection,
  type GdprService,
  type PersonalDataExport,
  personalDataSections,
} from './gdpr.ts';
export { gdprBackofficeRoutes, gdprRoutes } from './gdpr-routes.ts';
export { createKycService, type KycService, type KycSubmission } from './kyc.ts';
export { kycBackofficeRoutes, kycRoutes } from './kyc-routes.ts';
export {
  createLimitsService,
  isKycTier,
  type KycTier,
  type LimitsService,
  type OutgoingPayment,
} from './limits.ts';
export type { ReservationItem, ReservationResult } from './limits-repository.ts';
export { limitsBackofficeRoutes, limitsRoutes } from './limits-routes.ts';
