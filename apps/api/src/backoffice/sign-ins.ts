import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditService } from '../audit/index.ts';
import { backofficeClientId } from '../platform/auth.ts';
import { auditDetailLengthMax } from '../platform/constants.ts';
import { isId } from '../platform/ids.ts';

/**
 * Audits back-office sign-ins: every operator token the authorization server issues or refuses
 * (client credentials grant). The token endpoint emits these as events it does not wait for, so
 * the record is written right after the answer; a failure to write it is logged.
 */
const isBackofficeClient = (clientId: unknown): clientId is string =>
  typeof clientId === 'string' && (clientId === backofficeClientId || isId('operator', clientId));

const clientCredentials = (ctx: KoaContextWithOIDC) => ctx.oidc?.params?.grant_type === 'client_credentials';

export function auditOperatorSignIns(
  provider: Provider,
  audit: Pick<AuditService, 'recordNow'>,
  onError: (error: unknown) => void,
): void {
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const clientId = ctx.oidc.client?.clientId;
    if (!clientCredentials(ctx) || !isBackofficeClient(clientId)) return;
    const scope = String(ctx.oidc.params?.scope ?? '').slice(0, auditDetailLengthMax);
    audit
      .recordNow({
        action: 'backoffice.operator_token_issued',
        actor: { kind: 'operator', id: clientId },
        subject: { kind: 'operator', id: clientId },
        details: { scope },
      })
      .catch(onError);
  });
  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: { error?: unknown }) => {
    if (!clientCredentials(ctx)) return;
    // The claimed client id is the caller's input: kept only when it names one of our clients.
    const claimed = ctx.oidc.params?.client_id ?? ctx.oidc.client?.clientId;
    audit
      .recordNow({
        action: 'backoffice.operator_token_refused',
        actor: { kind: 'system', id: 'authorization-server' },
        ...(isBackofficeClient(claimed) ? { subject: { kind: 'operator', id: claimed } } : {}),
        details: { error: String(error.error ?? 'unknown').slice(0, auditDetailLengthMax) },
      })
      .catch(onError);
  });
}
