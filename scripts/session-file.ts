import { readFile, writeFile } from 'node:fs/promises';

/**
 * The command line's sign-in (`./ng token`, `./ng api`): the device's DPoP private key, its tokens
 * and the last server nonce. Written with mode 600, like an SSH key; delete it to sign out locally.
 */
export interface SavedSession {
  readonly base: string;
  readonly customerId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly idToken: string;
  readonly dpopPrivateJwk: Record<string, string>;
  readonly nonce: string | undefined;
}

export const defaultSessionFile = process.env.NG_SESSION_FILE ?? '.ng-session.json';

export async function saveSession(file: string, session: SavedSession): Promise<void> {
  await writeFile(file, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600 });
}

export async function loadSession(file: string): Promise<SavedSession> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SavedSession;
  } catch {
    throw new Error(`no session in ${file}: sign in first with ./ng token --email … --password …`);
  }
}
