import { isIPv4, isIPv6 } from 'node:net';
import type { AuditEvent, AuditService } from '../audit/index.ts';
import { deviceNameLengthMax, gdprSessionSweepsMax, loginSessionTtlS, pageLimitMax } from '../platform/constants.ts';
import type { AppDependencies } from '../platform/dependencies.ts';
import { notFound } from '../platform/errors.ts';
import { isId, newId } from '../platform/ids.ts';
import { invalidCursor } from '../platform/problems.ts';
import { deleteGrantArtefacts } from './oauth-store.ts';
import { insertOutboxEvent } from './repository.ts';
import * as repository from './sessions-repository.ts';

/**
 * Sign-in sessions and devices (ADR 0016). A session is one OAuth grant of the mobile app: created
 * when the app exchanges its authorization code, touched at every refresh, ended by sign-out,
 * refresh-token reuse or the customer revoking it here. A device is the app's DPoP key (tokens are
 * bound to it, so it is exactly what can use them): the first sign-in with a key the customer has
 * not used before writes one `security.new_device_login` outbox event.
 */
export interface SessionView {
  readonly id: string;
  readonly deviceName: string;
  /** The coarse network of the last use: an IPv4 /24 or IPv6 /48, never the full address. */
  readonly network: string;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  /** True for the session the request's own access token belongs to. */
  readonly current: boolean;
}

export interface SignInRecord {
  readonly customerId: string;
  readonly grantId: string;
  readonly keyThumbprint: string;
  readonly userAgent: string | undefined;
  readonly ip: string;
}

/** The eight groups of an IPv6 address ("::" expanded; an embedded IPv4 tail counts as two). */
function ipv6Groups(address: string): string[] {
  const groupsIn = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? [g, g] : [g]));
  if (!address.includes('::')) return groupsIn(address);
  const [head = '', tail = ''] = address.split('::');
  const headGroups = groupsIn(head);
  const tailGroups = groupsIn(tail);
  return [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
}

