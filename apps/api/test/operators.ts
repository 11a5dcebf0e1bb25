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
  return { id: operator.id, credentials, token, authorization: `Bearer ${token}` };
}

export type SignedInOperator = Awaited<ReturnType<typeof signedInOperator>>;
