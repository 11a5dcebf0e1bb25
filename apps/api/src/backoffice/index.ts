/**
 * Back office: operators with roles (confidential OAuth clients), four-eyes approvals and the
 * /backoffice/v1 routes. Other modules use `createBackofficeService`'s functions.
 */
// What a domain module needs to build its own /backoffice/v1 routes: the role guard, approval answers.
export { approvalKeyOf, OptionalIdempotencyKeyHeaders, sendApproval } from './approval-http.ts';
export { type BackofficeCaller, requireOperatorRole } from './guard.ts';
export { isOperatorRole, type OperatorRole, operatorRoleScopes, operatorRoles } from './roles.ts';
export { backofficeRoutes } from './routes.ts';
export {
  Approval,
  BackofficeAccount,
  BankFreeze,
  Credit,
  CreditBody,
  security as backofficeSecurity,
} from './schemas.ts';
export { type BackofficeService, createBackofficeService } from './service.ts';
// For the authorization server (identity): operators' sign-ins are audited as back-office events.
export { auditOperatorSignIns } from './sign-ins.ts';
