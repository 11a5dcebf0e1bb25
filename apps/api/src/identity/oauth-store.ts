import { createHash } from 'node:crypto';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { oidcPurgeBatchSize, oidcPurgeEveryWrites } from '../platform/constants.ts';
import type { Queryable } from '../platform/database.ts';

/**
 * oidc-provider's storage adapter on PostgreSQL (table oauth_artefacts), so every API pod shares
 * sessions, interactions, grants, codes and refresh tokens.
 *
 * - Ids are stored as SHA-256 digests and token payloads without their `jti`: an opaque code or
 *   refresh token's value *is* its id, so a copy of the table holds no usable token. Sessions keep
 *   their jti (the library looks them up by uid); their cookie is signed, so the id alone is useless.
 * - `consume` is one conditional UPDATE: of two concurrent uses of the same code or refresh token
 *   exactly one wins; the loser is treated as a replay and revokes the whole grant, as the library
 *   does for sequential reuse.
 * - Expired rows are invisible to `find` and deleted in bounded batches every few hundred writes.
 */
export interface OAuthStoreOptions {
  /** Called after a grant's tokens were deleted, so access tokens of that grant can be refused early. */
  readonly onGrantRevoked: (grantId: string) => Promise<void>;
  readonly onPurgeFailed: (error: unknown) => void;
  /** Clients kept in the database (back-office operators); the statically configured ones come first. */
  readonly findClient?: (clientId: string) => Promise<AdapterPayload | undefined>;
}

/** Models whose payload keeps its jti because the library finds them by another key (the session uid). */
const keepsJti = new Set(['Session']);

const digest = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Deletes a grant and every code, refresh token and record issued under it: its refresh tokens stop
 * at once. Access tokens are JWTs; the caller marks the grant revoked so the API refuses them too.
 */
export async function deleteGrantArtefacts(db: Queryable, grantId: string): Promise<void> {
  await db.query('DELETE FROM oauth_artefacts WHERE grant_id = $1 OR (model = $2 AND id = $3)', [
    grantId,
    'Grant',
    digest(grantId),
  ]);
}

interface StoredRow {
  payload: string;
  consumed_at_s: number | null;
}

function revive(row: StoredRow | undefined, jti: string | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  if (jti !== undefined) payload.jti = jti;
  if (row.consumed_at_s !== null) payload.consumed = Math.floor(row.consumed_at_s);
  return payload;
}

const selectLive = `SELECT payload, extract(epoch FROM consumed_at)::float8 AS consumed_at_s
  FROM oauth_artefacts WHERE model = $1 AND id = $2 AND (expires_at IS NULL OR expires_at > now())`;

export function createOAuthStore(
  db: Queryable,
  options: OAuthStoreOptions,
): AdapterFactory & { purgeExpired(): Promise<number> } {
  let writesSincePurge = 0;

  async function purgeExpired(): Promise<number> {
    const { rowCount } = await db.query(
      `DELETE FROM oauth_artefacts WHERE (model, id) IN (
         SELECT model, id FROM oauth_artefacts WHERE expires_at < now() LIMIT $1)`,
      [oidcPurgeBatchSize],
    );
    return rowCount;
  }

  async function purgeNowAndThen(): Promise<void> {
    writesSincePurge += 1;
    if (writesSincePurge < oidcPurgeEveryWrites) return;
    writesSincePurge = 0;
    // Clean-up is housekeeping: a failure must not fail the sign-in that happened to trigger it.
    await purgeExpired().catch(options.onPurgeFailed);
  }

  async function revokeGrant(grantId: string, model?: string): Promise<void> {
    if (model === undefined) {
      await deleteGrantArtefacts(db, grantId);
    } else {
      await db.query('DELETE FROM oauth_artefacts WHERE grant_id = $1 AND model = $2', [grantId, model]);
    }
    await options.onGrantRevoked(grantId);
  }

  const factory = (model: string): Adapter => ({
    async upsert(id, payload, expiresInS) {
      const { consumed: _consumed, ...rest } = payload;
      const stored = keepsJti.has(model) ? rest : { ...rest, jti: undefined };
      await db.query(
        `INSERT INTO oauth_artefacts (model, id, payload, grant_id, session_uid, expires_at)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => $6::float8) END)
         ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id,
           session_uid = EXCLUDED.session_uid, expires_at = EXCLUDED.expires_at`,
        [
          model,
          digest(id),
          JSON.stringify(stored),
          payload.grantId ?? null,
          model === 'Session' ? (payload.uid ?? null) : null,
          typeof expiresInS === 'number' ? expiresInS : null,
        ],
      );
      await purgeNowAndThen();
    },

    async find(id) {
      // Static clients are configured in code; operators' clients come from their own table.
      if (model === 'Client') return options.findClient?.(id);
      const { rows } = await db.query<StoredRow>(selectLive, [model, digest(id)]);
      return revive(rows[0], keepsJti.has(model) ? undefined : id);
    },

    async findByUid(uid) {
      const { rows } = await db.query<StoredRow>(
        `SELECT payload, extract(epoch FROM consumed_at)::float8 AS consumed_at_s FROM oauth_artefacts
         WHERE model = $1 AND session_uid = $2 AND (expires_at IS NULL OR expires_at > now())
         ORDER BY expires_at DESC NULLS FIRST LIMIT 1`,
        [model, uid],
      );
      return revive(rows[0], undefined);
    },

    async findByUserCode() {
      // The device flow is disabled, so there are no user codes.
      return undefined;
    },

    async consume(id) {
      const { rowCount } = await db.query(
        'UPDATE oauth_artefacts SET consumed_at = now() WHERE model = $1 AND id = $2 AND consumed_at IS NULL',
        [model, digest(id)],
      );
      if (rowCount === 1) return;
      // Another request used this code or refresh token first: a replay. Revoke the whole grant.
      const { rows } = await db.query<{ grant_id: string | null }>(
        'SELECT grant_id FROM oauth_artefacts WHERE model = $1 AND id = $2',
        [model, digest(id)],
      );
      const grantId = rows[0]?.grant_id;
      if (grantId) await revokeGrant(grantId);
      throw new errors.InvalidGrant('grant request is invalid');
    },

    async destroy(id) {
      await db.query('DELETE FROM oauth_artefacts WHERE model = $1 AND id = $2', [model, digest(id)]);
    },

    async revokeByGrantId(grantId) {
      await revokeGrant(grantId, model);
    },
  });
  return Object.assign(factory, { purgeExpired });
}
