export type { AuditDetailValue } from './chain.ts';
export { describeFinding } from './findings.ts';
export { type AuditEvent, type AuditFinding, type AuditService, createAuditService } from './service.ts';
