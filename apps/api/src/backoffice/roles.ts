/**
 * Back-office roles, least privilege (docs/adr/0041-operators-as-confidential-clients.md). An
 * operator's roles become scopes `backoffice:<role>` in their access tokens; each route names the
 * one role it needs.
 * - support: read-only (accounts, audit trail)
 * - payments: request manual credits
 * - accounts: freeze accounts, request unfreezes
 * - compliance: request limit changes
 * - approver: approve or reject other operators' requests (four-eyes)
 * - customers: lock a customer's access, request unlocking or closing it (ADR 0105)
 * - fraud: review transfers the fraud checks held: approve or reject them (ADR 0131)
 */
export const operatorRoles = [
  'support',
  'payments',
  'accounts',
  'compliance',
  'approver',
  'customers',
  'fraud',
] as const;
export type OperatorRole = (typeof operatorRoles)[number];

export const roleScopePrefix = 'backoffice:';
export const roleScope = (role: OperatorRole) => `${roleScopePrefix}${role}`;
export const operatorRoleScopes: readonly string[] = operatorRoles.map(roleScope);

export function isOperatorRole(value: string): value is OperatorRole {
  return (operatorRoles as readonly string[]).includes(value);
}
