import { exportJWK, generateKeyPair } from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import type { AuditService } from '../audit/index.ts';
import { backofficeScope } from '../platform/auth.ts';
import type { Database, Queryable } from '../platform/database.ts';
import { conflict, notFound } from '../platform/errors.ts';
import { isId, newId } from '../platform/ids.ts';
import { type OperatorRole, roleScope } from './roles.ts';

/**
 * Operators: the bank's staff, each a confidential OAuth client (client credentials grant,
 * private_key_jwt). The bank keeps only public keys; a new or rotated private key is shown once to
 * whoever runs the command and never stored.
 */
export interface Operator {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly OperatorRole[];
  readonly status: 'active' | 'disabled';
  readonly createdAt: Date;
  readonly keyRotatedAt: Date;
}

interface OperatorRow {
  id: string;
  name: string;
  roles: OperatorRole[];
  public_jwks: { keys: Record<string, unknown>[] };
  status: 'active' | 'disabled';
  created_at: Date;
  key_rotated_at: Date;
}

const columns = 'id, name, roles, public_jwks, status, created_at, key_rotated_at';

const toOperator = (row: OperatorRow): Operator => ({
  id: row.id,
  name: row.name,
  roles: row.roles,
  status: row.status,
  createdAt: row.created_at,
  keyRotatedAt: row.key_rotated_at,
});

/** A fresh ES256 key pair: the private JWK goes to the operator, the public one into the database. */
async function newOperatorKey(operatorId: string) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = newId('operator').slice(4);
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  return { publicJwks: { keys: [publicJwk] }, privateJwk, clientId: operatorId };
}

export interface OperatorCredentials {
  readonly clientId: string;
  /** The private key (JWK) the operator signs client assertions with. Shown once; the bank keeps no copy. */
  readonly privateJwk: Record<string, unknown>;
}

const operatorNotFound = () => notFound('operator_not_found', 'No operator has this id. List operators to find it.');

export function createOperatorsService(db: Database, audit: AuditService) {
  async function find(q: Queryable, id: string, forUpdate = false): Promise<OperatorRow | undefined> {
    if (!isId('operator', id)) return undefined;
    const { rows } = await q.query<OperatorRow>(
      `SELECT ${columns} FROM operators WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0];
  }

  async function changeStatus(actorId: string, id: string, status: 'active' | 'disabled'): Promise<Operator> {
    return db.transaction(async (tx) => {
      const row = await find(tx, id, true);
      if (!row) throw operatorNotFound();
      if (row.status === status) throw conflict(`operator_already_${status}`, `The operator is already ${status}.`);
      const { rows } = await tx.query<OperatorRow>(
        `UPDATE operators SET status = $2, disabled_at = CASE WHEN $2 = 'disabled' THEN now() END
         WHERE id = $1 RETURNING ${columns}`,
        [id, status],
      );
      await audit.record(tx, {
        action: status === 'disabled' ? 'backoffice.operator_disabled' : 'backoffice.operator_enabled',
        actor: { kind: 'system', id: actorId },
        subject: { kind: 'operator', id },
      });
      return toOperator(rows[0] as OperatorRow);
    });
  }

  return {
    /**
     * A refused back-office request (role missing, operator disabled, automation off): who tried
     * what is evidence too (SOX access monitoring), recorded before the 403 is answered.
     */
    async recordRefusal(clientId: string, refusal: { code: string; role: string }): Promise<void> {
      await audit.record(db, {
        action: 'backoffice.access_refused',
        actor: { kind: 'operator', id: clientId },
        details: { code: refusal.code, role: refusal.role },
      });
    },

    /** Creates an operator with a fresh key pair; `actorId` names who ran the command (audited). */
    async create(actorId: string, input: { name: string; roles: readonly OperatorRole[] }) {
      const id = newId('operator');
      const key = await newOperatorKey(id);
      const operator = await db.transaction(async (tx) => {
        const { rows } = await tx.query<OperatorRow>(
          `INSERT INTO operators (id, name, roles, public_jwks) VALUES ($1, $2, $3, $4) RETURNING ${columns}`,
          [id, input.name, [...new Set(input.roles)], JSON.stringify(key.publicJwks)],
        );
        await audit.record(tx, {
          action: 'backoffice.operator_created',
          actor: { kind: 'system', id: actorId },
          subject: { kind: 'operator', id },
          details: { roles: [...new Set(input.roles)].sort().join(' ') },
        });
        return toOperator(rows[0] as OperatorRow);
      });
      return { operator, credentials: { clientId: id, privateJwk: key.privateJwk } as OperatorCredentials };
    },

    /** Replaces the operator's key: the old private key stops working at once. */
    async rotateKey(actorId: string, id: string) {
      const key = await newOperatorKey(id);
      const operator = await db.transaction(async (tx) => {
        const { rows } = await tx.query<OperatorRow>(
          `UPDATE operators SET public_jwks = $2, key_rotated_at = now() WHERE id = $1 RETURNING ${columns}`,
          [id, JSON.stringify(key.publicJwks)],
        );
        if (!rows[0]) throw operatorNotFound();
        await audit.record(tx, {
          action: 'backoffice.operator_key_rotated',
          actor: { kind: 'system', id: actorId },
          subject: { kind: 'operator', id },
        });
        return toOperator(rows[0]);
      });
      return { operator, credentials: { clientId: id, privateJwk: key.privateJwk } as OperatorCredentials };
    },

    disable: (actorId: string, id: string) => changeStatus(actorId, id, 'disabled'),
    enable: (actorId: string, id: string) => changeStatus(actorId, id, 'active'),

    async list(): Promise<Operator[]> {
      const { rows } = await db.query<OperatorRow>(`SELECT ${columns} FROM operators ORDER BY created_at, id`);
      return rows.map(toOperator);
    },

    /** The operator, if active: a disabled operator's unexpired tokens stop working at once. */
    async findActive(id: string): Promise<Operator | undefined> {
      const row = await find(db, id);
      return row?.status === 'active' ? toOperator(row) : undefined;
    },

    /**
     * The OAuth client metadata of an active operator, for the authorization server's client
     * lookup; undefined for unknown or disabled operators, so they get no new tokens.
     */
    async clientMetadata(clientId: string): Promise<ClientMetadata | undefined> {
      const row = await find(db, clientId);
      if (row?.status !== 'active') return undefined;
      return {
        client_id: row.id,
        client_name: 'NextGen back-office operator',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: row.public_jwks as ClientMetadata['jwks'],
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: [backofficeScope, ...row.roles.map(roleScope)].join(' '),
      };
    },
  };
}

export type OperatorsService = ReturnType<typeof createOperatorsService>;
