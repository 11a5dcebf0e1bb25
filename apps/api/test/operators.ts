import { operatorToken } from '@nextgen/testkit';
import type { OperatorRole } from '../src/backoffice/roles.ts';
import { issuerOf } from '../src/platform/auth.ts';
import type { TestApp } from './helper.ts';

/**
 * A back-office operator for tests: created through the service (as `./ng backoffice operator
 * create` does) and signed in through the real authorization server (client credentials with
 * private_key_jwt), so their token carries exactly the roles they hold.
 */
export async function signedInOperator(testApp: TestApp, roles: readonly OperatorRole[], name = 'Test operator') {
  const { operator, credentials } = await testApp.services.backoffice.operators.create('cli:test', { name, roles });
  const issuer = issuerOf(testApp.config);
  const token = await operatorToken(testApp.app, { ...credentials, issuer, roles });
  await tokenIssuanceAudited(testApp, operator.id);
  return { id: operator.id, credentials, token, authorization: `Bearer ${token}` };
}

/**
 * The token's issuance is audited from the authorization server's `grant.success` event, after the
 * token answer (backoffice/sign-ins.ts): waits for that record, so a test that checks what its next
 * request changed does not see it land then.
 */
async function tokenIssuanceAudited(testApp: TestApp, operatorId: string): Promise<void> {
  const deadline = Date.now() + operatorAuditWaitMs;
  for (;;) {
    const { rows } = await testApp.deps.db.query(
      `SELECT 1 FROM audit_pending WHERE action = 'backoffice.operator_token_issued' AND subject_id = $1
       UNION ALL SELECT 1 FROM audit_log WHERE action = 'backoffice.operator_token_issued' AND subject_id = $1
       LIMIT 1`,
      [operatorId],
    );
    if (rows.length > 0) return;
    if (Date.now() > deadline) throw new Error(`the token issued to ${operatorId} was never audited`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const operatorAuditWaitMs = 5_000;

export type SignedInOperator = Awaited<ReturnType<typeof signedInOperator>>;