/** IPv4 to its /24, IPv6 to its /48: enough for a customer to recognise a place, not to locate them. */
export function coarseNetworkOf(ip: string): string {
  const address = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip.split('%')[0] ?? '';
  if (isIPv4(address)) return `${address.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(address)) {
    const prefix = ipv6Groups(address.toLowerCase())
      .slice(0, 3)
      .map((group) => group.replace(/^0+(?=.)/, ''));
    return `${prefix.join(':')}::/48`;
  }
  return 'unknown';
}

/** The device name shown to the customer: the User-Agent, printable characters only, bounded. */
export function deviceNameOf(userAgent: string | undefined): string {
  const printable = (userAgent ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return printable.slice(0, deviceNameLengthMax) || 'Unknown device';
}

export function createSessionsService(
  deps: AppDependencies,
  modules: { markGrantRevoked(grantId: string): Promise<void>; audit: Pick<AuditService, 'record'> },
) {
  const { db } = deps;

  /** Called once per code exchange: records the session and, for a new device key, the alert event. */
  async function recordSignIn(record: SignInRecord): Promise<{ sessionId: string; newDevice: boolean }> {
    const sessionId = newId('session');
    return db.transaction(async (tx) => {
      const inserted = await repository.insertSession(tx, {
        id: sessionId,
        customerId: record.customerId,
        grantId: record.grantId,
        keyThumbprint: record.keyThumbprint,
        deviceName: deviceNameOf(record.userAgent),
        network: coarseNetworkOf(record.ip),
        lifetimeS: loginSessionTtlS,
      });
      if (!inserted) return { sessionId, newDevice: false };
      const newDevice = await repository.rememberDevice(tx, record.customerId, record.keyThumbprint);
      if (newDevice) {
        // No personal data: the notifier looks the customer up; the network and device name stay here.
        await insertOutboxEvent(tx, {
          id: newId('outboxEvent'),
          topic: 'security.new_device_login',
          aggregateId: record.customerId,
          payload: { customerId: record.customerId, sessionId },
        });
      }
      await modules.audit.record(tx, {
        action: 'customer.signed_in',
        actor: { kind: 'customer', id: record.customerId },
        subject: { kind: 'session', id: sessionId },
        details: { newDevice },
      });
      return { sessionId, newDevice };
    });
  }

  /** Called at every refresh: the session's "last used" and network follow the app. */
  async function recordRefresh(grantId: string, ip: string): Promise<void> {
    await repository.touchSession(db, grantId, coarseNetworkOf(ip));
  }

  /** Called when the authorization server ended a grant (sign-out, refresh-token reuse, revocation). */
  async function recordGrantEnded(grantId: string): Promise<void> {
    await repository.endSessionOfGrant(db, grantId);
  }

  async function listSessions(
    customerId: string,
    page: { limit: number; cursor: string | undefined; currentGrantId: string | undefined },
  ): Promise<{ data: SessionView[]; nextCursor: string | null }> {
    if (page.cursor !== undefined && !isId('session', page.cursor)) {
      throw invalidCursor();
    }
    const rows = await repository.listOpenSessions(db, customerId, { limit: page.limit + 1, beforeId: page.cursor });
    const data = rows.slice(0, page.limit).map((row) => ({
      id: row.id,
      deviceName: row.device_name,
      network: row.network,
      createdAt: row.created_at.toISOString(),
      lastUsedAt: row.last_used_at.toISOString(),
      current: row.grant_id === page.currentGrantId,
    }));
    return { data, nextCursor: rows.length > page.limit ? (data.at(-1)?.id ?? null) : null };
  }

  /**
   * Signs a device out: its grant is revoked, so its refresh token stops at once and its access
   * tokens are refused from the next request. Marking the grant revoked comes first: if a later
   * step fails, the customer retries and nothing was left half-open.
   */
  async function endSession(
    customerId: string,
    sessionId: string,
    caller: { currentGrantId: string | undefined; authorizeEndingAnother: () => void } | undefined = undefined,
  ): Promise<{ id: string; endedAt: string }> {
    const session = await repository.findOpenSession(db, customerId, sessionId);
    if (!session) {
      throw notFound('session_not_found', 'There is no open session with this id. List your sessions and try again.');
    }
    // Signing this device out needs nothing more; signing another out needs a recent sign-in (ADR 0016).
    if (caller && session.grant_id !== caller.currentGrantId) caller.authorizeEndingAnother();
    const endedAt = await revoke(session, { kind: 'customer', id: customerId });
    return { id: session.id, endedAt: endedAt.toISOString() };
  }

  /**
   * Marking the grant revoked comes first: if a later step fails, its tokens are already refused
   * and a retry (of the customer, the erasure, the lock) finds the session still open and ends it.
   */
  async function revoke(session: { id: string; grant_id: string }, actor: AuditEvent['actor']): Promise<Date> {
    await modules.markGrantRevoked(session.grant_id);
    return db.transaction(async (tx) => {
      await deleteGrantArtefacts(tx, session.grant_id);
      const ended = await repository.endSessionOfGrant(tx, session.grant_id);
      await modules.audit.record(tx, {
        action: 'customer.session_revoked',
        actor,
        subject: { kind: 'session', id: session.id },
      });
      return ended ?? new Date();
    });
  }

  /**
   * Signs the customer out of every device (erasure, a lock, closing the customer): each open
   * session's grant is revoked. Bounded: sign-ins racing it get gdprSessionSweepsMax passes; the
   * customer's status already refuses their tokens and refresh tokens, so this ends what a later
   * unlock would otherwise bring back.
   */
  async function endAllSessions(customerId: string, actor: AuditEvent['actor']): Promise<number> {
    let ended = 0;
    for (let sweep = 0; sweep < gdprSessionSweepsMax; sweep += 1) {
      const open = await repository.listOpenSessions(db, customerId, { limit: pageLimitMax, beforeId: undefined });
      if (open.length === 0) return ended;
      for (const session of open) await revoke(session, actor);
      ended += open.length;
    }
    return ended;
  }

  return { recordSignIn, recordRefresh, recordGrantEnded, listSessions, endSession, endAllSessions };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
