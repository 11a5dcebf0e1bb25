export type { AuditDetailValue } from './chain.ts';
export { type AuditEvent, type AuditFinding, type AuditService, createAuditService } from './service.ts';
