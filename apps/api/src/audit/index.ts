export type { AuditDetailValue } from './chain.ts';
export { describeFinding } from './findings.ts';
export {
  ChainHeadConflict,
  type ChainHeadExport,
  type ExportedHeadsVerification,
} from './head-export.ts';
export { createLocalHeadStore, createS3HeadStore, type HeadStore } from './head-store.ts';
export { type AuditHeadSettings, auditHeadsFromConfig, type ExportedHead } from './heads.ts';
export {
  type AuditEvent,
  type AuditFinding,
  type AuditService,
  type AuditServiceDependencies,
  createAuditService,
} from './service.ts';
