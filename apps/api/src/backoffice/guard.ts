import type { FastifyRequest } from 'fastify';
import { backofficeClientId, requireOperator } from '../platform/auth.ts';
import type { Config } from '../platform/config.ts';
import { forbidden } from '../platform/errors.ts';
import type { OperatorsService } from './operators.ts';
import { type OperatorRole, roleScope } from './roles.ts';

/**
 * Who is acting in the back office. A named operator (opr_…) acts within the roles their token
 * carries and goes through four-eyes for sensitive actions; the shared automation client
 * (nextgen-backoffice) acts directly, and only where BACKOFFICE_AUTOMATION allows it.
 */
export interface BackofficeCaller {
  readonly operatorId: string;
  readonly automation: boolean;
}

export async function requireOperatorRole(
  request: FastifyRequest,
  guard: { readonly config: Pick<Config, 'backofficeAutomation'>; readonly operators: OperatorsService },
  role: OperatorRole,
): Promise<BackofficeCaller> {
  const principal = requireOperator(request);
  const refuse = async (code: string, detail: string) => {
    await guard.operators.recordRefusal(principal.clientId, { code, role });
    return forbidden(code, detail);
  };
  if (principal.clientId === backofficeClientId) {
    if (!guard.config.backofficeAutomation) {
      throw await refuse(
        'backoffice_automation_disabled',
        'The shared back-office client cannot act on this server. Sign in as a named operator.',
      );
    }
    return { operatorId: principal.clientId, automation: true };
  }
  if (!principal.scopes.has(roleScope(role))) {
    throw await refuse(
      'operator_role_missing',
      `This action needs the "${role}" back-office role. Ask an administrator to grant it, then get a new token.`,
    );
  }
  // Disabling an operator takes effect at once, not when their last token expires.
  if (!(await guard.operators.findActive(principal.clientId))) {
    throw await refuse('operator_disabled', 'This operator account is disabled. Contact a back-office administrator.');
  }
  return { operatorId: principal.clientId, automation: false };
}

/** Four-eyes decisions are personal: the shared automation client never approves or rejects. */
export async function requireApprover(
  request: FastifyRequest,
  guard: Parameters<typeof requireOperatorRole>[1],
): Promise<string> {
  const principal = requireOperator(request);
  if (principal.clientId === backofficeClientId) {
    await guard.operators.recordRefusal(principal.clientId, { code: 'operator_role_missing', role: 'approver' });
    throw forbidden('operator_role_missing', 'Only a named operator with the "approver" role decides requests.');
  }
  return (await requireOperatorRole(request, guard, 'approver')).operatorId;
}
